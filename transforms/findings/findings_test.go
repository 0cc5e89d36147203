package findings_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/findings"
	"github.com/pacerhq/pacer/warehouse"
)

// run builds marts.findings with the given rules over a hand-made
// marts.kpi_daily (created by setup) and returns "rule|scope|kind" rows in
// rank order.
func run(t *testing.T, setup string, rules ...findings.Rule) []string {
	t.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "pacer.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL().ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS marts; "+setup); err != nil {
		t.Fatal(err)
	}
	r := transforms.New(nil, transforms.Vars{Currency: "CNY", Timezone: "UTC", AttributionLookbackDays: 30}, nil)
	r.AddGoModel(&findings.Model{Currency: "CNY", Rules: rules})
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := r.Transform(ctx, conn, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT rule || '|' || scope || '|' || kind || '|' || title FROM marts.findings ORDER BY rank")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func rule(name string) findings.Rule {
	for _, r := range findings.Rules {
		if r.Name == name {
			return r
		}
	}
	panic(name)
}

// kpi builds 70 days (2026-01-01 .. 2026-03-11) of one channel: 1,000
// sessions and 100 of spend a day; orders per day before and during the
// last 14 days as given.
func kpi(channel string, ordersBefore, ordersLast int, spendLast float64) string {
	return `INSERT INTO marts.kpi_daily SELECT CAST(d AS DATE), '` + channel + `', 1000,
		CASE WHEN d > DATE '2026-02-25' THEN ` + itoa(ordersLast) + ` ELSE ` + itoa(ordersBefore) + ` END,
		CASE WHEN d > DATE '2026-02-25' THEN ` + ftoa(spendLast) + ` ELSE 100 END,
		CASE WHEN d > DATE '2026-02-25' THEN ` + itoa(ordersLast) + ` ELSE ` + itoa(ordersBefore) + ` END * 50.0
		FROM range(DATE '2026-01-01', DATE '2026-03-12', INTERVAL 1 DAY) AS t(d);`
}

const kpiTable = `CREATE TABLE marts.kpi_daily (date DATE, channel VARCHAR, sessions BIGINT, orders BIGINT, spend DECIMAL(18,2), revenue DECIMAL(18,2));`

func TestConversionRateDrop(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		// 50 → 30 orders per 1,000 sessions (−40%, z ≈ −9) with spend held.
		{"a clear drop with spend held is an execution finding", kpi("paid_social", 50, 30, 100),
			[]string{"conversion_rate_drop|channel=paid_social|execution|paid_social turns 40% fewer of its sessions into orders"}},
		// −10% is within what a channel does from week to week.
		{"a small drop is not", kpi("paid_social", 50, 45, 100), nil},
		// Spend halved: fewer orders per session can be the cheaper traffic left.
		{"a drop while spend was cut is not", kpi("paid_social", 50, 30, 50), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, kpiTable+tt.data, rule("conversion_rate_drop"))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("got %q, want it to start with %q", got[i], tt.want[i])
				}
			}
		})
	}
}

// Weekly ROAS 4, 3.5, 3, 2.5 over the four weeks to Sunday 2026-03-08
// (the data ends on Wednesday 11 March, so that week is not complete).
func TestROASFallingThreeWeeks(t *testing.T) {
	data := kpiTable + `INSERT INTO marts.kpi_daily SELECT CAST(d AS DATE), 'display', 100, 1, 100,
		CASE WHEN d <= DATE '2026-02-15' THEN 400 WHEN d <= DATE '2026-02-22' THEN 350 WHEN d <= DATE '2026-03-01' THEN 300 ELSE 250 END
		FROM range(DATE '2026-02-09', DATE '2026-03-12', INTERVAL 1 DAY) AS t(d);
		INSERT INTO marts.kpi_daily SELECT CAST(d AS DATE), 'email', 100, 1, 100, 300
		FROM range(DATE '2026-02-09', DATE '2026-03-12', INTERVAL 1 DAY) AS t(d);`
	got := run(t, data, rule("roas_falling"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "roas_falling|channel=display|execution|display ROAS fell three weeks in a row, from 4.00 to 2.50") {
		t.Errorf("got %v", got)
	}
}

func TestRankPutsNewExecutionFirst(t *testing.T) {
	f := []findings.Finding{
		{Rule: "target_off_track", Class: 4, Impact: 1e6, Scope: "a"},
		{Rule: "conversion_rate_drop", Class: 1, Impact: 2e4, Scope: "b"},
		{Rule: "roas_falling", Class: 1, Impact: 3e4, Scope: "c"},
		{Rule: "target_gap_driver", Class: 2, Impact: 5e5, Scope: "d"},
	}
	findings.Rank(f)
	var order []string
	for _, x := range f {
		order = append(order, x.Scope)
	}
	if strings.Join(order, "") != "cbda" {
		t.Errorf("order %v", order)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Weekly sums (marts.reconciliation_summary): over the four complete weeks
// 2026-02-09 to 2026-03-08 display's platforms claim 4 × 450 = 1,800
// against 4 × 250 = 1,000 booked (+80%, above the 20% tolerance); email
// claims 4 × 275 = 1,100 (+10%). The week before (display +500%) and the
// running week (display 10 against 1,000) do not count.
func TestReconciliationGap(t *testing.T) {
	data := `CREATE TABLE marts.reconciliation_summary AS
		SELECT 'week' AS grain, CAST(w AS DATE) AS period_start, CAST(w + INTERVAL 6 DAY AS DATE) AS period_end, c AS channel,
		       w < DATE '2026-03-09' AS is_complete,
		       CASE WHEN w = DATE '2026-03-09' THEN 10.0 WHEN w = DATE '2026-02-02' AND c = 'display' THEN 1500.0
		            WHEN c = 'display' THEN 450.0 ELSE 275.0 END AS platform_conversion_value,
		       250.0 AS finance_revenue, 20.0 AS tolerance_pct,
		       c = 'display' AND w < DATE '2026-03-09' AS platform_flag
		FROM range(DATE '2026-02-02', DATE '2026-03-10', INTERVAL 7 DAY) AS t(w), (VALUES ('display'), ('email')) AS c(c);`
	got := run(t, data, rule("reconciliation_gap"))
	if len(got) != 1 || got[0] != "reconciliation_gap|channel=display|data|display platforms over-claim conversion value by +80% against finance over the last 4 complete weeks" {
		t.Errorf("got %v", got)
	}
}
