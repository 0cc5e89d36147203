-- materialized: view
-- comment: Ad performance summed per day, channel, campaign and account currency, converted to the reporting currency once per sum: spend = sum of spend in the account currency × the day's rate, rounded to 4 decimals. Exact, and far cheaper than converting every ad row; it can differ from summing staging.ad_performance.spend (rounded per row) in the 4th decimal. Reads the typed source view directly, so that marts.kpi_daily scans the ad rows once and converts only the sums; the conversion rule is the one of staging.ad_performance.
WITH ad_rows AS (
    SELECT
        date,
        channel,
        campaign_id,
        currency,
        max(platform) AS platform,
        max(campaign_name) AS campaign_name,
        count(*) AS ad_rows,
        sum(spend) AS spend_original,
        sum(conversion_value) AS conversion_value_original,
        sum(impressions) AS impressions,
        sum(clicks) AS clicks,
        CAST(sum(CAST(conversions AS DECIMAL(18,6))) AS DOUBLE) AS conversions -- exact sum: reruns give identical marts
    FROM staging.src_ad_performance
    GROUP BY date, channel, campaign_id, currency
),

rated AS (
    SELECT
        ad_rows.*,
        CASE WHEN ad_rows.currency = '{{.Currency}}' THEN 1 ELSE fx.rate END AS fx_rate
    FROM ad_rows
    LEFT JOIN staging.int_fx_rates__daily AS fx
        ON fx.currency = ad_rows.currency
       AND fx.date = ad_rows.date
)

SELECT
    date,
    channel,
    campaign_id,
    platform,
    campaign_name,
    currency AS currency_original,
    CAST(fx_rate AS DECIMAL(38,12)) AS fx_rate,
    ad_rows,
    {{money "spend_original" "fx_rate"}} AS spend,
    {{money "conversion_value_original" "fx_rate"}} AS conversion_value,
    spend_original,
    conversion_value_original,
    CAST(impressions AS BIGINT) AS impressions,
    CAST(clicks AS BIGINT) AS clicks,
    CAST(conversions AS DOUBLE) AS conversions
FROM rated
