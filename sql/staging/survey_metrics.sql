-- materialized: view
-- comment: Survey results (brand awareness, NPS, ...), one row per period and metric, as the sources reported them.
WITH source AS (
    SELECT * FROM staging.src_survey_metrics
)

SELECT * FROM source
