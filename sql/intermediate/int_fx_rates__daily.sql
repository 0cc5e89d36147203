-- materialized: table
-- comment: The exchange rate to the reporting currency that applies on each day, per currency: the latest positive rate of raw.fx_rates on or before that day, at most 7 days old. Staging models join it on (currency, date); a (currency, date) missing here has no usable rate, and its amounts convert to NULL (listed in meta.fx_missing). The reporting currency itself is not listed: it converts at 1.
WITH rates AS (
    SELECT currency, date, rate
    FROM raw.fx_rates
    WHERE rate > 0
      AND currency <> '{{.Currency}}'
),

bounds AS (
    SELECT currency, min(date) AS first_day, max(date) + 7 AS last_day
    FROM rates
    GROUP BY currency
),

days AS (
    SELECT currency, CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS date
    FROM bounds
)

SELECT
    days.currency,
    days.date,
    rates.rate,
    rates.date AS rate_date
FROM days
ASOF JOIN rates
    ON days.currency = rates.currency
   AND days.date >= rates.date
WHERE days.date - rates.date <= 7
