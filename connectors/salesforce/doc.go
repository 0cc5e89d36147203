// Package salesforce reads Salesforce Opportunities into the canonical
// crm_deals stream through the REST API's SOQL queryAll (CONNECTORS.md §7).
//
// It works like connectors/hubspot: Opportunities are mutable, crm_deals is
// keyed by deal_id with DateColumn created_at, and the emitter only appends
// or replaces created_at days. A run scans the Opportunities whose
// SystemModstamp ≥ cursor − 10 minutes (queryAll, so deletions count),
// collects their UTC CreatedDate days, and for each run of consecutive
// days (at most window_days) Replaces them and re-reads every Opportunity
// created then, committing each range. The first run instead reloads every
// day from start_date (or the oldest Opportunity) through today, with its
// progress in the cursor. A backfill reloads its days and keeps the cursor.
//
// Deleted Opportunities (IsDeleted, from queryAll while in the recycle bin,
// 15 days) are dropped: the reload of their day does not emit them, so
// their row disappears. An Opportunity purged before any run saw its
// deletion keeps its row.
//
// Auth is the OAuth2 refresh-token grant. The token answer's instance_url
// is where queries go; when base_url is set (tests, a proxy) every request
// goes to base_url instead. Salesforce tokens carry no expiry:
// INVALID_SESSION_ID (401) refreshes once. REQUEST_LIMIT_EXCEEDED (403, the
// org's rolling 24 h allowance) stops the run with httpkit.ErrRateLimited.
// nextRecordsUrl paths are resolved against the instance (or base_url).
package salesforce
