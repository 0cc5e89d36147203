package conntest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/pacerhq/pacer/connectors"
)

// OpenDB opens a fresh DuckDB database file in t.TempDir() with the session
// time zone set to UTC (as the warehouse does), and closes it when the test
// ends.
func OpenDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.ExecContext(t.Context(), "SET GLOBAL TimeZone = 'UTC'"); err != nil {
		t.Fatalf("set time zone: %v", err)
	}
	return db
}

// Emitter is a connectors.SQLEmitter writing one table of a DuckDB database.
//
// Everything runs on one connection, inside a transaction begun by the first
// call and committed by Checkpoint, as in the pipeline. The table is created
// from the first rows emitted and gains the columns later rows bring. An
// Emitter is not safe for concurrent use. Its connection is closed (and an
// open transaction rolled back) when the test ends.
type Emitter struct {
	t          testing.TB
	conn       *sql.Conn
	arrow      *duckdb.Arrow
	table      string // quoted
	dateColumn string
	inTx       bool
	views      int

	quarantined []connectors.Rejected
	cursors     [][]byte
}

var _ connectors.SQLEmitter = (*Emitter)(nil)

// Option configures an Emitter.
type Option func(*Emitter)

// WithDateColumn makes Replace delete by col (a DATE column, or a timestamp
// compared by UTC calendar day), like connectors.Stream.DateColumn. Without
// it, Replace deletes every row.
func WithDateColumn(col string) Option {
	return func(e *Emitter) { e.dateColumn = col }
}

// NewEmitter returns an Emitter writing table (an unquoted name) of db.
func NewEmitter(t testing.TB, db *sql.DB, table string, opts ...Option) *Emitter {
	t.Helper()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatalf("conntest: connection: %v", err)
	}
	e := &Emitter{t: t, conn: conn, table: quote(table)}
	for _, o := range opts {
		o(e)
	}
	t.Cleanup(func() {
		if e.inTx {
			_, _ = conn.ExecContext(context.WithoutCancel(t.Context()), "ROLLBACK")
		}
		_ = conn.Close()
	})
	return e
}

// Quarantined returns the rows quarantined so far, committed or not.
func (e *Emitter) Quarantined() []connectors.Rejected { return e.quarantined }

// Cursors returns every cursor checkpointed so far, oldest first.
func (e *Emitter) Cursors() [][]byte { return e.cursors }

// Cursor returns the last cursor checkpointed, or nil.
func (e *Emitter) Cursor() []byte {
	if len(e.cursors) == 0 {
		return nil
	}
	return e.cursors[len(e.cursors)-1]
}

// Rollback discards what was emitted since the last Checkpoint, as the
// pipeline does when Read fails.
func (e *Emitter) Rollback(ctx context.Context) error {
	if !e.inTx {
		return nil
	}
	e.inTx = false
	if _, err := e.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		return fmt.Errorf("conntest: rollback: %w", err)
	}
	return nil
}

func (e *Emitter) begin(ctx context.Context) error {
	if e.inTx {
		return nil
	}
	if _, err := e.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("conntest: begin: %w", err)
	}
	e.inTx = true
	return nil
}

// Batch inserts rec through DuckDB's Arrow interface.
func (e *Emitter) Batch(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if err := e.begin(ctx); err != nil {
		return err
	}
	if e.arrow == nil {
		err := e.conn.Raw(func(dc any) error {
			a, err := duckdb.NewArrowFromConn(dc.(*duckdb.Conn))
			e.arrow = a
			return err
		})
		if err != nil {
			return fmt.Errorf("conntest: arrow connection: %w", err)
		}
	}
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return fmt.Errorf("conntest: record reader: %w", err)
	}
	defer rdr.Release()
	e.views++
	view := fmt.Sprintf("_conntest_batch_%d", e.views)
	release, err := e.arrow.RegisterView(rdr, view)
	if err != nil {
		return fmt.Errorf("conntest: register arrow view: %w", err)
	}
	defer func() {
		_, _ = e.conn.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+quote(view))
		release()
	}()
	_, err = e.insert(ctx, "SELECT * FROM "+quote(view))
	return err
}

// InsertSelect creates the table from query's columns if needed, adds the
// columns it lacks, and inserts query's rows by name.
func (e *Emitter) InsertSelect(ctx context.Context, query string, args ...any) (int64, error) {
	if err := e.begin(ctx); err != nil {
		return 0, err
	}
	return e.insert(ctx, query, args...)
}

func (e *Emitter) insert(ctx context.Context, query string, args ...any) (int64, error) {
	create := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s AS SELECT * FROM (%s) LIMIT 0", e.table, query)
	if _, err := e.conn.ExecContext(ctx, create, args...); err != nil {
		return 0, fmt.Errorf("conntest: create %s: %w", e.table, err)
	}
	if err := e.addColumns(ctx, query, args...); err != nil {
		return 0, err
	}
	res, err := e.conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME %s", e.table, query), args...)
	if err != nil {
		return 0, fmt.Errorf("conntest: insert into %s: %w", e.table, err)
	}
	return res.RowsAffected()
}

// addColumns adds the columns of query that the table does not have yet.
func (e *Emitter) addColumns(ctx context.Context, query string, args ...any) error {
	have, err := e.columns(ctx)
	if err != nil {
		return err
	}
	rows, err := e.conn.QueryContext(ctx, "DESCRIBE "+query, args...)
	if err != nil {
		return fmt.Errorf("conntest: describe rows: %w", err)
	}
	var add [][2]string
	for rows.Next() {
		var name, typ string
		var rest [4]sql.NullString
		if err := rows.Scan(&name, &typ, &rest[0], &rest[1], &rest[2], &rest[3]); err != nil {
			rows.Close()
			return fmt.Errorf("conntest: describe rows: %w", err)
		}
		if _, ok := have[strings.ToLower(name)]; !ok {
			add = append(add, [2]string{name, typ})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("conntest: describe rows: %w", err)
	}
	for _, c := range add {
		if _, err := e.conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", e.table, quote(c[0]), c[1])); err != nil {
			return fmt.Errorf("conntest: add column %s: %w", c[0], err)
		}
	}
	return nil
}

// columns returns the table's columns (lower case) and their types; empty
// when the table does not exist.
func (e *Emitter) columns(ctx context.Context) (map[string]string, error) {
	rows, err := e.conn.QueryContext(ctx, fmt.Sprintf(
		"SELECT lower(column_name), data_type FROM duckdb_columns() WHERE table_name = %s AND NOT internal", literal(unquote(e.table))))
	if err != nil {
		return nil, fmt.Errorf("conntest: columns of %s: %w", e.table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("conntest: columns of %s: %w", e.table, err)
		}
		out[name] = typ
	}
	return out, rows.Err()
}

// Query runs query inside the load transaction.
func (e *Emitter) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := e.begin(ctx); err != nil {
		return nil, err
	}
	return e.conn.QueryContext(ctx, query, args...)
}

// Replace deletes the rows of r's days (by the WithDateColumn column), or
// every row for a zero range or without a date column.
func (e *Emitter) Replace(ctx context.Context, r connectors.DateRange) error {
	if err := e.begin(ctx); err != nil {
		return err
	}
	cols, err := e.columns(ctx)
	if err != nil || len(cols) == 0 {
		return err // no table yet: nothing to delete
	}
	if r.IsZero() || e.dateColumn == "" {
		if _, err := e.conn.ExecContext(ctx, "DELETE FROM "+e.table); err != nil {
			return fmt.Errorf("conntest: replace all of %s: %w", e.table, err)
		}
		return nil
	}
	typ, ok := cols[strings.ToLower(e.dateColumn)]
	if !ok {
		return fmt.Errorf("conntest: replace %s: %s has no column %q", r, e.table, e.dateColumn)
	}
	from, to := r.From.Format(time.DateOnly), r.To.AddDate(0, 0, 1).Format(time.DateOnly)
	cast := "DATE"
	if strings.Contains(typ, "TIME ZONE") {
		cast, from, to = "TIMESTAMPTZ", from+" 00:00:00+00", to+" 00:00:00+00"
	}
	col := quote(e.dateColumn)
	q := fmt.Sprintf("DELETE FROM %s WHERE %s >= ?::%s AND %s < ?::%s", e.table, col, cast, col, cast)
	if _, err := e.conn.ExecContext(ctx, q, from, to); err != nil {
		return fmt.Errorf("conntest: replace %s of %s: %w", r, e.table, err)
	}
	return nil
}

// Checkpoint commits everything emitted so far and records cursor.
func (e *Emitter) Checkpoint(ctx context.Context, cursor []byte) error {
	if e.inTx {
		e.inTx = false
		if _, err := e.conn.ExecContext(ctx, "COMMIT"); err != nil {
			return fmt.Errorf("conntest: commit: %w", err)
		}
	}
	e.cursors = append(e.cursors, append([]byte(nil), cursor...))
	return nil
}

// Quarantine records rows; read them with Quarantined.
func (e *Emitter) Quarantine(_ context.Context, rows ...connectors.Rejected) error {
	e.quarantined = append(e.quarantined, rows...)
	return nil
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func unquote(q string) string { return strings.ReplaceAll(q[1:len(q)-1], `""`, `"`) }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
