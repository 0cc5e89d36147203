package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// ErrLocked is returned by Open when another process holds the DuckDB file.
var ErrLocked = errors.New("database file is in use by another process")

// DB is an open DuckDB warehouse. Its methods are safe for concurrent use;
// a Load holds one connection of its own.
type DB struct {
	sql       *sql.DB
	connector *duckdb.Connector
	path      string
	readOnly  bool
}

// Options configure Open.
type Options struct {
	// ReadOnly opens the file without write access (for `pacer query` and
	// reports); several read-only processes may share a file.
	ReadOnly bool
	// Threads caps DuckDB's worker threads (0: DuckDB's default, all cores).
	Threads int
}

// Open opens (creating if needed) the DuckDB file at path and, unless
// read-only, applies pending migrations. The session time zone is UTC: every
// instant is stored and compared in UTC, and staging applies the reporting
// time zone. Close must be called to checkpoint the WAL into the file.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	dsn := path
	if opts.ReadOnly {
		dsn += "?access_mode=read_only"
	}
	init := func(ex driver.ExecerContext) error {
		stmts := []string{"SET TimeZone='UTC'"}
		if !opts.ReadOnly {
			// Raw and mart tables carry no meaning in their physical row
			// order (queries that need one say ORDER BY); letting DuckDB
			// write in parallel makes bulk loads about 40% faster.
			stmts = append(stmts, "SET preserve_insertion_order = false")
		}
		if opts.Threads > 0 {
			stmts = append(stmts, fmt.Sprintf("SET threads=%d", opts.Threads))
		}
		for _, s := range stmts {
			if _, err := ex.ExecContext(ctx, s, nil); err != nil {
				return err
			}
		}
		return nil
	}
	c, err := duckdb.NewConnector(dsn, init)
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock on file") || strings.Contains(err.Error(), "Conflicting lock") {
			return nil, fmt.Errorf("open %s: %w (is another pacer run, or an analyst's session with the file open for writing, still running?): %v", path, ErrLocked, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{sql: sql.OpenDB(c), connector: c, path: path, readOnly: opts.ReadOnly}
	if !opts.ReadOnly {
		if err := db.migrate(ctx); err != nil {
			return nil, errors.Join(err, db.Close())
		}
	}
	return db, nil
}

// SQL returns the database/sql handle, for queries and small writes.
func (d *DB) SQL() *sql.DB { return d.sql }

// Path is the DuckDB file.
func (d *DB) Path() string { return d.path }

// Close checkpoints the WAL into the file (so analysts open a compact file)
// and closes the database.
func (d *DB) Close() error {
	var errs []error
	if !d.readOnly {
		if _, err := d.sql.Exec("CHECKPOINT"); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
	}
	errs = append(errs, d.sql.Close(), d.connector.Close())
	return errors.Join(errs...)
}

// migrate applies embedded migrations in name order, each in its own
// transaction, recording them in meta.migrations.
func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.sql.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS meta;
		CREATE TABLE IF NOT EXISTS meta.migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL);
		COMMENT ON TABLE meta.migrations IS 'Schema migrations applied to this file, by pacer itself.';
		COMMENT ON COLUMN meta.migrations.name IS 'Migration file name.';
		COMMENT ON COLUMN meta.migrations.applied_at IS 'When it was applied.';`); err != nil {
		return fmt.Errorf("create meta.migrations: %w", err)
	}
	names, err := fs.Glob(migrationsFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM meta.migrations WHERE name = ?", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, err := migrationsFS.ReadFile(name)
		if err != nil {
			return err
		}
		if err := d.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO meta.migrations VALUES (?, now())", name)
			return err
		}); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// InTx runs fn in a transaction, committing when it returns nil.
func (d *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// Conn returns a dedicated connection, for work that must stay on one
// connection (explicit transactions, Arrow views). The caller closes it.
func (d *DB) Conn(ctx context.Context) (*sql.Conn, error) { return d.sql.Conn(ctx) }

// Quote quotes an identifier for DuckDB.
func Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

// QualifiedName quotes schema.table.
func QualifiedName(schema, table string) string { return Quote(schema) + "." + Quote(table) }

// DuckDBVersion returns the version of the linked DuckDB library.
func DuckDBVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	return v, err
}
