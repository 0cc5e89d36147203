package transforms

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// relColumns holds, per qualified relation, its columns in order and their
// comments.
type relColumns struct {
	order    map[string][]string
	comments map[string]map[string]string
}

// loadColumns reads every column of the current database with its comment.
func loadColumns(ctx context.Context, tx *sql.Tx) (relColumns, error) {
	rc := relColumns{order: map[string][]string{}, comments: map[string]map[string]string{}}
	rows, err := tx.QueryContext(ctx, `
		SELECT schema_name || '.' || table_name, column_name, coalesce(comment, '')
		FROM duckdb_columns()
		WHERE database_name = current_database()
		ORDER BY schema_name, table_name, column_index`)
	if err != nil {
		return rc, fmt.Errorf("list columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q, col, comment string
		if err := rows.Scan(&q, &col, &comment); err != nil {
			return rc, err
		}
		rc.order[q] = append(rc.order[q], col)
		if rc.comments[q] == nil {
			rc.comments[q] = map[string]string{}
		}
		rc.comments[q][col] = comment
	}
	return rc, rows.Err()
}

// comment writes COMMENT ON for every source view and model and their
// columns. A model column gets its .yml description or, failing that, the
// comment of the same column in a relation the model reads (source views
// first, then models, then other inputs); a column with neither is an error
// naming the .yml file.
func (r *Runner) comment(ctx context.Context, tx *sql.Tx, srcs []srcView) error {
	rc, err := loadColumns(ctx, tx)
	if err != nil {
		return err
	}
	for _, v := range srcs {
		var b strings.Builder
		fmt.Fprintf(&b, "COMMENT ON VIEW %s IS %s;\n", v.name, quoteString(v.comment))
		for _, col := range rc.order[v.name] {
			c := v.columns[col]
			if c == "" {
				return fmt.Errorf("%s: no comment for column %q", v.name, col)
			}
			fmt.Fprintf(&b, "COMMENT ON COLUMN %s.%s IS %s;\n", v.name, quoteIdent(col), quoteString(c))
			rc.comments[v.name][col] = c
		}
		if _, err := tx.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("comment %s: %w", v.name, err)
		}
	}
	for i := range r.models {
		m := &r.models[i]
		q := m.QualifiedName()
		yml := strings.TrimSuffix(m.Path, ".sql") + ".yml"
		actual := rc.order[q]
		if rc.comments[q] == nil {
			rc.comments[q] = map[string]string{}
		}
		has := map[string]bool{}
		for _, c := range actual {
			has[c] = true
		}
		desc := map[string]string{}
		for _, c := range m.Columns {
			if !has[c.Name] {
				return fmt.Errorf("%s: column %q is not in %s (its columns: %s)", yml, c.Name, q, strings.Join(actual, ", "))
			}
			desc[c.Name] = c.Description
		}
		var upstream []string
		for _, in := range m.Inputs {
			if isSourceView(in) {
				upstream = append(upstream, in)
			}
		}
		upstream = append(upstream, m.Deps...)
		for _, in := range m.Inputs {
			if !isSourceView(in) {
				upstream = append(upstream, in)
			}
		}
		kind := "VIEW"
		if m.Materialized != View {
			kind = "TABLE"
		}
		var b strings.Builder
		comment := m.Comment
		if m.Grain != "" {
			comment += " Grain: " + m.Grain + "."
		}
		comment += " Built by pacer from sql/" + m.Path + "."
		fmt.Fprintf(&b, "COMMENT ON %s %s IS %s;\n", kind, q, quoteString(comment))
		var missing []string
		for _, col := range actual {
			c := desc[col]
			for _, up := range upstream {
				if c != "" {
					break
				}
				c = rc.comments[up][col]
			}
			if c == "" {
				missing = append(missing, col)
				continue
			}
			rc.comments[q][col] = c
			fmt.Fprintf(&b, "COMMENT ON COLUMN %s.%s IS %s;\n", q, quoteIdent(col), quoteString(c))
		}
		if len(missing) > 0 {
			return fmt.Errorf("%s: no description for column(s) %s of %s: add them to the columns list",
				yml, strings.Join(missing, ", "), q)
		}
		if _, err := tx.ExecContext(ctx, b.String()); err != nil {
			return fmt.Errorf("%s: comment %s: %w", m.Path, q, err)
		}
	}
	return nil
}
