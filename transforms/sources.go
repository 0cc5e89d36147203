package transforms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// lineage columns every source view has, with their comments.
var lineageComments = map[string]string{
	"_source":    "Source name from pacer.yaml the row came from.",
	"_stream":    "Stream of that source the row came from (the raw table is raw.<_source>__<_stream>).",
	"_run_id":    "meta.runs row of the sync that loaded the row.",
	"_synced_at": "When the row was loaded into raw.",
}

// srcView is a generated staging.src_<canonical> view.
type srcView struct {
	name    string // staging.src_<canonical>
	comment string
	columns map[string]string // column name -> comment
}

// rawColumn is a column of a raw table.
type rawColumn struct{ name, typ string }

// buildSourceViews creates staging.src_<canonical> for every canonical
// stream, in name order.
func buildSourceViews(ctx context.Context, tx *sql.Tx, inputs []RawInput, existing map[string]string) ([]srcView, error) {
	byCanonical := map[string][]RawInput{}
	for _, in := range inputs {
		if _, ok := connectors.Canonical[in.Canonical]; !ok {
			return nil, fmt.Errorf("raw input %s (source %s, stream %s): unknown canonical stream %q (known: %s)",
				in.Table, in.Source, in.Stream, in.Canonical, strings.Join(connectors.CanonicalNames(), ", "))
		}
		byCanonical[in.Canonical] = append(byCanonical[in.Canonical], in)
	}
	var out []srcView
	for _, name := range connectors.CanonicalNames() {
		cs := connectors.Canonical[name]
		v, query, err := sourceView(ctx, tx, cs, byCanonical[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		if old, ok := existing[v.name]; ok && old != "VIEW" {
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+v.name); err != nil {
				return nil, fmt.Errorf("%s: drop the old table: %w", v.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE VIEW "+v.name+" AS\n"+query); err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		existing[v.name] = "VIEW"
		out = append(out, v)
	}
	return out, nil
}

// sourceView returns the view's description and query for one canonical
// stream fed by inputs.
func sourceView(ctx context.Context, tx *sql.Tx, cs connectors.CanonicalStream, inputs []RawInput) (srcView, string, error) {
	v := srcView{name: "staging.src_" + cs.Name, columns: map[string]string{}}
	for _, c := range cs.Columns {
		v.columns[c.Name] = c.Comment
	}
	for k, c := range lineageComments {
		v.columns[k] = c
	}
	if len(inputs) == 0 {
		v.comment = fmt.Sprintf("Canonical stream %s: %s. No source feeds it, so the view is empty (typed, so that models compile).", cs.Name, cs.Grain)
		cols := make([]string, 0, len(cs.Columns)+4)
		for _, c := range cs.Columns {
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, quoteIdent(c.Name)))
		}
		cols = append(cols, "CAST(NULL AS VARCHAR) AS _source", "CAST(NULL AS VARCHAR) AS _stream",
			"CAST(NULL AS BIGINT) AS _run_id", "CAST(NULL AS TIMESTAMP) AS _synced_at")
		return v, "SELECT " + strings.Join(cols, ",\n       ") + "\nWHERE false", nil
	}

	var selects, tables []string
	extras := map[string][]string{} // extra column -> tables that have it
	var extraOrder []string
	for _, in := range inputs {
		schema, table, ok := strings.Cut(in.Table, ".")
		if !ok {
			schema, table = "raw", in.Table
		}
		qualified := schema + "." + table
		tables = append(tables, qualified)
		cols, err := rawColumns(ctx, tx, schema, table)
		if err != nil {
			return v, "", fmt.Errorf("raw input %s (source %s, stream %s): %w", qualified, in.Source, in.Stream, err)
		}
		if len(cols) == 0 {
			return v, "", fmt.Errorf("raw input %s (source %s, stream %s) does not exist", qualified, in.Source, in.Stream)
		}
		have := map[string]rawColumn{}
		for _, c := range cols {
			have[strings.ToLower(c.name)] = c
		}
		var exprs []string
		canonical := map[string]bool{}
		for _, c := range cs.Columns {
			canonical[c.Name] = true
			rc, ok := have[c.Name]
			switch {
			case ok:
				exprs = append(exprs, fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(rc.name), c.Type, quoteIdent(c.Name)))
			case c.Required:
				return v, "", fmt.Errorf("raw input %s (source %s, stream %s) lacks the required column %q of canonical stream %s",
					qualified, in.Source, in.Stream, c.Name, cs.Name)
			default:
				exprs = append(exprs, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, quoteIdent(c.Name)))
			}
		}
		for _, lin := range []struct{ col, value string }{{"_source", in.Source}, {"_stream", in.Stream}} {
			canonical[lin.col] = true
			if rc, ok := have[lin.col]; ok {
				exprs = append(exprs, fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", quoteIdent(rc.name), lin.col))
			} else {
				exprs = append(exprs, fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", quoteString(lin.value), lin.col))
			}
		}
		for _, c := range cols {
			lc := strings.ToLower(c.name)
			if canonical[lc] {
				continue
			}
			name := c.name
			if stagingDerives(lc) {
				// Staging adds a column of this name (the reporting day,
				// the channel, ...): the source's own keeps a raw_ prefix.
				name = "raw_" + c.name
				exprs = append(exprs, quoteIdent(c.name)+" AS "+quoteIdent(name))
			} else {
				exprs = append(exprs, quoteIdent(c.name))
			}
			if _, seen := extras[name]; !seen {
				extraOrder = append(extraOrder, name)
			}
			extras[name] = append(extras[name], qualified+" ("+c.typ+")")
		}
		selects = append(selects, "SELECT "+strings.Join(exprs, ",\n       ")+"\nFROM "+quoteIdent(schema)+"."+quoteIdent(table))
	}
	for _, c := range extraOrder {
		if _, ok := v.columns[c]; ok {
			continue
		}
		note := ""
		if len(extras[c]) < len(inputs) {
			note = " NULL for rows of the other sources."
		}
		v.columns[c] = fmt.Sprintf("Extra column of %s, kept as the source emitted it (not part of the canonical stream).%s",
			strings.Join(extras[c], ", "), note)
	}
	v.comment = fmt.Sprintf("Canonical stream %s (%s): %s, typed to the canonical columns, with _source and _stream. Generated by pacer over %s.",
		cs.Name, cs.Grain, unionWord(len(inputs)), strings.Join(tables, ", "))
	if len(selects) == 1 {
		return v, selects[0], nil
	}
	return v, "(" + strings.Join(selects, ")\nUNION ALL BY NAME\n(") + ")", nil
}

func unionWord(n int) string {
	if n == 1 {
		return "the rows of one raw table"
	}
	return fmt.Sprintf("the union of %d raw tables", n)
}

// rawColumns lists a table's columns in order.
func rawColumns(ctx context.Context, tx *sql.Tx, schema, table string) ([]rawColumn, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
		ORDER BY column_index`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	defer rows.Close()
	var out []rawColumn
	for rows.Next() {
		var c rawColumn
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// stagingDerives reports whether the staging models add a column of this
// name to a canonical stream's rows, so that an extra raw column of the
// same name would collide: the reporting day and close day, the channel,
// and the original amounts and rate of the currency conversion.
func stagingDerives(col string) bool {
	switch col {
	case "date", "closed_date", "channel", "fx_rate":
		return true
	}
	return strings.HasSuffix(col, "_original")
}
