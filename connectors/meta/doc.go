// Package meta is the meta connector: daily spend, impressions, clicks,
// purchases and purchase value per campaign, ad set or ad of Meta
// (Facebook, Instagram) ad accounts, read from the Marketing API insights
// edge (Graph API v26.0 by default; v24.0 expired on 2026-11-10, v25.0
// expires on 2027-02-23), feeding the canonical ad_performance stream.
//
// # Wire format
//
// GET {base_url}/{api_version}/act_{id}/insights?level=…&time_increment=1
// &limit=500&time_range={"since","until"}&fields=…&action_attribution_windows=[…]
// with access_token (and appsecret_proof when app_secret is set) in the
// query. Every metric is a string; spend is in major units of the account
// currency and is read exactly into DECIMAL(38,9). Dates are the ad
// account's own days. Currency and time zone come once per account and run
// from GET /act_{id}?fields=name,currency,timezone_name and land on every
// row (currency, account_timezone). account_id is stored without act_.
// Pages follow paging.next until it is gone; the links (which carry the
// token) are rebased onto base_url and never logged with it.
//
// # Async report runs
//
// A window longer than async_after_days (default 14; 0: always) is read as
// an async report run: POST the same parameters to /act_{id}/insights →
// {"report_run_id"}, poll GET /{report_run_id} (5 s, doubling to a minute,
// on the client's clock) until async_status is "Job Completed", then page
// through GET /{report_run_id}/insights. "Job Failed", "Job Skipped" and
// error -2 on the download submit the run again (three runs at most). A
// synchronous call that Meta finds too large — code 1 "Please reduce the
// amount of data you're asking for" (sent as HTTP 500), the 100/1504018
// timeout, or codes 1 and 2 still failing after every retry — is read
// again as an async run. An account's window is held in memory until all
// of its pages arrived, so such a switch never duplicates rows.
//
// # Conversions
//
// actions and action_values hold one entry per action type, each with a
// "value" (the account's attribution setting) and one key per requested
// window. For the action types of conversion_action_types (default
// omni_purchase, purchase, offsite_conversion.fb_pixel_purchase) the
// connector takes, in mode first (default), the first type a row has,
// because those types overlap and must never be summed; mode sum adds every
// listed type (for types that do not overlap). conversions and
// conversion_value are the sum over attribution_windows (default 7d_click
// + 1d_view, Meta's default setting) of the picked entry's window keys;
// each window is also kept in conversions_<window> and
// conversion_value_<window>. An absent array, entry or window key is 0.
// Values are added exactly, never through float64. clicks is Meta's
// clicks (all clicks), not inline_link_clicks.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads the days after it
// and always the last lookback_days again (default 28, the longest click
// window), up to the last complete day of every account in its own time
// zone; a first run starts at start_date, or 13 months back; Meta keeps 37
// months. Windows of days_per_request days (default 7) are replaced,
// re-read for every account and committed with the cursor.
//
// # Limits and errors
//
// Meta meters calls through X-Business-Use-Case-Usage, X-Ad-Account-Usage
// and x-fb-ads-insights-throttle. Above 75 % usage the connector pauses
// after each page (0 at 75 %, a minute at 100 %). Throttle errors arrive
// as HTTP 400 with codes 4, 17, 613 and 80000–80014 and are waited out for
// the header's estimated_time_to_regain_access (minutes), else with
// backoff; codes 1 and 2 and is_transient errors are retried. Code 190 (an
// expired or invalidated token) fails at once with Meta's message: there
// are no refresh tokens. Other 400s (permissions: 100/33, 200; a
// deprecated version: 2635) are fatal.
//
// Package metatest is a fake of the API for tests and the demo.
package meta
