package goals

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/transforms"
)

// Model is the goals Go model: it paces every target and budget of Plan as
// of AsOf and writes meta.metrics, meta.targets, marts.targets_vs_actuals,
// marts.budget_pacing and marts.team_scorecard, and splits the spend parts
// of marts.variance_drivers by the budgets (LabelVarianceDrivers). A nil
// Plan writes the tables empty, so reports and queries find them.
type Model struct {
	Plan *Plan
	// AsOf is the last reporting day with data (the run's day).
	AsOf time.Time
	// Currency is the reporting currency, for payout explanations.
	Currency string
}

// Name implements transforms.GoModel.
func (m *Model) Name() string { return "goals" }

// Build implements transforms.GoModel.
func (m *Model) Build(ctx context.Context, tx *transforms.Tx) ([]transforms.ModelResult, error) {
	plan := m.Plan
	if plan == nil {
		plan = &Plan{}
	}
	plan.Defaults()
	asOf := day(m.AsOf)
	loader := &Loader{Q: tx}
	r, err := Evaluate(ctx, loader, plan, asOf)
	if err != nil {
		return nil, err
	}
	variances, err := TargetVariances(ctx, loader, plan, r, asOf)
	if err != nil {
		return nil, err
	}
	tables := []*transforms.TableWriter{
		metricsTable(),
		targetsTable(plan),
		r.targetsVsActuals(asOf),
		r.budgetPacing(asOf),
		r.scorecard(plan, asOf, m.Currency),
		targetVarianceTable(variances, m.Currency),
	}
	var out []transforms.ModelResult
	for _, t := range tables {
		mr, err := t.Write(ctx, tx)
		if err != nil {
			return out, err
		}
		out = append(out, mr)
	}
	if _, err := LabelVarianceDrivers(ctx, tx, plan); err != nil {
		return out, fmt.Errorf("variance drivers by budget: %w", err)
	}
	return out, nil
}

// Evaluation is every target and budget paced as of one day.
type Evaluation struct {
	AsOf    time.Time
	Targets []TargetPace
	Budgets []BudgetPace
}

// TargetPace is one target's curve and days.
type TargetPace struct {
	Target Target
	Metric Metric
	Curve  Curve
	Days   []PaceDay
	Series Series
}

// Latest is the target's row for the as-of day (clamped to its period).
func (tp TargetPace) Latest(asOf time.Time) PaceDay {
	i := int(asOf.Sub(tp.Target.Range.From).Hours() / 24)
	i = max(0, min(i, len(tp.Days)-1))
	return tp.Days[i]
}

// On returns the row for day d, or false outside the period.
func (tp TargetPace) On(d time.Time) (PaceDay, bool) {
	if !tp.Target.Range.Contains(d) {
		return PaceDay{}, false
	}
	return tp.Days[int(d.Sub(tp.Target.Range.From).Hours()/24)], true
}

// Evaluate paces every target and budget of plan (checked, with Defaults
// applied) as of asOf.
func Evaluate(ctx context.Context, l *Loader, plan *Plan, asOf time.Time) (*Evaluation, error) {
	ev := &Evaluation{AsOf: asOf}
	for _, t := range plan.Targets {
		m, ok := LookupMetric(t.Metric)
		if !ok {
			return nil, fmt.Errorf("target %d: unknown metric %q", t.ID, t.Metric)
		}
		s, err := l.Load(ctx, m, t.Scope)
		if err != nil {
			return nil, fmt.Errorf("target %d (%s): %w", t.ID, t.Label(), err)
		}
		c := BuildCurve(t.Seasonality, m, t.Range, s, asOf)
		ev.Targets = append(ev.Targets, TargetPace{Target: t, Metric: m, Curve: c, Series: s,
			Days: Pace(m, t.Value, t.Range, c, s, asOf, plan.Status)})
	}
	spend, _ := LookupMetric("spend")
	for _, b := range plan.Budgets {
		s, err := l.Load(ctx, spend, map[string]string{"channel": b.Channel})
		if err != nil {
			return nil, fmt.Errorf("budget %d (%s %s): %w", b.ID, b.Channel, b.Period, err)
		}
		ev.Budgets = append(ev.Budgets, PaceBudget(b, s, asOf))
	}
	return ev, nil
}

// Columns several goals tables share, documented once.
var (
	colTargetID    = transforms.TableColumn{Name: "target_id", Type: arrow.PrimitiveTypes.Int64, Description: "Target (meta.targets.target_id): its position in targets.yaml, from 1."}
	colTarget      = transforms.TableColumn{Name: "target", Type: arrow.BinaryTypes.String, Description: "Label: metric · scope · period."}
	colMetric      = transforms.TableColumn{Name: "metric", Type: arrow.BinaryTypes.String, Description: "Metric (see meta.metrics)."}
	colScope       = transforms.TableColumn{Name: "scope", Type: arrow.BinaryTypes.String, Description: "company, or the scope as key=value pairs."}
	colPeriod      = transforms.TableColumn{Name: "period", Type: arrow.BinaryTypes.String, Description: "Period as written in targets.yaml: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www or a range."}
	colPeriodStart = transforms.TableColumn{Name: "period_start", Type: arrow.FixedWidthTypes.Date32, Description: "First day of the period."}
	colPeriodEnd   = transforms.TableColumn{Name: "period_end", Type: arrow.FixedWidthTypes.Date32, Description: "Last day of the period."}
	colOwner       = transforms.TableColumn{Name: "owner", Type: arrow.BinaryTypes.String, Description: "Person accountable for the target."}
	colTeam        = transforms.TableColumn{Name: "team", Type: arrow.BinaryTypes.String, Description: "Team of the owner; its incentive rule uses the target."}
	colAsOf        = transforms.TableColumn{Name: "as_of", Type: arrow.FixedWidthTypes.Date32, Description: "The run's reporting day: the last day counted."}
)

func metricsTable() *transforms.TableWriter {
	t := transforms.NewTableWriter("meta.metrics", "The metrics targets can name: where each comes from and how it is computed.", []transforms.TableColumn{
		{Name: "metric", Type: arrow.BinaryTypes.String, Description: "Metric name, as used in targets.yaml."},
		{Name: "description", Type: arrow.BinaryTypes.String, Description: "What the metric measures."},
		{Name: "source", Type: arrow.BinaryTypes.String, Description: "Relation the daily figures come from."},
		{Name: "formula", Type: arrow.BinaryTypes.String, Description: "How the value over a set of days is computed."},
		{Name: "kind", Type: arrow.BinaryTypes.String, Description: "additive (accumulates over days, paced along a curve) or ratio (a level, paced flat)."},
		{Name: "direction", Type: arrow.BinaryTypes.String, Description: "higher or lower: which way is better. For lower, a target is a ceiling and attainment and pace are target ÷ actual."},
		{Name: "unit", Type: arrow.BinaryTypes.String, Description: "money (reporting currency), count, ratio, share or score."},
		{Name: "scope_keys", Type: arrow.BinaryTypes.String, Description: "Scope keys a target on this metric may use."},
	})
	for _, m := range Metrics {
		kind := "ratio"
		if m.Additive() {
			kind = "additive"
		}
		t.Add(m.Name, m.Description, string(m.Source), m.Formula(), kind, m.Direction(), m.Unit, strings.Join(m.scopeKeysFor(), ", "))
	}
	return t
}

func targetsTable(p *Plan) *transforms.TableWriter {
	t := transforms.NewTableWriter("meta.targets", "The targets of targets.yaml as pacer read them on the last transform.", []transforms.TableColumn{
		colTargetID,
		{Name: "line", Type: arrow.PrimitiveTypes.Int64, Description: "Line of the target in targets.yaml."},
		colTarget,
		colMetric,
		colPeriod,
		colPeriodStart,
		colPeriodEnd,
		colScope,
		{Name: "target_value", Type: arrow.PrimitiveTypes.Float64, Description: "The target for the whole period (money in the reporting currency)."},
		colOwner,
		colTeam,
		{Name: "seasonality", Type: arrow.BinaryTypes.String, Description: "Pacing curve asked for: linear, last_year or weekly."},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64, Description: "Weight of the target in its owner's and team's scorecard."},
		{Name: "note", Type: arrow.BinaryTypes.String, Description: "Free text from targets.yaml."},
	})
	for _, x := range p.Targets {
		t.Add(x.ID, x.Line, x.Label(), x.Metric, x.Period, x.Range.From, x.Range.To, x.ScopeString(), x.Value,
			x.Owner, x.Team, x.Seasonality, x.Weight, x.Note)
	}
	return t
}

func (ev *Evaluation) targetsVsActuals(asOf time.Time) *transforms.TableWriter {
	t := transforms.NewTableWriter("marts.targets_vs_actuals",
		"Every target of targets.yaml paced day by day: one row per target and day of its period. Each row reads as of the end of its day, so the rows of past days show how the target stood then; days after as_of carry only the expected curve. For additive metrics (revenue, orders, spend...) the target is for the whole period and the curve spreads it over the days; for ratios (ROAS, CAC, conversion rate...) the target is a level. For lower-is-better metrics (CAC, CPA, CPC, CPM, refunds) attainment and pace are target ÷ actual.",
		[]transforms.TableColumn{
			colTargetID,
			colTarget,
			colMetric,
			colScope,
			colPeriod,
			colPeriodStart,
			colPeriodEnd,
			colOwner,
			colTeam,
			{Name: "direction", Type: arrow.BinaryTypes.String, Description: "higher or lower: which way is better."},
			{Name: "target_value", Type: arrow.PrimitiveTypes.Float64, Description: "Target for the period (a total for additive metrics, a level for ratios)."},
			{Name: "curve", Type: arrow.BinaryTypes.String, Description: "Pacing curve applied: linear, last_year (shape of the same days last year) or weekly (weekday profile of 8 weeks)."},
			{Name: "curve_note", Type: arrow.BinaryTypes.String, Description: "Why the curve differs from the one asked for, or where its shape comes from."},
			{Name: "date", Type: arrow.FixedWidthTypes.Date32, Description: "Day of the period."},
			{Name: "day_of_period", Type: arrow.PrimitiveTypes.Int64, Description: "1 for the first day of the period."},
			{Name: "days_left", Type: arrow.PrimitiveTypes.Int64, Description: "Days of the period after this one."},
			{Name: "is_latest", Type: arrow.FixedWidthTypes.Boolean, Description: "True on the row that is the target's current standing: the as-of day, or the period's last day when it ended, or its first day when it has not started."},
			{Name: "day_actual", Type: arrow.PrimitiveTypes.Float64, Description: "The day's own figure (a ratio for ratio metrics; NULL when its denominator is 0). NULL after as_of."},
			{Name: "numerator_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Sum of the metric's numerator from the period's start to this day (see meta.metrics.formula)."},
			{Name: "denominator_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Sum of the metric's denominator to this day (for additive metrics: days with data)."},
			{Name: "actual_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Metric from the period's start to this day: a total for additive metrics, the ratio of sums for ratios."},
			{Name: "expected_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Where the curve says the metric should be by the end of this day: target × the curve's share of days to date (the target itself for ratios)."},
			{Name: "attainment", Type: arrow.PrimitiveTypes.Float64, Description: "Additive: actual_to_date ÷ target_value, the share of the whole target reached so far. Ratio: actual ÷ target (target ÷ actual when lower is better)."},
			{Name: "pace_index", Type: arrow.PrimitiveTypes.Float64, Description: "actual_to_date ÷ expected_to_date (inverted when lower is better): 1.00 is exactly on the curve."},
			{Name: "forecast_linear", Type: arrow.PrimitiveTypes.Float64, Description: "Period-end figure if every remaining day is like the average day so far: actual_to_date ÷ days elapsed × days in period (ratios: the ratio so far)."},
			{Name: "forecast", Type: arrow.PrimitiveTypes.Float64, Description: "Seasonality-aware period-end forecast: actual_to_date ÷ the curve's share to date, i.e. pace_index × target for higher-is-better additive metrics (ratios: the ratio so far)."},
			{Name: "forecast_low", Type: arrow.PrimitiveTypes.Float64, Description: "Lower bound of a 90% interval around forecast, from the day-to-day spread of actual ÷ expected so far (never below what is already achieved when days cannot be negative); NULL before 2 days of data."},
			{Name: "forecast_high", Type: arrow.PrimitiveTypes.Float64, Description: "Upper bound of the 90% interval around forecast."},
			{Name: "projected_attainment", Type: arrow.PrimitiveTypes.Float64, Description: "forecast ÷ target_value (inverted when lower is better): where the target will end at the current pace."},
			{Name: "required_daily", Type: arrow.PrimitiveTypes.Float64, Description: "What each remaining day must bring to end exactly on target: (target − actual_to_date) ÷ days_left for additive metrics, the ratio the remaining days must average for ratios (assuming the denominator keeps its pace). NULL on the last day."},
			{Name: "status", Type: arrow.BinaryTypes.String, Description: "not_started, on_track (pace_index ≥ status.on_track, default 0.95), at_risk (≥ status.at_risk, default 0.85), off_track, no_data, and on the period's last day achieved or missed. A spend target is a plan: it is judged by the pace's distance from 1 either way (1.08 counts as 0.92) and achieved within ±(1 − on_track) of the target. NULL after as_of."},
			{Name: "as_of", Type: arrow.FixedWidthTypes.Date32, Description: "The run's reporting day: rows after it have no actuals."},
		})
	for _, tp := range ev.Targets {
		x := tp.Target
		latest := tp.Latest(asOf).Date
		for _, d := range tp.Days {
			status, note := any(d.Status), any(tp.Curve.Note)
			if d.Status == "" {
				status = nil
			}
			if tp.Curve.Note == "" {
				note = nil
			}
			t.Add(x.ID, x.Label(), x.Metric, x.ScopeString(), x.Period, x.Range.From, x.Range.To, x.Owner, x.Team,
				tp.Metric.Direction(), x.Value, tp.Curve.Used, note, d.Date, d.Day, d.DaysLeft, d.Date.Equal(latest),
				d.Actual, d.Numerator, d.Denominator, d.ActualToDate, d.ExpectedToDate, d.Attainment, d.PaceIndex,
				d.ForecastLinear, d.Forecast, d.ForecastLow, d.ForecastHigh, d.ProjectedAttainment, d.RequiredDaily,
				status, asOf)
		}
	}
	return t
}

// BudgetPace is a budget's standing as of a day.
type BudgetPace struct {
	Budget                                 Budget
	DaysElapsed, DaysLeft                  int
	Actual, Expected, PaceIndex, Projected float64
	RequiredDaily                          float64
	Status                                 string
	Final                                  bool
}

// PaceBudget compares a budget with actual spend (s: the channel's spend)
// as of asOf. The plan is spread evenly over the period; the projection
// extends the average day so far. Projected spend more than 5% over the
// plan is overspending, more than 10% under it underspending.
func PaceBudget(b Budget, s Series, asOf time.Time) BudgetPace {
	n := b.Range.Days()
	bp := BudgetPace{Budget: b}
	switch {
	case asOf.Before(b.Range.From):
		bp.DaysLeft = n
		bp.Status = StatusNotStarted
		bp.Actual, bp.PaceIndex, bp.Projected = 0, math.NaN(), math.NaN()
		bp.RequiredDaily = b.Amount / float64(n)
		return bp
	case asOf.Before(b.Range.To):
		bp.DaysElapsed = int(asOf.Sub(b.Range.From).Hours()/24) + 1
	default:
		bp.DaysElapsed, bp.Final = n, true
	}
	bp.DaysLeft = n - bp.DaysElapsed
	bp.Actual, _ = s.Sum(Period{b.Range.From, b.Range.From.AddDate(0, 0, bp.DaysElapsed-1), "range"})
	bp.Expected = b.Amount * float64(bp.DaysElapsed) / float64(n)
	bp.PaceIndex = safeDiv(bp.Actual, bp.Expected)
	bp.Projected = bp.Actual / float64(bp.DaysElapsed) * float64(n)
	bp.RequiredDaily = math.NaN()
	if bp.DaysLeft > 0 {
		bp.RequiredDaily = (b.Amount - bp.Actual) / float64(bp.DaysLeft)
	}
	switch v := bp.Projected/b.Amount - 1; {
	case v > 0.05:
		bp.Status = "overspending"
	case v < -0.10:
		bp.Status = "underspending"
	default:
		bp.Status = "on_plan"
	}
	return bp
}

func (ev *Evaluation) budgetPacing(asOf time.Time) *transforms.TableWriter {
	t := transforms.NewTableWriter("marts.budget_pacing",
		"Planned versus actual ad spend: one row per budget of targets.yaml (channel × period), as of the run's day. The plan is spread evenly over the period's days; the projection extends the average day so far to the period's end.",
		[]transforms.TableColumn{
			{Name: "budget_id", Type: arrow.PrimitiveTypes.Int64, Description: "Position of the budget in targets.yaml, from 1."},
			{Name: "channel", Type: arrow.BinaryTypes.String, Description: "Channel the budget is for (marts.kpi_daily.channel)."},
			colPeriod,
			colPeriodStart,
			colPeriodEnd,
			{Name: "planned", Type: arrow.PrimitiveTypes.Float64, Description: "Planned spend for the period, reporting currency."},
			{Name: "actual_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Spend of the channel from the period's start to as_of (marts.kpi_daily.spend)."},
			{Name: "expected_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "planned × days elapsed ÷ days in the period."},
			{Name: "pace_index", Type: arrow.PrimitiveTypes.Float64, Description: "actual_to_date ÷ expected_to_date: above 1 spends faster than planned."},
			{Name: "projected_spend", Type: arrow.PrimitiveTypes.Float64, Description: "actual_to_date ÷ days elapsed × days in the period."},
			{Name: "projected_variance", Type: arrow.PrimitiveTypes.Float64, Description: "projected_spend − planned: positive is projected overspend."},
			{Name: "projected_variance_pct", Type: arrow.PrimitiveTypes.Float64, Description: "projected_variance ÷ planned."},
			{Name: "remaining_budget", Type: arrow.PrimitiveTypes.Float64, Description: "planned − actual_to_date."},
			{Name: "required_daily", Type: arrow.PrimitiveTypes.Float64, Description: "remaining_budget ÷ days_left: the daily spend that lands exactly on plan. NULL when the period ended."},
			{Name: "days_elapsed", Type: arrow.PrimitiveTypes.Int64, Description: "Days of the period up to as_of."},
			{Name: "days_left", Type: arrow.PrimitiveTypes.Int64, Description: "Days of the period after as_of."},
			{Name: "status", Type: arrow.BinaryTypes.String, Description: "not_started, on_plan, overspending (projected more than 5% over plan) or underspending (more than 10% under)."},
			{Name: "is_final", Type: arrow.FixedWidthTypes.Boolean, Description: "True when the period has ended: the figures are final."},
			colAsOf,
		})
	for _, bp := range ev.Budgets {
		b := bp.Budget
		t.Add(b.ID, b.Channel, b.Period, b.Range.From, b.Range.To, b.Amount, bp.Actual, bp.Expected, bp.PaceIndex,
			bp.Projected, bp.Projected-b.Amount, safeDiv(bp.Projected-b.Amount, b.Amount), b.Amount-bp.Actual,
			bp.RequiredDaily, bp.DaysElapsed, bp.DaysLeft, bp.Status, bp.Final, asOf)
	}
	return t
}

// ScoreRow is one line of the team scorecard.
type ScoreRow struct {
	Level, Team, Owner                 string
	Targets, OnTrack, AtRisk, OffTrack int
	Attainment, Pace, PaceWeekAgo      float64
	Rank                               int
	Detail                             string
	Rule                               *Incentive
	Payout                             float64
	Basis, Calculation                 string
}

// Scorecard rolls the targets active on asOf up per owner and per team.
// Each target's projected attainment counts at most the team's incentive
// cap (when it has one), weighted by the target's weight; pace likewise.
// A team with an incentive rule gets its payout computed from its
// weighted attainment (see Payout).
func (ev *Evaluation) Scorecard(plan *Plan, asOf time.Time, money func(float64) string) []ScoreRow {
	rules := map[string]*Incentive{}
	for i := range plan.Incentives {
		rules[plan.Incentives[i].Team] = &plan.Incentives[i]
	}
	type acc struct {
		row                   ScoreRow
		w, wa, wp, wPrev, wpp float64
		running               bool
		details               []string
	}
	groups := map[[3]string]*acc{}
	weekAgo := asOf.AddDate(0, 0, -7)
	for _, tp := range ev.Targets {
		x := tp.Target
		if !x.Range.Contains(asOf) {
			continue
		}
		cur := tp.Latest(asOf)
		score := cur.ProjectedAttainment
		if r := rules[x.Team]; r != nil && r.Cap > 0 && score > r.Cap {
			score = r.Cap
		}
		for _, key := range [][3]string{{"team", x.Team, ""}, {"owner", x.Team, x.Owner}} {
			g := groups[key]
			if g == nil {
				g = &acc{row: ScoreRow{Level: key[0], Team: key[1], Owner: key[2]}}
				groups[key] = g
			}
			g.row.Targets++
			switch cur.Status {
			case StatusOnTrack, StatusAchieved:
				g.row.OnTrack++
			case StatusAtRisk:
				g.row.AtRisk++
			case StatusOffTrack, StatusMissed:
				g.row.OffTrack++
			}
			g.running = g.running || cur.DaysLeft > 0
			if !math.IsNaN(score) {
				g.w += x.Weight
				g.wa += x.Weight * score
				g.wp += x.Weight * cur.PaceIndex
			}
			if prev, ok := tp.On(weekAgo); ok && !math.IsNaN(prev.PaceIndex) {
				g.wPrev += x.Weight
				g.wpp += x.Weight * prev.PaceIndex
			}
			g.details = append(g.details, fmt.Sprintf("%s (weight %g): projected %s, pace %s",
				x.Label(), x.Weight, pctOrDash(cur.ProjectedAttainment), ratioOrDash(cur.PaceIndex)))
		}
	}
	var rows []ScoreRow
	for _, g := range groups {
		r := g.row
		r.Attainment, r.Pace, r.PaceWeekAgo = safeDiv(g.wa, g.w), safeDiv(g.wp, g.w), safeDiv(g.wpp, g.wPrev)
		r.Detail = strings.Join(g.details, "; ")
		r.Basis = "final"
		if g.running {
			r.Basis = "projected"
		}
		if rule := rules[r.Team]; rule != nil && r.Level == "team" {
			r.Rule = rule
			r.Payout, r.Calculation = Payout(*rule, r.Attainment, money)
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Level != b.Level {
			return a.Level > b.Level // team rows first
		}
		if an, bn := math.IsNaN(a.Attainment), math.IsNaN(b.Attainment); an != bn {
			return bn
		}
		if a.Attainment != b.Attainment {
			return a.Attainment > b.Attainment
		}
		return a.Team+a.Owner < b.Team+b.Owner
	})
	rank := 0
	for i := range rows {
		if i == 0 || rows[i].Level != rows[i-1].Level {
			rank = 0
		}
		rank++
		rows[i].Rank = rank
	}
	return rows
}

func (ev *Evaluation) scorecard(plan *Plan, asOf time.Time, currency string) *transforms.TableWriter {
	t := transforms.NewTableWriter("marts.team_scorecard",
		"Scorecards of teams and owners over the targets whose period includes the run's day, with each team's incentive payout by its rule in targets.yaml. Team rows come first, then owner rows; each set is ranked by weighted attainment.",
		[]transforms.TableColumn{
			{Name: "level", Type: arrow.BinaryTypes.String, Description: "team (all of a team's targets) or owner (one person's targets in that team)."},
			{Name: "team", Type: arrow.BinaryTypes.String, Description: "Team."},
			{Name: "owner", Type: arrow.BinaryTypes.String, Description: "Owner; NULL on team rows."},
			{Name: "rank", Type: arrow.PrimitiveTypes.Int64, Description: "Rank by weighted_attainment among rows of the same level, 1 = best."},
			{Name: "targets", Type: arrow.PrimitiveTypes.Int64, Description: "Targets counted: those whose period includes as_of."},
			{Name: "on_track", Type: arrow.PrimitiveTypes.Int64, Description: "Targets on track (or achieved)."},
			{Name: "at_risk", Type: arrow.PrimitiveTypes.Int64, Description: "Targets at risk."},
			{Name: "off_track", Type: arrow.PrimitiveTypes.Int64, Description: "Targets off track (or missed)."},
			{Name: "weighted_attainment", Type: arrow.PrimitiveTypes.Float64, Description: "Σ weight × projected attainment ÷ Σ weight over the targets, each counted at most the team's incentive cap: where the targets will end at the current pace."},
			{Name: "weighted_pace", Type: arrow.PrimitiveTypes.Float64, Description: "Σ weight × pace index ÷ Σ weight."},
			{Name: "weighted_pace_7d_ago", Type: arrow.PrimitiveTypes.Float64, Description: "weighted_pace as the targets stood 7 days before as_of (targets that had started then)."},
			{Name: "pace_change_7d", Type: arrow.PrimitiveTypes.Float64, Description: "weighted_pace − weighted_pace_7d_ago: the trend over the last week."},
			{Name: "detail", Type: arrow.BinaryTypes.String, Description: "Each target counted, with its weight, projected attainment and pace."},
			{Name: "payout_rule", Type: arrow.BinaryTypes.String, Description: "The team's incentive rule (linear, step or capped); NULL without one and on owner rows."},
			{Name: "payout_base", Type: arrow.PrimitiveTypes.Float64, Description: "Base amount of the rule."},
			{Name: "payout_threshold", Type: arrow.PrimitiveTypes.Float64, Description: "Attainment below which nothing is paid."},
			{Name: "payout_cap", Type: arrow.PrimitiveTypes.Float64, Description: "Highest attainment that counts."},
			{Name: "payout", Type: arrow.PrimitiveTypes.Float64, Description: "Payout by the rule from weighted_attainment, reporting currency."},
			{Name: "payout_basis", Type: arrow.BinaryTypes.String, Description: "projected while any counted target's period is running, final when all ended."},
			{Name: "payout_calculation", Type: arrow.BinaryTypes.String, Description: "The payout's calculation in words."},
			colAsOf,
		})
	money := func(v float64) string { return FormatMoney(currency, v) }
	for _, r := range ev.Scorecard(plan, asOf, money) {
		owner := any(r.Owner)
		if r.Level == "team" {
			owner = nil
		}
		var rule, base, thr, capv, payout, calc any = nil, nil, nil, nil, nil, nil
		if r.Rule != nil {
			rule, base, thr, capv, payout, calc = r.Rule.Rule, r.Rule.Base, r.Rule.Threshold, r.Rule.Cap, r.Payout, r.Calculation
		}
		t.Add(r.Level, r.Team, owner, r.Rank, r.Targets, r.OnTrack, r.AtRisk, r.OffTrack, r.Attainment, r.Pace,
			r.PaceWeekAgo, r.Pace-r.PaceWeekAgo, r.Detail, rule, base, thr, capv, payout, r.Basis, calc, asOf)
	}
	return t
}

// FormatMoney prints v with thousands separators and the currency code:
// "CNY 20,000" (two decimals below 100).
func FormatMoney(currency string, v float64) string {
	neg := v < 0
	v = math.Abs(v)
	s := fmt.Sprintf("%.0f", v)
	if v < 100 {
		s = fmt.Sprintf("%.2f", v)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	out := strings.TrimSpace(currency + " " + b.String())
	if neg {
		out = "−" + out
	}
	return out
}

func pctOrDash(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func ratioOrDash(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}
