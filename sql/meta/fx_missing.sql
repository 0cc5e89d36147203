-- materialized: table
-- comment: Money that could not be converted to the reporting currency: per currency, day, source and stream, how many staging rows found no exchange rate at most 7 days old (their converted amounts are NULL and count as 0 in the marts). Empty when every amount converted; the fx_missing check fails the run otherwise. Fix by adding the rates to fx.path and re-running.
WITH missing AS (
    -- The reporting currency always converts; testing currency first lets DuckDB
    -- skip those rows while scanning. Ad rows always have money (required).
    SELECT currency_original AS currency, date, _source AS source, _stream AS stream, 'ad_performance' AS canonical
    FROM staging.ad_performance
    WHERE currency_original <> '{{.Currency}}' AND fx_rate IS NULL

    UNION ALL
    SELECT currency_original, date, _source, _stream, 'web_traffic'
    FROM staging.web_traffic
    WHERE currency_original <> '{{.Currency}}' AND fx_rate IS NULL AND revenue_original IS NOT NULL

    UNION ALL
    SELECT currency_original, date, _source, _stream, 'conversions'
    FROM staging.conversions
    WHERE currency_original <> '{{.Currency}}' AND fx_rate IS NULL AND value_original IS NOT NULL

    UNION ALL
    SELECT currency_original, date, _source, _stream, 'orders'
    FROM staging.orders
    WHERE currency_original <> '{{.Currency}}' AND fx_rate IS NULL AND amount_original IS NOT NULL

    UNION ALL
    SELECT currency_original, date, _source, _stream, 'crm_deals'
    FROM staging.crm_deals
    WHERE currency_original <> '{{.Currency}}' AND fx_rate IS NULL AND amount_original IS NOT NULL
)

SELECT
    currency,
    date,
    source,
    stream,
    canonical,
    count(*) AS rows_affected
FROM missing
GROUP BY currency, date, source, stream, canonical
ORDER BY currency, date, source, stream
