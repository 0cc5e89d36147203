// Package warehouse is pacer's DuckDB database: it opens the file (one
// writer, session time zone UTC), creates the schemas and meta tables from
// embedded migrations, and loads Arrow record batches or DuckDB SELECTs into
// raw tables inside explicit transactions.
//
// It knows nothing about which source is which. The Arrow interface needs the
// build tag duckdb_arrow, which the Makefile sets.
package warehouse
