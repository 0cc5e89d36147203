-- severity: error
-- comment: No ad row is dated after today in the reporting time zone (one day of slack for accounts in time zones ahead of it).
SELECT _source, platform, account_id, date, campaign_id
FROM staging.src_ad_performance
WHERE date > DATE '{{.Today}}' + 1
