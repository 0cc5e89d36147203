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
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/transforms/attribution"
)

// attributeOptions are the flags of pacer attribute.
type attributeOptions struct {
	paths, touchpoints string
	format, models     string
	format2            attribution.PathFormat
	delimiter          string
	halfLifeTouches    float64
	halfLifeDays       float64
	positions          []float64
	collapse           bool
	direct             string
	journeyCol, tsCol  string
	channelCol         string
}

// newAttributeCmd is `pacer attribute`: the attribution models on a file,
// without a project, so analysts can compare pacer with the package they
// know (ChannelAttribution in R or Python reads the same path format).
func newAttributeCmd(g *globals) *cobra.Command {
	o := &attributeOptions{}
	cmd := &cobra.Command{
		Use:   "attribute (--paths FILE | --touchpoints FILE) [--models LIST] [--format table|csv|json]",
		Short: "Standalone attribution on a path file or a touchpoint file",
		Long: `attribute runs the attribution models on a file and prints the conversions and
value each model credits to each channel. No config or warehouse is needed.

--paths reads aggregated paths in the format of the ChannelAttribution package:

    path,total_conversions,total_conversion_value,total_null
    alpha > beta > alpha,3,120.5,17

(other column names, field delimiter and channel separator by flags; a column
named "-" is absent). Rows of the same path are summed.

--touchpoints reads one touch per row (CSV, or Parquet by its extension): a
journey id, an instant or position, a channel, and optionally the journey's
conversions and value (the largest value on any of its rows counts; a journey
without conversions is a null journey). Touches are ordered by the instant;
when it is a timestamp, time decay can use a half-life in days.

Models: first_touch, last_touch, last_non_direct, linear, time_decay,
position_based, markov (order 1) or markov_1..markov_4, shapley. Markov is
solved exactly (no simulation), so its figures are the same on every run.`,
		Example: `  pacer attribute --paths Data.csv
  pacer attribute --paths Data.csv --models first_touch,last_touch,linear,markov --format csv
  pacer attribute --paths paths.tsv --delimiter tab --separator ">" --value-column -
  pacer attribute --touchpoints touches.csv --journey-column user_id --half-life-days 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// A touchpoint file's columns are called conversions and value
			// unless the flags say otherwise.
			if !cmd.Flags().Changed("conversions-column") && o.touchpoints != "" {
				o.format2.ConversionsColumn = "conversions"
			}
			if !cmd.Flags().Changed("value-column") && o.touchpoints != "" {
				o.format2.ValueColumn = "value"
			}
			return g.attribute(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.paths, "paths", "", "file of aggregated paths (ChannelAttribution format)")
	f.StringVar(&o.touchpoints, "touchpoints", "", "file of touches, one per row")
	f.StringVar(&o.models, "models", strings.Join(pipelines.DefaultAttributionModels, ","), "models to run, comma-separated")
	f.StringVar(&o.format, "format", "table", "output: table, csv or json (JSON lines)")
	f.StringVar(&o.format2.PathColumn, "path-column", attribution.DefaultPathColumn, "--paths: column of the path")
	f.StringVar(&o.format2.ConversionsColumn, "conversions-column", attribution.DefaultConversionsColumn, "column of conversions (--touchpoints: default conversions; - for none)")
	f.StringVar(&o.format2.ValueColumn, "value-column", attribution.DefaultValueColumn, "column of conversion value (--touchpoints: default value; - for none)")
	f.StringVar(&o.format2.NullsColumn, "nulls-column", attribution.DefaultNullsColumn, "--paths: column of null journeys (- for none)")
	f.StringVar(&o.format2.Separator, "separator", attribution.DefaultSeparator, "--paths: separator of the channels in a path")
	f.StringVar(&o.delimiter, "delimiter", ",", `field delimiter: a character, or "tab"`)
	f.StringVar(&o.journeyCol, "journey-column", "journey_id", "--touchpoints: column of the journey (or user) id")
	f.StringVar(&o.tsCol, "ts-column", "ts", "--touchpoints: column ordering the touches (timestamp or number)")
	f.StringVar(&o.channelCol, "channel-column", "channel", "--touchpoints: column of the channel")
	f.Float64Var(&o.halfLifeTouches, "half-life", 0, "time decay: half-life in touches (default 1)")
	f.Float64Var(&o.halfLifeDays, "half-life-days", 0, "time decay: half-life in days (--touchpoints with timestamps)")
	f.Float64SliceVar(&o.positions, "positions", nil, "position based: first, middle and last weights (default 0.4,0.2,0.4)")
	f.BoolVar(&o.collapse, "collapse", false, "merge consecutive touches of one channel into one")
	f.StringVar(&o.direct, "direct", attribution.DefaultDirect, "the channel last non-direct skips")
	return cmd
}

func (g *globals) attribute(ctx context.Context, w io.Writer, o *attributeOptions) error {
	if (o.paths == "") == (o.touchpoints == "") {
		return usageError{errors.New("give one of --paths FILE or --touchpoints FILE")}
	}
	switch o.format {
	case "table", "csv", "json":
	default:
		return usageError{fmt.Errorf("--format %q: use table, csv or json", o.format)}
	}
	comma, err := delimiterRune(o.delimiter)
	if err != nil {
		return usageError{err}
	}
	specs, err := o.specs()
	if err != nil {
		return usageError{err}
	}
	var j *attribution.Journeys
	var file string
	if o.paths != "" {
		file = o.paths
		fh, err := os.Open(o.paths)
		if err != nil {
			return fmt.Errorf("%w: %v", pipelines.ErrInvalid, err)
		}
		defer fh.Close()
		f := o.format2
		f.Comma = comma
		j, err = attribution.ParsePaths(fh, f)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", pipelines.ErrInvalid, o.paths, err)
		}
	} else {
		file = o.touchpoints
		if j, err = o.readTouchpoints(ctx, comma); err != nil {
			return err
		}
	}
	results, err := attribution.Run(ctx, j, specs)
	if err != nil {
		if strings.Contains(err.Error(), "half-life") || strings.Contains(err.Error(), "times") {
			return fmt.Errorf("%w: %s: %v", pipelines.ErrInvalid, file, err)
		}
		return err
	}
	switch o.format {
	case "csv":
		return writeAttributionCSV(w, results)
	case "json":
		return writeAttributionJSON(w, results)
	}
	return writeAttributionTable(w, file, j, results)
}

// specs turns --models and the parameter flags into model specs.
func (o *attributeOptions) specs() ([]attribution.Spec, error) {
	var specs []attribution.Spec
	for _, name := range strings.Split(o.models, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		s, err := attribution.ParseSpec(name)
		if err != nil {
			return nil, fmt.Errorf("--models: %w", err)
		}
		s.Collapse, s.Direct = o.collapse, o.direct
		if s.Model == attribution.TimeDecay {
			s.HalfLifeTouches, s.HalfLifeDays = o.halfLifeTouches, o.halfLifeDays
		}
		if s.Model == attribution.PositionBased && o.positions != nil {
			if len(o.positions) != 3 {
				return nil, fmt.Errorf("--positions %v: give three weights, first, middle and last", o.positions)
			}
			copy(s.Positions[:], o.positions)
		}
		specs = append(specs, s)
	}
	if len(specs) == 0 {
		return nil, errors.New("--models is empty")
	}
	return specs, nil
}

func delimiterRune(s string) (rune, error) {
	switch s {
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || n != len(s) || r == '"' || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("--delimiter %q: give one character, or tab", s)
	}
	return r, nil
}

// readTouchpoints builds journeys from a file of touches with DuckDB's
// own reader: one list of channels per journey, ordered by the ts column.
func (o *attributeOptions) readTouchpoints(ctx context.Context, comma rune) (*attribution.Journeys, error) {
	if _, err := os.Stat(o.touchpoints); err != nil {
		return nil, fmt.Errorf("%w: %v", pipelines.ErrInvalid, err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	id := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	reader := fmt.Sprintf("read_csv(%s, header = true, delim = %s)", lit(o.touchpoints), lit(string(comma)))
	if strings.HasSuffix(strings.ToLower(o.touchpoints), ".parquet") {
		reader = fmt.Sprintf("read_parquet(%s)", lit(o.touchpoints))
	}
	if _, err := db.ExecContext(ctx, "CREATE TEMP VIEW touches AS SELECT * FROM "+reader); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", pipelines.ErrInvalid, o.touchpoints, err)
	}
	cols := map[string]string{}
	rows, err := db.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE touches)")
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", pipelines.ErrInvalid, o.touchpoints, err)
	}
	var names []string
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			rows.Close()
			return nil, err
		}
		cols[n] = t
		names = append(names, n)
	}
	rows.Close()
	for _, c := range []struct{ flag, col string }{{"--journey-column", o.journeyCol}, {"--ts-column", o.tsCol}, {"--channel-column", o.channelCol}} {
		if _, ok := cols[c.col]; !ok {
			return nil, fmt.Errorf("%w: %s has no column %q (%s; its columns: %s)", pipelines.ErrInvalid, o.touchpoints, c.col, c.flag, strings.Join(names, ", "))
		}
	}
	optional := func(flag, col string) (string, error) {
		if col == attribution.NoColumn {
			return "0", nil
		}
		if _, ok := cols[col]; !ok {
			return "", fmt.Errorf("%w: %s has no column %q (%s; give - when there is none; its columns: %s)", pipelines.ErrInvalid, o.touchpoints, col, flag, strings.Join(names, ", "))
		}
		return "max(CAST(" + id(col) + " AS DOUBLE))", nil
	}
	conv, err := optional("--conversions-column", o.format2.ConversionsColumn)
	if err != nil {
		return nil, err
	}
	value, err := optional("--value-column", o.format2.ValueColumn)
	if err != nil {
		return nil, err
	}
	timed := strings.HasPrefix(cols[o.tsCol], "TIMESTAMP") || cols[o.tsCol] == "DATE"
	days := "NULL"
	if timed {
		days = fmt.Sprintf("list_transform(list_sort(list((%[1]s, epoch_us(CAST(max_ts AS TIMESTAMP)) - epoch_us(CAST(%[1]s AS TIMESTAMP))))), x -> x[2] / 86400e6)", id(o.tsCol))
	}
	q := fmt.Sprintf(`WITH t AS (
    SELECT *, max(%[2]s) OVER (PARTITION BY %[1]s) AS max_ts FROM touches WHERE %[3]s IS NOT NULL
)
SELECT CAST(%[1]s AS VARCHAR), list_transform(list_sort(list((%[2]s, %[3]s))), x -> CAST(x[2] AS VARCHAR)), %[4]s, %[5]s, %[6]s
FROM t GROUP BY %[1]s ORDER BY 1`, id(o.journeyCol), id(o.tsCol), id(o.channelCol), conv, value, days)
	rows, err = db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", pipelines.ErrInvalid, o.touchpoints, err)
	}
	defer rows.Close()
	b := attribution.NewBuilder()
	for rows.Next() {
		var journey string
		var channels []any
		var daysBefore []any
		var c, v sql.NullFloat64
		if err := rows.Scan(&journey, &channels, &c, &v, &daysBefore); err != nil {
			return nil, err
		}
		names := make([]string, len(channels))
		for i, x := range channels {
			names[i], _ = x.(string)
		}
		var times []float64
		if daysBefore != nil {
			times = make([]float64, len(daysBefore))
			for i, x := range daysBefore {
				times[i], _ = x.(float64)
			}
		}
		conversions, nulls := c.Float64, 0.0
		if conversions == 0 {
			nulls = 1
		}
		if err := b.AddNames(names, times, conversions, v.Float64, nulls); err != nil {
			return nil, fmt.Errorf("%w: %s: journey %s: %v", pipelines.ErrInvalid, o.touchpoints, journey, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b.Journeys(), nil
}

func writeAttributionCSV(w io.Writer, results []attribution.Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"model", "channel", "conversions", "value"})
	for _, r := range results {
		for i, ch := range r.Channels {
			_ = cw.Write([]string{r.Model, ch, strconv.FormatFloat(r.Conversions[i], 'g', -1, 64), strconv.FormatFloat(r.Value[i], 'g', -1, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeAttributionJSON(w io.Writer, results []attribution.Result) error {
	enc := json.NewEncoder(w)
	for _, r := range results {
		for i, ch := range r.Channels {
			row := map[string]any{"model": r.Model, "channel": ch, "conversions": r.Conversions[i], "value": r.Value[i]}
			if r.Markov != nil {
				row["removal_effect"] = r.Markov.RemovalEffects[i]
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeAttributionTable prints two pivots, conversions and value, with a
// row per channel (most conversions under the first model first) and a
// column per model, then the Markov chains' figures.
func writeAttributionTable(w io.Writer, file string, j *attribution.Journeys, results []attribution.Result) error {
	conv, value, nulls := j.Totals()
	fmt.Fprintf(w, "%s: %d distinct paths, %s conversions, value %s, %s null journeys\n\n",
		file, len(j.Paths), grouped(conv, decimalsFor(conv)), grouped(value, 2), grouped(nulls, decimalsFor(nulls)))
	order := make([]int, len(j.Channels))
	for i := range order {
		order[i] = i
	}
	first := results[0]
	sort.SliceStable(order, func(a, b int) bool {
		if first.Conversions[order[a]] != first.Conversions[order[b]] {
			return first.Conversions[order[a]] > first.Conversions[order[b]]
		}
		return j.Channels[order[a]] < j.Channels[order[b]]
	})
	for _, part := range []struct {
		title string
		pick  func(attribution.Result) []float64
		total func(attribution.Result) float64
	}{
		{"Credited conversions", func(r attribution.Result) []float64 { return r.Conversions }, func(r attribution.Result) float64 { return r.TotalConversions }},
		{"Credited value", func(r attribution.Result) []float64 { return r.Value }, func(r attribution.Result) float64 { return r.TotalValue }},
	} {
		tt := &textTable{head: []string{"channel"}, right: []bool{false}, status: -1}
		for _, r := range results {
			tt.head = append(tt.head, r.Model)
			tt.right = append(tt.right, true)
		}
		for _, i := range order {
			cells := []string{j.Channels[i]}
			for _, r := range results {
				cells = append(cells, grouped(part.pick(r)[i], 2))
			}
			tt.add(cells...)
		}
		cells := []string{"total"}
		for _, r := range results {
			cells = append(cells, grouped(part.total(r), 2))
		}
		tt.add(cells...)
		fmt.Fprintln(w, part.title)
		if err := tt.write(w, false); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	for _, r := range results {
		if r.Markov == nil {
			continue
		}
		m := r.Markov
		fmt.Fprintf(w, "%s: order %d, %d states, %d transitions, P(conversion) = %.6f, solved by %s\n  removal effects:",
			r.Model, m.Order, m.States, m.Transitions, m.ConversionProbability, m.Solver)
		for _, i := range order {
			fmt.Fprintf(w, " %s %.4f", j.Channels[i], m.RemovalEffects[i])
		}
		fmt.Fprintln(w)
	}
	return nil
}

func decimalsFor(v float64) int {
	if v == float64(int64(v)) {
		return 0
	}
	return 2
}
