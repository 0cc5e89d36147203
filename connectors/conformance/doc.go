// Package conformance is the suite every HTTP connector passes, so that a
// new connector gets the same checks by adding one test:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, conformance.Harness{
//			Type:  googleads.Type,
//			New:   conformance.Factory(googleads.New),
//			Start: func(t testing.TB) conformance.Fake { s := googleadstest.New(googleadstest.Options{}); t.Cleanup(s.Close); return s },
//		})
//	}
//
// Run drives the connector against its platform fake through the real
// connectors.Source contract, into a real DuckDB file in t.TempDir() with a
// pipeline-style emitter (connectors/conntest): rows commit only with a
// Checkpoint and a failed Read is rolled back, as in pipelines. Every wait
// goes through an injected httpkit.FakeClock, so the suite asserts waits
// without sleeping, and the HTTP client only reaches loopback hosts.
//
// The checks: the spec documents every key and marks secrets; unknown
// keys are rejected; a full sync over several pages loads exactly the
// fake's rows; a sync that fails in the middle resumes from its last
// checkpoint without losing or duplicating a row; the platform's throttle
// answer is waited out for the time it asks (on the injected clock);
// transient 5xx and malformed bodies are retried; an expired access token
// is refreshed once; a permission error and a revoked token fail at once
// with the platform's message and no retry; restated values inside the
// lookback window replace the old ones while older days stay; a backfill
// replaces exactly its days and leaves the cursor; currency and time zone
// land on every row and no day is read before it ends in the account's
// zone; cancellation stops a wait; and no secret appears in any log line,
// error or stored row.
//
// It imports "testing" and needs the duckdb_arrow build tag: use it from
// _test.go files only.
package conformance
