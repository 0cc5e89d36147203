-- materialized: table
-- comment: Daily marketing KPIs per channel (marts.kpi_daily summed over campaigns), for charts. Ratios are recomputed from the sums and are NULL when their denominator is 0.
WITH kpi AS (
    SELECT * FROM marts.kpi_daily
),

totals AS (
    SELECT
        date,
        channel,
        CAST(sum(spend) AS DECIMAL(18,2)) AS spend,
        CAST(sum(impressions) AS BIGINT) AS impressions,
        CAST(sum(clicks) AS BIGINT) AS clicks,
        -- Summed as an exact decimal: a parallel DOUBLE sum depends on the order
        -- of addition, and reruns must give identical marts.
        CAST(sum(CAST(platform_conversions AS DECIMAL(18,6))) AS DOUBLE) AS platform_conversions,
        CAST(sum(platform_conversion_value) AS DECIMAL(18,2)) AS platform_conversion_value,
        CAST(sum(sessions) AS BIGINT) AS sessions,
        CAST(sum(users) AS BIGINT) AS users,
        CAST(sum(conversions) AS BIGINT) AS conversions,
        CAST(sum(orders) AS BIGINT) AS orders,
        CAST(sum(gross_revenue) AS DECIMAL(18,2)) AS gross_revenue,
        CAST(sum(refunds) AS DECIMAL(18,2)) AS refunds,
        CAST(sum(revenue) AS DECIMAL(18,2)) AS revenue,
        CAST(sum(new_customers) AS BIGINT) AS new_customers,
        CAST(sum(returning_customers) AS BIGINT) AS returning_customers,
        bool_or(provisional) AS provisional
    FROM kpi
    GROUP BY date, channel
)

SELECT
    date,
    channel,
    spend,
    impressions,
    clicks,
    clicks / nullif(impressions, 0) AS ctr,
    CAST(spend AS DOUBLE) / nullif(clicks, 0) AS cpc,
    CAST(spend AS DOUBLE) * 1000 / nullif(impressions, 0) AS cpm,
    platform_conversions,
    platform_conversion_value,
    sessions,
    users,
    conversions,
    conversions / nullif(sessions, 0) AS conversion_rate,
    orders,
    gross_revenue,
    refunds,
    revenue,
    CAST(revenue AS DOUBLE) / nullif(CAST(spend AS DOUBLE), 0) AS roas,
    new_customers,
    returning_customers,
    CAST(spend AS DOUBLE) / nullif(new_customers, 0) AS cac,
    CAST(gross_revenue AS DOUBLE) / nullif(orders, 0) AS aov,
    provisional
FROM totals
ORDER BY date, channel
