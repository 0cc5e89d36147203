// Package linkedin is the linkedin connector: daily cost, impressions,
// clicks, website conversions and conversion value per campaign of
// LinkedIn sponsored ad accounts, read from the Marketing API's adAnalytics
// analytics finder (Linkedin-Version 202607 by default), feeding the
// canonical ad_performance stream.
//
// # Wire format
//
// Every call carries Linkedin-Version (YYYYMM; a sunset version gets HTTP
// 426), X-Restli-Protocol-Version: 2.0.0 and Authorization: Bearer, the
// token coming from the refresh-token grant at token_url (scope
// r_ads_reporting, plus r_ads for names and currency). One request per
// account and window:
//
//	GET /rest/adAnalytics?q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY
//	  &dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:7))
//	  &accounts=List(urn%3Ali%3AsponsoredAccount%3A508000001)
//	  &fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency,
//	          externalWebsiteConversions,conversionValueInLocalCurrency
//
// The query is written in Rest.li 2.0 syntax by hand: parentheses, colons
// and commas stay literal, the URN inside List() is encoded. Elements carry
// dateRange.start as {year,month,day} (the row's date), pivotValues[0] as
// urn:li:sponsoredCampaign:<id> (campaign_id is the id; the URN is kept in
// campaign_urn), counts as numbers and money as strings, read exactly
// (costInLocalCurrency → spend, conversionValueInLocalCurrency →
// conversion_value, externalWebsiteConversions → conversions; absent is 0).
// adAnalytics has no pages and returns at most 15,000 elements: a window
// whose answer reaches that is read again in halves.
//
// Currency comes from GET /rest/adAccounts/{id} once per source; campaign
// names from GET /rest/adAccounts/{id}/adCampaigns?q=search (cursor pages:
// pageSize, pageToken, metadata.nextPageToken) once per Read, or not at
// all with campaign_names: false (campaign_name is then empty). LinkedIn
// reports UTC days (unverified): account_timezone is the timezone key,
// default UTC, and "yesterday" is computed in it.
//
// # Sync
//
// The cursor is {"through":"YYYY-MM-DD"}. A run reads the days after it
// and the last lookback_days again (default 30, LinkedIn's conversion
// windows; unverified), in windows of days_per_request days (default 7),
// each replaced, re-read for every account and committed with the cursor.
//
// # Errors
//
// A 401 refreshes the access token once (a refused refresh is a permanent
// authentication error); 429 is retried with Retry-After or backoff, except
// the "APPLICATION DAY limit" / "MEMBER DAY limit" answers, which stop the
// read until the next run (LinkedIn's quotas are daily); 5xx are retried;
// 403 ACCESS_DENIED, 426 (sunset version) and other 4xx fail at once with
// LinkedIn's code and message.
//
// Package linkedintest is a fake of the API for tests and the demo.
package linkedin
