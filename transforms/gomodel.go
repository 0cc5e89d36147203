package transforms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// GoModel is a model computed in Go: pacing, attribution, decompositions.
// It runs inside the transform's transaction, after every SQL model and
// their comments, so it reads this run's marts and a failure rolls back
// the whole transform. It writes its tables with Tx.CreateTable.
type GoModel interface {
	// Name names the model in logs and errors, e.g. "goals".
	Name() string
	// Build reads through tx and writes its tables.
	Build(ctx context.Context, tx *Tx) ([]ModelResult, error)
}

// AddGoModel appends Go models, run in the order added.
func (r *Runner) AddGoModel(g ...GoModel) { r.goModels = append(r.goModels, g...) }

// Tx is the transform's transaction as a Go model sees it: queries, and
// tables written from Arrow record batches.
type Tx struct {
	*sql.Tx
	conn  *sql.Conn
	views int
	// Model is the Go model's name, for ModelResult.Path.
	model string
}

// ScanArrow runs query inside the transaction and passes its result to fn
// as Arrow record batches, in the order DuckDB produces them (use ORDER BY
// when order matters). fn must not keep a batch after it returns.
func (t *Tx) ScanArrow(ctx context.Context, query string, fn func(arrow.RecordBatch) error) error {
	return t.conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(*duckdb.Conn))
		if err != nil {
			return err
		}
		rdr, err := a.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rdr.Release()
		for rdr.Next() {
			if err := fn(rdr.RecordBatch()); err != nil {
				return err
			}
		}
		return rdr.Err()
	})
}

// ColumnDoc is a column's comment.
type ColumnDoc struct {
	Name, Description string
}

// CreateTable replaces the table name (schema.table) with the rows of recs
// (which share one schema; none gives an empty table of schema), and
// comments it and its columns. Every column needs a description.
func (t *Tx) CreateTable(ctx context.Context, name, comment string, schema *arrow.Schema, cols []ColumnDoc, recs ...arrow.RecordBatch) (ModelResult, error) {
	start := time.Now()
	mr := ModelResult{Name: name, Path: "go:" + t.model, Materialized: Table}
	desc := map[string]string{}
	for _, c := range cols {
		desc[c.Name] = c.Description
	}
	for _, f := range schema.Fields() {
		if desc[f.Name] == "" {
			return mr, fmt.Errorf("%s: column %s has no description", name, f.Name)
		}
	}
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		return mr, err
	}
	defer rdr.Release()
	t.views++
	view := fmt.Sprintf("_pacer_go_model_%d", t.views)
	var release func()
	err = t.conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(*duckdb.Conn))
		if err != nil {
			return err
		}
		release, err = a.RegisterView(rdr, view)
		return err
	})
	if err != nil {
		return mr, fmt.Errorf("%s: register arrow rows: %w", name, err)
	}
	defer func() {
		_, _ = t.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+quoteIdent(view))
		release()
	}()
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE TABLE %s AS SELECT * FROM %s;\n", name, quoteIdent(view))
	fmt.Fprintf(&b, "COMMENT ON TABLE %s IS %s;\n", name, quoteString(comment+" Built by pacer's Go model "+t.model+"."))
	for _, f := range schema.Fields() {
		fmt.Fprintf(&b, "COMMENT ON COLUMN %s.%s IS %s;\n", name, quoteIdent(f.Name), quoteString(desc[f.Name]))
	}
	if _, err := t.ExecContext(ctx, b.String()); err != nil {
		return mr, fmt.Errorf("%s: %w", name, err)
	}
	for _, r := range recs {
		mr.Rows += r.NumRows()
	}
	mr.Duration = time.Since(start)
	return mr, nil
}
