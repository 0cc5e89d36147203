// Package ga4bigquery is the ga4_bigquery connector: a GA4 property's
// BigQuery export (dataset analytics_<property id>) read with query jobs
// through cloud.google.com/go/bigquery, rebuilt into two streams:
//
//   - conversions (first; canonical conversions): one row per configured
//     conversion event (default purchase and generate_lead). A purchase
//     takes ecommerce.transaction_id (its conversion_id, the first of
//     repeats in one window kept) and ecommerce.purchase_revenue in the
//     configured property currency; other events their value and currency
//     parameters (the property currency when absent, 0 without a value).
//     Other ids are the export's event identity: user, event_timestamp,
//     event_name and the index among identical events.
//   - touchpoints (canonical touchpoints): one row per session start and
//     per traffic-source change within a session. A session_start takes
//     session_traffic_source_last_click.cross_channel_campaign when
//     present, other events (a campaign hit mid-session) the
//     collected_traffic_source (a gclid alone is google / cpc); else the
//     other of the two; else traffic_source (the user's first source).
//     The channel is GA4's default channel group when the export has it,
//     else Channel's rules on source and medium.
//
// user_id is user_pseudo_id, or with `user_id: user_id` the export's
// user_id where set. ts is event_timestamp (microseconds UTC); event_date
// (DATE, the property's day, the table's suffix) is the date column that
// windows are replaced by. Web traffic aggregates are not built here: use
// the ga4 connector (Data API) for web_traffic.
//
// # Queries
//
// One query job per stream and window of days_per_query days (default 7),
// marked by a comment (MarkerConversions, MarkerTouchpoints), over the
// wildcard `project.dataset.events_*` with _TABLE_SUFFIX BETWEEN
// @from_day AND @to_day (YYYYMMDD), plus intraday_@from_day..@to_day when
// intraday is on; an intraday table is read only for a day without a daily
// table (the two coexist for a while) and its rows are flagged intraday.
// Money is cast to NUMERIC in the query, so that it arrives as exact
// decimal text (never float64) and lands as DECIMAL(38,9). Query.Read takes
// the client's fast path (jobs.query, then getQueryResults polls and
// pages); the rows come through the client's RowIterator and are appended
// to Arrow record batches of 8,192 rows. The Storage Read API is not used.
//
// # Transport, credentials, errors
//
// The BigQuery client gets an http.Client whose transport sends every
// request through an httpkit.Client (base_url + /bigquery/<api_version>/
// as the client's endpoint): the access token, the loopback guard, waits on
// the injected clock, redaction and typed errors are httpkit's. Throttles
// (429, 403 rateLimitExceeded, jobRateLimitExceeded) and 5xx
// (backendError, internalError) are retried there, waiting for
// Retry-After or a retryDelay when Google gives one, else with backoff; a
// 200 whose JSON is cut short is retried; quotaExceeded stops the read
// (ErrRateLimited; the next run resumes); 401 gets a new token once;
// accessDenied, notFound, invalidQuery and other 4xx fail at once with
// Google's message. When httpkit gives up, the query's context is
// cancelled, so the Google library's own retry loop (which sleeps on the
// real clock) never runs. Its getQueryResults polling of a job that is not
// complete does sleep on the real clock (50 ms growing by 1.3×): that is
// the one wait outside the injected clock.
//
// Credentials are a service account key: credentials_json (written as
// ${ENV}) or the file GOOGLE_APPLICATION_CREDENTIALS names. The token comes
// from the key's JWT bearer grant (RS256, scope bigquery.readonly) sent to
// token_url (default: the key's token_uri) through the same httpkit client;
// a refused grant is ErrAuth. User credentials and workload identity are
// not supported.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"} per stream. A run reads from the
// day after it and always the last lookback_days (default 4: the daily
// tables take in events up to 72 h late) up to the last complete day in
// the property's time zone, window by window: each window is replaced,
// re-read and committed with the cursor, so late events and restated
// values inside the lookback replace the old rows and a failure repeats at
// most one window. A first run starts at start_date, or 90 days back (raw
// events are billed by bytes scanned; max_bytes_billed caps a job). A
// session that spans two windows gets a touchpoint at the start of each.
//
// Package bqtest is a fake of the BigQuery REST API serving GA4 events,
// for tests and the demo.
package ga4bigquery
