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
// .AttributionLookbackDays). Check files additionally see .Today, the current
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
// source emitted it (including _run_id and _synced_at). A stream no source
// feeds gets a typed empty view so that every model compiles.
//
// # Time zones
//
// The DuckDB build behind duckdb-go v2.10506.0 (DuckDB 1.5.6) bundles the ICU
// extension, so "ts AT TIME ZONE 'Asia/Shanghai'" works without network
// access; Transform verifies the configured zone against pg_timezone_names()
// before building.
//
// # Atomicity
//
// Transform builds every source view and model and writes every comment in
// one transaction: a concurrent reader sees the previous marts or the new
// ones, never a mix, and a failing model leaves the previous marts intact.
package transforms
