-- materialized: table
-- comment: The most common customer paths (channels in touch order, joined by " > "), from staging.int_attribution__journeys: how many journeys followed each, how many converted (paid orders) and for how much. The 500 paths with the most journeys, plus every path with at least 1% of conversions.
WITH paths AS (
    SELECT
        array_to_string(channels, ' > ') AS path,
        len(channels) AS touches,
        count(*) AS journeys,
        count(*) FILTER (WHERE converted) AS conversions,
        count(*) FILTER (WHERE NOT converted) AS null_journeys,
        sum(value) AS value,
        avg(epoch_us(converted_at) - epoch_us(first_touch_at)) FILTER (WHERE converted) / 86400e6 AS avg_days_to_conversion
    FROM staging.int_attribution__journeys
    GROUP BY ALL
),

ranked AS (
    SELECT
        *,
        row_number() OVER (ORDER BY journeys DESC, conversions DESC, path) AS rank,
        conversions / nullif(sum(conversions) OVER (), 0) AS share_of_conversions
    FROM paths
)

SELECT
    CAST(rank AS INTEGER) AS rank,
    path,
    CAST(touches AS INTEGER) AS touches,
    journeys,
    conversions,
    null_journeys,
    conversions / journeys AS conversion_rate,
    value,
    value / nullif(conversions, 0) AS value_per_conversion,
    share_of_conversions,
    avg_days_to_conversion
FROM ranked
WHERE rank <= 500 OR share_of_conversions >= 0.01
ORDER BY rank
