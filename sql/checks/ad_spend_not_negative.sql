-- severity: error
-- comment: Ad spend is never negative.
SELECT _source, platform, account_id, date, campaign_id, spend_original, currency_original
FROM staging.ad_performance
WHERE spend_original < 0
