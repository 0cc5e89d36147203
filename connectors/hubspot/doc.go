// Package hubspot reads HubSpot CRM deals into the canonical crm_deals
// stream (CONNECTORS.md §6).
//
// # Incremental reads and upsert
//
// Deals are mutable, so the stream is incremental on hs_lastmodifieddate,
// not on report days. crm_deals is keyed by deal_id with DateColumn
// created_at, and the emitter can only append or delete whole created_at
// days (Emitter.Replace). A run therefore works in two passes:
//
//  1. Scan: search deals with hs_lastmodifieddate ≥ cursor − 10 minutes
//     (HubSpot's search lags), asking only for createdate and
//     hs_lastmodifieddate, and collect the UTC days on which the changed
//     deals were created. The first run scans from the epoch.
//  2. Reload: for each run of consecutive changed days (at most
//     window_days long), Replace those days, search every deal created in
//     them (createdate GTE/LT) and emit it, then Checkpoint (the old
//     cursor). After the last range the cursor moves to the newest
//     hs_lastmodifieddate seen (never past the run's start).
//
// A changed deal thus replaces its old row, together with the other deals
// created the same day, in the transaction of the checkpoint: an upsert by
// deal_id built from day replaces. A failure repeats the scan and the
// ranges not yet committed. A backfill reloads exactly its days and keeps
// the cursor.
//
// The first run (no cursor) skips the scan: it reloads every created_at
// day from start_date (or the oldest deal) through today UTC, window by
// window, committing its progress in the cursor (Through) so that a failure
// resumes after the last window. The cursor then becomes the time the first
// load began (Started), so deals changed during it are read next time.
//
// The cursor after a scan is the newest hs_lastmodifieddate HubSpot
// returned (its clock, not ours), so each run also reloads the days of the
// deals modified in the 10 minutes before it. ReadRequest.Until is ignored:
// CRM records have no reporting day.
//
// # The 10,000-result cap
//
// A search pages with "after" (limit 200) up to 10,000 results
// (max_results_per_search); paging further is a 400. On reaching the cap
// the search restarts with GTE the last value of its sort property and
// drops the ids already seen. When more deals than the cap share that
// timestamp (a bulk update or import), they are read by id instead
// (prop EQ the timestamp, hs_object_id GT the last id, sorted by
// hs_object_id) and the search goes on a millisecond later.
//
// # Throttles and errors
//
// Search allows 5 requests/s per account (a token bucket per portal). A
// 429 with policyName SECONDLY waits 1 s, TEN_SECONDLY_ROLLING 10 s (search
// sends no rate headers; Retry-After wins when present); DAILY stops the
// run with httpkit.ErrRateLimited until tomorrow. 401 refreshes the OAuth
// token once (a private-app token cannot be refreshed: fatal). Other 4xx
// are fatal with HubSpot's message and category; 5xx and malformed bodies
// are retried.
//
// Archived (deleted) deals are not returned by search: they keep their
// last row (unverified path for listing them; not implemented).
package hubspot
