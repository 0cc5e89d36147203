-- materialized: view
-- comment: Ad platform performance with money in the reporting currency: one row per day, platform, account and campaign (and ad group/ad when present). date stays the ad account's own day, as the platform reports it; spend and conversion_value are converted at that day's rate (see staging.int_fx_rates__daily) and are NULL when no rate is known (listed in meta.fx_missing). Original amounts and currency are kept in *_original columns.
WITH source AS (
    SELECT * FROM staging.src_ad_performance
),

rated AS (
    SELECT
        source.*,
        CASE WHEN source.currency = '{{.Currency}}' THEN 1 ELSE fx.rate END AS fx_rate
    FROM source
    LEFT JOIN staging.int_fx_rates__daily AS fx
        ON fx.currency = source.currency
       AND fx.date = source.date
)

SELECT
    rated.* EXCLUDE (fx_rate) REPLACE (
        '{{.Currency}}' AS currency,
        {{money "spend" "fx_rate"}} AS spend,
        {{money "conversion_value" "fx_rate"}} AS conversion_value
    ),
    currency AS currency_original,
    spend AS spend_original,
    conversion_value AS conversion_value_original,
    CAST(fx_rate AS DECIMAL(38,12)) AS fx_rate
FROM rated
