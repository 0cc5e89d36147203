package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/transforms/goals"
)

// newTargetsCmd is `pacer targets`: every target of targets.yaml paced live
// as of a day (no rerun needed: goals.Evaluate reads the marts and staging
// tables read-only), with the budgets and the team scorecard.
//
// The table is for people: money in the reporting currency with thousands
// separators, ratios with 2 decimals, percentages with 1, the status in
// colour on a terminal (never when stdout is not one, or NO_COLOR is set).
// csv and json (JSON lines, like `pacer query`) print the target rows only,
// with raw numbers, ISO dates and empty/null for what does not exist; their
// column names are those of marts.targets_vs_actuals.
func newTargetsCmd(g *globals) *cobra.Command {
	var date, format string
	cmd := &cobra.Command{
		Use:   "targets [--date D] [--format table|csv|json]",
		Short: "The status of every target: attainment, pace, forecast, owner",
		Long: `targets paces every target of targets.yaml as of a day, live from the warehouse
(opened read-only, so it can run beside analysts), and prints each target's
attainment, pace index, forecast with its 90% interval, the daily run-rate it
still needs and its status, then the budgets and the team scorecard.

Any past day works without rerunning: --date 2026-11-14 shows where the
targets stood at the end of that day. The default is yesterday in the
configured time zone, the same day as pacer run.

csv and json (JSON lines) print the target rows only, for scripts; their
columns are those of marts.targets_vs_actuals.`,
		Example: `  pacer targets
  pacer targets --date 2026-11-14
  pacer targets --format json | jq 'select(.status == "off_track")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json":
			default:
				return usageError{fmt.Errorf("--format %q: use table, csv or json", format)}
			}
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
			return g.targets(cmd, day, format)
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "pace the targets as of this day, YYYY-MM-DD (default: yesterday in the configured time zone)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json (JSON lines of the target rows)")
	return cmd
}

func (g *globals) targets(cmd *cobra.Command, day time.Time, format string) error {
	ctx := cmd.Context()
	w := cmd.OutOrStdout()
	cfg, err := pipelines.LoadConfig(g.config)
	if err != nil {
		return err
	}
	if cfg.Targets == "" {
		msg := fmt.Sprintf("no targets file is configured in %s: add `targets: targets.yaml` to it and write your goals there\n"+
			"(`pacer init DIR` writes a commented targets.yaml to start from; `pacer demo` shows a full one)", g.config)
		switch format {
		case "table":
			fmt.Fprintln(w, msg)
		case "csv":
			fmt.Fprintln(cmd.ErrOrStderr(), msg)
			return writeTargetsCSV(w, nil)
		default:
			fmt.Fprintln(cmd.ErrOrStderr(), msg)
		}
		return nil
	}
	plan, err := pipelines.LoadTargets(cfg.Abs(cfg.Targets))
	if err != nil {
		return err
	}
	plan.Defaults() // an empty targets.yaml comes back without them
	if day.IsZero() {
		day = cfg.Yesterday(time.Now())
	}
	db, err := g.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ev, err := goals.Evaluate(ctx, &goals.Loader{Q: db.SQL()}, plan, day)
	if err != nil {
		return fmt.Errorf("pace targets as of %s: %w (has `pacer run` or `pacer transform` built the marts?)", day.Format(time.DateOnly), err)
	}
	if last, ok := lastDataDay(ctx, db.SQL()); ok && day.After(last) {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: marts.kpi_daily ends on %s; the days after it count as zero until they are synced (or pass --date %s)\n",
			last.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	rows := standings(ev, day)
	switch format {
	case "csv":
		return writeTargetsCSV(w, rows)
	case "json":
		return writeTargetsJSON(w, rows)
	}
	tw := targetsWriter{w: w, colour: colourOK(w), currency: cfg.Currency}
	tw.print(plan, ev, rows, day, cfg.Targets)
	return tw.err
}

// lastDataDay is the last day of marts.kpi_daily, when there is one.
func lastDataDay(ctx context.Context, db *sql.DB) (time.Time, bool) {
	var d sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT max(date) FROM marts.kpi_daily").Scan(&d); err != nil || !d.Valid {
		return time.Time{}, false
	}
	t := d.Time
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}

// standing is one target as it stands on the as-of day: the is_latest row
// of marts.targets_vs_actuals, computed live.
type standing struct {
	tp   goals.TargetPace
	day  goals.PaceDay
	asOf time.Time
}

func standings(ev *goals.Evaluation, asOf time.Time) []standing {
	out := make([]standing, 0, len(ev.Targets))
	for _, tp := range ev.Targets {
		out = append(out, standing{tp: tp, day: tp.Latest(asOf), asOf: asOf})
	}
	return out
}

// field is one named value of a machine-readable target row: a string, an
// int, a float64 (NaN and ±Inf are missing) or nil (missing).
type field struct {
	name string
	v    any
}

// fields lists a target row in the column order (and with the column names)
// of marts.targets_vs_actuals, plus unit and as_of.
func (s standing) fields() []field {
	t, d := s.tp.Target, s.day
	opt := func(x string) any {
		if x == "" {
			return nil
		}
		return x
	}
	return []field{
		{"target_id", t.ID},
		{"target", t.Label()},
		{"metric", t.Metric},
		{"unit", s.tp.Metric.Unit},
		{"scope", t.ScopeString()},
		{"period", t.Period},
		{"period_start", t.Range.From.Format(time.DateOnly)},
		{"period_end", t.Range.To.Format(time.DateOnly)},
		{"owner", opt(t.Owner)},
		{"team", opt(t.Team)},
		{"direction", s.tp.Metric.Direction()},
		{"target_value", t.Value},
		{"curve", s.tp.Curve.Used},
		{"curve_note", opt(s.tp.Curve.Note)},
		{"date", d.Date.Format(time.DateOnly)},
		{"day_of_period", d.Day},
		{"days_left", d.DaysLeft},
		{"actual_to_date", d.ActualToDate},
		{"expected_to_date", d.ExpectedToDate},
		{"attainment", d.Attainment},
		{"pace_index", d.PaceIndex},
		{"forecast_linear", d.ForecastLinear},
		{"forecast", d.Forecast},
		{"forecast_low", d.ForecastLow},
		{"forecast_high", d.ForecastHigh},
		{"projected_attainment", d.ProjectedAttainment},
		{"required_daily", d.RequiredDaily},
		{"status", opt(d.Status)},
		{"as_of", s.asOf.Format(time.DateOnly)},
	}
}

// targetColumns are the names of fields, for the CSV header.
var targetColumns = func() []string {
	var out []string
	for _, f := range (standing{}).fields() {
		out = append(out, f.name)
	}
	return out
}()

func writeTargetsCSV(w io.Writer, rows []standing) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(targetColumns); err != nil {
		return err
	}
	for _, s := range rows {
		fs := s.fields()
		rec := make([]string, len(fs))
		for i, f := range fs {
			rec[i] = rawText(f.v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTargetsJSON prints one JSON object per target, keys in column order.
func writeTargetsJSON(w io.Writer, rows []standing) error {
	var b strings.Builder
	for _, s := range rows {
		b.Reset()
		b.WriteByte('{')
		for i, f := range s.fields() {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(f.name)
			b.Write(k)
			b.WriteByte(':')
			v := f.v
			if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
				v = nil
			}
			j, err := json.Marshal(v)
			if err != nil {
				return err
			}
			b.Write(j)
		}
		b.WriteString("}\n")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// rawText writes a value for CSV: floats in full precision, missing empty.
func rawText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// targetsWriter prints the human tables; the first write error sticks.
type targetsWriter struct {
	w        io.Writer
	colour   bool
	currency string
	err      error
}

func (t *targetsWriter) printf(format string, a ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, a...)
	}
}

func (t *targetsWriter) table(tt *textTable) {
	if t.err == nil {
		t.err = tt.write(t.w, t.colour)
	}
}

func (t *targetsWriter) print(plan *goals.Plan, ev *goals.Evaluation, rows []standing, day time.Time, file string) {
	asOf := day.Format(time.DateOnly)
	t.printf("Targets as of %s (%s; money in %s)\n\n", asOf, file, t.currency)
	if len(rows) == 0 {
		t.printf("no targets in %s\n", file)
	} else {
		tt := &textTable{
			head: []string{"id", "target", "owner", "team", "goal", "actual", "expected", "attain.", "pace",
				"forecast", "90% interval", "need/day", "days left", "status"},
			right:  []bool{true, false, false, false, true, true, true, true, true, true, true, true, true, false},
			status: 13,
		}
		for _, s := range rows {
			x, d, unit := s.tp.Target, s.day, s.tp.Metric.Unit
			interval := dash
			if !missingNum(d.ForecastLow) && !missingNum(d.ForecastHigh) {
				interval = t.value(unit, d.ForecastLow, false) + "–" + t.value(unit, d.ForecastHigh, false)
			}
			tt.add(strconv.Itoa(x.ID), x.Label(), orDash(x.Owner), orDash(x.Team), t.value(unit, x.Value, true),
				t.value(unit, d.ActualToDate, true), t.value(unit, d.ExpectedToDate, true), percent(d.Attainment),
				fixed2(d.PaceIndex), t.value(unit, d.Forecast, true), interval, t.value(unit, d.RequiredDaily, true),
				strconv.Itoa(d.DaysLeft), orDash(d.Status))
		}
		t.table(tt)
	}

	if len(ev.Budgets) > 0 {
		t.printf("\nBudgets\n")
		tt := &textTable{
			head:   []string{"channel", "period", "planned", "actual", "pace", "projected", "variance", "days left", "status"},
			right:  []bool{false, false, true, true, true, true, true, true, false},
			status: 8,
		}
		for _, b := range ev.Budgets {
			variance := math.NaN()
			if b.Budget.Amount != 0 {
				variance = b.Projected/b.Budget.Amount - 1
			}
			tt.add(b.Budget.Channel, b.Budget.Period, t.money(b.Budget.Amount, true), t.money(b.Actual, true),
				fixed2(b.PaceIndex), t.money(b.Projected, true), signedPercent(variance), strconv.Itoa(b.DaysLeft), b.Status)
		}
		t.table(tt)
	}

	money := func(v float64) string { return goals.FormatMoney(t.currency, v) }
	if score := ev.Scorecard(plan, day, money); len(score) > 0 {
		t.printf("\nTeam scorecard (targets running on %s; attainment is projected to the period's end)\n", asOf)
		tt := &textTable{
			head:   []string{"level", "team", "owner", "rank", "targets", "attainment", "pace", "7d change", "payout", "basis"},
			right:  []bool{false, false, false, true, true, true, true, true, true, false},
			status: -1,
		}
		for _, r := range score {
			payout := dash
			if r.Rule != nil {
				payout = t.money(r.Payout, true) + " (" + r.Rule.Rule + ")"
			}
			owner := r.Owner
			if r.Level == "team" {
				owner = ""
			}
			tt.add(r.Level, orDash(r.Team), orDash(owner), strconv.Itoa(r.Rank), strconv.Itoa(r.Targets),
				percent(r.Attainment), fixed2(r.Pace), signed2(r.Pace-r.PaceWeekAgo), payout, r.Basis)
		}
		t.table(tt)
	} else if len(rows) > 0 {
		t.printf("\nTeam scorecard: no target's period includes %s\n", asOf)
	}

	if len(rows) > 0 {
		t.printf("\n%s\n", summaryLine(rows))
	}
}

// summaryLine is "N targets: a on track, b at risk, c off track", followed by
// the other statuses that occur.
func summaryLine(rows []standing) string {
	n := map[string]int{}
	for _, s := range rows {
		n[s.day.Status]++
	}
	noun := "targets"
	if len(rows) == 1 {
		noun = "target"
	}
	line := fmt.Sprintf("%d %s: %d on track, %d at risk, %d off track", len(rows), noun,
		n[goals.StatusOnTrack], n[goals.StatusAtRisk], n[goals.StatusOffTrack])
	for _, st := range []string{goals.StatusAchieved, goals.StatusMissed, goals.StatusNotStarted, goals.StatusNoData} {
		if n[st] > 0 {
			line += fmt.Sprintf(", %d %s", n[st], strings.ReplaceAll(st, "_", " "))
		}
	}
	return line
}

// dash stands for a value that does not exist (no data yet, a ratio over
// zero): never 0.
const dash = "–"

func missingNum(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}

// value formats a figure of a metric by its unit: money in the reporting
// currency, counts as whole numbers (one decimal below 100), shares as
// percentages, ratios and scores with 2 decimals (4 below 0.1, so a CTR of
// 0.0123 does not show as 0.01).
func (t *targetsWriter) value(unit string, v float64, symbol bool) string {
	if missingNum(v) {
		return dash
	}
	switch unit {
	case "money":
		return t.money(v, symbol)
	case "count":
		if math.Abs(v) >= 100 || v == math.Trunc(v) {
			return grouped(v, 0)
		}
		return grouped(v, 1)
	case "share":
		return percent(v)
	}
	if v != 0 && math.Abs(v) < 0.1 {
		return grouped(v, 4)
	}
	return grouped(v, 2)
}

// cliCurrencySymbols are the symbols shown before amounts, as in the report;
// other currencies show their code.
var cliCurrencySymbols = map[string]string{"CNY": "¥", "USD": "$", "EUR": "€"}

// money formats an amount with thousands separators: whole units, or 2
// decimals below 100 (as goals.FormatMoney), with the currency's symbol.
func (t *targetsWriter) money(v float64, symbol bool) string {
	if missingNum(v) {
		return dash
	}
	dec := 0
	if math.Abs(v) < 100 {
		dec = 2
	}
	s := grouped(math.Abs(v), dec)
	if symbol && t.currency != "" {
		sym, ok := cliCurrencySymbols[t.currency]
		if !ok {
			sym = t.currency + " "
		}
		s = sym + s
	}
	if v < 0 && strings.Trim(s, "0.,¥$€ ") != "" {
		s = "-" + s
	}
	return s
}

// grouped formats v with the given decimals and thousands separators.
func grouped(v float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// percent shows a fraction as a percentage with one decimal: 0.8718 → 87.2%.
func percent(v float64) string {
	if missingNum(v) {
		return dash
	}
	return grouped(100*v, 1) + "%"
}

// signedPercent is percent with a sign: +1.2%, -4.9%.
func signedPercent(v float64) string {
	if missingNum(v) {
		return dash
	}
	return withSign(percent(v))
}

func fixed2(v float64) string {
	if missingNum(v) {
		return dash
	}
	return grouped(v, 2)
}

func signed2(v float64) string {
	if missingNum(v) {
		return dash
	}
	return withSign(grouped(v, 2))
}

// withSign puts a + before a positive formatted number; zero stays bare.
func withSign(s string) string {
	if strings.HasPrefix(s, "-") || strings.Trim(s, "0.,%") == "" {
		return s
	}
	return "+" + s
}

// colourOK reports whether w is a terminal that wants colour: never for a
// pipe or file, nor when NO_COLOR is set (https://no-color.org) or TERM is
// dumb.
func colourOK(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return false
	}
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// statusColours are the SGR codes of each status: green is fine, yellow
// needs a look, red needs action, dim has nothing to judge yet.
var statusColours = map[string]string{
	goals.StatusOnTrack: "32", goals.StatusAchieved: "32", "on_plan": "32",
	goals.StatusAtRisk: "33", "underspending": "33",
	goals.StatusOffTrack: "31", goals.StatusMissed: "31", "overspending": "31",
	goals.StatusNotStarted: "2", goals.StatusNoData: "2",
}

// textTable is an aligned plain-text table. Widths are display widths (a
// CJK owner name takes two columns), numbers are right-aligned, and the
// status column is coloured after padding, so escape codes never count
// towards a width (text/tabwriter would count them).
type textTable struct {
	head   []string
	right  []bool
	rows   [][]string
	status int // index of the status column, -1 for none
}

func (tt *textTable) add(cells ...string) { tt.rows = append(tt.rows, cells) }

func (tt *textTable) write(w io.Writer, colour bool) error {
	widths := make([]int, len(tt.head))
	for _, line := range append([][]string{tt.head}, tt.rows...) {
		for i, c := range line {
			widths[i] = max(widths[i], uniseg.StringWidth(c))
		}
	}
	var b strings.Builder
	for n, line := range append([][]string{tt.head}, tt.rows...) {
		for i, c := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-uniseg.StringWidth(c))
			last := i == len(line)-1
			text := c
			if colour && n > 0 && i == tt.status {
				if code, ok := statusColours[c]; ok {
					text = "\x1b[" + code + "m" + c + "\x1b[0m"
				}
			}
			switch {
			case tt.right[i]:
				b.WriteString(pad + text)
			case last:
				b.WriteString(text)
			default:
				b.WriteString(text + pad)
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
