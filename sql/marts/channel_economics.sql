-- materialized: table
-- comment: Unit economics per acquisition channel and monthly cohort, as an LTV curve: one row per month since acquisition (0 = the month of the first order) up to the last month of order data. A customer's acquisition channel is the last-touch channel of their first paid order (staging.int_orders__attributed, is_first_order) and their cohort that order's calendar month. CAC = the channel's ad spend in the cohort month (marts.channel_daily) ÷ the cohort's new customers. LTV is observed net revenue (paid − refunded, every later order whatever its channel, refunds in the month they happen) per cohort customer, not margin; cumulative LTV sums it from month 0. Payback month = the first month since acquisition whose cumulative LTV reaches CAC (NULL while it has not, or when there is no acquisition cost). Repeat purchase rate = the share of the cohort with at least 2 paid orders by the end of the month. Amounts without an exchange rate count as 0, as in marts.kpi_daily.
WITH orders AS NOT MATERIALIZED (
    SELECT
        customer_id,
        year(date) * 12 + month(date) AS month_key,
        status = 'paid' AS paid,
        is_first_order,
        channel,
        CASE WHEN status = 'paid' THEN coalesce(amount, 0) ELSE -coalesce(amount, 0) END AS amount
    FROM staging.int_orders__attributed
    WHERE status IN ('paid', 'refunded')
      AND customer_id IS NOT NULL
),

last_month AS (
    SELECT CAST(date_trunc('month', max(date)) AS DATE) AS last_month, max(date) AS last_day
    FROM staging.int_orders__attributed
    WHERE status IN ('paid', 'refunded')
),

-- Each customer's first paid order gives their channel and cohort. Months
-- are counted on the calendar: month_key = year × 12 + month.
first_orders AS NOT MATERIALIZED (
    SELECT customer_id, channel, month_key AS cohort_key
    FROM orders
    WHERE is_first_order
),

sizes AS (
    SELECT channel, cohort_key, count(*) AS new_customers
    FROM first_orders
    GROUP BY ALL
),

-- Joins on the customer, then sums per channel, cohort and month: no
-- per-customer aggregate, which would cost more than the join.
customer_revenue AS (
    SELECT
        first_orders.channel,
        first_orders.cohort_key,
        orders.month_key - first_orders.cohort_key AS months_since,
        sum(orders.amount) AS net_revenue
    FROM orders
    JOIN first_orders USING (customer_id)
    GROUP BY ALL
),

-- A customer's second paid order is their earliest paid order that is not
-- the first.
repeaters AS (
    SELECT
        first_orders.channel,
        first_orders.cohort_key,
        second_orders.second_key - first_orders.cohort_key AS months_since,
        count(*) AS new_repeaters
    FROM (
        SELECT customer_id, min(month_key) AS second_key
        FROM orders
        WHERE paid AND NOT is_first_order
        GROUP BY customer_id
    ) AS second_orders
    JOIN first_orders USING (customer_id)
    GROUP BY ALL
),

spend AS (
    SELECT
        channel,
        year(date) * 12 + month(date) AS cohort_key,
        sum(spend) AS spend
    FROM marts.channel_daily
    GROUP BY ALL
    HAVING sum(spend) <> 0
),

cohorts AS (
    SELECT
        coalesce(sizes.channel, spend.channel) AS channel,
        coalesce(sizes.cohort_key, spend.cohort_key) AS cohort_key,
        coalesce(sizes.new_customers, 0) AS new_customers,
        coalesce(spend.spend, 0) AS spend
    FROM sizes
    FULL JOIN spend
        ON spend.channel = sizes.channel
       AND spend.cohort_key = sizes.cohort_key
),

-- Every cohort gets months 0 .. the last month of order data (a spend month
-- after the last order month only month 0).
grid AS (
    SELECT
        cohorts.*,
        CAST(unnest(range(0, greatest(
            year(last_month.last_month) * 12 + month(last_month.last_month) - cohorts.cohort_key, 0) + 1)) AS INTEGER) AS months_since,
        last_month.last_day
    FROM cohorts
    CROSS JOIN last_month
),

curve AS (
    SELECT
        grid.channel,
        make_date(CAST((grid.cohort_key - 1) // 12 AS INTEGER), CAST((grid.cohort_key - 1) % 12 + 1 AS INTEGER), 1) AS cohort_month,
        grid.months_since,
        make_date(CAST((grid.cohort_key + grid.months_since - 1) // 12 AS INTEGER), CAST((grid.cohort_key + grid.months_since - 1) % 12 + 1 AS INTEGER), 1) AS month,
        grid.last_day,
        grid.new_customers,
        grid.spend,
        coalesce(customer_revenue.net_revenue, 0) AS net_revenue,
        sum(coalesce(customer_revenue.net_revenue, 0)) OVER cohort AS cumulative_revenue,
        sum(coalesce(repeaters.new_repeaters, 0)) OVER cohort AS repeat_customers
    FROM grid
    LEFT JOIN customer_revenue
        ON customer_revenue.channel = grid.channel
       AND customer_revenue.cohort_key = grid.cohort_key
       AND customer_revenue.months_since = grid.months_since
    LEFT JOIN repeaters
        ON repeaters.channel = grid.channel
       AND repeaters.cohort_key = grid.cohort_key
       AND repeaters.months_since = grid.months_since
    WINDOW cohort AS (PARTITION BY grid.channel, grid.cohort_key ORDER BY grid.months_since
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

ratios AS (
    SELECT
        *,
        CAST(spend AS DOUBLE) / nullif(new_customers, 0) AS cac,
        CAST(net_revenue AS DOUBLE) / nullif(new_customers, 0) AS ltv,
        CAST(cumulative_revenue AS DOUBLE) / nullif(new_customers, 0) AS cumulative_ltv
    FROM curve
)

SELECT
    channel,
    cohort_month,
    strftime(cohort_month, '%Y-%m') AS cohort,
    months_since,
    month,
    last_day(month) <= last_day AS complete_month,
    CAST(new_customers AS BIGINT) AS new_customers,
    CAST(spend AS DECIMAL(18,2)) AS spend,
    cac,
    CAST(net_revenue AS DECIMAL(18,2)) AS net_revenue,
    CAST(cumulative_revenue AS DECIMAL(18,2)) AS cumulative_revenue,
    ltv,
    cumulative_ltv,
    cumulative_ltv / nullif(cac, 0) AS ltv_to_cac,
    -- cumulative LTV ≥ CAC, compared exactly: cumulative revenue ≥ spend
    CAST(min(months_since) FILTER (WHERE new_customers > 0 AND spend > 0 AND cumulative_revenue >= spend)
        OVER (PARTITION BY channel, cohort_month) AS INTEGER) AS payback_month,
    CAST(repeat_customers AS BIGINT) AS repeat_customers,
    repeat_customers / nullif(new_customers, 0) AS repeat_purchase_rate
FROM ratios
ORDER BY channel, cohort_month, months_since
