// Package file is the "file" connector: CSV, Parquet and JSON-lines files
// that feed one canonical stream, read by DuckDB's own readers (read_csv,
// read_parquet, read_json) through connectors.SQLEmitter so that they load
// at DuckDB's speed.
//
// # Configuration
//
//	sources:
//	  - name: orders
//	    type: file
//	    path: data/orders*.csv      # glob (or a list under paths:), relative to the config file
//	    stream: orders              # canonical stream the files feed
//	    format: auto                # auto (by extension) | csv | parquet | jsonl
//	    delimiter: ","              # csv only; sniffed by DuckDB when absent
//	    columns: {amount: total}    # canonical column <- file column (a rename)
//	    timezone: UTC               # zone of timestamps written without an offset
//
// # Loading
//
// A Read compares the matched files (size and modification time, plus a
// fingerprint of the settings above) with the cursor. When nothing changed it
// checkpoints the same cursor and returns; otherwise it replaces the whole
// stream: Replace with a zero range, then one INSERT … SELECT per group of
// files that share a header (or schema), then Checkpoint. A backfill request
// reloads everything too: a file has no cheaper way to restate some days.
// ReadRequest.Until is ignored: a file is loaded whole.
//
// Canonical columns (after the columns: mapping, matched case-insensitively)
// are converted to their canonical types; every other column is kept with the
// type DuckDB reads (always VARCHAR for CSV, so that a nightly file whose
// sample happens to look numeric does not change the raw table's type). A
// _file column holds each row's file path, relative to the config file. A
// file lacking a required canonical column is an error wrapping
// connectors.ErrInvalidInput; absent optional columns are not created.
//
// # Bad rows
//
// Bad rows are quarantined, never loaded and never fatal:
//   - CSV: DuckDB's reader rejects rows whose DATE, BIGINT, DOUBLE or BOOLEAN
//     columns do not parse, and rows of the wrong shape (store_rejects; the
//     rejects tables are temporary, unique per load and dropped afterwards).
//     Line is the physical line, Raw the line itself.
//   - Money (DECIMAL(38,9)) and TIMESTAMPTZ columns of every format, and all
//     canonical columns of Parquet and JSON lines, are converted with TRY_CAST.
//     A row whose non-null value does not convert is left out of the INSERT
//     and quarantined by a second, slower scan of that file, which runs only
//     when the load's counter says such rows exist. Line is the line (for
//     CSV counted as if no quoted field spanned lines) or, for Parquet, the
//     row number.
//
// At most 10,000 bad rows per load are listed one by one; one more entry
// counts the rest. A malformed JSON line is an error naming the file and line.
//
// The source uses SQLEmitter.Query for its own temporary objects too (the
// rejects tables and a sequence that counts bad rows), and drops them before
// Read returns.
//
// # Time zones
//
// Timestamps with an offset or zone name are read as written. Timestamps
// without one (and naive Parquet/JSON TIMESTAMP values) are local times in
// timezone:. Dates are kept as written.
package file
