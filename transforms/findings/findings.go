// Package findings is the Go model that writes marts.findings: the few
// things worth a manager's attention today, each found by a named rule
// with the numbers behind it, so the report can lead with them. Rules, not
// prose generation.
//
// Order: what is new and can be acted on this week comes first, then what
// needs watching, then what the next plan should change. Within each
// class, the larger estimated impact (in the reporting currency) first:
//
//  1. execution, new: conversion_rate_drop, roas_falling, budget_pacing;
//  2. execution or strategy drivers of targets behind plan
//     (target_gap_driver, from marts.target_variance);
//  3. targets off track (target_off_track), newly so before long-standing;
//  4. long-standing targets off track;
//  5. data: sources that disagree (reconciliation_gap).
//
// The rules read this run's marts (kpi_daily, targets_vs_actuals,
// budget_pacing, target_variance, reconciliation_summary), so the model runs after the goals
// model.
package findings

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/goals"
)

// Finding is one thing worth attention.
type Finding struct {
	Rule string
	// Kind is execution (the plan not delivered), strategy (the plan
	// itself), or monitoring (off track, cause not split).
	Kind string
	// Class orders findings (see the package doc); lower first.
	Class int
	// Scope is company or channel=..., or a target label.
	Scope string
	Title string
	// Detail carries the numbers behind the finding.
	Detail string
	// Impact is the estimated money at stake in the reporting currency
	// (NaN when the rule cannot put a price on it).
	Impact float64
	// Metric, Now and Before are the figure the rule looked at.
	Metric      string
	Now, Before float64
	Since       time.Time
}

// Model is the findings Go model.
type Model struct {
	Currency string
	// Rules to run; nil runs Rules.
	Rules []Rule
}

// Rule finds findings through the transform's transaction.
type Rule struct {
	Name string
	Find func(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error)
}

// Rules are the rules in the order they are documented.
var Rules = []Rule{
	{"conversion_rate_drop", conversionRateDrop},
	{"roas_falling", roasFalling},
	{"budget_pacing", budgetPacing},
	{"target_gap_driver", targetGapDriver},
	{"target_off_track", targetOffTrack},
	{"reconciliation_gap", reconciliationGap},
}

// Name implements transforms.GoModel.
func (m *Model) Name() string { return "findings" }

// Build implements transforms.GoModel.
func (m *Model) Build(ctx context.Context, tx *transforms.Tx) ([]transforms.ModelResult, error) {
	start := time.Now()
	rules := m.Rules
	if rules == nil {
		rules = Rules
	}
	var all []Finding
	for _, r := range rules {
		f, err := r.Find(ctx, tx, m.Currency)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		all = append(all, f...)
	}
	Rank(all)
	t := transforms.NewTableWriter("marts.findings",
		"What to look at first today: one row per finding of a named rule, ranked (rank 1 first). New execution problems come first, then the drivers of targets behind plan, then targets off track, then strategy; within each, the larger estimated money impact first. Rules: conversion_rate_drop (a channel converts its sessions at least 20% worse in the last 14 days than in the 8 weeks before, with z ≤ −3, while its spend held); roas_falling (a channel's weekly ROAS fell three weeks in a row); budget_pacing (a running budget projected more than 5% over or 10% under plan); target_gap_driver (the largest part of a revenue target's gap, from marts.target_variance); target_off_track (a running target off track); reconciliation_gap (summed over the last four complete ISO weeks of marts.reconciliation_summary, the ad platforms claim a conversion value more than the tolerance away from what finance booked).",
		[]transforms.TableColumn{
			{Name: "rank", Type: arrow.PrimitiveTypes.Int64, Description: "1 = look at this first."},
			{Name: "rule", Type: arrow.BinaryTypes.String, Description: "The rule that found it (see the table comment)."},
			{Name: "kind", Type: arrow.BinaryTypes.String, Description: "execution (the plan not delivered), strategy (the plan itself), monitoring (off track, cause not split) or data (sources disagree)."},
			{Name: "scope", Type: arrow.BinaryTypes.String, Description: "company, channel=..., or the target's label."},
			{Name: "title", Type: arrow.BinaryTypes.String, Description: "The finding in one line."},
			{Name: "detail", Type: arrow.BinaryTypes.String, Description: "The numbers behind it."},
			{Name: "impact", Type: arrow.PrimitiveTypes.Float64, Description: "Estimated money at stake, reporting currency (see each rule); NULL when the rule cannot price it."},
			{Name: "metric", Type: arrow.BinaryTypes.String, Description: "The figure the rule looked at."},
			{Name: "value_now", Type: arrow.PrimitiveTypes.Float64, Description: "Its value now (the recent window, or to date)."},
			{Name: "value_before", Type: arrow.PrimitiveTypes.Float64, Description: "Its value to compare with (the earlier window, or the plan)."},
			{Name: "since", Type: arrow.FixedWidthTypes.Date32, Description: "First day of the window the finding is about."},
		})
	for i, f := range all {
		t.Add(i+1, f.Rule, f.Kind, f.Scope, f.Title, f.Detail, f.Impact, f.Metric, f.Now, f.Before, f.Since)
	}
	mr, err := t.Write(ctx, tx)
	mr.Duration = time.Since(start)
	return []transforms.ModelResult{mr}, err
}

// Rank orders findings by class, then impact (unpriced last), then rule
// and scope.
func Rank(f []Finding) {
	sort.SliceStable(f, func(i, j int) bool {
		a, b := f[i], f[j]
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		ai, bi := a.Impact, b.Impact
		if math.IsNaN(ai) != math.IsNaN(bi) {
			return !math.IsNaN(ai)
		}
		if ai != bi && !math.IsNaN(ai) {
			return ai > bi
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Scope < b.Scope
	})
}

func pct(x float64) string { return fmt.Sprintf("%+.0f%%", 100*x) }

func money(currency string, v float64) string { return goals.FormatMoney(currency, v) }
