-- materialized: view
-- comment: Market benchmarks (market revenue, competitor spend, ...), one row per period and metric, as the sources reported them; money is already in the reporting currency.
WITH source AS (
    SELECT * FROM staging.src_market_benchmarks
)

SELECT * FROM source
