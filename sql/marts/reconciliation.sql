-- materialized: table
-- comment: Conversions and revenue per day and channel as four systems record them, side by side with the gaps between them: ad platforms (their own claims, marts.channel_daily platform_conversions and platform_conversion_value, converted to the reporting currency), web analytics (staging.web_traffic key_events and revenue, by the channel of its channel group), the CRM (staging.crm_deals won, on the close day, by lead_source) and finance (paid orders and revenue net of refunds from staging.int_orders__attributed, last-touch channel, as marts.kpi_daily sums them). Each gap is (source − finance) ÷ |finance| × 100, in percent (|finance|: a day of refunds only has negative net revenue); NULL when finance is 0 or the source does not cover the row (ad platforms only cover channels with ad data that day, web analytics only days it reported, the CRM only the lead sources it has ever recorded). A source is flagged when the absolute conversions or revenue gap exceeds the tolerance (evaluation.reconciliation_tolerance_pct in pacer.yaml, default 20 %), or when finance has nothing but the source claims something.
WITH settings AS (
    -- The tolerance: evaluation.reconciliation_tolerance_pct (default 20).
    SELECT CAST({{.ReconciliationTolerance}} AS DOUBLE) AS tolerance_pct
),

platform_finance AS (
    SELECT
        date,
        channel,
        spend <> 0 OR impressions <> 0 OR clicks <> 0
            OR platform_conversions <> 0 OR platform_conversion_value <> 0 AS has_platform,
        platform_conversions,
        platform_conversion_value,
        orders AS finance_orders,
        revenue AS finance_revenue,
        provisional
    FROM marts.channel_daily
),

web AS (
    SELECT
        date,
        channel,
        -- Exact sums, so that reruns give identical marts.
        CAST(sum(CAST(coalesce(key_events, 0) AS DECIMAL(18,6))) AS DOUBLE) AS web_conversions,
        CAST(sum(coalesce(revenue, 0)) AS DECIMAL(18,2)) AS web_revenue
    FROM staging.web_traffic
    GROUP BY date, channel
),

web_days AS (
    SELECT DISTINCT date FROM web
),

crm AS (
    SELECT
        closed_date AS date,
        coalesce(lead_source, 'unassigned') AS channel,
        count(*) AS crm_won_deals,
        CAST(sum(coalesce(amount, 0)) AS DECIMAL(18,2)) AS crm_won_revenue
    FROM staging.crm_deals
    WHERE is_won AND closed_date IS NOT NULL
    GROUP BY ALL
),

crm_channels AS (
    SELECT DISTINCT coalesce(lead_source, 'unassigned') AS channel
    FROM staging.crm_deals
),

keys AS (
    SELECT date, channel FROM platform_finance
    UNION
    SELECT date, channel FROM web
    UNION
    SELECT date, channel FROM crm
),

joined AS (
    SELECT
        keys.date,
        keys.channel,
        CASE WHEN pf.has_platform THEN pf.platform_conversions END AS platform_conversions,
        CASE WHEN pf.has_platform THEN pf.platform_conversion_value END AS platform_conversion_value,
        CASE WHEN web_days.date IS NOT NULL THEN coalesce(web.web_conversions, 0) END AS web_conversions,
        CASE WHEN web_days.date IS NOT NULL THEN coalesce(web.web_revenue, 0) END AS web_revenue,
        CASE WHEN crm_channels.channel IS NOT NULL THEN coalesce(crm.crm_won_deals, 0) END AS crm_won_deals,
        CASE WHEN crm_channels.channel IS NOT NULL THEN coalesce(crm.crm_won_revenue, 0) END AS crm_won_revenue,
        coalesce(pf.finance_orders, 0) AS finance_orders,
        coalesce(pf.finance_revenue, 0) AS finance_revenue,
        coalesce(pf.provisional, false) AS provisional
    FROM keys
    LEFT JOIN platform_finance AS pf
        ON pf.date = keys.date AND pf.channel = keys.channel
    LEFT JOIN web
        ON web.date = keys.date AND web.channel = keys.channel
    LEFT JOIN web_days
        ON web_days.date = keys.date
    LEFT JOIN crm
        ON crm.date = keys.date AND crm.channel = keys.channel
    LEFT JOIN crm_channels
        ON crm_channels.channel = keys.channel
),

gaps AS (
    SELECT
        joined.*,
        100 * (platform_conversions - finance_orders) / nullif(finance_orders, 0) AS platform_conversions_gap_pct,
        100 * (CAST(platform_conversion_value AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS platform_revenue_gap_pct,
        100 * (web_conversions - finance_orders) / nullif(finance_orders, 0) AS web_conversions_gap_pct,
        100 * (CAST(web_revenue AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS web_revenue_gap_pct,
        100 * (CAST(crm_won_deals AS DOUBLE) - finance_orders) / nullif(finance_orders, 0) AS crm_conversions_gap_pct,
        100 * (CAST(crm_won_revenue AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS crm_revenue_gap_pct
    FROM joined
)

SELECT
    gaps.date,
    gaps.channel,
    platform_conversions,
    CAST(platform_conversion_value AS DECIMAL(18,2)) AS platform_conversion_value,
    web_conversions,
    web_revenue,
    CAST(crm_won_deals AS BIGINT) AS crm_won_deals,
    crm_won_revenue,
    CAST(finance_orders AS BIGINT) AS finance_orders,
    CAST(finance_revenue AS DECIMAL(18,2)) AS finance_revenue,
    platform_conversions_gap_pct,
    platform_revenue_gap_pct,
    web_conversions_gap_pct,
    web_revenue_gap_pct,
    crm_conversions_gap_pct,
    crm_revenue_gap_pct,
    settings.tolerance_pct,
    coalesce(abs(platform_conversions_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(abs(platform_revenue_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND platform_conversions <> 0, false)
        OR coalesce(finance_revenue = 0 AND platform_conversion_value <> 0, false) AS platform_flag,
    coalesce(abs(web_conversions_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(abs(web_revenue_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND web_conversions <> 0, false)
        OR coalesce(finance_revenue = 0 AND web_revenue <> 0, false) AS web_flag,
    coalesce(abs(crm_conversions_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(abs(crm_revenue_gap_pct) > settings.tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND crm_won_deals <> 0, false)
        OR coalesce(finance_revenue = 0 AND crm_won_revenue <> 0, false) AS crm_flag,
    provisional
FROM gaps
CROSS JOIN settings
ORDER BY gaps.date, gaps.channel
