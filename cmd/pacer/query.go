package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/warehouse"
)

// openReadOnly opens the project's warehouse for reading, without the lock.
func (g *globals) openReadOnly(ctx context.Context) (*warehouse.DB, error) {
	cfg, err := pipelines.LoadConfig(g.config)
	if err != nil {
		return nil, err
	}
	path := cfg.WarehousePath()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: no warehouse at %s yet: run `pacer run` (or `pacer sync`) first", pipelines.ErrInvalid, path)
	}
	return warehouse.Open(ctx, path, warehouse.Options{ReadOnly: true})
}

func newQueryCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   `query "SQL"`,
		Short: "Read-only query of the warehouse, for analysts and scripts",
		Example: `  pacer query "select * from marts.kpi_daily limit 5"
  pacer query --format csv "select channel, sum(spend) from marts.kpi_daily group by 1" > spend.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json":
			default:
				return usageError{fmt.Errorf("--format %q: use table, csv or json", format)}
			}
			db, err := g.openReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			rows, err := db.SQL().QueryContext(cmd.Context(), args[0])
			if err != nil {
				return fmt.Errorf("%w: query: %v", pipelines.ErrInvalid, err)
			}
			defer rows.Close()
			return writeRows(cmd.OutOrStdout(), rows, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json (JSON lines)")
	return cmd
}

// writeRows prints a result set as an aligned table, CSV or JSON lines.
func writeRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var emit func([]any) error
	var flush func() error
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
		emit = func(v []any) error { return cw.Write(texts(v, "")) }
		flush = func() error { cw.Flush(); return cw.Error() }
	case "json":
		enc := json.NewEncoder(w)
		emit = func(v []any) error {
			m := make(map[string]any, len(cols))
			for i, c := range cols {
				m[c] = jsonValue(v[i])
			}
			return enc.Encode(m)
		}
		flush = func() error { return nil }
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
		emit = func(v []any) error { _, err := fmt.Fprintln(tw, strings.Join(texts(v, "NULL"), "\t")); return err }
		flush = tw.Flush
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := emit(vals); err != nil {
			return err
		}
	}
	return errors.Join(rows.Err(), flush())
}

func texts(v []any, null string) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = text(x, null)
	}
	return out
}

func text(x any, null string) string {
	switch t := x.(type) {
	case nil:
		return null
	case time.Time:
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.RFC3339Nano)
	case []byte:
		return string(t)
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprint(x)
}

func jsonValue(x any) any {
	switch t := x.(type) {
	case nil, bool, string, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return t
	}
	return text(x, "")
}

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Last runs, freshness and row counts per source and stream",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := g.openReadOnly(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			w := cmd.OutOrStdout()
			fmt.Fprintln(w, "Last runs")
			rows, err := db.SQL().QueryContext(ctx, `SELECT run_id, command, run_date, status, exit_code,
				strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_utc,
				round(epoch(finished_at - started_at), 1) AS seconds, coalesce(left(error, 80), '') AS error
				FROM meta.runs ORDER BY run_id DESC LIMIT 10`)
			if err != nil {
				return err
			}
			if err := writeRows(w, rows, "table"); err != nil {
				return err
			}
			rows.Close()
			fmt.Fprintln(w, "\nStreams")
			rows, err = db.SQL().QueryContext(ctx, `SELECT s.source, s.stream, s.canonical, s.synced_through, s.provisional_from,
				strftime(s.updated_at, '%Y-%m-%d %H:%M:%S') AS updated_utc, coalesce(t.estimated_size, 0) AS raw_rows,
				coalesce((SELECT status FROM meta.stream_runs r WHERE r.source = s.source AND r.stream = s.stream ORDER BY run_id DESC LIMIT 1), '') AS last_status
				FROM meta.stream_state s
				LEFT JOIN duckdb_tables() t ON 'raw.' || t.table_name = s.raw_table AND t.schema_name = 'raw'
				ORDER BY 1, 2`)
			if err != nil {
				return err
			}
			defer rows.Close()
			return writeRows(w, rows, "table")
		},
	}
}
