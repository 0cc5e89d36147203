-- materialized: table
-- comment: marts.reconciliation rolled up to ISO weeks (Monday to Sunday) and calendar months per channel, so that the flags are judged on sums: a day's gap is noisy (an order placed late at night, a click credited the next day), a week's or a month's is the systematic part. Each source is summed over the days of the period (a day it does not cover counts as claiming nothing; the sum is NULL when it covers no day of the period), finance over every day, and the gaps and flags follow the daily rules of marts.reconciliation with the same tolerance: gap = (source − finance) ÷ |finance| × 100, NULL when finance is 0; flagged above the tolerance, or when finance booked nothing while the source claims something. is_complete says whether the data covers the whole period.
WITH bounds AS (
    SELECT min(date) AS first_day, max(date) AS last_day FROM marts.reconciliation
),

grains AS (
    SELECT * FROM (VALUES ('week'), ('month')) AS t(grain)
),

periods AS (
    SELECT
        g.grain,
        CAST(CASE g.grain WHEN 'week' THEN date_trunc('week', r.date) ELSE date_trunc('month', r.date) END AS DATE) AS period_start,
        r.*
    FROM marts.reconciliation AS r
    CROSS JOIN grains AS g
),

sums AS (
    SELECT
        grain,
        period_start,
        CASE grain WHEN 'week' THEN CAST(period_start + INTERVAL 6 DAY AS DATE) ELSE last_day(period_start) END AS period_end,
        channel,
        count(*) AS days,
        sum(platform_conversions) AS platform_conversions,
        sum(platform_conversion_value) AS platform_conversion_value,
        sum(web_conversions) AS web_conversions,
        sum(web_revenue) AS web_revenue,
        sum(crm_won_deals) AS crm_won_deals,
        sum(crm_won_revenue) AS crm_won_revenue,
        sum(finance_orders) AS finance_orders,
        sum(finance_revenue) AS finance_revenue,
        max(tolerance_pct) AS tolerance_pct,
        bool_or(platform_flag) AS any_platform_day_flagged,
        bool_or(provisional) AS provisional
    FROM periods
    GROUP BY grain, period_start, channel
),

gaps AS (
    SELECT
        sums.*,
        100 * (platform_conversions - finance_orders) / nullif(finance_orders, 0) AS platform_conversions_gap_pct,
        100 * (CAST(platform_conversion_value AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS platform_revenue_gap_pct,
        100 * (web_conversions - finance_orders) / nullif(finance_orders, 0) AS web_conversions_gap_pct,
        100 * (CAST(web_revenue AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS web_revenue_gap_pct,
        100 * (CAST(crm_won_deals AS DOUBLE) - finance_orders) / nullif(finance_orders, 0) AS crm_conversions_gap_pct,
        100 * (CAST(crm_won_revenue AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0) AS crm_revenue_gap_pct
    FROM sums
)

SELECT
    grain,
    period_start,
    period_end,
    channel,
    period_start >= bounds.first_day AND period_end <= bounds.last_day AS is_complete,
    CAST(days AS BIGINT) AS days,
    platform_conversions,
    CAST(platform_conversion_value AS DECIMAL(18,2)) AS platform_conversion_value,
    web_conversions,
    CAST(web_revenue AS DECIMAL(18,2)) AS web_revenue,
    CAST(crm_won_deals AS BIGINT) AS crm_won_deals,
    CAST(crm_won_revenue AS DECIMAL(18,2)) AS crm_won_revenue,
    CAST(finance_orders AS BIGINT) AS finance_orders,
    CAST(finance_revenue AS DECIMAL(18,2)) AS finance_revenue,
    platform_conversions_gap_pct,
    platform_revenue_gap_pct,
    web_conversions_gap_pct,
    web_revenue_gap_pct,
    crm_conversions_gap_pct,
    crm_revenue_gap_pct,
    tolerance_pct,
    coalesce(abs(platform_conversions_gap_pct) > tolerance_pct, false)
        OR coalesce(abs(platform_revenue_gap_pct) > tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND platform_conversions <> 0, false)
        OR coalesce(finance_revenue = 0 AND platform_conversion_value <> 0, false) AS platform_flag,
    coalesce(abs(web_conversions_gap_pct) > tolerance_pct, false)
        OR coalesce(abs(web_revenue_gap_pct) > tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND web_conversions <> 0, false)
        OR coalesce(finance_revenue = 0 AND web_revenue <> 0, false) AS web_flag,
    coalesce(abs(crm_conversions_gap_pct) > tolerance_pct, false)
        OR coalesce(abs(crm_revenue_gap_pct) > tolerance_pct, false)
        OR coalesce(finance_orders = 0 AND crm_won_deals <> 0, false)
        OR coalesce(finance_revenue = 0 AND crm_won_revenue <> 0, false) AS crm_flag,
    any_platform_day_flagged,
    provisional
FROM gaps
CROSS JOIN bounds
ORDER BY grain DESC, period_start, channel
