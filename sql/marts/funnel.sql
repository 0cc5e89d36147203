-- materialized: table
-- comment: The marketing funnel per channel and period (calendar month and ISO week): impressions and clicks (ad platforms) → sessions (web analytics) → leads → deals → won deals (CRM, by lead_source), with paid orders and net revenue (last-touch, as in marts.kpi_daily) and the won deals' amount. Stage rates are ratios of counts in the same period (a flow, not a cohort: a deal created in March and won in April counts among March's deals and April's won), NULL when their denominator is 0. Per channel, the stage whose rate fell most against the immediately preceding period (relative change, among stages with at least 30 in the denominator in both periods and at least 10 in the numerator in the preceding one: fixed defaults of this model) is named with its rates before and after.
WITH daily AS (
    SELECT date, channel, impressions, clicks, sessions, orders, revenue
    FROM marts.channel_daily

    UNION ALL BY NAME

    -- Leads and deals count on the lead's creation day: the CRM keeps only
    -- the latest stage, not when a lead was qualified. A deal is a lead that
    -- reached the qualified stage: qualified, proposal or won, or lost with
    -- an amount (the CRM gives a deal its amount once qualified; a lost lead
    -- without one was disqualified as a lead).
    SELECT
        date,
        coalesce(lead_source, 'unassigned') AS channel,
        count(*) AS leads,
        count(*) FILTER (WHERE stage IN ('qualified', 'proposal', 'won') OR is_won
                           OR (stage = 'lost' AND amount IS NOT NULL)) AS deals
    FROM staging.crm_deals
    WHERE date IS NOT NULL
    GROUP BY ALL

    UNION ALL BY NAME

    SELECT
        closed_date AS date,
        coalesce(lead_source, 'unassigned') AS channel,
        count(*) AS won_deals,
        sum(coalesce(amount, 0)) AS won_revenue
    FROM staging.crm_deals
    WHERE is_won AND closed_date IS NOT NULL
    GROUP BY ALL
),

periods AS (
    SELECT
        CASE WHEN grouping(month_start) = 0 THEN 'month' ELSE 'week' END AS period_type,
        coalesce(month_start, week_start) AS period_start,
        channel,
        CAST(coalesce(sum(impressions), 0) AS BIGINT) AS impressions,
        CAST(coalesce(sum(clicks), 0) AS BIGINT) AS clicks,
        CAST(coalesce(sum(sessions), 0) AS BIGINT) AS sessions,
        CAST(coalesce(sum(leads), 0) AS BIGINT) AS leads,
        CAST(coalesce(sum(deals), 0) AS BIGINT) AS deals,
        CAST(coalesce(sum(won_deals), 0) AS BIGINT) AS won_deals,
        CAST(coalesce(sum(won_revenue), 0) AS DECIMAL(18,2)) AS won_revenue,
        CAST(coalesce(sum(orders), 0) AS BIGINT) AS orders,
        CAST(coalesce(sum(revenue), 0) AS DECIMAL(18,2)) AS revenue
    FROM (
        SELECT
            *,
            CAST(date_trunc('month', date) AS DATE) AS month_start,
            CAST(date_trunc('week', date) AS DATE) AS week_start
        FROM daily
    )
    GROUP BY GROUPING SETS ((month_start, channel), (week_start, channel))
),

rated AS (
    SELECT
        *,
        clicks / nullif(impressions, 0) AS click_through_rate,
        sessions / nullif(clicks, 0) AS click_to_session_rate,
        leads / nullif(sessions, 0) AS session_to_lead_rate,
        deals / nullif(leads, 0) AS lead_to_deal_rate,
        won_deals / nullif(deals, 0) AS deal_to_won_rate,
        orders / nullif(sessions, 0) AS session_to_order_rate
    FROM periods
),

-- Each period next to the channel's preceding row of the same period type;
-- it is the preceding period only if it starts a month (a week) earlier.
paired AS (
    SELECT
        *,
        coalesce(lag(period_start) OVER w = CASE period_type
            WHEN 'month' THEN CAST(period_start - INTERVAL 1 MONTH AS DATE)
            ELSE CAST(period_start - INTERVAL 7 DAY AS DATE)
        END, false) AS has_previous,
        [
            {'stage': 'click_through', 'before': lag(click_through_rate) OVER w, 'after': click_through_rate,
             'base_before': lag(impressions) OVER w, 'base_after': impressions, 'count_before': lag(clicks) OVER w},
            {'stage': 'click_to_session', 'before': lag(click_to_session_rate) OVER w, 'after': click_to_session_rate,
             'base_before': lag(clicks) OVER w, 'base_after': clicks, 'count_before': lag(sessions) OVER w},
            {'stage': 'session_to_lead', 'before': lag(session_to_lead_rate) OVER w, 'after': session_to_lead_rate,
             'base_before': lag(sessions) OVER w, 'base_after': sessions, 'count_before': lag(leads) OVER w},
            {'stage': 'lead_to_deal', 'before': lag(lead_to_deal_rate) OVER w, 'after': lead_to_deal_rate,
             'base_before': lag(leads) OVER w, 'base_after': leads, 'count_before': lag(deals) OVER w},
            {'stage': 'deal_to_won', 'before': lag(deal_to_won_rate) OVER w, 'after': deal_to_won_rate,
             'base_before': lag(deals) OVER w, 'base_after': deals, 'count_before': lag(won_deals) OVER w},
            {'stage': 'session_to_order', 'before': lag(session_to_order_rate) OVER w, 'after': session_to_order_rate,
             'base_before': lag(sessions) OVER w, 'base_after': sessions, 'count_before': lag(orders) OVER w}
        ] AS stages
    FROM rated
    WINDOW w AS (PARTITION BY period_type, channel ORDER BY period_start)
),

-- The stage with the largest relative fall (ties: the earlier stage in the
-- list above); only stages with at least 30 in the denominator in both
-- periods and at least 10 in the numerator before, so that one lead more
-- or less is not a finding.
drops AS (
    SELECT
        *,
        list_sort(list_transform(
            list_filter(stages, s -> has_previous AND s.base_before >= 30 AND s.base_after >= 30
                                     AND s.count_before >= 10
                                     AND s.before > 0 AND s.after < s.before),
            s -> {'change': s.after / s.before - 1, 'position': list_position(
                    ['click_through', 'click_to_session', 'session_to_lead', 'lead_to_deal', 'deal_to_won', 'session_to_order'], s.stage),
                  'stage': s.stage, 'before': s.before, 'after': s.after}
        ))[1] AS worst
    FROM paired
)

SELECT
    period_type,
    CASE period_type WHEN 'month' THEN strftime(period_start, '%Y-%m') ELSE strftime(period_start, '%G-W%V') END AS period,
    period_start,
    CAST(CASE period_type
        WHEN 'month' THEN last_day(period_start)
        ELSE period_start + 6
    END AS DATE) AS period_end,
    channel,
    impressions,
    clicks,
    sessions,
    leads,
    deals,
    won_deals,
    won_revenue,
    orders,
    revenue,
    click_through_rate,
    click_to_session_rate,
    session_to_lead_rate,
    lead_to_deal_rate,
    deal_to_won_rate,
    session_to_order_rate,
    CAST(won_revenue AS DOUBLE) / nullif(won_deals, 0) AS won_deal_value,
    CAST(revenue AS DOUBLE) / nullif(sessions, 0) AS revenue_per_session,
    worst.stage AS biggest_drop_stage,
    worst.before AS biggest_drop_rate_before,
    worst.after AS biggest_drop_rate_after,
    worst.change AS biggest_drop_change
FROM drops
ORDER BY period_type, period_start, channel
