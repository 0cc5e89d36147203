// Package tencentads is the tencent_ads connector: daily cost, impressions
// (view_count), clicks (valid_click_count), conversions and, when
// conversion_value_field is set, conversion value of Tencent Ads (腾讯广告)
// accounts, from Marketing API v3.0 daily_reports/get, feeding the
// canonical ad_performance stream. WeChat Moments and Official Account
// placements are display in this product, so channel defaults to display.
//
// # Wire format
//
// GET {base_url}/v3.0/daily_reports/get with, on every request (and every
// retry), access_token, timestamp (Unix seconds on the client's clock) and
// a fresh 128-bit nonce; plus account_id, level (REPORT_LEVEL_ADGROUP),
// date_range={"start_date","end_date"}, group_by=["date","adgroup_id"],
// fields=[…], page and page_size, arrays and objects as JSON in the query.
// The answer is {"code":0,"message":"","message_cn":"","data":{"list":[…],
// "page_info":{"page","page_size","total_number","total_page"}}}; pages are
// read until total_page. Values are JSON numbers: int64 ids are kept as
// their text (never through float64, ids pass 2^53), and cost (and the
// value field) are fen, shifted exactly two places into CNY
// DECIMAL(38,9). In v3.0 the ad group is the top delivery unit, so
// adgroup_id and adgroup_name fill campaign_id and campaign_name
// (REPORT_LEVEL_CAMPAIGN reads the legacy campaign_id instead; with
// ad_group_grain the ad group lands in ad_group_id and the report's
// campaign_id and campaign_name fields fill the campaign). Dates are in
// time_zone (default Asia/Shanghai), money in currency (default CNY).
//
// # Credentials
//
// access_token alone is used as is; with client_id, client_secret and
// refresh_token, an expired token is refreshed at token_url
// (GET ?client_id&client_secret&grant_type=refresh_token&refresh_token,
// answer under data; shape unverified) and the rotated refresh token is kept
// for the run.
//
// # Sync and errors
//
// The cursor is {"through":"YYYY-MM-DD"}; each run re-reads the last
// lookback_days (default 7, conversion backfill), in windows of
// days_per_request, each replaced and committed with the cursor.
//
// Errors arrive as HTTP 200 with code≠0. throttle_codes (default 11017) and
// messages about call frequency wait throttle_wait (default one minute, no
// hint is sent); auth_codes (default 11002) and messages about an expired or
// invalid access_token refresh once; system errors and 5xx retry with
// backoff; any other code fails at once, worded with code, message and
// message_cn. Every code named here is unverified: they are configurable.
package tencentads
