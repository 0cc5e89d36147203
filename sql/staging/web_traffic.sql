-- materialized: view
-- comment: Web analytics sessions with revenue in the reporting currency and the GA4 channel group mapped to a pacer channel: one row per day, source, medium and campaign. date is the analytics property's day, as reported.
WITH source AS (
    SELECT * FROM staging.src_web_traffic
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
        {{money "revenue" "fx_rate"}} AS revenue
    ),
    CASE lower(trim(channel_group))
        WHEN 'paid search' THEN 'paid_search'
        WHEN 'paid social' THEN 'paid_social'
        WHEN 'paid video' THEN 'short_video'
        WHEN 'display' THEN 'display'
        WHEN 'email' THEN 'email'
        WHEN 'organic search' THEN 'organic'
        WHEN 'organic social' THEN 'organic'
        WHEN 'organic video' THEN 'organic'
        WHEN 'organic shopping' THEN 'organic'
        WHEN 'direct' THEN 'direct'
        WHEN 'referral' THEN 'referral'
        ELSE coalesce(nullif(trim(regexp_replace(lower(trim(channel_group)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unassigned')
    END AS channel,
    currency_original,
    revenue AS revenue_original,
    CAST(fx_rate AS DECIMAL(38,12)) AS fx_rate
FROM rated
