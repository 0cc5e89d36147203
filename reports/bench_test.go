package reports

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// benchSQL fills marts.kpi_daily with 400 days × 40 campaigns (16,000 rows)
// over 8 channels, the last 3 days provisional, with NULL ratios where a
// denominator is 0, plus a few meta rows.
const benchSQL = `
INSERT INTO marts.kpi_daily
SELECT DATE '2024-01-01' + d::INTEGER AS date,
       ['paid_search','paid_social','short_video','display','email','organic','affiliate','direct'][c % 8 + 1] AS channel,
       CASE WHEN c % 8 < 4 THEN ['google_ads','meta','tiktok','microsoft_ads'][c % 4 + 1] END AS platform,
       'c' || c, 'Campaign ' || c,
       CASE WHEN c % 8 < 4 THEN ((d * 7 + c * 13) % 500 + 20)::DECIMAL(18,2) ELSE 0 END AS spend,
       1000 + d + c, 50 + c, NULL, NULL, NULL, 3.5, 100.00,
       300 + (d + c) % 200 AS sessions, 250, (d + c) % 9 AS conversions, NULL,
       (d * c) % 7 AS orders,
       ((d * c) % 7 * 80)::DECIMAL(18,2), ((d + c) % 3 * 5)::DECIMAL(18,2),
       ((d * c) % 7 * 80 - (d + c) % 3 * 5)::DECIMAL(18,2),
       NULL, (d * c) % 3, (d * c) % 4, NULL, NULL,
       d >= 397
FROM range(400) t1(d), range(40) t2(c);
INSERT INTO meta.check_results VALUES
  (1, TIMESTAMPTZ '2025-02-04 05:59:00+00', 'not_null:marts.kpi_daily.date', 'marts.kpi_daily', 'date', 'not_null', 'error', 'pass', 0, ''),
  (1, TIMESTAMPTZ '2025-02-04 05:59:00+00', 'unique:marts.kpi_daily.key', 'marts.kpi_daily', NULL, 'unique', 'error', 'fail', 2, 'dupes');
INSERT INTO meta.stream_state VALUES
  ('google_ads', 'ad_performance', 'ad_performance', 'raw.google_ads__ad_performance', '{}', TIMESTAMPTZ '2025-02-04 05:57:00+00', 1, DATE '2025-02-03', DATE '2025-02-01');
`

// benchGoalsSQL fills the goals tables: 60 targets paced over a year each
// (21,900 rows of marts.targets_vs_actuals, one is_latest per target), 48
// budgets and a scorecard of 8 teams and 30 owners.
const benchGoalsSQL = `
INSERT INTO meta.metrics (metric, unit) VALUES ('revenue', 'money'), ('roas', 'ratio'), ('orders', 'count');
INSERT INTO marts.targets_vs_actuals (target_id, target, metric, scope, period, period_start, period_end, owner, team,
    direction, target_value, curve, date, days_left, is_latest, actual_to_date, expected_to_date, attainment, pace_index,
    forecast, forecast_low, forecast_high, projected_attainment, required_daily, status, as_of)
SELECT t, ['revenue', 'roas', 'orders'][t % 3 + 1] || ' · channel=c' || t || ' · 2024', ['revenue', 'roas', 'orders'][t % 3 + 1],
       'channel=c' || t, '2024', DATE '2024-01-01', DATE '2024-12-31', 'owner' || (t % 30), 'team' || (t % 8),
       'higher', 1000000 + t, 'linear', DATE '2024-01-01' + d::INTEGER, 365 - d, d = 33,
       1000 * d + t, 1000 * d, d / 366, 0.9 + (t % 20) / 100, 1000000, 900000, 1100000, 0.95, 2500,
       ['on_track', 'at_risk', 'off_track'][t % 3 + 1], DATE '2024-02-03'
FROM range(1, 61) t1(t), range(365) t2(d);
INSERT INTO marts.budget_pacing
SELECT b, 'channel' || (b % 8), '2024-' || lpad((b % 12 + 1)::VARCHAR, 2, '0'), DATE '2024-01-01', DATE '2024-01-31',
       10000, 5000 + b, 5000, 1 + b / 1000, 10000 + b, b, b / 10000, 5000 - b, 300, 15, 16,
       ['on_plan', 'overspending', 'underspending'][b % 3 + 1], false, DATE '2024-02-03'
FROM range(1, 49) t(b);
INSERT INTO marts.team_scorecard (level, team, owner, rank, targets, on_track, at_risk, off_track, weighted_attainment,
    weighted_pace, weighted_pace_7d_ago, pace_change_7d, detail, payout_rule, payout, payout_basis, payout_calculation, as_of)
SELECT CASE WHEN i < 8 THEN 'team' ELSE 'owner' END, 'team' || (i % 8), CASE WHEN i >= 8 THEN 'owner' || i END,
       i + 1, 5, 2, 2, 1, 0.9 + i / 100, 0.95, 0.97, -0.02, 'detail', CASE WHEN i < 8 THEN 'linear' END,
       CASE WHEN i < 8 THEN 18000 + i END, 'projected', 'calculation', DATE '2024-02-03'
FROM range(38) t(i);
`

// BenchmarkRender renders the whole bundle (queries, every page, CSVs,
// assets, manifest, swap, the run's snapshot) from 400 days × 40 campaigns
// of marts.kpi_daily, the goals tables of 60 targets and the other marts.
func BenchmarkRender(b *testing.B) {
	db := benchDB(b)
	const rows = 400 * 40
	dir := filepath.Join(b.TempDir(), "report")
	opts := Options{Dir: dir, RunID: 1, Company: "Bench Co", Currency: "USD", Language: "en", Now: fixedNow}
	for b.Loop() {
		if _, err := Render(b.Context(), db, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchMartsSQL fills the findings, attribution and evaluation marts at the
// demo's scale or above: 8 models × 8 channels × 13 months of attribution,
// 13 months of funnel, 400 days of reconciliation, 13 cohorts × 12 months
// of channel economics, 9 segments × 8 channels, 20 findings.
const benchMartsSQL = `
CREATE TABLE marts.findings AS
SELECT i AS rank, 'rule' || (i % 7) AS rule, ['execution', 'strategy', 'monitoring', 'data'][i % 4 + 1] AS kind,
       'channel=c' || i AS scope, 'Finding ' || i AS title, 'detail ' || i AS detail, 1000.0 * i AS impact
FROM range(1, 21) t(i);
CREATE TABLE marts.attribution_by_channel AS
SELECT ['first_touch','last_touch','last_non_direct','linear','time_decay','position_based','markov','shapley'][m + 1] AS model,
       strftime(DATE '2024-01-01' + INTERVAL (p) MONTH, '%Y-%m') AS period,
       ['paid_search','paid_social','short_video','display','email','organic','affiliate','direct'][c + 1] AS channel,
       10.0 + m + c AS conversions, 1000.0 * (c + 1) AS value, 200.0 * (c + 1) AS spend, 5.0 / (c + 1) AS roas, 100.0 AS period_conversions
FROM range(8) t1(m), range(13) t2(p), range(8) t3(c);
CREATE TABLE marts.funnel AS
SELECT 'month' AS period_type, DATE '2024-01-01' + INTERVAL (p) MONTH AS period_start,
       ['paid_search','paid_social','short_video','display','email','organic','affiliate','direct'][c + 1] AS channel,
       100000 + c AS impressions, 2000 + c AS clicks, 1500 + c AS sessions, 40 + c AS orders,
       0.02 AS click_through_rate, 0.027 AS session_to_order_rate, 4000.0 + c AS revenue,
       'session_to_order' AS biggest_drop_stage, -0.05 AS biggest_drop_change
FROM range(13) t1(p), range(8) t2(c);
CREATE TABLE marts.reconciliation AS
SELECT DATE '2024-01-01' + d::INTEGER AS date,
       ['paid_search','paid_social','short_video','display','email','organic','affiliate','direct'][c + 1] AS channel,
       100.0 + c AS finance_revenue, 120.0 + c AS platform_conversion_value, 95.0 + c AS web_revenue, 50.0 AS crm_won_revenue
FROM range(400) t1(d), range(8) t2(c);
CREATE TABLE marts.channel_economics AS
SELECT ['paid_search','paid_social','short_video','display','email','organic','affiliate','direct'][c + 1] AS channel,
       DATE '2024-01-01' + INTERVAL (k) MONTH AS cohort_month, s AS months_since, 50 + c AS new_customers,
       2000.0 + c AS spend, 30.0 + 5 * s AS cumulative_ltv, 0.1 + s / 100 AS repeat_purchase_rate, 3 AS payback_month
FROM range(8) t1(c), range(13) t2(k), range(12) t3(s);
CREATE TABLE marts.customer_segment_summary AS
SELECT ['new','champions','loyal','potential_loyalist','cant_lose','at_risk','about_to_sleep','hibernating','lost'][g + 1] AS segment,
       'c' || c AS acquisition_channel, 100 + g AS customers, 10 + g AS returning_customers, 0.1 AS returning_share,
       30.0 + g AS avg_recency_days, 1.5 AS avg_frequency, 10000.0 + g AS monetary, 100.0 AS avg_monetary,
       0.01 AS share_of_customers, 0.01 AS share_of_monetary
FROM range(9) t1(g), range(8) t2(c);
`

// benchDB is the benchmark's warehouse: marts.kpi_daily of 400 days × 40
// campaigns, the goals tables of 60 targets and every other mart, so that
// every page is written.
func benchDB(b *testing.B) *sql.DB {
	db := openDB(b)
	for _, q := range []string{benchSQL, goalsDDL, benchGoalsSQL, benchMartsSQL} {
		if _, err := db.ExecContext(b.Context(), q); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkRenderPage renders each page on its own, as a reader waits for
// it: every query of the bundle, the page data, and the page's template.
// Each must stay under 100 ms (go test -tags duckdb_arrow ./reports -run '^$'
// -bench RenderPage).
func BenchmarkRenderPage(b *testing.B) {
	db := benchDB(b)
	opts := Options{Dir: "unused", RunID: 1, Company: "Bench Co", Currency: "USD", Language: "en", Now: fixedNow}
	if err := normalize(&opts); err != nil {
		b.Fatal(err)
	}
	m := catalogs["en"]
	for _, bp := range bundlePages {
		b.Run(bp.Name, func(b *testing.B) {
			var size int
			for b.Loop() {
				d, err := load(b.Context(), db, opts.RunID)
				if err != nil {
					b.Fatal(err)
				}
				p, _ := build(d, opts, m)
				present := presentPages(d)
				if len(present) != len(bundlePages) {
					b.Fatalf("pages %d, want all %d", len(present), len(bundlePages))
				}
				out, err := executePage(bp, present, p, m)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			ms := b.Elapsed().Seconds() * 1000 / float64(b.N)
			b.ReportMetric(ms, "ms/page")
			b.ReportMetric(float64(size), "bytes")
			if ms > 100 {
				b.Errorf("%s.html takes %.1f ms to render, over 100 ms", bp.Name, ms)
			}
		})
	}
}
