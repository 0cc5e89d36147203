// Package microsoftads is the microsoft_ads connector: daily spend,
// impressions, clicks, conversions and revenue per campaign of Microsoft
// Advertising (Bing) accounts, from the Reporting API v13 (REST), feeding the
// canonical ad_performance stream with channel paid_search.
//
// # Wire format
//
// Reports are asynchronous (httpkit.Client.RunJob):
//
//  1. POST {base_url}/v13/GenerateReport/Submit with a
//     CampaignPerformanceReportRequest (Format Csv, Aggregation Daily,
//     Columns TimePeriod, AccountId, CampaignId, CampaignName, CurrencyCode,
//     Spend, Impressions, Clicks, Conversions, Revenue; Scope.AccountIds one
//     account; Time.CustomDateRangeStart/End) → {"ReportRequestId":"…"}.
//  2. POST {base_url}/v13/GenerateReport/Poll with {"ReportRequestId":"…"}
//     → {"ReportRequestStatus":{"Status":"Pending|Success|Error","ReportDownloadUrl":…}},
//     waited on the client's clock (5 s, doubling to a minute; poll_interval).
//     Success with a null URL means the report has no rows; Error resubmits.
//  3. GET the pre-signed ReportDownloadUrl without credentials (it is
//     another host's; its query is the credential and is scrubbed from logs
//     and errors). It is a ZIP holding one CSV: an optional BOM, Microsoft's
//     header block ("Report Name: …", "Rows: n") and copyright footer when
//     report_header_footer is set, quoted fields, money as decimals.
//
// Every call to the API carries Authorization: Bearer (OAuth refresh grant
// at token_url with the msads.manage scope; Microsoft rotates refresh
// tokens, and the new one is used for the rest of the run), DeveloperToken,
// CustomerId and CustomerAccountId. Columns are read by name; Spend and
// Revenue are parsed exactly into DECIMAL(38,9), in the row's CurrencyCode.
// Days are in the account's time zone, which the Reporting API does not
// return: it comes from time_zone / time_zones (IANA), and report_time_zone,
// when set, is sent as ReportTimeZone.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads from the day after it
// and always the last lookback_days (default 30: conversion windows), up to
// the last complete day of every account in its own zone. Days are read in
// windows of days_per_request (default 7), one report per account and
// window; each window is replaced and committed with the cursor.
//
// # Errors
//
// Faults are {"OperationErrors"|"Errors":[{"Code","ErrorCode","Message"}],"TrackingId"}.
// CallRateExceeded (117) waits throttle_wait (default one minute; Microsoft
// sends no hint); AuthenticationTokenExpired (109) and InvalidCredentials
// (105) refresh the token once; InternalError (0) and 5xx retry; everything
// else, UserIsNotAuthorized (106) included, fails at once with Microsoft's
// code, message and TrackingId. A download answering 403 or 404 (an
// expired signature) polls once more for a fresh URL; a second refusal
// fails the window, which the next run repeats.
package microsoftads
