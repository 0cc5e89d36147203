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

// BenchmarkRender renders the whole bundle (queries, page, CSVs, assets,
// manifest, swap) from 400 days × 40 campaigns of marts.kpi_daily.
func BenchmarkRender(b *testing.B) {
	db := openDB(b)
	if _, err := db.ExecContext(b.Context(), benchSQL); err != nil {
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
