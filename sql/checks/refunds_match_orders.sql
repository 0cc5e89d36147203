-- severity: warn
-- comment: Every refund refunds a known paid order and no order is refunded for more than was paid (in the original currency).
WITH paid AS (
    SELECT order_id, sum(amount_original) AS paid
    FROM staging.orders
    WHERE status = 'paid'
    GROUP BY order_id
),

refunded AS (
    SELECT order_id, sum(amount_original) AS refunded
    FROM staging.orders
    WHERE status = 'refunded'
    GROUP BY order_id
)

SELECT refunded.order_id, paid.paid, refunded.refunded
FROM refunded
LEFT JOIN paid USING (order_id)
WHERE paid.paid IS NULL OR refunded.refunded > paid.paid
ORDER BY refunded.order_id
