// Package conntest is test support for connectors: an Emitter backed by a
// real DuckDB database that behaves like the pipeline's, so that a connector's
// tests can read what it loaded, what it quarantined and which cursors it
// checkpointed.
//
// It imports "testing" and is meant for _test.go files only. Like the
// warehouse, it needs the duckdb_arrow build tag.
package conntest
