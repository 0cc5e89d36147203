-- severity: error
-- go_tables: marts.attribution_by_channel
-- comment: Every attribution model credits, in every period, exactly the conversions and order value of the period's journeys (marts.attribution_by_channel against staging.int_attribution__journeys), within the 1e-6 rounding of each credited row.
WITH credited AS (
    SELECT model, period, sum(conversions) AS conversions, sum(value) AS value, count(*) AS credit_rows
    FROM marts.attribution_by_channel
    GROUP BY model, period
),

journeys AS (
    SELECT strftime(date, '%Y-%m') AS period, count(*) AS conversions, CAST(sum(value) AS DOUBLE) AS value
    FROM staging.int_attribution__journeys
    WHERE converted
    GROUP BY ROLLUP (strftime(date, '%Y-%m'))
)

SELECT
    credited.model,
    credited.period,
    credited.conversions AS credited_conversions,
    journeys.conversions AS journey_conversions,
    credited.value AS credited_value,
    journeys.value AS journey_value
FROM credited
LEFT JOIN journeys
    ON coalesce(journeys.period, 'all') = credited.period
WHERE abs(credited.conversions - coalesce(journeys.conversions, 0)) > 1e-6 * credited.credit_rows + 1e-9 * coalesce(journeys.conversions, 0)
   OR abs(credited.value - coalesce(journeys.value, 0)) > 1e-6 * credited.credit_rows + 1e-9 * abs(coalesce(journeys.value, 0))
ORDER BY credited.model, credited.period
