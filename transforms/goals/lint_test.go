package goals_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/transforms/goals"
	"github.com/pacerhq/pacer/warehouse"
)

// lintMonths is the hand-made history the lint cases read: one row per
// channel on the first day of each month from 2025-01 to 2026-11 (days
// without a row count as zero), so every figure is easy to add up.
//
//	paid_search  spend 1,000, clicks 500, revenue 2,000, orders 100,
//	             new customers 10 — except clicks 1,000 and orders 1,000
//	             in 2025-11, 50 new customers in 2025-02, revenue 2,500
//	             in 2026-06
//	display      spend 500, no revenue
//	referral     revenue 1,000 — 3,000 in 2026-05
//	email        revenue 1,500
//
// So the company makes 4,500 a month (6,500 in 2026-05, 5,000 in
// 2026-06); referral makes 3,000 a quarter (5,000 in 2026-Q2); paid
// search's CPC is 2.00 (1.00 in 2025-11) and its ROAS 2.00 (2.50 in
// 2026-06). Data starts on 2025-01-01.
func lintMonths() string {
	var rows []string
	for m := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !m.After(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		ym := m.Format("2006-01")
		clicks, orders, newc, rev, ref := 500, 100, 10, 2000, 1000
		switch ym {
		case "2025-11":
			clicks, orders = 1000, 1000
		case "2025-02":
			newc = 50
		case "2026-06":
			rev = 2500
		case "2026-05":
			ref = 3000
		}
		d := m.Format(time.DateOnly)
		rows = append(rows,
			fmt.Sprintf("(DATE '%s', 'paid_search', 'c1', 'Brand search', 'google_ads', 1000, 10000, %d, %d, %d, %d)", d, clicks, rev, orders, newc),
			fmt.Sprintf("(DATE '%s', 'display', 'c2', 'WeChat moments', 'tencent_ads', 500, 50000, 100, 0, 0, 0)", d),
			fmt.Sprintf("(DATE '%s', 'referral', NULL, NULL, NULL, 0, 0, 0, %d, 0, 0)", d, ref),
			fmt.Sprintf("(DATE '%s', 'email', NULL, NULL, NULL, 0, 0, 0, 1500, 0, 0)", d),
		)
	}
	return `CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE marts.kpi_daily AS
SELECT date, channel, campaign_id, campaign_name, platform,
       CAST(spend AS DECIMAL(18,2)) AS spend, impressions, clicks,
       0.0 AS platform_conversions, CAST(0 AS DECIMAL(18,2)) AS platform_conversion_value,
       0 AS sessions, 0 AS users, 0 AS conversions, orders,
       CAST(revenue AS DECIMAL(18,2)) AS gross_revenue, CAST(0 AS DECIMAL(18,2)) AS refunds,
       CAST(revenue AS DECIMAL(18,2)) AS revenue, new_customers, 0 AS returning_customers
FROM (VALUES ` + strings.Join(rows, ",\n") + `) AS t(date, channel, campaign_id, campaign_name, platform,
       spend, impressions, clicks, revenue, orders, new_customers)`
}

// lintWarehouse is a real DuckDB file holding lintMonths.
func lintWarehouse(t *testing.T) *warehouse.DB {
	t.Helper()
	db, err := warehouse.Open(t.Context(), filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.SQL().ExecContext(t.Context(), lintMonths()); err != nil {
		t.Fatal(err)
	}
	return db
}

// tgt is a target on line 10 × its position.
func tgt(metric, period string, value float64, scope ...string) goals.Target {
	t := goals.Target{Metric: metric, Period: period, Value: value, Owner: "li.wei", Team: "growth"}
	if len(scope) == 2 {
		t.Scope = map[string]string{scope[0]: scope[1]}
	}
	return t
}

// want is one expected finding: its severity, code and line, and text
// each message must contain. figures appear in both languages.
type want struct {
	severity, code string
	line           int
	figures        []string
	en, zh         []string
}

func lintPlan(t *testing.T, targets []goals.Target, budgets []goals.Budget) *goals.Plan {
	t.Helper()
	p := &goals.Plan{File: "targets.yaml", Targets: targets, Budgets: budgets}
	for i := range p.Targets {
		p.Targets[i].Line = 10 * (i + 1)
	}
	for i := range p.Budgets {
		p.Budgets[i].Line = 100 + 10*i
	}
	p.Defaults()
	if err := p.Check(); err != nil {
		t.Fatalf("plan does not check: %v", err)
	}
	return p
}

func TestLintFindsEachKindWithHandComputedFigures(t *testing.T) {
	db := lintWarehouse(t)
	nov15 := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		asOf    time.Time
		targets []goals.Target
		budgets []goals.Budget
		want    []want
	}{
		{
			name: "a clean plan gives no findings",
			asOf: nov15,
			targets: []goals.Target{
				tgt("revenue", "2026-11", 2200, "channel", "paid_search"),
				tgt("cpc", "2026-11", 0.9, "channel", "paid_search"),
				tgt("revenue", "2026-Q4", 14000),
				tgt("revenue", "2026-Q4", 4000, "channel", "referral"),
				tgt("spend", "2026-11", 1500),
				tgt("spend", "2026-11", 1000, "channel", "paid_search"),
				tgt("spend", "2026-11", 500, "channel", "display"),
			},
			budgets: []goals.Budget{{Channel: "paid_search", Period: "2026-11", Amount: 1000}},
		},
		{
			name:    "ten times the best quarter is unattainable, with last year and the last 3 quarters",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-Q4", 20000, "channel", "referral")},
			want: []want{{severity: "warning", code: "unattainable", line: 10,
				figures: []string{"20,000", "4.0", "5,000", "2026-Q2"},
				en:      []string{"target 1 (revenue · channel=referral · 2026-Q4, line 10): 20,000 is 4.0× the best comparable quarter (5,000 in 2026-Q2); more than 3× is rarely attainable. Same quarter last year: 3,000; last 3 quarters: 3,000, 5,000, 3,000."},
				zh:      []string{"目标 1（revenue · channel=referral · 2026-Q4，第 10 行）：20,000 是最佳可比季度（2026-Q2 的 5,000）的 4.0 倍", "去年同季度：3,000；最近 3 个季度：3,000、5,000、3,000。"}}},
		},
		{
			name:    "a target below the same month last year is sandbagged",
			asOf:    nov15,
			targets: []goals.Target{tgt("orders", "2026-11", 900)},
			want: []want{{severity: "warning", code: "sandbagged", line: 10,
				figures: []string{"900", "1,000", "2025-11", "−10.0%"},
				en:      []string{"900 is below the same month last year (1,000 in 2025-11, −10.0%)"},
				zh:      []string{"900 低于去年同月（2025-11 的 1,000，−10.0%）"}}},
		},
		{
			name:    "for a lower-is-better metric the best is the lowest: a quarter of it is unattainable",
			asOf:    nov15,
			targets: []goals.Target{tgt("cpc", "2026-11", 0.25, "channel", "paid_search")},
			want: []want{{severity: "warning", code: "unattainable", line: 10,
				figures: []string{"0.25", "1/4.0", "1.00", "2025-11"},
				en:      []string{"0.25 is 1/4.0 of the best (lowest) comparable month (1.00 in 2025-11)", "Same month last year: 1.00; last 3 months: 2.00, 2.00, 2.00."}}},
		},
		{
			name:    "for a lower-is-better metric a ceiling above last year is sandbagged",
			asOf:    nov15,
			targets: []goals.Target{tgt("cpc", "2026-11", 1.5, "channel", "paid_search")},
			want: []want{{severity: "warning", code: "sandbagged", line: 10,
				figures: []string{"1.50", "1.00", "2025-11", "+50.0%"},
				en:      []string{"1.50 is above the same month last year (1.00 in 2025-11, +50.0%): for cpc lower is better"}}},
		},
		{
			name:    "ratios below 1 keep three significant digits",
			asOf:    nov15,
			targets: []goals.Target{tgt("ctr", "2026-11", 0.5, "channel", "paid_search")},
			want: []want{{severity: "warning", code: "unattainable", line: 10,
				en: []string{"0.5 is 5.0× the best comparable month (0.1 in 2025-11)", "Same month last year: 0.1; last 3 months: 0.05, 0.05, 0.05."}}},
		},
		{
			name: "input metrics are neither unattainable nor sandbagged",
			asOf: nov15,
			targets: []goals.Target{
				tgt("spend", "2026-11", 100000, "channel", "paid_search"),
				tgt("impressions", "2026-11", 1, "channel", "display"),
			},
		},
		{
			name: "new customers of the first months in the data are no benchmark for sandbagging",
			asOf: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC),
			// 2025-02 had 50 (every customer looked new), 20 is not sandbagged.
			targets: []goals.Target{tgt("new_customers", "2026-02", 20)},
		},
		{
			name:    "90 days after the data starts last year's new customers count again",
			asOf:    time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC),
			targets: []goals.Target{tgt("new_customers", "2026-04", 5)},
			want: []want{{severity: "warning", code: "sandbagged", line: 10,
				figures: []string{"2025-04", "−50.0%"},
				en:      []string{"5 is below the same month last year (10 in 2025-04, −50.0%)"},
				zh:      []string{"5 低于去年同月（2025-04 的 10，−50.0%）"}}},
		},
		{
			name:    "channel targets above the company target are flagged with the gap",
			asOf:    nov15,
			targets: []goals.Target{tgt("spend", "2026-11", 1000), tgt("spend", "2026-11", 1000, "channel", "paid_search"), tgt("spend", "2026-11", 800, "channel", "display")},
			want: []want{{severity: "warning", code: "children_exceed_parent", line: 10,
				figures: []string{"1,800", "paid_search 1,000", "display 800", "80.0%"},
				en:      []string{"the channel targets of the same period add up to 1,800 (paid_search 1,000 [target 2], display 800 [target 3]), 800 (80.0%) more than this company target of 1,000"},
				zh:      []string{"同期各渠道目标合计 1,800（paid_search 1,000［目标 2］、display 800［目标 3］），比这个公司目标 1,000 多 800（80.0%）"}}},
		},
		{
			name: "channel targets covering every channel but short of the company target are flagged",
			asOf: nov15,
			targets: []goals.Target{
				tgt("revenue", "2026-11", 10000),
				tgt("revenue", "2026-11", 3000, "channel", "paid_search"),
				tgt("revenue", "2026-11", 1000, "channel", "referral"),
				tgt("revenue", "2026-11", 2000, "channel", "email"),
			},
			want: []want{{severity: "warning", code: "children_short_of_parent", line: 10,
				figures: []string{"6,000", "4,000", "40.0%", "10,000"},
				en:      []string{"cover every channel with revenue in the last 90 days and add up to 6,000"}}},
		},
		{
			name: "channel targets that leave a channel out may fall short",
			asOf: nov15,
			targets: []goals.Target{
				tgt("revenue", "2026-11", 10000),
				tgt("revenue", "2026-11", 3000, "channel", "paid_search"),
				tgt("revenue", "2026-11", 1000, "channel", "referral"),
			},
		},
		{
			name:    "a period that ended is info, with its final figure",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-10", 5000)},
			want: []want{{severity: "info", code: "ended", line: 10,
				figures: []string{"2026-10-31", "2026-11-15", "4,500", "5,000"},
				en:      []string{"the period ended on 2026-10-31, before the as-of day 2026-11-15: its result is final (actual 4,500 against the target 5,000)"}}},
		},
		{
			name:    "a period starting before the data says how many days are missing",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2024-12-15..2025-01-31", 9000)},
			want: []want{
				{severity: "warning", code: "before_data", line: 10, figures: []string{"2024-12-15", "17", "2025-01-01"},
					en: []string{"the period starts on 2024-12-15, 17 days before marts.kpi_daily has data (from 2025-01-01)"}},
				{severity: "info", code: "ended", line: 10},
			},
		},
		{
			name:    "a period wholly before the data cannot be measured",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2024-Q4", 9000)},
			want: []want{
				{severity: "warning", code: "before_data", line: 10, figures: []string{"2024-10-01..2024-12-31", "92", "2025-01-01"}},
				{severity: "info", code: "ended", line: 10},
			},
		},
		{
			name: "two custom ranges that overlap for the same metric and scope",
			asOf: nov15,
			targets: []goals.Target{
				tgt("spend", "2026-11-01..2026-11-20", 700, "channel", "paid_search"),
				tgt("spend", "2026-11-15..2026-11-30", 500, "channel", "paid_search"),
			},
			want: []want{{severity: "warning", code: "overlapping_period", line: 20,
				figures: []string{"2026-11-15..2026-11-30", "2026-11-01..2026-11-20", "6", "2026-11-15..2026-11-20"},
				en:      []string{"overlaps target 1's 2026-11-01..2026-11-20 (line 10) for the same metric and scope by 6 days"}}},
		},
		{
			name:    "no earlier period in the data is one info",
			asOf:    time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
			targets: []goals.Target{tgt("revenue", "2025", 60000)},
			want: []want{{severity: "info", code: "no_history", line: 10,
				figures: []string{"2025-01-01", "2025-06-30"}, en: []string{"no earlier year is complete in the data yet"}}},
		},
		{
			name:    "a typo in a channel is an error with did you mean",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-11", 2000, "channel", "paid_serch")},
			want: []want{{severity: "error", code: "unknown_scope", line: 10,
				en: []string{`channel "paid_serch" does not occur in the data (marts.kpi_daily.channel); did you mean "paid_search"?`},
				zh: []string{`是不是 "paid_search"？`}}},
		},
		{
			name:    "a campaign name is checked too, and case matters",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-11", 2000, "campaign", "brand search")},
			want: []want{{severity: "error", code: "unknown_scope", line: 10,
				en: []string{`campaign "brand search" does not occur in the data (marts.kpi_daily.campaign_name); did you mean "Brand search"?`}}},
		},
		{
			name:    "an unknown channel without a near one is a warning listing what the data has (it may be new)",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-11", 2000, "channel", "tiktok_shop")},
			want: []want{{severity: "warning", code: "unknown_scope", line: 10,
				en: []string{"(seen: display, email, paid_search, referral)", "if it is new, that is expected"}}},
		},
		{
			name:    "a budget for a channel not in the data is a warning",
			asOf:    nov15,
			budgets: []goals.Budget{{Channel: "wechat_ads", Period: "2026-11", Amount: 1000}},
			want: []want{{severity: "warning", code: "unknown_scope", line: 100,
				en: []string{`budget 1 (wechat_ads · 2026-11, line 100): channel "wechat_ads" does not occur`}}},
		},
		{
			name:    "a revenue target on a budget that needs a ROAS far above the best",
			asOf:    nov15,
			targets: []goals.Target{tgt("revenue", "2026-11", 4000, "channel", "paid_search")},
			budgets: []goals.Budget{{Channel: "paid_search", Period: "2026-11", Amount: 1000}},
			want: []want{{severity: "warning", code: "planned_roas", line: 100,
				figures: []string{"4,000", "1,000", "4.00", "1.6", "2.50", "2026-06"},
				en:      []string{"budget 1 (paid_search · 2026-11, line 100): the revenue target of 4,000 (target 1, line 10) on this budget of 1,000 plans a ROAS of 4.00, 1.6× the channel's best comparable month (2.50 in 2026-06); more than 1.5× is rarely attainable"},
				zh:      []string{"计划 ROAS 为 4.00，是该渠道最佳可比月份（2026-06 的 2.50）的 1.6 倍"}}},
		},
		{
			name:    "a metric whose source is not in the warehouse cannot be measured",
			asOf:    nov15,
			targets: []goals.Target{tgt("leads", "2026-11", 100)},
			want: []want{{severity: "warning", code: "no_data", line: 10,
				en: []string{"leads comes from staging.crm_deals, and staging.crm_deals is not in the warehouse yet"}}},
		},
		{
			name: "findings are sorted by severity, then line",
			asOf: nov15,
			targets: []goals.Target{
				tgt("revenue", "2026-10", 5000),
				tgt("orders", "2026-11", 900),
				tgt("revenue", "2026-11", 2000, "channel", "paid_serch"),
			},
			want: []want{
				{severity: "error", code: "unknown_scope", line: 30},
				{severity: "warning", code: "sandbagged", line: 20},
				{severity: "info", code: "ended", line: 10},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := lintPlan(t, tt.targets, tt.budgets)
			got, err := goals.Lint(t.Context(), &goals.Loader{Q: db.SQL()}, plan, tt.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d findings, want %d:\n%s", len(got), len(tt.want), dumpFindings(got))
			}
			for i, w := range tt.want {
				f := got[i]
				if f.Severity != w.severity || f.Code != w.code || f.Line != w.line {
					t.Errorf("finding %d: %s %s line %d, want %s %s line %d:\n%s", i, f.Severity, f.Code, f.Line, w.severity, w.code, w.line, dumpFindings(got))
				}
				for _, s := range append(append([]string{}, w.figures...), w.en...) {
					if !strings.Contains(f.EN, s) {
						t.Errorf("EN lacks %q:\n%s", s, f.EN)
					}
				}
				for _, s := range append(append([]string{}, w.figures...), w.zh...) {
					if !strings.Contains(f.ZH, s) {
						t.Errorf("ZH lacks %q:\n%s", s, f.ZH)
					}
				}
			}
		})
	}
}

func TestLintStretchAndToleranceAreConfigurable(t *testing.T) {
	db := lintWarehouse(t)
	nov15 := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)
	plan := lintPlan(t, []goals.Target{
		tgt("revenue", "2026-Q4", 20000, "channel", "referral"), // 4× the best quarter
		tgt("spend", "2026-11", 1000),
		tgt("spend", "2026-11", 1050, "channel", "paid_search"), // 5% over the parent
	}, nil)
	plan.Lint.MaxStretch, plan.Lint.Tolerance = 5, 0.1
	got, err := goals.Lint(t.Context(), &goals.Loader{Q: db.SQL()}, plan, nov15)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("with max_stretch 5 and tolerance 10%% nothing is flagged:\n%s", dumpFindings(got))
	}
	plan.Lint.MaxStretch, plan.Lint.Tolerance = 3, 0.02
	got, err = goals.Lint(t.Context(), &goals.Loader{Q: db.SQL()}, plan, nov15)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Code != "unattainable" || got[1].Code != "children_exceed_parent" {
		t.Errorf("with the defaults both are flagged:\n%s", dumpFindings(got))
	}
}

// TestLintEveryMessageHasBothLanguages runs a plan that provokes every
// kind of finding and checks that each carries an English and a Chinese
// message naming the same target and line.
func TestLintEveryMessageHasBothLanguages(t *testing.T) {
	db := lintWarehouse(t)
	plan := lintPlan(t, []goals.Target{
		tgt("revenue", "2026-Q4", 20000, "channel", "referral"),
		tgt("orders", "2026-11", 900),
		tgt("cpc", "2026-11", 0.25, "channel", "paid_search"),
		tgt("cpc", "2026-10-01..2026-11-30", 1.5, "channel", "paid_search"),
		tgt("spend", "2026-11", 1000),
		tgt("spend", "2026-11", 1000, "channel", "paid_search"),
		tgt("spend", "2026-11", 800, "channel", "display"),
		tgt("revenue", "2026-11", 20000),
		tgt("revenue", "2026-11", 4000, "channel", "paid_search"),
		tgt("revenue", "2026-11", 1000, "channel", "referral"),
		tgt("revenue", "2026-11", 1500, "channel", "email"),
		tgt("revenue", "2026-10", 5000),
		tgt("revenue", "2024-Q4", 9000),
		tgt("revenue", "2024-12-15..2025-01-31", 9000, "channel", "email"),
		tgt("spend", "2026-11-01..2026-11-20", 700, "channel", "paid_search"),
		tgt("spend", "2026-11-15..2026-11-30", 500, "channel", "paid_search"),
		tgt("revenue", "2026-11", 2000, "channel", "paid_serch"),
		tgt("revenue", "2027", 2000, "channel", "paid_search"),
		tgt("leads", "2026-11", 100),
		tgt("revenue", "2026-11", 10, "campaign", "WeChat moments"),
	}, []goals.Budget{{Channel: "paid_search", Period: "2026-11", Amount: 1000}, {Channel: "wechat_ads", Period: "2026-11", Amount: 1}})
	got, err := goals.Lint(t.Context(), &goals.Loader{Q: db.SQL()}, plan, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		t.Logf("%s %s\n  %s\n  %s", f.Severity, f.Code, f.EN, f.ZH)
	}
	codes := map[string]bool{}
	for _, f := range got {
		codes[f.Code] = true
		if f.EN == "" || f.ZH == "" {
			t.Errorf("%s line %d: EN %q, ZH %q", f.Code, f.Line, f.EN, f.ZH)
		}
		if f.ZH == f.EN || !strings.ContainsAny(f.ZH, "目预") {
			t.Errorf("%s line %d: ZH is not Chinese: %q", f.Code, f.Line, f.ZH)
		}
		if !strings.Contains(f.EN, fmt.Sprintf("line %d", f.Line)) || !strings.Contains(f.ZH, fmt.Sprintf("第 %d 行", f.Line)) {
			t.Errorf("%s: a message lacks its line %d:\n%s\n%s", f.Code, f.Line, f.EN, f.ZH)
		}
		switch f.Severity {
		case goals.SeverityError, goals.SeverityWarning, goals.SeverityInfo:
		default:
			t.Errorf("%s: severity %q", f.Code, f.Severity)
		}
		switch f.Check {
		case "specific", "measurable", "attainable", "relevant", "time_bound", "budget":
		default:
			t.Errorf("%s: check %q", f.Code, f.Check)
		}
	}
	for _, c := range []string{"unknown_scope", "no_data", "no_history", "unattainable", "sandbagged", "children_exceed_parent",
		"children_short_of_parent", "overlapping_period", "ended", "before_data", "planned_roas"} {
		if !codes[c] {
			t.Errorf("no %s finding:\n%s", c, dumpFindings(got))
		}
	}
}

func dumpFindings(fs []goals.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s/%s line %d: %s\n", f.Severity, f.Check, f.Code, f.Line, f.EN)
	}
	return b.String()
}
