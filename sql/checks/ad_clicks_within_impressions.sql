-- severity: warn
-- comment: A campaign day has no more clicks than impressions (some platforms count clicks without impressions, so this only warns).
SELECT date, channel, campaign_id, impressions, clicks
FROM marts.kpi_daily
WHERE impressions > 0 AND clicks > impressions
