// Package oceanengine is the ocean_engine connector (巨量引擎, ByteDance's
// advertising platform in China): daily cost, impressions, clicks and
// conversions per project (campaign) from the v3.0 custom report, feeding
// the canonical ad_performance stream with channel short_video.
//
// # Wire format
//
// GET {base_url}/open_api/v3.0/report/custom/get/ with the header
// Access-Token, advertiser_id, dimensions ["stat_time_day",
// campaign_dimension], metrics ["stat_cost","show_cnt","click_cnt",
// "convert_cnt", …], filters (required, even "[]") and order_by as JSON
// arrays, start_time and end_time as YYYY-MM-DD, page and page_size. The
// answer is HTTP 200 {"code":0,"message":"OK","request_id",
// "data":{"rows":[{"dimensions":{…},"metrics":{…}}],"total_metrics",
// "page_info"}}. Values are strings; stat_cost is in yuan (元) and is
// parsed exactly into DECIMAL(38,9), never through float64. Pages run until
// page ≥ total_page. Valid names come from report/custom/config/get/; the
// project dimension (cdp_project_id) and its name (cdp_project_name) are
// unverified and configurable, and so is the metric read into
// conversion_value (none by default: NULL). Rows are at campaign (project)
// grain unless ad_group_dimension (e.g. cdp_promotion_id, unverified) names
// the dimension landed in ad_group_id, and ad_dimension (unverified) the one
// landed in ad_id: each is then one more dimension of the request.
//
// The API reports no currency or time zone here: currency defaults to CNY
// and timezone to Asia/Shanghai (Beijing time, unverified), both configurable.
//
// # Tokens
//
// Access tokens last about a day. A refresh (POST token_url with JSON
// app_id, secret, grant_type=refresh_token, refresh_token →
// data.access_token, expires_in, refresh_token, refresh_token_expires_in)
// kills the old pair: the new refresh token is saved at once in the
// source's TokenStore (connectors.Config.Tokens), and the next run prefers
// the saved tokens to the configured ones. Without a store a rotated token
// lives only for this run, and the configured one no longer works: the log
// says so. One process refreshes at a time per source (a mutex); nothing
// stops two sources or two machines sharing one refresh token from killing
// each other's pair.
//
// # Errors
//
// Errors come as HTTP 200 with code≠0. TikTok-style codes are assumed
// (unverified, configurable): throttle_codes (default 40100) wait
// throttle_wait and retry; refresh_codes (default 40102 expired, 40105
// invalid) refresh once; 50000 is retried; anything else fails at once
// with the platform's message. HTTP 5xx and bodies cut short are retried.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads the days after it and
// always the last lookback_days again (default 7, unverified), up to the
// last complete day in timezone, in windows of days_per_request (default
// 30) that are replaced and committed with the cursor one by one.
//
// Not done: the async task endpoint (report/custom/async_task/create/, 10
// tasks a day) for bulk pulls; ad group and ad names.
//
// Package oceanenginetest is a fake of the API for tests and the demo.
package oceanengine
