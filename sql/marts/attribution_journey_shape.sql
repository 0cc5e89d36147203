-- materialized: table
-- comment: How long customer journeys are, in two distributions over staging.int_attribution__journeys: by the number of touches (dimension touches; 10 means 10 or more) and, for converting journeys, by whole days from the first touch to the order (dimension days_to_conversion; 0 means the same day; 30 means 30 or more).
WITH journeys AS (
    SELECT
        converted,
        value,
        least(len(channels), 10) AS touches,
        least(CAST((epoch_us(converted_at) - epoch_us(first_touch_at)) // 86400000000 AS INTEGER), 30) AS days
    FROM staging.int_attribution__journeys
),

by_touches AS (
    SELECT
        'touches' AS dimension,
        touches AS bucket,
        count(*) AS journeys,
        count(*) FILTER (WHERE converted) AS conversions,
        sum(value) AS value
    FROM journeys
    GROUP BY touches
),

by_days AS (
    SELECT
        'days_to_conversion' AS dimension,
        days AS bucket,
        count(*) AS journeys,
        count(*) AS conversions,
        sum(value) AS value
    FROM journeys
    WHERE converted AND days IS NOT NULL
    GROUP BY days
)

SELECT
    dimension,
    CAST(bucket AS INTEGER) AS bucket,
    journeys,
    conversions,
    conversions / journeys AS conversion_rate,
    value,
    conversions / sum(conversions) OVER (PARTITION BY dimension) AS share_of_conversions
FROM (SELECT * FROM by_touches UNION ALL SELECT * FROM by_days)
ORDER BY dimension DESC, bucket
