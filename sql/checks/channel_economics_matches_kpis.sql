-- severity: error
-- comment: marts.channel_economics starts from the same customers and spend as marts.kpi_daily: for every channel and calendar month, the cohort's new customers and spend (its months_since = 0 row) equal kpi_daily's new_customers and spend summed over the month (spend within 0.01 per kpi_daily row, each rounded to cents).
WITH kpi AS (
    SELECT
        channel,
        CAST(date_trunc('month', date) AS DATE) AS cohort_month,
        sum(new_customers) AS new_customers,
        sum(spend) AS spend,
        count(*) AS kpi_rows
    FROM marts.kpi_daily
    GROUP BY ALL
    HAVING sum(new_customers) <> 0 OR sum(spend) <> 0
),

economics AS (
    SELECT channel, cohort_month, new_customers, spend
    FROM marts.channel_economics
    WHERE months_since = 0
)

SELECT
    coalesce(kpi.channel, economics.channel) AS channel,
    coalesce(kpi.cohort_month, economics.cohort_month) AS cohort_month,
    kpi.new_customers AS kpi_new_customers,
    economics.new_customers AS economics_new_customers,
    kpi.spend AS kpi_spend,
    economics.spend AS economics_spend
FROM kpi
FULL JOIN economics
    ON economics.channel = kpi.channel
   AND economics.cohort_month = kpi.cohort_month
WHERE coalesce(kpi.new_customers, 0) <> coalesce(economics.new_customers, 0)
   OR abs(coalesce(kpi.spend, 0) - coalesce(economics.spend, 0)) > 0.01 * coalesce(kpi.kpi_rows, 1)
ORDER BY 1, 2
