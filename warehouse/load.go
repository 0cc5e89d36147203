package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// Load writes rows into one table inside explicit transactions on a
// dedicated connection. Rows become visible to others only at Commit; a
// process killed before Commit leaves the table as it was.
//
// A Load is not safe for concurrent use (DuckDB Arrow connections are not).
// Close it when done; Close rolls back an open transaction.
type Load struct {
	conn     *sql.Conn
	arrow    *duckdb.Arrow
	schema   string
	table    string
	runID    int64
	syncedAt time.Time
	inTx     bool
	columns  map[string]bool // existing columns of the table; nil until known
}

// LoadSpec says where a Load writes.
type LoadSpec struct {
	Schema, Table string
	// RunID and SyncedAt fill the lineage columns _run_id and _synced_at.
	RunID    int64
	SyncedAt time.Time
}

// NewLoad opens a dedicated connection for writing to spec's table. The
// table is created from the first rows written, with the lineage columns.
func (d *DB) NewLoad(ctx context.Context, spec LoadSpec) (*Load, error) {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &Load{conn: conn, schema: spec.Schema, table: spec.Table, runID: spec.RunID, syncedAt: spec.SyncedAt.UTC()}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(*duckdb.Conn))
		l.arrow = a
		return err
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("arrow connection: %w", err), conn.Close())
	}
	return l, nil
}

// Name is the quoted schema.table the load writes.
func (l *Load) Name() string { return QualifiedName(l.schema, l.table) }

// begin starts a transaction unless one is open.
func (l *Load) begin(ctx context.Context) error {
	if l.inTx {
		return nil
	}
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	l.inTx = true
	return nil
}

// Exec runs a statement inside the load's transaction (for bookkeeping that
// must commit together with the rows, such as a stream's cursor).
func (l *Load) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := l.begin(ctx); err != nil {
		return nil, err
	}
	return l.conn.ExecContext(ctx, query, args...)
}

// Query runs a query inside the load's transaction.
func (l *Load) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := l.begin(ctx); err != nil {
		return nil, err
	}
	return l.conn.QueryContext(ctx, query, args...)
}

// arrowViews numbers the Arrow views of all loads.
var arrowViews atomic.Int64

// AppendArrow inserts recs, which share one schema, matching columns by
// name, and returns the number of rows. Several batches in one call let
// DuckDB scan them in parallel. The caller keeps ownership of recs.
func (l *Load) AppendArrow(ctx context.Context, recs ...arrow.RecordBatch) (int64, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	if err := l.begin(ctx); err != nil {
		return 0, err
	}
	rdr, err := array.NewRecordReader(recs[0].Schema(), recs)
	if err != nil {
		return 0, err
	}
	defer rdr.Release()
	// The name is unique in the process: loads on other connections
	// register their batches at the same time.
	view := fmt.Sprintf("_pacer_arrow_%d", arrowViews.Add(1))
	release, err := l.arrow.RegisterView(rdr, view)
	if err != nil {
		return 0, fmt.Errorf("register arrow batch: %w", err)
	}
	defer func() {
		_, _ = l.conn.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+Quote(view))
		release()
	}()
	// The table has every column of a schema it has taken before: no need
	// to DESCRIBE the rows again (a round trip per page of an API).
	known := l.columns != nil
	for _, f := range recs[0].Schema().Fields() {
		known = known && l.columns[f.Name]
	}
	if known {
		return l.insertKnown(ctx, "SELECT * FROM "+Quote(view))
	}
	return l.insert(ctx, "SELECT * FROM "+Quote(view))
}

// AppendSelect inserts the rows of a DuckDB query (matching columns by
// name), e.g. SELECT * FROM read_parquet('x.parquet').
func (l *Load) AppendSelect(ctx context.Context, query string, args ...any) (int64, error) {
	if err := l.begin(ctx); err != nil {
		return 0, err
	}
	return l.insert(ctx, query, args...)
}

func (l *Load) insert(ctx context.Context, query string, args ...any) (int64, error) {
	if err := l.ensureColumns(ctx, query, args...); err != nil {
		return 0, err
	}
	return l.insertKnown(ctx, query, args...)
}

// insertKnown inserts the rows of query into a table that has its columns.
func (l *Load) insertKnown(ctx context.Context, query string, args ...any) (int64, error) {
	// Lineage columns are typed constants (BIGINT and TIMESTAMP), which cost
	// DuckDB far less than a constant VARCHAR.
	stmt := fmt.Sprintf("INSERT INTO %s BY NAME SELECT *, %d::BIGINT AS _run_id, TIMESTAMP '%s' AS _synced_at FROM (%s)",
		l.Name(), l.runID, l.syncedAt.Format("2006-01-02 15:04:05.999999"), query)
	res, err := l.conn.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, fmt.Errorf("insert into %s.%s: %w", l.schema, l.table, err)
	}
	return res.RowsAffected()
}

// ensureColumns creates the table from the query's columns, or adds columns
// the table lacks (sources gain fields over time; old rows get NULL).
func (l *Load) ensureColumns(ctx context.Context, query string, args ...any) error {
	if l.columns == nil {
		cols, err := l.tableColumns(ctx)
		if err != nil {
			return err
		}
		l.columns = cols
	}
	desc, err := l.describe(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("describe rows for %s.%s: %w", l.schema, l.table, err)
	}
	if len(l.columns) == 0 {
		var defs []string
		for _, c := range desc {
			defs = append(defs, Quote(c[0])+" "+c[1])
		}
		defs = append(defs, "_run_id BIGINT", "_synced_at TIMESTAMP")
		if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s; CREATE TABLE %s (%s)",
			Quote(l.schema), l.Name(), strings.Join(defs, ", "))); err != nil {
			return fmt.Errorf("create %s.%s: %w", l.schema, l.table, err)
		}
		for _, c := range desc {
			l.columns[c[0]] = true
		}
		l.columns["_run_id"], l.columns["_synced_at"] = true, true
		return nil
	}
	for _, c := range desc {
		if l.columns[c[0]] {
			continue
		}
		if _, err := l.conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", l.Name(), Quote(c[0]), c[1])); err != nil {
			return fmt.Errorf("add column %s to %s.%s: %w", c[0], l.schema, l.table, err)
		}
		l.columns[c[0]] = true
	}
	return nil
}

func (l *Load) tableColumns(ctx context.Context) (map[string]bool, error) {
	rows, err := l.conn.QueryContext(ctx, "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", l.schema, l.table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols[c] = true
	}
	return cols, rows.Err()
}

// describe returns name and type of each column of query.
func (l *Load) describe(ctx context.Context, query string, args ...any) ([][2]string, error) {
	rows, err := l.conn.QueryContext(ctx, "DESCRIBE "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var name, typ string
		var rest [4]sql.NullString
		if err := rows.Scan(&name, &typ, &rest[0], &rest[1], &rest[2], &rest[3]); err != nil {
			return nil, err
		}
		if name == "_run_id" || name == "_synced_at" {
			continue
		}
		out = append(out, [2]string{name, typ})
	}
	return out, rows.Err()
}

// Exists reports whether the load's table exists.
func (l *Load) Exists(ctx context.Context) (bool, error) {
	cols, err := l.tableColumns(ctx)
	return len(cols) > 0, err
}

// Commit commits the open transaction, if any.
func (l *Load) Commit(ctx context.Context) error {
	if !l.inTx {
		return nil
	}
	l.inTx = false
	if _, err := l.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit %s.%s: %w", l.schema, l.table, err)
	}
	return nil
}

// Rollback abandons the open transaction, if any.
func (l *Load) Rollback(ctx context.Context) error {
	if !l.inTx {
		return nil
	}
	l.inTx = false
	l.columns = nil // DDL of the transaction is gone too
	_, err := l.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return err
}

// Close rolls back an uncommitted transaction and releases the connection.
func (l *Load) Close(ctx context.Context) error {
	return errors.Join(l.Rollback(ctx), l.conn.Close())
}
