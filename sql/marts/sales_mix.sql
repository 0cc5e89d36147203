-- materialized: table
-- comment: The marketing mix read from the orders: every calendar month broken down by each dimension the orders carry — region (place), product_line (product), price_tier (price: the order amount in the bands of evaluation.price_tiers), channel (promotion: the last-touch channel, as marts.kpi_daily credits it) and customer_type (new: the customer's first paid order; returning: a later one). Per value: paid orders, revenue (paid − refunded, refunds on their own day), customers, new customers, AOV, its share of the month's revenue, and the change against the previous month and the same month last year. A refund counts in the region, product line, price tier and customer type of the order it refunds (its own region or product line when it has one). Missing values are '(not set)'. Ratios are NULL (never NaN or infinite) when their denominator is 0 or missing; comparisons are NULL for months before the data starts and 0 for a value that sold nothing in a month that has data. Months are whole calendar months; the month still running (is_partial) is compared with whole months (marts.variance compares day for day).
WITH orders AS (
    SELECT
        o.order_id,
        o.customer_id,
        o.ts,
        o.date,
        o.status,
        o.amount,
        nullif(trim(o.region), '') AS region,
        nullif(trim(o.product_line), '') AS product_line,
        a.channel,
        a.is_first_order
    FROM staging.orders AS o
    JOIN staging.int_orders__attributed AS a
        ON a.order_id = o.order_id
       AND a.status = o.status
       AND a.ts = o.ts
    WHERE o.status IN ('paid', 'refunded')
),

-- The order a refund refunds: its earliest paid row. Only refunds read it,
-- so only the paid rows of refunded orders are ranked.
first_paid AS (
    SELECT order_id, amount, region, product_line, is_first_order
    FROM orders
    WHERE status = 'paid'
      AND order_id IN (SELECT order_id FROM orders WHERE status = 'refunded')
    QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY ts, customer_id) = 1
),

dimensioned AS MATERIALIZED (
    SELECT
        CAST(date_trunc('month', orders.date) AS DATE) AS month,
        orders.status,
        orders.customer_id,
        orders.is_first_order,
        coalesce(orders.amount, 0) AS amount, -- no exchange rate: 0, as in marts.kpi_daily
        coalesce(orders.region, CASE WHEN orders.status = 'refunded' THEN paid.region END, '(not set)') AS region,
        coalesce(orders.product_line, CASE WHEN orders.status = 'refunded' THEN paid.product_line END, '(not set)') AS product_line,
        CASE
            WHEN (CASE WHEN orders.status = 'paid' THEN orders.amount ELSE paid.amount END) IS NULL THEN '(not set)'
{{- range .PriceTierBands}}
{{- if .Upper}}
            WHEN (CASE WHEN orders.status = 'paid' THEN orders.amount ELSE paid.amount END) < {{.Upper}} THEN '{{.Label}}'
{{- else}}
            ELSE '{{.Label}}'
{{- end}}
{{- end}}
        END AS price_tier,
        orders.channel,
        CASE
            WHEN orders.status = 'paid' AND orders.is_first_order THEN 'new'
            WHEN orders.status = 'paid' THEN 'returning'
            WHEN paid.is_first_order THEN 'new'
            WHEN NOT paid.is_first_order THEN 'returning'
            ELSE '(not set)'
        END AS customer_type
    FROM orders
    LEFT JOIN first_paid AS paid
        ON paid.order_id = orders.order_id
),

-- One row per month, dimension and value: each dimension grouped on its own
-- by GROUPING SETS (what UNPIVOT of every order row into five would give,
-- without the five times longer input: the distinct customers count is the
-- costly part). A NULL value (an order without a channel) is left out.
grouped AS (
    SELECT
        month,
        CASE
            WHEN GROUPING(region) = 0 THEN 'region'
            WHEN GROUPING(product_line) = 0 THEN 'product_line'
            WHEN GROUPING(price_tier) = 0 THEN 'price_tier'
            WHEN GROUPING(channel) = 0 THEN 'channel'
            ELSE 'customer_type'
        END AS dimension,
        CASE
            WHEN GROUPING(region) = 0 THEN region
            WHEN GROUPING(product_line) = 0 THEN product_line
            WHEN GROUPING(price_tier) = 0 THEN price_tier
            WHEN GROUPING(channel) = 0 THEN channel
            ELSE customer_type
        END AS dimension_value,
        count(*) FILTER (WHERE status = 'paid') AS orders,
        coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0) AS gross_revenue,
        coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0)
            - coalesce(sum(amount) FILTER (WHERE status = 'refunded'), 0) AS revenue,
        count(DISTINCT customer_id) FILTER (WHERE status = 'paid') AS customers,
        count(*) FILTER (WHERE status = 'paid' AND is_first_order) AS new_customers
    FROM dimensioned
    GROUP BY GROUPING SETS (
        (month, region), (month, product_line), (month, price_tier), (month, channel), (month, customer_type)
    )
),

sums AS (
    SELECT * FROM grouped WHERE dimension_value IS NOT NULL
),

-- The month's total revenue (every dimension's values add up to it).
month_totals AS (
    SELECT
        month,
        sum(CASE status WHEN 'paid' THEN amount ELSE -amount END) AS month_revenue
    FROM dimensioned
    GROUP BY month
),

bounds AS (
    SELECT
        min(month) AS first_month,
        max(date) AS last_date
    FROM (SELECT CAST(date_trunc('month', date) AS DATE) AS month, date FROM orders)
),

compared AS (
    SELECT
        s.*,
        t.month_revenue,
        -- before the data starts there is nothing to compare with (NULL);
        -- within it a value that sold nothing counts 0
        CASE WHEN CAST(s.month - INTERVAL 1 MONTH AS DATE) >= bounds.first_month THEN coalesce(pm.revenue, 0) END AS revenue_previous_month,
        CASE WHEN CAST(s.month - INTERVAL 1 YEAR AS DATE) >= bounds.first_month THEN coalesce(ly.revenue, 0) END AS revenue_last_year,
        CASE WHEN CAST(s.month - INTERVAL 1 MONTH AS DATE) >= bounds.first_month THEN coalesce(pm.orders, 0) END AS orders_previous_month,
        CASE WHEN CAST(s.month - INTERVAL 1 YEAR AS DATE) >= bounds.first_month THEN coalesce(ly.orders, 0) END AS orders_last_year,
        s.month = date_trunc('month', bounds.last_date) AND bounds.last_date < last_day(bounds.last_date) AS is_partial
    FROM sums AS s
    CROSS JOIN bounds
    JOIN month_totals AS t
        ON t.month = s.month
    LEFT JOIN sums AS pm
        ON pm.dimension = s.dimension
       AND pm.dimension_value = s.dimension_value
       AND pm.month = CAST(s.month - INTERVAL 1 MONTH AS DATE)
    LEFT JOIN sums AS ly
        ON ly.dimension = s.dimension
       AND ly.dimension_value = s.dimension_value
       AND ly.month = CAST(s.month - INTERVAL 1 YEAR AS DATE)
)

SELECT
    month,
    dimension,
    dimension_value,
    is_partial,
    CAST(orders AS BIGINT) AS orders,
    CAST(revenue AS DECIMAL(18,2)) AS revenue,
    CAST(gross_revenue AS DECIMAL(18,2)) AS gross_revenue,
    CAST(customers AS BIGINT) AS customers,
    CAST(new_customers AS BIGINT) AS new_customers,
    CAST(gross_revenue AS DOUBLE) / nullif(orders, 0) AS aov,
    CAST(revenue AS DOUBLE) / nullif(CAST(month_revenue AS DOUBLE), 0) AS revenue_share,
    CAST(revenue_previous_month AS DECIMAL(18,2)) AS revenue_previous_month,
    CAST(revenue - revenue_previous_month AS DECIMAL(18,2)) AS revenue_change_vs_previous_month,
    CAST(revenue - revenue_previous_month AS DOUBLE) / nullif(abs(CAST(revenue_previous_month AS DOUBLE)), 0) AS revenue_change_pct_vs_previous_month,
    CAST(revenue_last_year AS DECIMAL(18,2)) AS revenue_last_year,
    CAST(revenue - revenue_last_year AS DECIMAL(18,2)) AS revenue_change_vs_last_year,
    CAST(revenue - revenue_last_year AS DOUBLE) / nullif(abs(CAST(revenue_last_year AS DOUBLE)), 0) AS revenue_change_pct_vs_last_year,
    CAST(orders_previous_month AS BIGINT) AS orders_previous_month,
    CAST(orders - orders_previous_month AS BIGINT) AS orders_change_vs_previous_month,
    CAST(orders - orders_previous_month AS DOUBLE) / nullif(orders_previous_month, 0) AS orders_change_pct_vs_previous_month,
    CAST(orders_last_year AS BIGINT) AS orders_last_year,
    CAST(orders - orders_last_year AS BIGINT) AS orders_change_vs_last_year,
    CAST(orders - orders_last_year AS DOUBLE) / nullif(orders_last_year, 0) AS orders_change_pct_vs_last_year
FROM compared
ORDER BY month, dimension, dimension_value
