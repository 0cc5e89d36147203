-- materialized: table
-- comment: RFM segmentation of every customer with a paid order (staging.int_orders__attributed): recency = days from their last paid order to the last day of order data, frequency = paid orders, monetary = net revenue (paid − refunded) in the reporting currency. Amounts without an exchange rate count as 0, as in marts.kpi_daily. Each is scored 1–5 by quintile of rank among all customers: score = 1 + floor(5 × percent_rank), capped at 5, where percent_rank = customers with a worse value ÷ (customers − 1), recency ranked from the oldest last order to the most recent, so 5 is always best; tied customers share the lower score (with most customers on one order, frequency jumps from 1 to a higher score). The segment follows from R and FM = (F + M) ÷ 2, first match wins: new (one order, R ≥ 4), champions (R ≥ 4, FM ≥ 4), loyal (R ≥ 3, FM ≥ 3), potential_loyalist (R ≥ 4), cant_lose (R ≤ 2, FM ≥ 4), at_risk (R ≤ 2, FM ≥ 3), about_to_sleep (R = 3), hibernating (R = 2), lost (R = 1).
WITH orders AS (
    SELECT customer_id, date, status, is_first_order, channel, coalesce(amount, 0) AS amount
    FROM staging.int_orders__attributed
    WHERE status IN ('paid', 'refunded')
      AND customer_id IS NOT NULL
),

-- One row per customer with a paid order; materialized once, read by the
-- score bounds and the result.
customers AS MATERIALIZED (
    SELECT
        customer_id,
        coalesce(max(channel) FILTER (WHERE is_first_order), 'direct') AS acquisition_channel,
        max(date) FILTER (WHERE is_first_order) AS first_order_date,
        max(date) FILTER (WHERE status = 'paid') AS last_order_date,
        count(*) FILTER (WHERE status = 'paid') AS frequency,
        CAST(coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0) AS DECIMAL(18,4)) AS gross_revenue,
        CAST(coalesce(sum(amount) FILTER (WHERE status = 'refunded'), 0) AS DECIMAL(18,4)) AS refunds,
        CAST(CAST(coalesce(sum(CASE WHEN status = 'paid' THEN amount ELSE -amount END), 0) AS DECIMAL(18,4)) AS DECIMAL(18,2)) AS monetary
    FROM orders
    GROUP BY customer_id
    HAVING bool_or(is_first_order)
),

last_day AS (
    SELECT max(date) AS last_day
    FROM staging.int_orders__attributed
    WHERE status IN ('paid', 'refunded')
),

-- Scores without sorting every customer: percent_rank is
-- below ÷ (n − 1), below = customers with a smaller value, so
-- floor(5 × percent_rank) ≥ k exactly when 5 × below ≥ k × (n − 1); the
-- threshold t_k is the smallest value where that holds, and a customer's
-- score is 1 + the number of thresholds their value reaches. Recency ranks
-- like last_order_date.
population AS (
    SELECT count(*) - 1 AS n1 FROM customers
),

recency_bounds AS ({{template "quintile_bounds" "last_order_date"}}),

frequency_bounds AS ({{template "quintile_bounds" "frequency"}}),

monetary_bounds AS ({{template "quintile_bounds" "monetary"}}),

scored AS (
    SELECT
        customers.*,
        CAST(last_day.last_day - customers.last_order_date AS INTEGER) AS recency_days,
        1 + CAST(coalesce(last_order_date >= r.t1, false) AS INTEGER) + CAST(coalesce(last_order_date >= r.t2, false) AS INTEGER)
          + CAST(coalesce(last_order_date >= r.t3, false) AS INTEGER) + CAST(coalesce(last_order_date >= r.t4, false) AS INTEGER) AS r_score,
        1 + CAST(coalesce(frequency >= f.t1, false) AS INTEGER) + CAST(coalesce(frequency >= f.t2, false) AS INTEGER)
          + CAST(coalesce(frequency >= f.t3, false) AS INTEGER) + CAST(coalesce(frequency >= f.t4, false) AS INTEGER) AS f_score,
        1 + CAST(coalesce(monetary >= m.t1, false) AS INTEGER) + CAST(coalesce(monetary >= m.t2, false) AS INTEGER)
          + CAST(coalesce(monetary >= m.t3, false) AS INTEGER) + CAST(coalesce(monetary >= m.t4, false) AS INTEGER) AS m_score
    FROM customers
    CROSS JOIN last_day
    LEFT JOIN recency_bounds AS r ON true
    LEFT JOIN frequency_bounds AS f ON true
    LEFT JOIN monetary_bounds AS m ON true
)

SELECT
    customer_id,
    acquisition_channel,
    CAST(date_trunc('month', first_order_date) AS DATE) AS acquisition_month,
    first_order_date,
    last_order_date,
    recency_days,
    CAST(frequency AS BIGINT) AS frequency,
    CAST(gross_revenue AS DECIMAL(18,2)) AS gross_revenue,
    CAST(refunds AS DECIMAL(18,2)) AS refunds,
    monetary,
    r_score,
    f_score,
    m_score,
    r_score * 100 + f_score * 10 + m_score AS rfm_score,
    (f_score + m_score) / 2 AS fm_score,
    -- ENUMs: typed, ordered from best to worst, and cheaper to store than
    -- a VARCHAR per customer.
    CAST(CASE
        WHEN frequency = 1 AND r_score >= 4 THEN 'new'
        WHEN r_score >= 4 AND (f_score + m_score) / 2 >= 4 THEN 'champions'
        WHEN r_score >= 3 AND (f_score + m_score) / 2 >= 3 THEN 'loyal'
        WHEN r_score >= 4 THEN 'potential_loyalist'
        WHEN r_score <= 2 AND (f_score + m_score) / 2 >= 4 THEN 'cant_lose'
        WHEN r_score <= 2 AND (f_score + m_score) / 2 >= 3 THEN 'at_risk'
        WHEN r_score = 3 THEN 'about_to_sleep'
        WHEN r_score = 2 THEN 'hibernating'
        ELSE 'lost'
    END AS ENUM ('champions', 'loyal', 'potential_loyalist', 'new', 'cant_lose', 'at_risk', 'about_to_sleep', 'hibernating', 'lost')) AS segment,
    CAST(CASE WHEN frequency >= 2 THEN 'returning' ELSE 'new' END AS ENUM ('new', 'returning')) AS customer_type
FROM scored

{{- /* The four cut points of a column's quintiles over the customers: the
smallest values with at least 1/5, 2/5, 3/5 and 4/5 of the others below
them (NULL with fewer than two customers). */}}
{{define "quintile_bounds"}}
    SELECT
        min(v) FILTER (WHERE 5 * below >= 1 * n1) AS t1,
        min(v) FILTER (WHERE 5 * below >= 2 * n1) AS t2,
        min(v) FILTER (WHERE 5 * below >= 3 * n1) AS t3,
        min(v) FILTER (WHERE 5 * below >= 4 * n1) AS t4
    FROM (
        SELECT v, sum(c) OVER (ORDER BY v) - c AS below
        FROM (SELECT {{.}} AS v, count(*) AS c FROM customers GROUP BY ALL)
    )
    CROSS JOIN population
    WHERE n1 > 0
{{end}}
