-- materialized: view
-- comment: CRM leads and deals in their latest state, one row per lead or deal (a CRM re-sends a deal each time it changes: the row of the latest sync wins, by _run_id then _synced_at), with the reporting days of creation and close and the amount in the reporting currency at the rate of the creation day (an amount without currency is taken to be in the reporting currency).
WITH source AS (
    SELECT
        *,
        CAST(created_at AT TIME ZONE '{{.Timezone}}' AS DATE) AS date,
        CAST(closed_at AT TIME ZONE '{{.Timezone}}' AS DATE) AS closed_date
    FROM staging.src_crm_deals
    QUALIFY row_number() OVER (
        PARTITION BY _source, deal_id
        ORDER BY _run_id DESC NULLS LAST, _synced_at DESC NULLS LAST, closed_at DESC NULLS LAST, stage
    ) = 1
),

rated AS (
    SELECT
        source.*,
        coalesce(source.currency, '{{.Currency}}') AS currency_original,
        CASE WHEN coalesce(source.currency, '{{.Currency}}') = '{{.Currency}}' THEN 1 ELSE fx.rate END AS fx_rate
    FROM source
    LEFT JOIN staging.int_fx_rates__daily AS fx
        ON fx.currency = source.currency
       AND fx.date = source.date
)

SELECT
    rated.* EXCLUDE (fx_rate, currency_original) REPLACE (
        '{{.Currency}}' AS currency,
        {{money "amount" "fx_rate"}} AS amount
    ),
    currency_original,
    amount AS amount_original,
    CAST(fx_rate AS DECIMAL(38,12)) AS fx_rate
FROM rated
