// Package tiktok is the tiktok connector: daily spend, impressions, clicks,
// conversions and conversion value per campaign, ad group or ad from the
// TikTok API for Business integrated report (v1.3), feeding the canonical
// ad_performance stream with channel short_video.
//
// # Wire format
//
// GET {base_url}/open_api/v1.3/report/integrated/get/ with the header
// Access-Token (no Bearer), report_type=BASIC, service_type=AUCTION,
// data_level=AUCTION_CAMPAIGN|AUCTION_ADGROUP|AUCTION_AD, dimensions
// ["<level>_id","stat_time_day"] and metrics (attributes such as
// campaign_name, then spend, impressions, clicks, conversion and
// conversion_value_metric) as JSON arrays in the query string, start_date
// and end_date (inclusive, advertiser-local), page and page_size (≤ 1000).
// The answer is always HTTP 200: {"code":0,"message":"OK","request_id",
// "data":{"list":[{"dimensions":{…},"metrics":{…}}],"page_info":{…}}}.
// Metrics are strings; "-" means not available and is stored as NULL
// (conversions and conversion_value are nullable here for that reason).
// Spend is in major units of the advertiser's currency, parsed exactly into
// DECIMAL(38,9). Pages run until page ≥ total_page. Currency and time zone
// come once per run from advertiser/info (display_timezone, else timezone),
// or from the currency and timezone keys.
//
// # Errors and quotas
//
// A code≠0 inside the 200 is an error: 40100 (rate limit; no wait hint, so
// throttle_wait) is retried, 40105 (bad or revoked token) and 40102
// (expired, unverified) refresh once when refresh_token, app_id and secret
// are set and are fatal otherwise, 50000/50002 are retried (unverified), and
// every other code (40001 no permission, 40002 bad parameter, …) fails at
// once with TikTok's message. HTTP 5xx and bodies cut short are retried.
// The report endpoint is rate limited per app (about 10 QPS, unverified);
// the client keeps to 5 requests per second per advertiser.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads the days after it and
// always the last lookback_days again (default 7: conversions backfill,
// unverified), up to every advertiser's last complete day in its own time
// zone, in windows of days_per_request (default 30) that are replaced and
// committed with the cursor one by one.
//
// Not done: splitting an ad-level report of more than 10,000 ads by
// campaign_ids filtering.
//
// Package tiktoktest is a fake of the API for tests and the demo.
package tiktok
