// Package pipelines runs pacer's nightly job: it loads and validates the
// configuration, takes the warehouse lock, records the run in the ledger
// (meta.runs, meta.stream_runs), syncs every source stream into raw tables
// with its cursor in one transaction, runs the SQL models and data checks, and
// renders the report.
//
// It owns the run plan and the ledger; it knows no SQL model and no HTTP API.
package pipelines
