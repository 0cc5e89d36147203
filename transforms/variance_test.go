package transforms_test

import (
	"database/sql"
	"math"
	"strings"
	"testing"
	"time"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/goals"
)

// A hand-made marts.kpi_daily: paid_social spends more in February and
// earns less per yuan (spend 100 → 150, revenue 400 → 450, so ROAS 4 → 3);
// organic has no spend; referral had no orders in January. The data ends
// on 10 February, so February's 10 days are compared with 1–10 January.
const varianceFixture = `CREATE TABLE marts.kpi_daily AS SELECT * FROM (VALUES
	(DATE '2026-01-05', 'paid_social', CAST(100 AS DECIMAL(18,2)), 10000, 200, 50, 5, 10, CAST(400 AS DECIMAL(18,2)), 8),
	(DATE '2026-02-10', 'paid_social', 150, 12000, 240, 60, 6, 9, 450, 6),
	(DATE '2026-01-01', 'direct', 0, 0, 0, 0, 0, 0, 0, 0), -- the data starts on 1 January
	(DATE '2026-01-06', 'organic', 0, 0, 0, 100, 4, 4, 200, 2),
	(DATE '2026-02-03', 'organic', 0, 0, 0, 80, 4, 5, 260, 3),
	(DATE '2026-01-07', 'referral', 0, 0, 0, 30, 0, 0, 0, 0),
	(DATE '2026-02-04', 'referral', 0, 0, 0, 40, 2, 2, 90, 2)
) AS t(date, channel, spend, impressions, clicks, sessions, conversions, orders, revenue, new_customers)`

// The CRM of the same company: paid_search leads. In January 10 leads,
// 5 of them deals (3 qualified, 2 won on 3 January); in February 20 leads,
// 8 deals (6 qualified, 2 won on 3 February).
const crmFixture = `CREATE TABLE staging.crm_deals AS
	SELECT DATE '2026-01-02' AS date, CASE WHEN i < 2 THEN DATE '2026-01-03' END AS closed_date, 'paid_social' AS lead_source,
	       CASE WHEN i < 2 THEN 'won' WHEN i < 5 THEN 'qualified' ELSE 'lead' END AS stage, i < 2 AS is_won, CAST(NULL AS DECIMAL(18,2)) AS amount
	FROM range(10) AS t(i)
	UNION ALL
	SELECT DATE '2026-02-02', CASE WHEN i < 2 THEN DATE '2026-02-03' END, 'paid_social',
	       CASE WHEN i < 2 THEN 'won' WHEN i < 8 THEN 'qualified' ELSE 'lead' END, i < 2, NULL
	FROM range(20) AS t(i)`

func TestVarianceAndDriversHandComputed(t *testing.T) {
	_, conn := openDB(t)
	mustExec(t, conn, varianceFixture)
	mustExec(t, conn, crmFixture)
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	var picked []transforms.Model
	for _, m := range models {
		if m.QualifiedName() == "marts.variance" || m.QualifiedName() == "marts.variance_drivers" {
			picked = append(picked, m)
		}
	}
	if len(picked) != 2 {
		t.Fatalf("models: %d", len(picked))
	}
	if _, err := transforms.New(picked, handVars, nil).Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}

	var spend, prev float64
	var lastYear *float64
	if err := conn.QueryRowContext(t.Context(), `SELECT actual, previous_month, last_year FROM marts.variance
		WHERE scope_value = 'paid_social' AND month = DATE '2026-02-01' AND metric = 'spend'`).Scan(&spend, &prev, &lastYear); err != nil {
		t.Fatal(err)
	}
	if spend != 150 || prev != 100 || lastYear != nil {
		t.Errorf("paid_social spend: %v vs %v, last year %v", spend, prev, lastYear)
	}

	// revenue = spend × ROAS: ΔS = 50 at an average ROAS of (4 + 3)/2
	// gives 175; ΔROAS = −1 at an average spend of 125 gives −125; 175 −
	// 125 = 50 = 450 − 400. revenue = sessions × order rate × revenue per
	// order: 50 × 0.2 × 40 → 60 × 0.15 × 50, parts 78.33, −124.17, 95.83.
	// spend = impressions × CPM ÷ 1000: 10,000 × 10 → 12,000 × 12.5, parts
	// 2,000 × 11.25 ÷ 1000 = 22.5 and 2.5 × 11,000 ÷ 1000 = 27.5.
	want := map[string]float64{
		"spend × roas|spend": 175, "spend × roas|roas": -125,
		"sessions × order_rate × revenue_per_order|sessions":          10 * (8.0/3 + 16.0/6 + 7.5/3),
		"sessions × order_rate × revenue_per_order|order_rate":        -0.05 * (2000.0/3 + 4900.0/6 + 3000.0/3),
		"sessions × order_rate × revenue_per_order|revenue_per_order": 10 * (10.0/3 + 19.5/6 + 9.0/3),
		"impressions × cpm|impressions":                               22.5, "impressions × cpm|cpm": 27.5,
		// won = leads × deal rate × win rate: 10 × 0.5 × 0.4 → 20 × 0.4 ×
		// 0.25, both 2 won: the parts 1.475, −0.475 and −1 sum to 0.
		"leads × deal_rate × win_rate|leads":     10 * (0.2/3 + 0.285/6 + 0.1/3),
		"leads × deal_rate × win_rate|deal_rate": -0.1 * (4.0/3 + 10.5/6 + 5.0/3),
		"leads × deal_rate × win_rate|win_rate":  -0.15 * (5.0/3 + 14.0/6 + 8.0/3),
	}
	got := map[string]float64{}
	rows, err := conn.QueryContext(t.Context(), `SELECT decomposition, driver, contribution FROM marts.variance_drivers
		WHERE scope_value = 'paid_social' AND month = DATE '2026-02-01' AND comparison = 'previous_month'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d, drv string
		var c float64
		if err := rows.Scan(&d, &drv, &c); err != nil {
			t.Fatal(err)
		}
		got[d+"|"+drv] = c
	}
	rows.Close()
	for k, w := range want {
		if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d parts, want %d: %v", len(got), len(want), got)
	}

	// Every decomposition sums to the change; no spend means no spend ×
	// roas split (organic), no orders in January no funnel split (referral).
	sums := queryStrings(t, conn, `SELECT scope_value || '|' || comparison || '|' || decomposition || '|' ||
			CAST(round(sum(contribution) - any_value(metric_change), 9) AS VARCHAR)
		FROM marts.variance_drivers WHERE month = DATE '2026-02-01' GROUP BY scope_value, comparison, decomposition ORDER BY 1`)
	for _, s := range sums {
		if !strings.HasSuffix(s, "|0.0") && !strings.HasSuffix(s, "|-0.0") {
			t.Errorf("parts do not sum to the change: %s", s)
		}
		if strings.HasPrefix(s, "organic|") && strings.Contains(s, "spend × roas") || strings.HasPrefix(s, "referral|") && strings.Contains(s, "sessions ×") {
			t.Errorf("a split with an undefined ratio: %s", s)
		}
	}

	// No NaN or Inf anywhere: undefined ratios are NULL.
	for _, q := range []string{
		`SELECT count(*) FROM marts.variance WHERE isnan(actual) OR isinf(actual) OR isnan(previous_month) OR isinf(previous_month)
			OR isnan(change_pct_vs_previous_month) OR isinf(change_pct_vs_previous_month)`,
		`SELECT count(*) FROM marts.variance_drivers WHERE isnan(contribution) OR isinf(contribution) OR isnan(share_of_change) OR isinf(share_of_change)`,
	} {
		if n := queryStrings(t, conn, "SELECT CAST(("+q+") AS VARCHAR)"); n[0] != "0" {
			t.Errorf("%s: %s rows", q, n[0])
		}
	}
	// A channel without spend has no ROAS row (rather than Inf), and its
	// revenue is still compared.
	if n := queryStrings(t, conn, `SELECT CAST(count(*) FILTER (WHERE metric = 'roas') AS VARCHAR) || ' ' ||
			CAST(count(*) FILTER (WHERE metric = 'revenue') AS VARCHAR) FROM marts.variance WHERE scope_value = 'organic'`); n[0] != "0 2" {
		t.Errorf("organic roas and revenue rows: %s, want 0 and 2", n[0])
	}
}

// Labels without budgets: spend is the plan ('no budget set'), every
// other factor execution.
func TestVarianceDriverLabelsWithoutBudget(t *testing.T) {
	conn := varianceDrivers(t, nil)
	got := queryStrings(t, conn, `SELECT concat_ws('|', driver, label, label_reason, coalesce(CAST(budget_actual AS VARCHAR), 'NULL'))
		FROM marts.variance_drivers
		WHERE scope_value = 'paid_social' AND month = DATE '2026-02-01' AND comparison = 'previous_month' AND decomposition = 'spend × roas'
		ORDER BY driver`)
	want := []string{
		"roas|execution|efficiency: revenue per unit of spend is delivered, not planned|NULL",
		"spend|strategy|no budget set; spend change taken as planned|NULL",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := queryStrings(t, conn, `SELECT CAST(count(*) AS VARCHAR) FROM marts.variance_drivers
		WHERE label IS NULL OR label_reason IS NULL OR (driver <> 'spend') <> (label = 'execution')`); n[0] != "0" {
		t.Errorf("%s rows break the labels rule", n[0])
	}
}

// varianceDrivers builds marts.variance and marts.variance_drivers over
// the variance fixture, then the goals model with budgets (nil: none).
func varianceDrivers(t *testing.T, budgets []goals.Budget) *sql.Conn {
	t.Helper()
	_, conn := openDB(t)
	mustExec(t, conn, varianceFixture)
	mustExec(t, conn, crmFixture)
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	var picked []transforms.Model
	for _, m := range models {
		if m.QualifiedName() == "marts.variance" || m.QualifiedName() == "marts.variance_drivers" {
			picked = append(picked, m)
		}
	}
	r := transforms.New(picked, handVars, nil)
	if budgets != nil {
		plan := &goals.Plan{File: "targets.yaml", Budgets: budgets}
		for i := range plan.Budgets {
			plan.Budgets[i].Line = i + 1
		}
		plan.Defaults()
		if err := plan.Check(); err != nil {
			t.Fatal(err)
		}
		r.AddGoModel(&goals.Model{Plan: plan, AsOf: time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), Currency: "CNY"})
	}
	if _, err := r.Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}
	return conn
}

// Spend rises (100 → 150 over 1–10 January and 1–10 February) while
// efficiency falls (ROAS 4 → 3): the spend part is 50 × 3.5 = 175 and the
// ROAS part −1 × 125 = −125. With budgets, the spend part is split at the
// same average ROAS (3.5) into the budget change (strategy) and spend
// against budget (execution).
func TestVarianceDriverLabelsByBudget(t *testing.T) {
	tests := []struct {
		name    string
		budgets []goals.Budget
		// paid_social rows: driver|label|contribution|budget_baseline|budget_actual
		channel []string
		// the company: spend 100 → 150, revenue 600 → 800 (organic and
		// referral have no spend), ROAS 6 → 16/3, mean 17/3
		company []string
	}{
		{
			// January 310 (10 a day: 100 for 1–10), February 560 (20 a
			// day: 200). The plan doubled spend: +100 × 3.5 = +350; paid
			// social spent 50 under budget where it had spent on budget:
			// −50 × 3.5 = −175; 350 − 175 − 125 = 50.
			name:    "budgets on both sides",
			budgets: []goals.Budget{{Channel: "paid_social", Period: "2026-01", Amount: 310}, {Channel: "paid_social", Period: "2026-02", Amount: 560}},
			channel: []string{
				"roas|execution|-125.000000|NULL|NULL",
				"spend_budget_change|strategy|350.000000|100.000000|200.000000",
				"spend_vs_budget|execution|-175.000000|100.000000|200.000000",
			},
			company: []string{
				"roas|execution|-83.333333|NULL|NULL",
				"spend_budget_change|strategy|566.666667|100.000000|200.000000",
				"spend_vs_budget|execution|-283.333333|100.000000|200.000000",
			},
		},
		{
			// Only February has a budget, 392 (14 a day: 140). January's
			// spend (100) is its plan: (140 − 100) × 3.5 = 140 strategy,
			// (150 − 140) × 3.5 = 35 execution (overspent).
			name:    "a budget this month only",
			budgets: []goals.Budget{{Channel: "paid_social", Period: "2026-02", Amount: 392}},
			channel: []string{
				"roas|execution|-125.000000|NULL|NULL",
				"spend_budget_change|strategy|140.000000|100.000000|140.000000",
				"spend_vs_budget|execution|35.000000|100.000000|140.000000",
			},
			company: []string{
				"roas|execution|-83.333333|NULL|NULL",
				"spend_budget_change|strategy|226.666667|100.000000|140.000000",
				"spend_vs_budget|execution|56.666667|100.000000|140.000000",
			},
		},
		{
			// A budget for another channel only: paid social, which spent,
			// has none, so neither it nor the company is split.
			name:    "a budget elsewhere",
			budgets: []goals.Budget{{Channel: "display", Period: "2026-02", Amount: 280}},
			channel: []string{"roas|execution|-125.000000|NULL|NULL", "spend|strategy|175.000000|NULL|NULL"},
			company: []string{"roas|execution|-83.333333|NULL|NULL", "spend|strategy|283.333333|NULL|NULL"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := varianceDrivers(t, tc.budgets)
			q := func(scope string) []string {
				return queryStrings(t, conn, `SELECT concat_ws('|', driver, label, printf('%.6f', contribution),
						coalesce(printf('%.6f', budget_baseline), 'NULL'), coalesce(printf('%.6f', budget_actual), 'NULL'))
					FROM marts.variance_drivers
					WHERE scope_value = '`+scope+`' AND month = DATE '2026-02-01' AND comparison = 'previous_month' AND decomposition = 'spend × roas'
					ORDER BY driver`)
			}
			for scope, want := range map[string][]string{"paid_social": tc.channel, "company": tc.company} {
				if got := q(scope); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:\ngot\n%s\nwant\n%s", scope, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			// The parts still sum exactly to the change, everywhere.
			sums := queryStrings(t, conn, `SELECT scope_value || '|' || month || '|' || comparison || '|' || decomposition || '|' ||
					CAST(round(sum(contribution) - any_value(metric_change), 9) AS VARCHAR)
				FROM marts.variance_drivers GROUP BY scope_value, month, comparison, decomposition ORDER BY 1`)
			for _, s := range sums {
				if !strings.HasSuffix(s, "|0.0") && !strings.HasSuffix(s, "|-0.0") {
					t.Errorf("parts do not sum to the change: %s", s)
				}
			}
			if n := queryStrings(t, conn, `SELECT CAST(count(*) AS VARCHAR) FROM marts.variance_drivers
				WHERE isnan(contribution) OR isinf(contribution) OR isnan(share_of_change) OR isinf(share_of_change)
				   OR label IS NULL OR label_reason IS NULL`); n[0] != "0" {
				t.Errorf("%s rows with NaN, Inf or no label", n[0])
			}
		})
	}
}
