package goals

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/transforms"
)

// TargetVariance splits the gap between a revenue target and its actual,
// to date, into what the plan itself asked for (strategy) and what its
// execution delivered (execution), in additive parts that sum exactly to
// the gap:
//
//	gap = A − E                           actual minus expected to date
//	    = (P − E)                         strategy: the target against what
//	                                      the budget buys at the usual ROAS
//	    + (S − B)·(H + R)/2               execution: spend against budget
//	    + (R − H)·(B + S)/2               execution: ROAS against the usual
//
// with B the budget to date (spread evenly), H the scope's ROAS over the
// 8 weeks before the period (the usual efficiency), P = B·H what the plan
// delivers when executed as usual, S and R the actual spend and ROAS to
// date. The two execution parts are the Shapley split of A − P = S·R − B·H.
// A target gets a split when it is on revenue, its scope is the company or
// one channel, and budgets of the same period cover it (the company: the
// sum of the channels' budgets).
type TargetVariance struct {
	Target                Target
	Expected, Actual      float64
	Budget, Spend         float64
	UsualROAS, ActualROAS float64
	Parts                 []VariancePart
	AsOf                  time.Time
}

// VariancePart is one additive part of a target's gap.
type VariancePart struct {
	Component, Kind string
	Contribution    float64
}

// Gap is actual minus expected to date.
func (v TargetVariance) Gap() float64 { return v.Actual - v.Expected }

// TargetVariances computes the splits of ev's targets as of asOf.
func TargetVariances(ctx context.Context, l *Loader, plan *Plan, ev *Evaluation, asOf time.Time) ([]TargetVariance, error) {
	spendM, _ := LookupMetric("spend")
	var out []TargetVariance
	for _, tp := range ev.Targets {
		t := tp.Target
		if t.Metric != "revenue" || !t.Range.Contains(asOf) && asOf.Before(t.Range.From) {
			continue
		}
		channel, ok := t.Scope["channel"]
		if len(t.Scope) > 1 || len(t.Scope) == 1 && !ok {
			continue
		}
		amount := 0.0
		for _, b := range plan.Budgets {
			if b.Period == t.Period && (channel == "" || b.Channel == channel) {
				amount += b.Amount
			}
		}
		if amount == 0 {
			continue
		}
		d := tp.Latest(asOf)
		if math.IsNaN(d.ActualToDate) {
			continue
		}
		spend, err := l.Load(ctx, spendM, t.Scope)
		if err != nil {
			return nil, err
		}
		toDate := Period{t.Range.From, d.Date, "range"}
		before := Period{t.Range.From.AddDate(0, 0, -56), t.Range.From.AddDate(0, 0, -1), "range"}
		usualSpend, _ := spend.Sum(before)
		usualRevenue, _ := tp.Series.Sum(before)
		if usualSpend <= 0 || !spend.Covers(before, asOf) {
			continue
		}
		v := TargetVariance{Target: t, Expected: d.ExpectedToDate, Actual: d.ActualToDate, AsOf: asOf,
			Budget: amount * float64(d.Day) / float64(t.Range.Days()), UsualROAS: usualRevenue / usualSpend}
		v.Spend, _ = spend.Sum(toDate)
		if v.Spend <= 0 {
			continue
		}
		v.ActualROAS = v.Actual / v.Spend
		planned := v.Budget * v.UsualROAS
		v.Parts = []VariancePart{
			{"target against what the budget buys at the usual ROAS", "strategy", planned - v.Expected},
			{"spend against budget", "execution", (v.Spend - v.Budget) * (v.UsualROAS + v.ActualROAS) / 2},
			{"ROAS against the usual", "execution", (v.ActualROAS - v.UsualROAS) * (v.Budget + v.Spend) / 2},
		}
		out = append(out, v)
	}
	return out, nil
}

func targetVarianceTable(vs []TargetVariance, currency string) *transforms.TableWriter {
	t := transforms.NewTableWriter("marts.target_variance",
		"Why each revenue target with a budget is ahead or behind, to date: the gap (actual − expected) split into additive parts that sum exactly to it, each labelled strategy (the plan asked for more, or less, than its budget buys at the usual ROAS) or execution (spend off budget, ROAS off the usual). Usual ROAS is the scope's over the 8 weeks before the period; the budget to date is spread evenly. See transforms/goals/variance.go for the formula.",
		[]transforms.TableColumn{
			colTargetID, colTarget, colOwner, colTeam, colAsOf,
			{Name: "expected", Type: arrow.PrimitiveTypes.Float64, Description: "Revenue the target's curve expects by as_of."},
			{Name: "actual", Type: arrow.PrimitiveTypes.Float64, Description: "Revenue by as_of."},
			{Name: "gap", Type: arrow.PrimitiveTypes.Float64, Description: "actual − expected; the contributions sum to it."},
			{Name: "budget_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "The period's budget × days elapsed ÷ days in the period."},
			{Name: "spend_to_date", Type: arrow.PrimitiveTypes.Float64, Description: "Spend by as_of."},
			{Name: "usual_roas", Type: arrow.PrimitiveTypes.Float64, Description: "Revenue ÷ spend of the scope over the 8 weeks before the period."},
			{Name: "actual_roas", Type: arrow.PrimitiveTypes.Float64, Description: "Revenue ÷ spend to date."},
			{Name: "component", Type: arrow.BinaryTypes.String, Description: "The part: target against what the budget buys at the usual ROAS; spend against budget; ROAS against the usual."},
			{Name: "kind", Type: arrow.BinaryTypes.String, Description: "strategy (the plan itself) or execution (the plan not delivered)."},
			{Name: "contribution", Type: arrow.PrimitiveTypes.Float64, Description: "The part of the gap, reporting currency."},
			{Name: "share_of_gap", Type: arrow.PrimitiveTypes.Float64, Description: "contribution ÷ gap; NULL when there is no gap."},
			{Name: "explanation", Type: arrow.BinaryTypes.String, Description: "The part in one sentence."},
		})
	for _, v := range vs {
		for _, p := range v.Parts {
			t.Add(v.Target.ID, v.Target.Label(), v.Target.Owner, v.Target.Team, v.AsOf, v.Expected, v.Actual, v.Gap(),
				v.Budget, v.Spend, v.UsualROAS, v.ActualROAS, p.Component, p.Kind, p.Contribution,
				safeDiv(p.Contribution, v.Gap()), v.Explain(p, currency))
		}
	}
	return t
}

// Explain says what one part means, e.g. "27% of the gap of revenue ·
// channel=paid_social · 2026-01 (−CNY 700 of −CNY 2,600 behind): spend
// against budget (execution)".
func (v TargetVariance) Explain(p VariancePart, currency string) string {
	direction := "ahead"
	if v.Gap() < 0 {
		direction = "behind"
	}
	share := "part"
	if s := safeDiv(p.Contribution, v.Gap()); !math.IsNaN(s) {
		share = fmt.Sprintf("%.0f%%", 100*s)
	}
	return fmt.Sprintf("%s of the gap of %s (%s of %s %s): %s (%s)", share, v.Target.Label(),
		FormatMoney(currency, p.Contribution), FormatMoney(currency, v.Gap()), direction, p.Component, p.Kind)
}
