-- materialized: view
-- comment: Orders and refunds with the reporting day and amounts in the reporting currency: one row per order plus one row per refund (status refunded, positive refunded amount, dated by the refund). Each row converts at the rate of its own reporting day; NULL when no rate (listed in meta.fx_missing). Revenue on a day = paid amounts - refunded amounts of that day.
WITH source AS (
    SELECT * FROM staging.src_orders
),

dated AS (
    SELECT
        source.*,
        coalesce(
            DATE '1970-01-01' + CAST((epoch_us(source.ts) + tz.offset_us) // 86400000000 AS INTEGER),
            CAST(source.ts AT TIME ZONE '{{.Timezone}}' AS DATE)
        ) AS date
    FROM source
    LEFT JOIN staging.int_timezone__utc_days AS tz
        ON tz.utc_day = epoch_us(source.ts) // 86400000000
),

rated AS (
    SELECT
        dated.*,
        CASE WHEN dated.currency = '{{.Currency}}' THEN 1 ELSE fx.rate END AS fx_rate
    FROM dated
    LEFT JOIN staging.int_fx_rates__daily AS fx
        ON fx.currency = dated.currency
       AND fx.date = dated.date
)

SELECT
    rated.* EXCLUDE (fx_rate) REPLACE (
        '{{.Currency}}' AS currency,
        {{money "amount" "fx_rate"}} AS amount
    ),
    currency AS currency_original,
    amount AS amount_original,
    CAST(fx_rate AS DECIMAL(38,12)) AS fx_rate
FROM rated
