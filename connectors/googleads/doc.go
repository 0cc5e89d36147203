// Package googleads is the google_ads connector: daily cost, impressions,
// clicks, conversions and conversion value per campaign, ad group or ad,
// read with GAQL through googleAds:searchStream (API v26 by default; four
// majors a year, v20–v22 sunset in 2026), feeding the canonical
// ad_performance stream.
//
// # Wire format and quotas
//
// POST {base_url}/{api_version}/customers/{id}/googleAds:searchStream with
// {"query": "SELECT … FROM campaign WHERE segments.date BETWEEN …"}. The
// answer is a JSON array of batches of at most 10,000 results in proto3
// JSON: int64s as strings, doubles as numbers, zero fields omitted (read as
// 0 here), rows with only zero metrics left out. Cost is costMicros/1e6 in
// the account's currency_code, converted exactly into DECIMAL(38,9); dates
// are the account's own days (time_zone). Both are read once per account
// from the customer resource and stored per row (currency,
// account_timezone). Money never passes through float64: conversions_value,
// a double on the wire, is parsed from its text.
//
// Access is per Google Cloud project: operations per rolling 24 h are
// 15,000 (Basic) or 2,880 (Explorer). Each window of days_per_request days
// costs one operation per account, plus one per account per run for the
// customer's currency and time zone. The developer-token header was retired
// on 2026-09-09 and is sent only when developer_token is set.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}: the last day synced. A run reads
// from the day after it, and always the last lookback_days (default 30:
// conversions are credited back to the click date and invalid clicks
// refunded), up to the last complete day of every account in its own time
// zone, never after ReadRequest.Until. A first run starts at start_date, or
// 13 months back; Google keeps 37 months. Days are read in windows of
// days_per_request: each window is replaced (Emitter.Replace), re-read for
// every account and committed with the cursor, so restated values replace
// old ones and a failure repeats at most one window.
//
// # Channels
//
// advertising_channel_type maps to the row's channel: DISPLAY, DEMAND_GEN
// and DISCOVERY → display; VIDEO (YouTube) → short_video, the channel
// staging gives paid video; every other type (SEARCH, SHOPPING,
// PERFORMANCE_MAX, SMART, LOCAL, HOTEL, TRAVEL, MULTI_CHANNEL app campaigns)
// → channel (default paid_search). channel_map overrides per type. The type
// itself is kept in the extra column campaign_type.
//
// # Errors
//
// RESOURCE_EXHAUSTED and the other quotaErrors wait Google's retryDelay;
// UNAVAILABLE, INTERNAL and broken streams are retried with backoff; a 401
// refreshes the access token once; PERMISSION_DENIED (usually a wrong
// login_customer_id), CLOUD_PROJECT_NOT_APPROVED_FOR_PRODUCTION, bad
// queries and UNSUPPORTED_VERSION fail at once with Google's own message.
//
// Package googleadstest is a fake of the API for tests and the demo.
package googleads
