-- materialized: table
-- comment: The company against its market, per calendar month of its own data: core KPIs (revenue, spend, orders, new customers, ROAS, CAC from marts.channel_daily) next to market benchmarks (staging.market_benchmarks market_revenue and competitor_spend: market share = revenue ÷ market revenue, share of voice = spend ÷ (spend + competitor spend)) and survey KPIs (staging.survey_metrics brand_awareness, nps, loyalty). As in the market_share and share_of_voice target metrics, a benchmark (YYYY, YYYY-Qn or YYYY-MM) is spread evenly over the days of its period and summed over the month's days within the company's data, so a partial month compares like with like; a survey is dated at the end of its period, as the survey target metrics are, and several surveys of one month are averaged weighted by sample size. Ratios are NULL when their denominator is 0 or missing.
WITH ours_daily AS (
    SELECT
        date,
        sum(revenue) AS revenue,
        sum(spend) AS spend,
        sum(orders) AS orders,
        sum(new_customers) AS new_customers
    FROM marts.channel_daily
    GROUP BY date
),

data_range AS (
    SELECT min(date) AS first_day, max(date) AS last_day FROM ours_daily
),

ours AS (
    SELECT
        CAST(date_trunc('month', date) AS DATE) AS month,
        sum(revenue) AS revenue,
        sum(spend) AS spend,
        sum(orders) AS orders,
        sum(new_customers) AS new_customers
    FROM ours_daily
    GROUP BY ALL
),

benchmark_periods AS (
    SELECT
        metric,
        CASE
            WHEN regexp_matches(period, '^\d{4}-Q[1-4]$') THEN make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:7] AS INTEGER) - 2, 1)
            WHEN regexp_matches(period, '^\d{4}-\d{2}$') THEN make_date(CAST(period[1:4] AS INTEGER), CAST(period[6:7] AS INTEGER), 1)
            WHEN regexp_matches(period, '^\d{4}$') THEN make_date(CAST(period AS INTEGER), 1, 1)
        END AS period_start,
        CASE
            WHEN regexp_matches(period, '^\d{4}-Q[1-4]$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:7] AS INTEGER), 1))
            WHEN regexp_matches(period, '^\d{4}-\d{2}$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), CAST(period[6:7] AS INTEGER), 1))
            WHEN regexp_matches(period, '^\d{4}$') THEN make_date(CAST(period AS INTEGER), 12, 31)
        END AS period_end,
        CAST(value AS DOUBLE) AS value
    FROM staging.market_benchmarks
    WHERE metric IN ('market_revenue', 'competitor_spend')
),

-- Each benchmark counts in a month in proportion to the days of its period
-- that fall in the month and within the company's data (one multiplication,
-- so a monthly benchmark of a whole month is its value exactly).
benchmark_months AS (
    SELECT
        ours.month,
        sum(b.value * b.overlap_days / b.period_days) FILTER (WHERE b.metric = 'market_revenue') AS market_revenue,
        sum(b.value * b.overlap_days / b.period_days) FILTER (WHERE b.metric = 'competitor_spend') AS competitor_spend
    FROM ours
    CROSS JOIN data_range
    JOIN LATERAL (
        SELECT
            metric,
            value,
            CAST(period_end - period_start + 1 AS DOUBLE) AS period_days,
            least(period_end, last_day(ours.month), data_range.last_day)
                - greatest(period_start, ours.month, data_range.first_day) + 1 AS overlap_days
        FROM benchmark_periods
        WHERE period_start IS NOT NULL
    ) AS b ON b.overlap_days > 0
    GROUP BY ours.month
),

survey_months AS (
    SELECT
        CAST(date_trunc('month', period_end) AS DATE) AS month,
        sum(value * weight) FILTER (WHERE metric = 'brand_awareness') / sum(weight) FILTER (WHERE metric = 'brand_awareness') AS brand_awareness,
        sum(value * weight) FILTER (WHERE metric = 'nps') / sum(weight) FILTER (WHERE metric = 'nps') AS nps,
        sum(value * weight) FILTER (WHERE metric = 'loyalty') / sum(weight) FILTER (WHERE metric = 'loyalty') AS loyalty,
        sum(sample_size) FILTER (WHERE metric = 'brand_awareness') AS brand_awareness_sample_size,
        sum(sample_size) FILTER (WHERE metric = 'nps') AS nps_sample_size,
        sum(sample_size) FILTER (WHERE metric = 'loyalty') AS loyalty_sample_size
    FROM (
        SELECT
            metric,
            CAST(value AS DOUBLE) AS value,
            sample_size,
            CAST(coalesce(sample_size, 1) AS DOUBLE) AS weight,
            CASE
                WHEN regexp_matches(period, '^\d{4}-Q[1-4]$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:7] AS INTEGER), 1))
                WHEN regexp_matches(period, '^\d{4}-\d{2}$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), CAST(period[6:7] AS INTEGER), 1))
                WHEN regexp_matches(period, '^\d{4}$') THEN make_date(CAST(period AS INTEGER), 12, 31)
            END AS period_end
        FROM staging.survey_metrics
        WHERE metric IN ('brand_awareness', 'nps', 'loyalty')
          AND value IS NOT NULL
          AND coalesce(sample_size, 1) > 0
    )
    WHERE period_end IS NOT NULL
    GROUP BY ALL
)

SELECT
    ours.month,
    strftime(ours.month, '%Y-%m') AS period,
    CAST(least(last_day(ours.month), data_range.last_day) - greatest(ours.month, data_range.first_day) + 1 AS INTEGER) AS days_of_data,
    data_range.first_day <= ours.month AND data_range.last_day >= last_day(ours.month) AS complete_month,
    CAST(ours.revenue AS DECIMAL(18,2)) AS revenue,
    CAST(ours.spend AS DECIMAL(18,2)) AS spend,
    CAST(ours.orders AS BIGINT) AS orders,
    CAST(ours.new_customers AS BIGINT) AS new_customers,
    CAST(ours.revenue AS DOUBLE) / nullif(CAST(ours.spend AS DOUBLE), 0) AS roas,
    CAST(ours.spend AS DOUBLE) / nullif(ours.new_customers, 0) AS cac,
    benchmark_months.market_revenue,
    benchmark_months.competitor_spend,
    CAST(ours.revenue AS DOUBLE) / nullif(benchmark_months.market_revenue, 0) AS market_share,
    CAST(ours.spend AS DOUBLE) / nullif(CAST(ours.spend AS DOUBLE) + benchmark_months.competitor_spend, 0) AS share_of_voice,
    survey_months.brand_awareness,
    survey_months.nps,
    survey_months.loyalty,
    CAST(survey_months.brand_awareness_sample_size AS BIGINT) AS brand_awareness_sample_size,
    CAST(survey_months.nps_sample_size AS BIGINT) AS nps_sample_size,
    CAST(survey_months.loyalty_sample_size AS BIGINT) AS loyalty_sample_size
FROM ours
CROSS JOIN data_range
LEFT JOIN benchmark_months USING (month)
LEFT JOIN survey_months USING (month)
ORDER BY ours.month
