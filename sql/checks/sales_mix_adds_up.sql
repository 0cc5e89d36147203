-- severity: error
-- comment: In marts.sales_mix each dimension (region, product line, price tier, channel, customer type) splits the whole month: for every month and dimension, the revenue of its values adds up to the month's revenue in staging.orders (paid − refunded, amounts without a rate as 0), within 0.01 per value (each rounds to cents), and its revenue shares add up to 1 (within 1e-9) when the month has revenue.
WITH orders AS (
    SELECT
        CAST(date_trunc('month', date) AS DATE) AS month,
        sum(CASE status WHEN 'paid' THEN coalesce(amount, 0) ELSE -coalesce(amount, 0) END) AS revenue
    FROM staging.orders
    WHERE status IN ('paid', 'refunded')
    GROUP BY ALL
),

mix AS (
    SELECT month, dimension, sum(revenue) AS revenue, sum(revenue_share) AS shares, count(*) AS n
    FROM marts.sales_mix
    GROUP BY ALL
),

dimensions AS (
    SELECT * FROM (VALUES ('region'), ('product_line'), ('price_tier'), ('channel'), ('customer_type')) AS t(dimension)
)

SELECT
    orders.month,
    dimensions.dimension,
    orders.revenue AS orders_revenue,
    mix.revenue AS mix_revenue,
    mix.shares AS mix_revenue_shares
FROM orders
CROSS JOIN dimensions
LEFT JOIN mix
    ON mix.month = orders.month
   AND mix.dimension = dimensions.dimension
WHERE abs(coalesce(mix.revenue, 0) - orders.revenue) > 0.01 * coalesce(mix.n, 1)
   OR (orders.revenue <> 0 AND abs(coalesce(mix.shares, 0) - 1) > 1e-9)
ORDER BY 1, 2
