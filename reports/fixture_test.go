package reports

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Hostile names: they must reach the page as text, in tables and charts.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileImg    = `"><img src=x onerror=alert(1)>`
)

// fixedNow is the generation time of every test render.
var fixedNow = time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC)

// kpiDDL is marts.kpi_daily exactly as the marts model builds it.
const kpiDDL = `
CREATE TABLE marts.kpi_daily (
    date DATE, channel VARCHAR, platform VARCHAR, campaign_id VARCHAR, campaign_name VARCHAR,
    spend DECIMAL(18,2), impressions BIGINT, clicks BIGINT, ctr DOUBLE, cpc DOUBLE, cpm DOUBLE,
    platform_conversions DOUBLE, platform_conversion_value DECIMAL(18,2),
    sessions BIGINT, users BIGINT, conversions BIGINT, conversion_rate DOUBLE,
    orders BIGINT, gross_revenue DECIMAL(18,2), refunds DECIMAL(18,2), revenue DECIMAL(18,2),
    roas DOUBLE, new_customers BIGINT, returning_customers BIGINT, cac DOUBLE, aov DOUBLE,
    provisional BOOLEAN
)`

// openDB opens a real DuckDB file in a temporary folder with the meta
// migration applied and an empty marts.kpi_daily.
func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "pacer.duckdb")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		tb.Fatal(err)
	}
	// Registered after TempDir, so it runs first: DuckDB lets go of the file.
	tb.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "SET GLOBAL TimeZone = 'UTC'"); err != nil {
		tb.Fatal(err)
	}
	mig, err := os.ReadFile(filepath.Join("..", "warehouse", "migrations", "0001_schemas.sql"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, string(mig)); err != nil {
		tb.Fatalf("apply migration: %v", err)
	}
	if _, err := db.ExecContext(ctx, kpiDDL); err != nil {
		tb.Fatal(err)
	}
	return db
}

// kpiRow is one hand-written row of marts.kpi_daily; ratios are left NULL
// (the report recomputes them from totals).
type kpiRow struct {
	date                                 string
	channel                              string
	platform                             *string
	campaignID, campaignName             string
	spend, gross, refunds, revenue       string // DECIMAL literals
	sessions, conversions, orders, newCu int64
	provisional                          bool
}

func ptr(s string) *string { return &s }

// The fixture, by hand. Last day 2025-03-31, so the last 30 days are
// 2025-03-02..2025-03-31 and the 30 before 2025-01-31..2025-03-01.
//
//   - paid_search (google_ads, "Brand search"): every day 2025-01-31..03-31
//     (60 days): spend 100.00, gross 420.00, refunds 20.00, revenue 400.00,
//     sessions 200, conversions 5, orders 4, new customers 2.
//   - hostileScript (meta, campaign named hostileScript): every day of the last
//     30: spend 50.00, revenue 75.50 (gross 75.50), sessions 100,
//     conversions 1, orders 1, new customers 1.
//   - hostileImg (unpaid, platform NULL, campaign "(none)" named hostileImg):
//     every day of the last 30: spend 0, revenue 30.00 (gross 30.00),
//     sessions 50, conversions 1, orders 1, new customers 0.
//   - email (unpaid): 2025-03-15 only, all zero: every ratio is missing.
//
// Days 2025-03-29..31 are provisional.
//
// Last 30 days, by hand:
//
//	spend   = 30×100 + 30×50 + 0       = 4,500.00
//	revenue = 30×400 + 30×75.5 + 30×30 = 12,000 + 2,265 + 900 = 15,165.00
//	ROAS    = 15,165 / 4,500           = 3.37
//	orders  = 30×4 + 30×1 + 30×1       = 180
//	new     = 30×2 + 30×1              = 90;  CAC = 4,500 / 90 = 50.00
//	gross   = 30×420 + 2,265 + 900     = 15,765; AOV = 15,765 / 180 = 87.58
//	sessions = 6,000 + 3,000 + 1,500   = 10,500; conversions = 150+30+30 = 210
//	conversion rate = 210 / 10,500     = 2.0%
//
// The 30 days before (paid_search only): spend 3,000.00, revenue 12,000.00,
// ROAS 4.00, orders 120, CAC 50.00, AOV 105.00, conversion rate 2.5%.
func fixtureRows() []kpiRow {
	var rows []kpiRow
	first := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	last := time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)
	curFrom := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	provFrom := time.Date(2025, 3, 29, 0, 0, 0, 0, time.UTC)
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		day := d.Format(dateLayout)
		prov := !d.Before(provFrom)
		rows = append(rows, kpiRow{day, "paid_search", ptr("google_ads"), "c1", "Brand search",
			"100.00", "420.00", "20.00", "400.00", 200, 5, 4, 2, prov})
		if d.Before(curFrom) {
			continue
		}
		rows = append(rows,
			kpiRow{day, hostileScript, ptr("meta"), "c2", hostileScript,
				"50.00", "75.50", "0.00", "75.50", 100, 1, 1, 1, prov},
			kpiRow{day, hostileImg, nil, "(none)", hostileImg,
				"0.00", "30.00", "0.00", "30.00", 50, 1, 1, 0, prov},
		)
		if day == "2025-03-15" {
			rows = append(rows, kpiRow{day, "email", nil, "(none)", "(none)",
				"0.00", "0.00", "0.00", "0.00", 0, 0, 0, 0, prov})
		}
	}
	return rows
}

// insertKPI inserts rows into marts.kpi_daily in one transaction.
func insertKPI(tb testing.TB, db *sql.DB, rows []kpiRow) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO marts.kpi_daily VALUES (
		?::DATE, ?, ?, ?, ?, ?::DECIMAL(18,2), 1000, 20, NULL, NULL, NULL, NULL, NULL,
		?, ?, ?, NULL, ?, ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2),
		NULL, ?, 0, NULL, NULL, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	defer stmt.Close()
	for _, r := range rows {
		var platform any
		if r.platform != nil {
			platform = *r.platform
		}
		if _, err := stmt.ExecContext(ctx, r.date, r.channel, platform, r.campaignID, r.campaignName, r.spend,
			r.sessions, r.sessions, r.conversions, r.orders, r.gross, r.refunds, r.revenue,
			r.newCu, r.provisional); err != nil {
			tb.Fatalf("insert %+v: %v", r, err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// metaSQL fills the meta tables for run 7: one passing check, two failing
// checks of severity error (one with HTML in its detail), one warning, and
// a failing check of run 6 that must not show; two streams; quarantined
// rows (2 by run 7, 1 by run 6).
const metaSQL = `
INSERT INTO meta.runs (run_id, command, run_date, started_at, status) VALUES
  (6, 'run', DATE '2025-03-30', TIMESTAMPTZ '2025-03-31 06:00:00+00', 'checks_failed'),
  (7, 'run', DATE '2025-03-31', TIMESTAMPTZ '2025-04-01 05:55:00+00', 'running');
INSERT INTO meta.check_results VALUES
  (7, TIMESTAMPTZ '2025-04-01 05:59:00+00', 'not_null:marts.kpi_daily.date', 'marts.kpi_daily', 'date', 'not_null', 'error', 'pass', 0, 'date is never NULL'),
  (7, TIMESTAMPTZ '2025-04-01 05:59:00+00', 'unique:marts.kpi_daily.date_channel_campaign', 'marts.kpi_daily', NULL, 'unique', 'error', 'fail', 3, 'duplicate keys, e.g. 2025-03-30 / paid_search / c1'),
  (7, TIMESTAMPTZ '2025-04-01 05:59:00+00', 'sql:spend_matches_platforms', 'marts.kpi_daily', 'spend', 'sql', 'error', 'fail', 1, 'spend differs by 12.00 on <b>2025-03-30</b>'),
  (7, TIMESTAMPTZ '2025-04-01 05:59:00+00', 'freshness:shopify.orders', 'staging.orders', NULL, 'freshness', 'warn', 'fail', NULL, 'orders synced through 2025-03-30'),
  (6, TIMESTAMPTZ '2025-03-31 05:59:00+00', 'row_count:old_run_only', 'marts.kpi_daily', NULL, 'row_count', 'error', 'fail', 9, 'from another run');
INSERT INTO meta.stream_state VALUES
  ('google_ads', 'ad_performance', 'ad_performance', 'raw.google_ads__ad_performance', '{}', TIMESTAMPTZ '2025-04-01 05:57:00+00', 7, DATE '2025-03-31', DATE '2025-03-29'),
  ('shopify', 'orders', 'orders', 'raw.shopify__orders', '{}', TIMESTAMPTZ '2025-04-01 05:58:00+00', 7, DATE '2025-03-30', NULL);
INSERT INTO meta.quarantine (run_id, quarantined_at, source, stream, file, line, field, reason, raw) VALUES
  (7, TIMESTAMPTZ '2025-04-01 05:58:00+00', 'shopify', 'orders', 'orders.csv', 12, 'amount', 'not a number', 'x'),
  (7, TIMESTAMPTZ '2025-04-01 05:58:00+00', 'shopify', 'orders', 'orders.csv', 13, 'amount', 'not a number', 'y'),
  (6, TIMESTAMPTZ '2025-03-31 05:58:00+00', 'google_ads', 'ad_performance', NULL, NULL, NULL, 'bad date', 'z');
`

// fixtureDB is openDB with the fixture and the meta rows.
func fixtureDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db := openDB(tb)
	insertKPI(tb, db, fixtureRows())
	if _, err := db.ExecContext(context.Background(), metaSQL); err != nil {
		tb.Fatal(err)
	}
	return db
}

// testOptions are the options of the fixture render into dir.
func testOptions(dir, lang string) Options {
	return Options{Dir: dir, RunID: 7, Company: "Example Co", Currency: "CNY", Language: lang, Now: fixedNow}
}

// renderFixture renders the fixture in lang and returns the bundle folder
// and its index.html.
func renderFixture(t *testing.T, lang string) (string, *Manifest, string) {
	t.Helper()
	db := fixtureDB(t)
	dir := filepath.Join(t.TempDir(), "report")
	man, err := Render(t.Context(), db, testOptions(dir, lang))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, man, string(b)
}

// readFile reads a bundle file.
func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
