// Package stripe is the stripe connector: Stripe charges and refunds
// (GET /v1/charges and /v1/refunds, CONNECTORS.md §8) as the canonical
// orders stream.
//
// One stream, orders:
//   - a charge is one row keyed by its id (ch_…): status paid (succeeded,
//     paid and captured; amount_captured for a partial capture), cancelled
//     (failed) or pending (pending, or authorized and not captured);
//   - a succeeded or pending refund is one row keyed by its id (re_…):
//     status refunded, the refunded amount positive, the refund's own
//     created time, and the order id of the refunded charge (refunds are
//     listed with expand[]=data.charge). Failed and canceled refunds are
//     left out, so refunds reduce revenue on their own date.
//
// The order id is the charge's metadata[order_id_metadata_key] (default
// order_id), else its payment intent id, else the charge id; user_id is
// metadata[user_id_metadata_key] when that key is configured; region and
// product_line are metadata[region] and metadata[product_line] (a refund:
// the refunded charge's), NULL when absent. Amounts are
// exact: minor units × 10^(9−exponent) into DECIMAL(38,9), with Stripe's
// zero-decimal (JPY, KRW, …) and three-decimal (KWD, BHD, …) currencies;
// currencies are upper-cased. Timestamps are UTC; the extra column date
// (the UTC day of ts) is the stream's DateColumn.
//
// Reads are incremental by created: window by window of UTC days
// (created[gte], created[lt]), paging newest first with starting_after
// while has_more. Each run re-reads the last lookback_days (default 30)
// and replaces them, so refunds and status changes of recent objects are
// restated; each window commits with the cursor.
//
// Errors: 429 is retried (after throttle_wait, else full-jitter backoff:
// Stripe sends no Retry-After as a rule), as are 409 and 5xx;
// Stripe-Should-Retry is honoured; 401 is fatal (keys cannot be
// refreshed) and wraps httpkit.ErrAuth; other 4xx are fatal with Stripe's
// error.message and the Request-Id header as request id.
//
// Package stripetest is a fake Stripe API for tests and the demo.
package stripe
