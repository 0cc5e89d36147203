package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The funnel, channel economics and reconciliation sections read their
// marts; names are escaped and missing values show as missing.
func TestRenderShowsEvaluationSections(t *testing.T) {
	db := fixtureDB(t)
	for _, q := range []string{
		`CREATE TABLE marts.reconciliation AS SELECT * FROM (VALUES
			(DATE '2026-11-20', '<b>paid</b>', 100.0, 180.0, 95.0, NULL),
			(DATE '2026-11-21', '<b>paid</b>', 100.0, 150.0, 105.0, NULL),
			(DATE '2026-10-01', '<b>paid</b>', 999.0, 1.0, 1.0, NULL))
			AS t(date, channel, finance_revenue, platform_conversion_value, web_revenue, crm_won_revenue)`,
		`CREATE TABLE marts.funnel AS SELECT * FROM (VALUES
			('month', DATE '2026-11-01', 'email', 0, 0, 100, 5, NULL, 0.05, 500.0, NULL, NULL),
			('month', DATE '2026-10-01', 'email', 0, 0, 100, 9, NULL, 0.09, 900.0, NULL, NULL))
			AS t(period_type, period_start, channel, impressions, clicks, sessions, orders, click_through_rate, session_to_order_rate, revenue, biggest_drop_stage, biggest_drop_change)`,
		`CREATE TABLE marts.channel_economics AS SELECT * FROM (VALUES
			('paid_search', DATE '2026-03-01', 0, 2, 100.0, 30.0, 0.0, NULL),
			('paid_search', DATE '2026-03-01', 2, 2, 100.0, 80.0, 0.5, 2))
			AS t(channel, cohort_month, months_since, new_customers, spend, cumulative_ltv, repeat_purchase_rate, payback_month)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "report")
	if _, err := Render(t.Context(), db, testOptions(dir, "en")); err != nil {
		t.Fatal(err)
	}
	var page string
	for _, name := range []string{"funnel.html", "economics.html", "reconciliation.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		page += string(b)
	}
	for _, want := range []string{
		// 28 days to 21 November: finance 200, platforms 330 (+65%), web 200 (0%).
		`<td class="name">&lt;b&gt;paid&lt;/b&gt;</td><td class="num">¥200.00</td><td class="num">¥330.00</td><td class="num">65.0%</td><td class="num">¥200.00</td><td class="num">0.0%</td><td class="num">–</td>`,
		"2026-10-25 to 2026-11-21",
		// November only; no clicks or impressions: the CTR is missing.
		`<td class="name">email</td><td class="num">0</td><td class="num">0</td><td class="num">100</td><td class="num">5</td><td class="num">–</td><td class="num">5.0%</td><td class="num">¥500.00</td><td>–</td>`,
		// Cohort at month 2: CAC 100/2 = 50, LTV 80, LTV:CAC 1.60, repeat 50%, payback month 2.
		`<td class="name">paid_search</td><td class="num">2</td><td class="num">¥50.00</td><td class="num">¥80.00</td><td class="num">1.60</td><td class="num">50.0%</td><td class="num">2</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>paid</b>") {
		t.Error("an unescaped channel")
	}
}
