-- materialized: table
-- comment: Every KPI of every calendar month (CRM leads, deals and won deals included, by lead source), for the company and each channel, against the previous month and the same month last year, with absolute and relative change. The month still running is compared day for day: its first N days against the first N days of the previous month and of the same month last year (N = days of data so far in it). Ratios are recomputed from the sums of their parts, never averaged. A comparison without data (the month before the data starts) is NULL, and so is a relative change from 0. Targets are compared in marts.targets_vs_actuals; the drivers of each change are in marts.variance_drivers.
WITH last_day AS (
    SELECT max(date) AS d FROM marts.kpi_daily
),

-- CRM leads and deals by their creation day, won deals by their close day,
-- by lead source as channel (as in marts.funnel: a deal is a lead that
-- reached qualified, proposal or won, or was lost with an amount).
crm_days AS (
    SELECT
        date,
        coalesce(lead_source, 'unassigned') AS channel,
        count(*) AS leads,
        count(*) FILTER (WHERE stage IN ('qualified', 'proposal', 'won') OR is_won
                           OR (stage = 'lost' AND amount IS NOT NULL)) AS deals,
        0 AS won_deals
    FROM staging.crm_deals
    WHERE date IS NOT NULL
    GROUP BY ALL
    UNION ALL BY NAME
    SELECT closed_date AS date, coalesce(lead_source, 'unassigned') AS channel, 0 AS leads, 0 AS deals, count(*) FILTER (WHERE is_won) AS won_deals
    FROM staging.crm_deals
    WHERE closed_date IS NOT NULL
    GROUP BY ALL
),

kpi_days AS (
    SELECT
        date,
        'channel' AS scope,
        channel AS scope_value,
        sum(spend) AS spend,
        sum(impressions) AS impressions,
        sum(clicks) AS clicks,
        sum(sessions) AS sessions,
        sum(conversions) AS conversions,
        sum(orders) AS orders,
        sum(revenue) AS revenue,
        sum(new_customers) AS new_customers
    FROM marts.kpi_daily
    GROUP BY date, channel

    UNION ALL

    SELECT
        date,
        'company' AS scope,
        'company' AS scope_value,
        sum(spend),
        sum(impressions),
        sum(clicks),
        sum(sessions),
        sum(conversions),
        sum(orders),
        sum(revenue),
        sum(new_customers)
    FROM marts.kpi_daily
    GROUP BY date
),

crm_scoped AS (
    SELECT date, 'channel' AS scope, channel AS scope_value, sum(leads) AS leads, sum(deals) AS deals, sum(won_deals) AS won_deals
    FROM crm_days GROUP BY ALL
    UNION ALL
    SELECT date, 'company', 'company', sum(leads), sum(deals), sum(won_deals)
    FROM crm_days GROUP BY ALL
),

daily AS (
    SELECT * FROM kpi_days
    UNION ALL BY NAME
    SELECT * FROM crm_scoped
),

-- Each month and how many of its days count: all of them, or the days of
-- data so far in the month still running.
windows AS (
    SELECT DISTINCT
        CAST(date_trunc('month', daily.date) AS DATE) AS month,
        CASE
            WHEN date_trunc('month', daily.date) = date_trunc('month', last_day.d) THEN day(last_day.d)
            ELSE day(last_day(daily.date))
        END AS days,
        date_trunc('month', daily.date) = date_trunc('month', last_day.d) AS is_partial
    FROM daily, last_day
),

-- The three spans compared: the month (or its first N days), the previous
-- month's first N days and the same month last year's first N days (a
-- shorter month counts all its days).
spans AS (
    SELECT month, days, is_partial, 'actual' AS span, month AS span_start
    FROM windows
    UNION ALL
    SELECT month, days, is_partial, 'previous_month', CAST(month - INTERVAL 1 MONTH AS DATE)
    FROM windows
    UNION ALL
    SELECT month, days, is_partial, 'last_year', CAST(month - INTERVAL 1 YEAR AS DATE)
    FROM windows
),

span_days AS (
    SELECT
        spans.*,
        least(CAST(span_start + INTERVAL (days - 1) DAY AS DATE), last_day(span_start)) AS span_end
    FROM spans
),

-- A span counts only when the data covers it from its first day.
first_day AS (
    SELECT min(date) AS d FROM marts.kpi_daily
),

sums AS (
    SELECT
        daily.scope,
        daily.scope_value,
        span_days.month,
        span_days.days,
        span_days.is_partial,
        span_days.span,
        sum(daily.spend) AS spend,
        sum(daily.impressions) AS impressions,
        sum(daily.clicks) AS clicks,
        sum(daily.sessions) AS sessions,
        sum(daily.conversions) AS conversions,
        sum(daily.orders) AS orders,
        sum(daily.revenue) AS revenue,
        sum(daily.new_customers) AS new_customers,
        sum(daily.leads) AS leads,
        sum(daily.deals) AS deals,
        sum(daily.won_deals) AS won_deals
    FROM span_days
    CROSS JOIN first_day
    JOIN daily
        ON daily.date BETWEEN span_days.span_start AND span_days.span_end
    WHERE span_days.span_start >= first_day.d
    GROUP BY ALL
),

metrics AS (
    UNPIVOT (
        SELECT
            scope, scope_value, month, days, is_partial, span,
            -- exact sums (DECIMAL and integers) turned into DOUBLE only here,
            -- so that a rerun gives the same bits
            CAST(spend AS DOUBLE) AS spend,
            CAST(impressions AS DOUBLE) AS impressions,
            CAST(clicks AS DOUBLE) AS clicks,
            CAST(sessions AS DOUBLE) AS sessions,
            CAST(conversions AS DOUBLE) AS conversions,
            CAST(orders AS DOUBLE) AS orders,
            CAST(revenue AS DOUBLE) AS revenue,
            CAST(new_customers AS DOUBLE) AS new_customers,
            CAST(leads AS DOUBLE) AS leads,
            CAST(deals AS DOUBLE) AS deals,
            CAST(won_deals AS DOUBLE) AS won_deals,
            CAST(revenue AS DOUBLE) / nullif(CAST(spend AS DOUBLE), 0) AS roas,
            CAST(spend AS DOUBLE) / nullif(clicks, 0) AS cpc,
            CAST(spend AS DOUBLE) * 1000 / nullif(impressions, 0) AS cpm,
            CAST(clicks AS DOUBLE) / nullif(impressions, 0) AS ctr,
            CAST(conversions AS DOUBLE) / nullif(sessions, 0) AS conversion_rate,
            CAST(revenue AS DOUBLE) / nullif(orders, 0) AS revenue_per_order,
            CAST(spend AS DOUBLE) / nullif(new_customers, 0) AS cac
        FROM sums
    )
    ON spend, impressions, clicks, sessions, conversions, orders, revenue, new_customers,
       leads, deals, won_deals,
       roas, cpc, cpm, ctr, conversion_rate, revenue_per_order, cac
    INTO NAME metric VALUE value
),

wide AS (
    PIVOT metrics ON span IN ('actual', 'previous_month', 'last_year') USING first(value)
    GROUP BY scope, scope_value, month, days, is_partial, metric
)

SELECT
    scope,
    scope_value,
    month,
    CAST(days AS INTEGER) AS days_compared,
    is_partial,
    metric,
    metric IN ('cpc', 'cpm', 'cac') AS lower_is_better,
    actual,
    previous_month,
    actual - previous_month AS change_vs_previous_month,
    (actual - previous_month) / nullif(abs(previous_month), 0) AS change_pct_vs_previous_month,
    last_year,
    actual - last_year AS change_vs_last_year,
    (actual - last_year) / nullif(abs(last_year), 0) AS change_pct_vs_last_year
FROM wide
WHERE actual IS NOT NULL
ORDER BY scope DESC, scope_value, month, metric
