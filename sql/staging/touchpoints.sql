-- materialized: view
-- comment: Marketing interactions of users (impressions, clicks, visits), one row per interaction, with the reporting day of each. Attribution reads it.
WITH source AS (
    SELECT * FROM staging.src_touchpoints
)

SELECT
    source.*,
    CAST(source.ts AT TIME ZONE '{{.Timezone}}' AS DATE) AS date
FROM source
