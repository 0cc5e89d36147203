-- materialized: table
-- comment: Customers per RFM segment and acquisition channel (marts.customer_segments), with their average recency, frequency and net revenue, and each row's share of all customers and of all net revenue. Shares are NULL when there are no customers or no net revenue.
WITH customers AS (
    SELECT * FROM marts.customer_segments
),

totals AS (
    SELECT
        segment,
        acquisition_channel,
        count(*) AS customers,
        count(*) FILTER (WHERE customer_type = 'returning') AS returning_customers,
        avg(recency_days) AS avg_recency_days,
        avg(frequency) AS avg_frequency,
        sum(monetary) AS monetary
    FROM customers
    GROUP BY segment, acquisition_channel
)

SELECT
    segment,
    acquisition_channel,
    CAST(customers AS BIGINT) AS customers,
    CAST(returning_customers AS BIGINT) AS returning_customers,
    returning_customers / customers AS returning_share,
    avg_recency_days,
    avg_frequency,
    CAST(monetary AS DECIMAL(18,2)) AS monetary,
    CAST(monetary AS DOUBLE) / customers AS avg_monetary,
    customers / sum(customers) OVER () AS share_of_customers,
    CAST(monetary AS DOUBLE) / nullif(CAST(sum(monetary) OVER () AS DOUBLE), 0) AS share_of_monetary
FROM totals
ORDER BY segment, acquisition_channel
