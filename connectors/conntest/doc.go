// Package conntest is test support for connectors: an Emitter backed by a
// real DuckDB database that behaves like the pipeline's, so that a connector's
// tests can read what it loaded, what it quarantined and which cursors it
// checkpointed.
//
// It also holds what the fixture round-trip tests share. DemoSet collects
// the demo company's rows for a fake to serve; HandAds makes a small set
// of awkward ad rows. LandedAds reads the ad_performance rows a connector
// landed and CompareAds checks them, row by row and summed per account,
// against the fixture's (WantAds), allowing for a platform's documented
// differences (AdOptions, SumAds). Strings and CompareRows do the same for
// streams compared as one text per row. Comparisons are exact: money as
// micros or decimal text, conversions as the same float64, never within a
// tolerance.
//
// It imports "testing" and is meant for _test.go files only. Like the
// warehouse, it needs the duckdb_arrow build tag.
package conntest
