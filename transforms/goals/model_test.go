package goals_test

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/goals"
	"github.com/pacerhq/pacer/warehouse"
)

// kpiFixture is a marts.kpi_daily of 1–10 January 2026: paid_search
// spends 1,000 a day and brings 6,000 of revenue and 10 new customers;
// email brings 3,000 of revenue. The company makes 9,000 a day.
const kpiFixture = `CREATE TABLE marts.kpi_daily AS
SELECT CAST(d AS DATE) AS date, c.channel, c.campaign_id, c.campaign_name, c.platform,
       c.spend, c.revenue, c.new_customers, c.orders
FROM range(DATE '2026-01-01', DATE '2026-01-11', INTERVAL 1 DAY) AS t(d),
     (VALUES ('paid_search', 'g1', 'Brand', 'google_ads', 1000.0, 6000.0, 10, 60),
             ('email', '(none)', '(none)', NULL, 0.0, 3000.0, 0, 30)) AS c(channel, campaign_id, campaign_name, platform, spend, revenue, new_customers, orders)`

func TestModelWritesMartsOnARealWarehouse(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS marts; "+kpiFixture); err != nil {
		t.Fatal(err)
	}
	plan := &goals.Plan{File: "targets.yaml",
		Targets: []goals.Target{
			{Metric: "revenue", Period: "2026-01", Value: 310000, Owner: "a", Team: "growth", Line: 2},
			{Metric: "revenue", Period: "2026-01", Scope: map[string]string{"channel": "email"}, Value: 93000, Owner: "b", Team: "growth", Line: 8},
			{Metric: "cac", Period: "2026-01", Scope: map[string]string{"channel": "paid_search"}, Value: 80, Owner: "a", Team: "growth", Line: 14},
		},
		Budgets:    []goals.Budget{{Channel: "paid_search", Period: "2026-01", Amount: 31000, Line: 20}},
		Incentives: []goals.Incentive{{Team: "growth", Base: 10000, Rule: "linear", Threshold: 0.8, Cap: 1.5}},
	}
	plan.Defaults()
	if err := plan.Check(); err != nil {
		t.Fatal(err)
	}
	r := transforms.New(nil, transforms.Vars{Currency: "CNY", Timezone: "UTC", AttributionLookbackDays: 30}, nil)
	r.AddGoModel(&goals.Model{Plan: plan, AsOf: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), Currency: "CNY"})
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Transform(ctx, conn, nil)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, m := range res.Models {
		rows[m.Name] = m.Rows
	}
	// 3 targets × 31 days; 1 budget; team growth + owners a and b.
	for name, want := range map[string]int64{"marts.targets_vs_actuals": 93, "marts.budget_pacing": 1, "marts.team_scorecard": 3, "meta.targets": 3} {
		if rows[name] != want {
			t.Errorf("%s: %d rows, want %d", name, rows[name], want)
		}
	}

	q := func(query string, dest ...any) {
		t.Helper()
		if err := db.SQL().QueryRowContext(ctx, query).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	type standing struct {
		actual, expected, pace, forecast, req float64
		status                                string
		left                                  int
	}
	latest := func(id int) standing {
		var s standing
		q(`SELECT actual_to_date, expected_to_date, pace_index, forecast_linear, required_daily, status, days_left
			FROM marts.targets_vs_actuals WHERE is_latest AND target_id = `+strconv.Itoa(id),
			&s.actual, &s.expected, &s.pace, &s.forecast, &s.req, &s.status, &s.left)
		return s
	}
	// Company revenue: the hand-computed case.
	if s := latest(1); !near(s.actual, 90000) || !near(s.expected, 100000) || !near(s.pace, 0.9) || !near(s.forecast, 279000) ||
		!near(s.req, 220000.0/21) || s.status != "at_risk" || s.left != 21 {
		t.Errorf("company revenue: %+v", s)
	}
	// The email scope sees only email: 10 × 3,000 against 93,000 × 10/31.
	if s := latest(2); !near(s.actual, 30000) || !near(s.expected, 30000) || !near(s.pace, 1) || s.status != "on_track" {
		t.Errorf("email revenue: %+v", s)
	}
	// CAC 100 against a ceiling of 80: pace 80/100.
	if s := latest(3); !near(s.actual, 100) || !near(s.pace, 0.8) || s.status != "off_track" {
		t.Errorf("paid search CAC: %+v", s)
	}
	// Days after as_of carry the curve but no actuals.
	var future sql.NullFloat64
	var futureExpected float64
	q(`SELECT actual_to_date, expected_to_date FROM marts.targets_vs_actuals WHERE target_id = 1 AND date = DATE '2026-01-31'`, &future, &futureExpected)
	if future.Valid || !near(futureExpected, 310000) {
		t.Errorf("last day: actual %v, expected %v", future, futureExpected)
	}

	var planned, actual, pace float64
	var status string
	q(`SELECT planned, actual_to_date, pace_index, status FROM marts.budget_pacing`, &planned, &actual, &pace, &status)
	if planned != 31000 || actual != 10000 || !near(pace, 1) || status != "on_plan" {
		t.Errorf("budget: planned %v actual %v pace %v %s", planned, actual, pace, status)
	}

	// Team growth: projected attainments 0.9, 1.0 and 0.8 weigh equally:
	// 0.9, above the 0.8 threshold: 10,000 × 0.9.
	var att, payout float64
	var calc string
	q(`SELECT weighted_attainment, payout, payout_calculation FROM marts.team_scorecard WHERE level = 'team'`, &att, &payout, &calc)
	if !near(att, 0.9) || !near(payout, 9000) || calc == "" {
		t.Errorf("team: attainment %v payout %v (%s)", att, payout, calc)
	}
	var best string
	var bestAtt float64
	q(`SELECT owner, weighted_attainment FROM marts.team_scorecard WHERE level = 'owner' AND rank = 1`, &best, &bestAtt)
	if best != "b" || !near(bestAtt, 1) {
		t.Errorf("best owner %s at %v, want b at 1", best, bestAtt)
	}

	// Every column of every table the model writes has a comment.
	var missing int
	q(`SELECT count(*) FROM duckdb_columns() WHERE (schema_name, table_name) IN
		(('marts', 'targets_vs_actuals'), ('marts', 'budget_pacing'), ('marts', 'team_scorecard'), ('meta', 'targets'), ('meta', 'metrics'))
		AND coalesce(comment, '') = ''`, &missing)
	if missing != 0 {
		t.Errorf("%d columns without a comment", missing)
	}
}

func TestModelWithoutTargetsWritesEmptyTables(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := transforms.New(nil, transforms.Vars{Currency: "CNY", Timezone: "UTC", AttributionLookbackDays: 30}, nil)
	r.AddGoModel(&goals.Model{AsOf: time.Now(), Currency: "CNY"})
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	if _, err := r.Transform(ctx, conn, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM marts.targets_vs_actuals").Scan(&n); err != nil || n != 0 {
		t.Errorf("targets_vs_actuals: %d rows, %v", n, err)
	}
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want)) }

// Survey and market metrics: NPS from monthly surveys weighted by sample
// size, and market share against a monthly market benchmark spread over
// its days.
func TestSurveyAndMarketTargets(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	setup := "CREATE SCHEMA IF NOT EXISTS marts; " + kpiFixture + `;
		CREATE SCHEMA IF NOT EXISTS staging;
		CREATE TABLE staging.survey_metrics AS SELECT * FROM (VALUES
			('2026-01', 'nps', 30.0, 100), ('2026-02', 'nps', 40.0, 300), ('2026-02', 'brand_awareness', 0.2, 1000))
			AS t(period, metric, value, sample_size);
		CREATE TABLE staging.market_benchmarks AS SELECT * FROM (VALUES
			('2026-01', 'market_revenue', 3100000.0, 'panel'), ('2026-01', 'competitor_spend', 93000.0, 'panel'))
			AS t(period, metric, value, source);
		CREATE TABLE staging.crm_deals AS SELECT * FROM (VALUES
			(DATE '2026-01-02', DATE '2026-01-05', true, 1000.0, 'zhang.min', 'sales', 'email'),
			(DATE '2026-01-03', DATE '2026-01-08', true, 2000.0, 'zhang.min', 'sales', 'email'),
			(DATE '2026-01-04', DATE '2026-01-09', false, 9000.0, 'zhang.min', 'sales', 'referral'),
			(DATE '2026-01-04', NULL, false, 4000.0, 'zhang.min', 'sales', 'referral'),
			(DATE '2026-01-05', DATE '2026-01-06', true, 5000.0, 'liu.yang', 'sales', 'email'))
			AS t(date, closed_date, is_won, amount, owner, team, lead_source)`
	if _, err := db.SQL().ExecContext(ctx, setup); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		target       goals.Target
		asOf         string
		actual, pace float64
	}{
		// Only January's survey has ended by 27 February: 30 against 35.
		{"nps before February's survey", goals.Target{Metric: "nps", Period: "2026-Q1", Value: 35}, "2026-02-27", 30, 30.0 / 35},
		// (30 × 100 + 40 × 300) ÷ 400 = 37.5 against 35.
		{"nps weighted by sample size", goals.Target{Metric: "nps", Period: "2026-Q1", Value: 35}, "2026-02-28", 37.5, 37.5 / 35},
		// 10 days of 9,000 against 10 days of 3,100,000 ÷ 31 = 100,000.
		{"market share over the benchmark's days", goals.Target{Metric: "market_share", Period: "2026-01", Value: 0.1}, "2026-01-10", 0.09, 0.9},
		// Spend 10,000 against competitors' 93,000 × 10/31 = 30,000: 10,000 ÷ 40,000.
		// zhang.min won 1,000 and 2,000 by 10 January: 3,000 against
		// 6,200 × 10/31 = 2,000.
		{"won revenue of an owner", goals.Target{Metric: "won_revenue", Period: "2026-01", Value: 6200, Scope: map[string]string{"owner": "zhang.min"}}, "2026-01-10", 3000, 1.5},
		// 2 won of 3 closed (the open deal does not count).
		{"win rate of an owner", goals.Target{Metric: "win_rate", Period: "2026-01", Value: 0.5, Scope: map[string]string{"owner": "zhang.min"}}, "2026-01-10", 2.0 / 3, 4.0 / 3},
		// 4 leads created by the sales team to 4 January, against 31 × 4/31.
		{"leads of a team", goals.Target{Metric: "leads", Period: "2026-01", Value: 31, Scope: map[string]string{"team": "sales"}}, "2026-01-04", 4, 4.0 / 4},
		{"share of voice", goals.Target{Metric: "share_of_voice", Period: "2026-01", Value: 0.2}, "2026-01-10", 0.25, 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := &goals.Plan{File: "targets.yaml", Targets: []goals.Target{tt.target}}
			plan.Defaults()
			if err := plan.Check(); err != nil {
				t.Fatal(err)
			}
			asOf, _ := time.Parse(time.DateOnly, tt.asOf)
			ev, err := goals.Evaluate(ctx, &goals.Loader{Q: db.SQL()}, plan, asOf)
			if err != nil {
				t.Fatal(err)
			}
			d := ev.Targets[0].Latest(asOf)
			if !near(d.ActualToDate, tt.actual) || !near(d.PaceIndex, tt.pace) {
				t.Errorf("actual %v pace %v, want %v and %v", d.ActualToDate, d.PaceIndex, tt.actual, tt.pace)
			}
		})
	}
}

// A paid social revenue target for January of 15,500 with a budget of
// 3,100. The 8 weeks before January ran at ROAS 4 (100 a day of spend, 400
// of revenue); January's first 10 days spend 80 a day at ROAS 3. To date:
// expected E = 15,500 × 10/31 = 5,000, actual A = 2,400, gap −2,600;
// budget B = 1,000, so the plan delivers P = B × 4 = 4,000: strategy
// −1,000 (the target asks more than the budget buys); spend (800 − 1,000)
// × (4 + 3)/2 = −700 and ROAS (3 − 4) × (1,000 + 800)/2 = −900 (execution).
func TestTargetVarianceSplitsStrategyFromExecution(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS marts;
		CREATE TABLE marts.kpi_daily AS
		SELECT CAST(d AS DATE) AS date, 'paid_social' AS channel, 'm1' AS campaign_id, 'Prospecting' AS campaign_name, 'meta' AS platform,
		       CASE WHEN d < DATE '2026-01-01' THEN 100.0 ELSE 80.0 END AS spend,
		       CASE WHEN d < DATE '2026-01-01' THEN 400.0 ELSE 240.0 END AS revenue
		FROM range(DATE '2025-11-06', DATE '2026-01-11', INTERVAL 1 DAY) AS t(d)`); err != nil {
		t.Fatal(err)
	}
	plan := &goals.Plan{File: "targets.yaml",
		Targets: []goals.Target{{Metric: "revenue", Period: "2026-01", Scope: map[string]string{"channel": "paid_social"}, Value: 15500, Owner: "chen", Team: "growth"}},
		Budgets: []goals.Budget{{Channel: "paid_social", Period: "2026-01", Amount: 3100}},
	}
	plan.Defaults()
	if err := plan.Check(); err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	l := &goals.Loader{Q: db.SQL()}
	ev, err := goals.Evaluate(ctx, l, plan, asOf)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := goals.TargetVariances(ctx, l, plan, ev, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d variances", len(vs))
	}
	v := vs[0]
	if !near(v.Gap(), -2600) || !near(v.UsualROAS, 4) || !near(v.ActualROAS, 3) || !near(v.Budget, 1000) {
		t.Errorf("gap %v usual %v actual %v budget %v", v.Gap(), v.UsualROAS, v.ActualROAS, v.Budget)
	}
	want := []struct {
		kind string
		c    float64
	}{{"strategy", -1000}, {"execution", -700}, {"execution", -900}}
	sum := 0.0
	for i, p := range v.Parts {
		if p.Kind != want[i].kind || !near(p.Contribution, want[i].c) {
			t.Errorf("part %d: %s %v, want %s %v", i, p.Kind, p.Contribution, want[i].kind, want[i].c)
		}
		sum += p.Contribution
	}
	if !near(sum, v.Gap()) {
		t.Errorf("parts sum to %v, gap %v", sum, v.Gap())
	}
	if got := v.Explain(v.Parts[2], "CNY"); got != "35% of the gap of revenue · channel=paid_social · 2026-01 (−CNY 900 of −CNY 2,600 behind): ROAS against the usual (execution)" {
		t.Errorf("explanation: %s", got)
	}
}
