// Package transforms builds pacer's SQL models and runs its data checks.
//
// Models are the .sql files of the sql/ tree (embedded by package
// github.com/pacerhq/pacer/sql, or any fs.FS such as os.DirFS for an analyst
// iterating on a model):
//
//	staging/<name>.sql       -> staging.<name>   (view unless the header says table)
//	intermediate/int_*.sql   -> staging.int_*    (view unless the header says table)
//	marts/<name>.sql         -> marts.<name>     (table unless the header says view)
//	meta/<name>.sql          -> meta.<name>      (table unless the header says view)
//	checks/<name>.sql        -> a data check: a query returning failing rows
//
// Each model file starts with header comments:
//
//	-- materialized: table
//	-- comment: One row per day, channel and campaign: ...
//
// and has a sibling <name>.yml with the grain, a description of every column
// (they become COMMENT ON COLUMN) and tests:
//
//	description: optional, used when the header has no comment
//	grain: one row per date × channel × campaign_id
//	columns:
//	  - name: date
//	    description: reporting day
//	    tests: [not_null, unique, {accepted_values: [a, b]}]
//	tests:
//	  unique_combination: [date, channel, campaign_id]
//	  row_count_min: 1
//	  freshness: {column: date, max_days: 3, severity: warn}
//
// A check file has the headers "-- severity: error|warn" (default error) and
// "-- comment: ..." and no .yml.
//
// # Templates
//
// Every file is a text/template rendered with [Vars] (.Currency, .Timezone,
// .AttributionLookbackDays, .PriceTierBands: the price tiers of
// marts.sales_mix) and one function, money (see Money below). Check files additionally see .Today, the current
// day in the reporting time zone as YYYY-MM-DD; models do not, so that a
// rebuild of the same raw data gives the same marts whatever the wall clock.
//
// # Dependencies
//
// Dependencies are the schema.table references (schemas raw, staging, marts,
// meta; unquoted, lower case identifiers) found in the rendered SQL outside
// comments and string literals. References to raw.* and to meta tables that
// are not models (meta.stream_state, ...) are external inputs;
// staging.src_<canonical> are the generated source views. Any other reference
// must name a model. Models are built in topological order, ties broken by
// qualified name.
//
// # Source views
//
// Before the models, [Runner.Transform] creates one view per canonical
// stream of package connectors, staging.src_<canonical>: the UNION ALL BY
// NAME of the raw tables feeding it, projected to the canonical columns cast
// to their canonical types (absent optional columns as typed NULLs), plus
// _source (the source name; an existing raw _source column wins), _stream
// (the source's stream name) and every other column of the raw tables as the
// source emitted it (including _run_id and _synced_at; one named like a
// column staging derives, such as date or channel, gets a raw_ prefix). A stream no source
// feeds gets a typed empty view so that every model compiles.
//
// # Time zones
//
// The DuckDB build behind duckdb-go v2.10506.0 (DuckDB 1.5.6) bundles the ICU
// extension, so "ts AT TIME ZONE 'Asia/Shanghai'" works without network
// access; Transform checks the configured zone against pg_timezone_names()
// before building. ICU costs about 0.15 µs a value, so the streams read on
// every run (orders, conversions) look the UTC offset up per UTC day in
// staging.int_timezone__utc_days and fall back to AT TIME ZONE on days when
// the offset changes; both give the same reporting day.
//
// # Money
//
// Canonical money is DECIMAL(38,9) in its own currency; staging converts it
// to DECIMAL(18,4) in the reporting currency (64-bit, so sums are fast) with
// the template function {{money "amount" "fx_rate"}}, exact to the rounding of
// CAST(amount * fx_rate AS DECIMAL(18,4)) without the 128-bit division that
// makes that cast cost about 1 µs a value in DuckDB 1.5 (see moneySQL). Rates
// come from raw.fx_rates through staging.int_fx_rates__daily: the latest
// positive rate on or before the day, at most 7 days old; the reporting
// currency converts at 1; no rate gives NULL, never 1, and a row in
// meta.fx_missing. Marts round to DECIMAL(18,2) at the end; ratios are DOUBLE
// and NULL when their denominator is 0.
//
// # Attribution
//
// staging.int_events__last_touch credits each order, refund and conversion
// to the user's last touchpoint at or before it within
// Vars.AttributionLookbackDays × 24 hours (one ASOF join for all of them);
// without one the channel is direct and the campaign (none). A refund takes
// the attribution of the order it refunds but counts on its own day.
//
// # Atomicity
//
// Transform builds every source view and model and writes every comment in
// one transaction: a concurrent reader sees the previous marts or the new
// ones, never a mix, and a failing model leaves the previous marts intact.
package transforms
