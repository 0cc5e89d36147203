-- severity: error
-- comment: Each day's revenue in marts.kpi_daily equals paid minus refunded amounts in staging.orders, within 0.01 plus 0.01 per kpi_daily row with orders or refunds (each rounds gross_revenue and refunds to cents separately).
WITH kpi AS (
    SELECT date, sum(revenue) AS revenue, count(*) FILTER (WHERE gross_revenue <> 0 OR refunds <> 0) AS rounded_rows
    FROM marts.kpi_daily
    GROUP BY date
),

orders AS (
    SELECT
        date,
        sum(CASE status WHEN 'paid' THEN amount WHEN 'refunded' THEN -amount END) AS revenue
    FROM staging.orders
    WHERE status IN ('paid', 'refunded')
    GROUP BY date
)

SELECT
    date,
    kpi.revenue AS kpi_revenue,
    orders.revenue AS orders_revenue
FROM kpi
FULL JOIN orders USING (date)
WHERE abs(coalesce(kpi.revenue, 0) - coalesce(orders.revenue, 0)) > 0.01 + 0.01 * coalesce(kpi.rounded_rows, 0)
ORDER BY date
