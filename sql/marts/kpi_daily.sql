-- materialized: incremental
-- incremental_key: date
-- comment: Daily marketing KPIs per channel and campaign, in the reporting currency: ad spend and delivery (staging.int_ad_performance__daily: staging.ad_performance summed per day and account currency, then converted), web sessions (staging.web_traffic, matched to a campaign by id, then by name, else the channel's (none) row), and orders, revenue and conversions attributed last-touch (staging.int_events__last_touch, of which staging.int_orders__attributed and staging.int_conversions__attributed are slices). Ratios are NULL when their denominator is 0. Money that found no exchange rate counts as 0 here and is listed in meta.fx_missing.
-- staging.int_ad_performance__daily (a view: one aggregate over every ad row)
-- is evaluated once here and read twice below, not aggregated once per reader.
WITH ad_daily AS MATERIALIZED (
    SELECT date, channel, campaign_id, platform, campaign_name,
           spend, impressions, clicks, conversions, conversion_value
    FROM staging.int_ad_performance__daily
),

ad_rows AS (
    SELECT
        date,
        channel,
        coalesce(campaign_id, '(none)') AS campaign_id,
        CAST(sum(spend) AS DECIMAL(18,4)) AS spend,
        CAST(sum(impressions) AS BIGINT) AS impressions,
        CAST(sum(clicks) AS BIGINT) AS clicks,
        CAST(sum(CAST(conversions AS DECIMAL(18,6))) AS DOUBLE) AS platform_conversions, -- exact, so reruns are identical
        CAST(sum(conversion_value) AS DECIMAL(18,4)) AS platform_conversion_value
    FROM ad_daily
{{- if .Since}}
    WHERE date >= DATE '{{.Since}}'
{{- end}}
    GROUP BY ALL
),

-- One row per channel and campaign over all days (an incremental build
-- too): its platform and latest name (the largest on a day with several).
campaign_days AS (
    SELECT
        channel,
        coalesce(campaign_id, '(none)') AS campaign_id,
        date,
        max(platform) AS platform,
        max(campaign_name) AS campaign_name
    FROM ad_daily
    GROUP BY ALL
),

campaigns AS (
    SELECT
        channel,
        campaign_id,
        arg_max(platform, date) AS platform,
        arg_max(campaign_name, date) AS campaign_name,
        max(date) AS last_date
    FROM campaign_days
    GROUP BY channel, campaign_id
),

campaign_by_id AS (
    SELECT channel, campaign_id
    FROM campaigns
    QUALIFY row_number() OVER (PARTITION BY campaign_id ORDER BY last_date DESC, channel) = 1
),

campaign_by_name AS (
    SELECT channel, campaign_id, lower(campaign_name) AS campaign_name
    FROM campaigns
    WHERE campaign_name IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY lower(campaign_name) ORDER BY last_date DESC, campaign_id, channel) = 1
),

-- A web row's campaign is an ad campaign id, else an ad campaign name (case
-- insensitive; the most recently active campaign when names repeat), else
-- (none) in the channel of its channel group.
web_rows AS (
    SELECT
        web.date,
        coalesce(by_id.channel, by_name.channel, web.channel) AS channel,
        coalesce(by_id.campaign_id, by_name.campaign_id, '(none)') AS campaign_id,
        CAST(sum(web.sessions) AS BIGINT) AS sessions,
        CAST(sum(web.users) AS BIGINT) AS users
    FROM staging.web_traffic AS web
    LEFT JOIN campaign_by_id AS by_id
        ON by_id.campaign_id = web.campaign
    LEFT JOIN campaign_by_name AS by_name
        ON by_name.campaign_name = lower(web.campaign)
{{- if .Since}}
    WHERE web.date >= DATE '{{.Since}}'
{{- end}}
    GROUP BY ALL
),

-- Orders, refunds and conversions come from one evaluation of the
-- attribution (one ASOF join): staging.int_orders__attributed and
-- staging.int_conversions__attributed are slices of the same view.
events AS (
    SELECT event, date, channel, campaign_id, status, customer_id, is_first_order, amount
    FROM staging.int_events__last_touch
    WHERE (event = 'conversion' OR status IN ('paid', 'refunded'))
{{- if .Since}}
      AND date >= DATE '{{.Since}}'
{{- end}}
),

-- Orders, refunds, customers and conversions per day, channel and campaign
-- in one pass over the events.
event_rows AS (
    SELECT
        date,
        channel,
        campaign_id,
        count(*) FILTER (WHERE event = 'order' AND status = 'paid') AS orders,
        count(*) FILTER (WHERE event = 'order' AND is_first_order) AS new_customers,
        CAST(sum(amount) FILTER (WHERE event = 'order' AND status = 'paid') AS DECIMAL(18,4)) AS gross_revenue,
        CAST(sum(amount) FILTER (WHERE event = 'order' AND status = 'refunded') AS DECIMAL(18,4)) AS refunds,
        CAST(count(DISTINCT customer_id) FILTER (WHERE event = 'order' AND status = 'paid' AND NOT is_first_order) AS BIGINT) AS returning_customers,
        CAST(count(*) FILTER (WHERE event = 'conversion') AS BIGINT) AS conversions
    FROM events
    GROUP BY date, channel, campaign_id
),

facts AS (
    SELECT * FROM ad_rows
    UNION ALL BY NAME
    SELECT * FROM web_rows
    UNION ALL BY NAME
    SELECT * FROM event_rows
),

-- Each part above has at most one row per (date, channel, campaign_id), so
-- max() picks its value: the same as sum(), with small 64-bit states.
totals AS (
    SELECT
        date,
        channel,
        campaign_id,
        CAST(coalesce(max(spend), 0) AS DECIMAL(18,2)) AS spend,
        coalesce(max(impressions), 0) AS impressions,
        coalesce(max(clicks), 0) AS clicks,
        CAST(coalesce(max(platform_conversions), 0) AS DOUBLE) AS platform_conversions,
        CAST(coalesce(max(platform_conversion_value), 0) AS DECIMAL(18,2)) AS platform_conversion_value,
        coalesce(max(sessions), 0) AS sessions,
        coalesce(max(users), 0) AS users,
        coalesce(max(conversions), 0) AS conversions,
        coalesce(max(orders), 0) AS orders,
        CAST(coalesce(max(gross_revenue), 0) AS DECIMAL(18,2)) AS gross_revenue,
        CAST(coalesce(max(refunds), 0) AS DECIMAL(18,2)) AS refunds,
        coalesce(max(new_customers), 0) AS new_customers,
        coalesce(max(returning_customers), 0) AS returning_customers
    FROM facts
    GROUP BY date, channel, campaign_id
),

provisional AS (
    SELECT min(provisional_from) AS provisional_from
    FROM meta.stream_state
    WHERE canonical IN ('ad_performance', 'web_traffic', 'touchpoints', 'conversions', 'orders')
)

SELECT
    totals.date,
    totals.channel,
    campaigns.platform,
    totals.campaign_id,
    CASE WHEN totals.campaign_id = '(none)' THEN '(none)' ELSE campaigns.campaign_name END AS campaign_name,
    totals.spend,
    totals.impressions,
    totals.clicks,
    totals.clicks / nullif(totals.impressions, 0) AS ctr,
    CAST(totals.spend AS DOUBLE) / nullif(totals.clicks, 0) AS cpc,
    CAST(totals.spend AS DOUBLE) * 1000 / nullif(totals.impressions, 0) AS cpm,
    totals.platform_conversions,
    totals.platform_conversion_value,
    totals.sessions,
    totals.users,
    totals.conversions,
    totals.conversions / nullif(totals.sessions, 0) AS conversion_rate,
    totals.orders,
    totals.gross_revenue,
    totals.refunds,
    CAST(totals.gross_revenue - totals.refunds AS DECIMAL(18,2)) AS revenue,
    CAST(totals.gross_revenue - totals.refunds AS DOUBLE) / nullif(CAST(totals.spend AS DOUBLE), 0) AS roas,
    totals.new_customers,
    totals.returning_customers,
    CAST(totals.spend AS DOUBLE) / nullif(totals.new_customers, 0) AS cac,
    CAST(totals.gross_revenue AS DOUBLE) / nullif(totals.orders, 0) AS aov,
    coalesce(totals.date >= provisional.provisional_from, false) AS provisional
FROM totals
LEFT JOIN campaigns
    ON campaigns.channel = totals.channel
   AND campaigns.campaign_id = totals.campaign_id
CROSS JOIN provisional
