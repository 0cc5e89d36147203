// Package ga4 is the ga4 connector: daily sessions, users, key events and
// revenue of Google Analytics 4 properties per channel group, source,
// medium and campaign, read with the Data API's runReport (v1beta by
// default), feeding the canonical web_traffic stream as traffic_daily.
//
// # Wire format
//
// POST {base_url}/{api_version}/properties/{id}:runReport with one
// dateRange per window of days_per_request days, the configured dimensions
// and metrics, orderBys on every dimension (so that offset paging is
// stable), limit page_limit (default 100,000, at most 250,000), offset and
// returnPropertyQuota true. Every value in the answer is a string and is
// read positionally (dimensionValues[i], metricValues[j]): date is
// YYYYMMDD in the property's time zone; sessions and users are integers;
// keyEvents is read as a double (its wire type TYPE_FLOAT is unverified);
// revenue (purchaseRevenue or totalRevenue) is parsed from its text into
// DECIMAL(38,9), never through float64, rounding past nine decimals.
// Pages follow offset until rowCount; with no data GA4 leaves rows and
// rowCount out, which ends the window at once.
//
// Default dimensions: date, sessionDefaultChannelGroup,
// sessionSourceMedium, sessionCampaignName. sessionSourceMedium is split
// at the first " / " into source and medium ("google / cpc" → google,
// cpc); a value without " / " keeps all of it as the source and gets
// medium "(not set)". sessionSource and sessionMedium may be configured
// instead. Default metrics: sessions, totalUsers, keyEvents,
// purchaseRevenue (newUsers optional).
//
// # Currency and time zone
//
// Before reading, each property is asked once for a one-row report
// ("yesterday", metric sessions) whose metadata gives currencyCode and
// timeZone. Every row carries them (currency, account_timezone) and
// property_id. A day is read only once it has ended in the property's
// zone. The stream's key is property_id, date, channel_group, source,
// medium, campaign.
//
// # Thresholding and sampling
//
// metadata.subjectToThresholding and metadata.samplingMetadatas come
// after the rows of an answer and apply to all of them: every row of
// such a page gets thresholded / sampled = true (false otherwise), and a
// warning is logged once per property and window. Thresholded reports
// withhold rows with few users, so totals are understated.
//
// # Quotas and errors
//
// A 429 RESOURCE_EXHAUSTED waits Google's retryDelay when the body has a
// google.rpc.RetryInfo, else until the next full hour on the client's
// clock (hourly property and project tokens come back then); the client
// accepts waits up to 61 minutes. A message naming a per-day quota stops
// the read with httpkit.ErrRateLimited (daily quotas reset at midnight
// Pacific; the next run resumes from the cursor); one naming concurrent
// requests is retried with backoff. After each page the propertyQuota
// remaining tokens are logged (debug); when the hourly ones (property, or
// project per property, whichever is fewer) fall below
// hourly_quota_reserve (default 500) the read pauses until the next hour.
// INTERNAL, UNAVAILABLE and DEADLINE_EXCEEDED are retried with backoff; a
// 401 refreshes the access token once; PERMISSION_DENIED and
// INVALID_ARGUMENT fail at once with Google's message.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads from the day after
// it and always the last lookback_days (default 4: GA4 processes events
// up to 72 h late) up to the last complete day of every property, window
// by window: each window is replaced, re-read for every property and
// committed with the cursor. A first run starts at start_date, or 13
// months back.
//
// Package ga4test is a fake of the API for tests and the demo.
package ga4
