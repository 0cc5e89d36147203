package reports

import (
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

// BenchmarkRender renders the whole bundle (queries, page, CSVs, assets,
// manifest, swap) from 400 days × 40 campaigns of marts.kpi_daily and the
// goals tables of 60 targets.
func BenchmarkRender(b *testing.B) {
	db := openDB(b)
	if _, err := db.ExecContext(b.Context(), benchSQL); err != nil {
		b.Fatal(err)
	}
	addGoals(b, db, false)
	if _, err := db.ExecContext(b.Context(), benchGoalsSQL); err != nil {
		b.Fatal(err)
	}
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
