package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bundle paths of the targets section's CSV files.
const (
	csvTargets   = "data/targets.csv"
	csvBudgets   = "data/budget_pacing.csv"
	csvScorecard = "data/team_scorecard.csv"
)

// targetStanding is one target's current standing: its is_latest row of
// marts.targets_vs_actuals, with the unit of its metric (meta.metrics).
type targetStanding struct {
	ID                                    int64
	Label, Metric, Unit, Scope, Period    string
	PeriodStart, PeriodEnd                sql.NullTime
	Owner, Team, Direction, Curve         sql.NullString
	Value                                 sql.NullFloat64
	Date                                  sql.NullTime
	DaysLeft                              sql.NullInt64
	Actual, Expected, Attainment, Pace    sql.NullFloat64
	Forecast, Low, High, Projected, Daily sql.NullFloat64
	Status                                sql.NullString
	AsOf                                  sql.NullTime
}

// budgetPace is one row of marts.budget_pacing.
type budgetPace struct {
	ID                                         int64
	Channel, Period                            string
	PeriodStart, PeriodEnd                     sql.NullTime
	Planned, Actual, Expected, Pace, Projected sql.NullFloat64
	Variance, VariancePct, Remaining, Daily    sql.NullFloat64
	DaysElapsed, DaysLeft                      sql.NullInt64
	Status                                     string
	Final                                      sql.NullBool
	AsOf                                       sql.NullTime
}

// scoreLine is one row of marts.team_scorecard.
type scoreLine struct {
	Level, Team                              string
	Owner                                    sql.NullString
	Rank, Targets, OnTrack, AtRisk, OffTrack sql.NullInt64
	Attainment, Pace, PaceWeekAgo, Change    sql.NullFloat64
	Rule                                     sql.NullString
	Payout                                   sql.NullFloat64
	Basis, Calculation, Detail               string
	AsOf                                     sql.NullTime
}

// goalsData is what the transform's goals model wrote. A warehouse built
// before it has none of the tables: the section then says no targets are
// configured, as it does when the tables are empty.
type goalsData struct {
	Targets []targetStanding
	Budgets []budgetPace
	Scores  []scoreLine
	// TargetsBuilt, BudgetsBuilt and ScoresBuilt say which of the marts
	// exist (empty or not): the targets page needs one of the first two,
	// the team page the scorecard.
	TargetsBuilt, BudgetsBuilt, ScoresBuilt bool
}

const (
	// qTargets reads the current standing of every target; %[1]s is the
	// unit expression and %[2]s the join that provides it.
	qTargets = `
SELECT t.target_id, coalesce(t.target, ''), coalesce(t.metric, ''), %[1]s, coalesce(t.scope, ''), coalesce(t.period, ''),
       t.period_start, t.period_end, t.owner, t.team, t.direction, t.curve, t.target_value, t.date, t.days_left,
       t.actual_to_date, t.expected_to_date, t.attainment, t.pace_index, t.forecast, t.forecast_low, t.forecast_high,
       t.projected_attainment, t.required_daily, t.status, t.as_of
FROM marts.targets_vs_actuals t%[2]s
WHERE t.is_latest
ORDER BY t.target_id`

	qBudgets = `
SELECT budget_id, coalesce(channel, ''), coalesce(period, ''), period_start, period_end, planned, actual_to_date,
       expected_to_date, pace_index, projected_spend, projected_variance, projected_variance_pct, remaining_budget,
       required_daily, days_elapsed, days_left, coalesce(status, ''), is_final, as_of
FROM marts.budget_pacing
ORDER BY budget_id`

	qScorecard = `
SELECT coalesce(level, ''), coalesce(team, ''), owner, rank, targets, on_track, at_risk, off_track,
       weighted_attainment, weighted_pace, weighted_pace_7d_ago, pace_change_7d, payout_rule, payout,
       coalesce(payout_basis, ''), coalesce(payout_calculation, ''), coalesce(detail, ''), as_of
FROM marts.team_scorecard
ORDER BY level = 'owner', rank, team, owner`
)

// loadGoals reads the goals model's tables that exist.
func loadGoals(ctx context.Context, db *sql.DB, have map[string]bool) (goalsData, error) {
	var g goalsData
	g.TargetsBuilt, g.BudgetsBuilt, g.ScoresBuilt = have["marts.targets_vs_actuals"], have["marts.budget_pacing"], have["marts.team_scorecard"]
	if have["marts.targets_vs_actuals"] {
		unit, join := "''", ""
		if have["meta.metrics"] {
			unit, join = "coalesce(m.unit, '')", "\nLEFT JOIN meta.metrics m ON m.metric = t.metric"
		}
		if err := queryRows(ctx, db, fmt.Sprintf(qTargets, unit, join), nil, "marts.targets_vs_actuals", func(rows *sql.Rows) error {
			var t targetStanding
			if err := rows.Scan(&t.ID, &t.Label, &t.Metric, &t.Unit, &t.Scope, &t.Period, &t.PeriodStart, &t.PeriodEnd,
				&t.Owner, &t.Team, &t.Direction, &t.Curve, &t.Value, &t.Date, &t.DaysLeft, &t.Actual, &t.Expected,
				&t.Attainment, &t.Pace, &t.Forecast, &t.Low, &t.High, &t.Projected, &t.Daily, &t.Status, &t.AsOf); err != nil {
				return err
			}
			g.Targets = append(g.Targets, t)
			return nil
		}); err != nil {
			return g, err
		}
	}
	if have["marts.budget_pacing"] {
		if err := queryRows(ctx, db, qBudgets, nil, "marts.budget_pacing", func(rows *sql.Rows) error {
			var b budgetPace
			if err := rows.Scan(&b.ID, &b.Channel, &b.Period, &b.PeriodStart, &b.PeriodEnd, &b.Planned, &b.Actual,
				&b.Expected, &b.Pace, &b.Projected, &b.Variance, &b.VariancePct, &b.Remaining, &b.Daily,
				&b.DaysElapsed, &b.DaysLeft, &b.Status, &b.Final, &b.AsOf); err != nil {
				return err
			}
			g.Budgets = append(g.Budgets, b)
			return nil
		}); err != nil {
			return g, err
		}
	}
	if have["marts.team_scorecard"] {
		if err := queryRows(ctx, db, qScorecard, nil, "marts.team_scorecard", func(rows *sql.Rows) error {
			var s scoreLine
			if err := rows.Scan(&s.Level, &s.Team, &s.Owner, &s.Rank, &s.Targets, &s.OnTrack, &s.AtRisk, &s.OffTrack,
				&s.Attainment, &s.Pace, &s.PaceWeekAgo, &s.Change, &s.Rule, &s.Payout, &s.Basis, &s.Calculation,
				&s.Detail, &s.AsOf); err != nil {
				return err
			}
			g.Scores = append(g.Scores, s)
			return nil
		}); err != nil {
			return g, err
		}
	}
	return g, nil
}

// targetsView is the targets section: the current standing of every
// target, the budgets and the team scorecard.
type targetsView struct {
	// Configured is false when the warehouse has no target, budget or
	// scorecard row (none configured, or a warehouse from before goals).
	Configured bool
	AsOf       string
	Summary    string
	Targets    []targetRow
	Budgets    []budgetRow
	Scores     []scoreRow
	TargetsCSV string
	BudgetsCSV string
	ScoresCSV  string
	// Chart is attainment against the expected share per target,
	// BudgetChart actual against expected spend per budget, ScoreChart
	// the weighted attainment per team; empty (no ID) without rows.
	Chart, BudgetChart, ScoreChart chartView
}

// badge is a status shown as text in a coloured box: Class is one of good,
// warn, bad or muted (set in Go, never from data).
type badge struct{ Class, Text string }

// targetRow is one target of the targets table, formatted. Interval is
// empty when the forecast has none (before 2 days of data).
type targetRow struct {
	ID, Label, Owner, Team, Value, Actual, Expected, Attainment, Pace string
	Forecast, Interval, Required, DaysLeft                            string
	Status                                                            badge
}

// budgetRow is one budget of the budget pacing table, formatted.
type budgetRow struct {
	Channel, Period, Planned, Actual, Pace, Projected, Variance, DaysLeft string
	Status                                                                badge
}

// scoreRow is one line of the team scorecard, formatted.
type scoreRow struct {
	Level, Team, Owner, Rank, Targets, Attainment, Pace, Change, Payout, Rule, Basis, Calculation string
}

// statusBadges maps the statuses of the goals model to a tone and a message.
var statusBadges = map[string]badge{
	"on_track":      {"good", "st_on_track"},
	"achieved":      {"good", "st_achieved"},
	"at_risk":       {"warn", "st_at_risk"},
	"off_track":     {"bad", "st_off_track"},
	"missed":        {"bad", "st_missed"},
	"not_started":   {"muted", "st_not_started"},
	"no_data":       {"muted", "st_no_data"},
	"on_plan":       {"good", "st_on_plan"},
	"underspending": {"warn", "st_underspending"},
	"overspending":  {"bad", "st_overspending"},
}

// statusBadge shows a status in the page's language; an unknown one as it
// is, a missing one as "–".
func statusBadge(s sql.NullString, m catalog) badge {
	if !s.Valid || s.String == "" {
		return badge{"muted", missing}
	}
	b, ok := statusBadges[s.String]
	if !ok {
		return badge{"muted", s.String}
	}
	return badge{b.Class, m.msg(b.Text)}
}

// targetsOf builds the targets section and its CSV files (written even when
// empty, so the bundle always has the same files).
func targetsOf(g goalsData, o Options, m catalog, files []bundleFile) (targetsView, []bundleFile) {
	v := targetsView{
		Configured: len(g.Targets)+len(g.Budgets)+len(g.Scores) > 0,
		TargetsCSV: csvTargets, BudgetsCSV: csvBudgets, ScoresCSV: csvScorecard,
	}
	cur := o.Currency
	var asOf sql.NullTime

	tc := newCSV("target_id", "target", "metric", "unit", "scope", "period", "period_start", "period_end", "owner", "team",
		"direction", "curve", "target_value", "date", "days_left", "actual_to_date", "expected_to_date", "attainment",
		"pace_index", "forecast", "forecast_low", "forecast_high", "projected_attainment", "required_daily", "status", "as_of")
	counts := map[string]int{}
	for _, t := range g.Targets {
		if !asOf.Valid {
			asOf = t.AsOf
		}
		counts[t.Status.String]++
		interval := ""
		if t.Low.Valid && t.High.Valid {
			interval = formatValue(t.Low, t.Unit, "") + " – " + formatValue(t.High, t.Unit, "")
		}
		days := missing
		if t.DaysLeft.Valid {
			days = formatInt(t.DaysLeft.Int64)
		}
		v.Targets = append(v.Targets, targetRow{
			ID: strconv.FormatInt(t.ID, 10), Label: t.Label, Owner: orMissing(t.Owner), Team: orMissing(t.Team),
			Value: formatValue(t.Value, t.Unit, cur), Actual: formatValue(t.Actual, t.Unit, cur),
			Expected: formatValue(t.Expected, t.Unit, cur), Attainment: formatPercent(t.Attainment),
			Pace: formatRatio(t.Pace), Forecast: formatValue(t.Forecast, t.Unit, cur), Interval: interval,
			Required: formatValue(t.Daily, t.Unit, cur), DaysLeft: days, Status: statusBadge(t.Status, m),
		})
		tc.row(strconv.FormatInt(t.ID, 10), csvText(t.Label), csvText(t.Metric), csvText(t.Unit), csvText(t.Scope),
			csvText(t.Period), csvDate(t.PeriodStart), csvDate(t.PeriodEnd), csvText(t.Owner.String), csvText(t.Team.String),
			csvText(t.Direction.String), csvText(t.Curve.String), csvFloat(t.Value), csvDate(t.Date), csvInt(t.DaysLeft),
			csvFloat(t.Actual), csvFloat(t.Expected), csvFloat(t.Attainment), csvFloat(t.Pace), csvFloat(t.Forecast),
			csvFloat(t.Low), csvFloat(t.High), csvFloat(t.Projected), csvFloat(t.Daily), csvText(t.Status.String), csvDate(t.AsOf))
	}
	files = append(files, tc.file(csvTargets))
	if len(g.Targets) > 0 {
		n := func(status string) string { return formatInt(int64(counts[status])) }
		parts := []string{
			m.msg("summary_part", n("on_track"), m.msg("st_on_track")),
			m.msg("summary_part", n("at_risk"), m.msg("st_at_risk")),
			m.msg("summary_part", n("off_track"), m.msg("st_off_track")),
		}
		for _, st := range []string{"achieved", "missed", "not_started", "no_data"} {
			if counts[st] > 0 {
				parts = append(parts, m.msg("summary_part", n(st), m.msg(statusBadges[st].Text)))
			}
		}
		v.Summary = m.msg("targets_summary", formatInt(int64(len(g.Targets))), strings.Join(parts, m.msg("list_sep")))
	}

	bc := newCSV("budget_id", "channel", "period", "period_start", "period_end", "planned", "actual_to_date",
		"expected_to_date", "pace_index", "projected_spend", "projected_variance", "projected_variance_pct",
		"remaining_budget", "required_daily", "days_elapsed", "days_left", "status", "is_final", "as_of")
	for _, b := range g.Budgets {
		if !asOf.Valid {
			asOf = b.AsOf
		}
		days := missing
		if b.DaysLeft.Valid {
			days = formatInt(b.DaysLeft.Int64)
		}
		v.Budgets = append(v.Budgets, budgetRow{
			Channel: b.Channel, Period: b.Period, Planned: formatMoneyN(b.Planned, cur), Actual: formatMoneyN(b.Actual, cur),
			Pace: formatRatio(b.Pace), Projected: formatMoneyN(b.Projected, cur), Variance: formatChange(b.VariancePct),
			DaysLeft: days, Status: statusBadge(sql.NullString{String: b.Status, Valid: b.Status != ""}, m),
		})
		final := ""
		if b.Final.Valid {
			final = strconv.FormatBool(b.Final.Bool)
		}
		bc.row(strconv.FormatInt(b.ID, 10), csvText(b.Channel), csvText(b.Period), csvDate(b.PeriodStart), csvDate(b.PeriodEnd),
			csvFloat(b.Planned), csvFloat(b.Actual), csvFloat(b.Expected), csvFloat(b.Pace), csvFloat(b.Projected),
			csvFloat(b.Variance), csvFloat(b.VariancePct), csvFloat(b.Remaining), csvFloat(b.Daily),
			csvInt(b.DaysElapsed), csvInt(b.DaysLeft), csvText(b.Status), final, csvDate(b.AsOf))
	}
	files = append(files, bc.file(csvBudgets))

	sc := newCSV("level", "team", "owner", "rank", "targets", "on_track", "at_risk", "off_track", "weighted_attainment",
		"weighted_pace", "weighted_pace_7d_ago", "pace_change_7d", "payout_rule", "payout", "payout_basis",
		"payout_calculation", "detail", "as_of")
	for _, s := range g.Scores {
		if !asOf.Valid {
			asOf = s.AsOf
		}
		level := s.Level
		switch s.Level {
		case "team", "owner":
			level = m.msg("level_" + s.Level)
		}
		basis := s.Basis
		switch s.Basis {
		case "projected", "final":
			basis = m.msg("basis_" + s.Basis)
		}
		payout := missing
		if s.Rule.Valid {
			payout = formatMoneyN(s.Payout, cur)
		}
		rank, targets := missing, missing
		if s.Rank.Valid {
			rank = formatInt(s.Rank.Int64)
		}
		if s.Targets.Valid {
			targets = formatInt(s.Targets.Int64)
		}
		v.Scores = append(v.Scores, scoreRow{
			Level: level, Team: s.Team, Owner: orMissing(s.Owner), Rank: rank, Targets: targets,
			Attainment: formatPercent(s.Attainment), Pace: formatRatio(s.Pace), Change: formatSigned(s.Change, 2),
			Payout: payout, Rule: s.Rule.String, Basis: basis, Calculation: s.Calculation,
		})
		sc.row(csvText(s.Level), csvText(s.Team), csvText(s.Owner.String), csvInt(s.Rank), csvInt(s.Targets),
			csvInt(s.OnTrack), csvInt(s.AtRisk), csvInt(s.OffTrack), csvFloat(s.Attainment), csvFloat(s.Pace),
			csvFloat(s.PaceWeekAgo), csvFloat(s.Change), csvText(s.Rule.String), csvFloat(s.Payout), csvText(s.Basis),
			csvText(s.Calculation), csvText(s.Detail), csvDate(s.AsOf))
	}
	files = append(files, sc.file(csvScorecard))

	if asOf.Valid {
		v.AsOf = m.msg("targets_as_of", asOf.Time.Format(dateLayout))
	}
	if len(g.Targets) > 0 {
		v.Chart = targetsChart(g.Targets, m)
	}
	if len(g.Budgets) > 0 {
		v.BudgetChart = budgetsChart(g.Budgets, m)
	}
	if len(g.Scores) > 0 {
		v.ScoreChart = teamsChart(g.Scores, m)
	}
	return v, files
}

// formatValue formats a figure of a metric by its unit (meta.metrics.unit):
// money in the reporting currency (no symbol when currency is empty, as in
// an interval), counts as whole numbers (one decimal below 100), shares as
// percentages, ratios and scores with 2 decimals (4 below 0.1, so that a
// CTR of 0.0123 is not shown as 0.01). NULL is "–".
func formatValue(v sql.NullFloat64, unit, currency string) string {
	if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
		return missing
	}
	x := v.Float64
	switch unit {
	case "money":
		if currency == "" {
			return formatNumber(x, 2)
		}
		return formatMoney(x, currency)
	case "count":
		if math.Abs(x) >= 100 || x == math.Trunc(x) {
			return formatNumber(x, 0)
		}
		return formatNumber(x, 1)
	case "share":
		return formatPercent(v)
	}
	if x != 0 && math.Abs(x) < 0.1 {
		return formatNumber(x, 4)
	}
	return formatNumber(x, 2)
}

// formatSigned formats a difference with a sign ("+0.03", "-0.06"); a
// difference that rounds to zero has none. NULL is "–".
func formatSigned(v sql.NullFloat64, decimals int) string {
	if !v.Valid {
		return missing
	}
	neg, s := fixed(v.Float64, decimals)
	switch {
	case neg:
		return "-" + s
	case strings.Trim(s, "0.,") == "":
		return s
	}
	return "+" + s
}

// orMissing shows a nullable text; NULL or empty is "–".
func orMissing(s sql.NullString) string {
	if !s.Valid || s.String == "" {
		return missing
	}
	return s.String
}

// csvInt writes a nullable integer for a CSV file; NULL is empty.
func csvInt(v sql.NullInt64) string {
	if !v.Valid {
		return ""
	}
	return strconv.FormatInt(v.Int64, 10)
}
