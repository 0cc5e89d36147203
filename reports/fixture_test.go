package reports

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

// openDB opens a real DuckDB file in a temporary folder with the
// warehouse's migrations applied and an empty marts.kpi_daily.
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
	migs, err := filepath.Glob(filepath.Join("..", "warehouse", "migrations", "*.sql"))
	if err != nil || len(migs) == 0 {
		tb.Fatalf("no migrations: %v", err)
	}
	sort.Strings(migs)
	for _, name := range migs {
		mig, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, string(mig)); err != nil {
			tb.Fatalf("apply migration %s: %v", name, err)
		}
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

// fixtureDB is openDB with the fixture, the meta rows and the goals rows.
func fixtureDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db := openDB(tb)
	insertKPI(tb, db, fixtureRows())
	if _, err := db.ExecContext(context.Background(), metaSQL); err != nil {
		tb.Fatal(err)
	}
	addGoals(tb, db, true)
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

// goalsDDL is the goals model's tables exactly as it writes them
// (transforms/goals/model.go): the report reads the three marts and the
// unit of each metric from meta.metrics.
const goalsDDL = `
CREATE TABLE meta.metrics (
    metric VARCHAR, description VARCHAR, source VARCHAR, formula VARCHAR, kind VARCHAR,
    direction VARCHAR, unit VARCHAR, scope_keys VARCHAR
);
CREATE TABLE marts.targets_vs_actuals (
    target_id BIGINT, target VARCHAR, metric VARCHAR, scope VARCHAR, period VARCHAR,
    period_start DATE, period_end DATE, owner VARCHAR, team VARCHAR, direction VARCHAR,
    target_value DOUBLE, curve VARCHAR, curve_note VARCHAR, date DATE, day_of_period BIGINT,
    days_left BIGINT, is_latest BOOLEAN, day_actual DOUBLE, numerator_to_date DOUBLE,
    denominator_to_date DOUBLE, actual_to_date DOUBLE, expected_to_date DOUBLE, attainment DOUBLE,
    pace_index DOUBLE, forecast_linear DOUBLE, forecast DOUBLE, forecast_low DOUBLE,
    forecast_high DOUBLE, projected_attainment DOUBLE, required_daily DOUBLE, status VARCHAR,
    as_of DATE
);
CREATE TABLE marts.budget_pacing (
    budget_id BIGINT, channel VARCHAR, period VARCHAR, period_start DATE, period_end DATE,
    planned DOUBLE, actual_to_date DOUBLE, expected_to_date DOUBLE, pace_index DOUBLE,
    projected_spend DOUBLE, projected_variance DOUBLE, projected_variance_pct DOUBLE,
    remaining_budget DOUBLE, required_daily DOUBLE, days_elapsed BIGINT, days_left BIGINT,
    status VARCHAR, is_final BOOLEAN, as_of DATE
);
CREATE TABLE marts.team_scorecard (
    level VARCHAR, team VARCHAR, owner VARCHAR, rank BIGINT, targets BIGINT, on_track BIGINT,
    at_risk BIGINT, off_track BIGINT, weighted_attainment DOUBLE, weighted_pace DOUBLE,
    weighted_pace_7d_ago DOUBLE, pace_change_7d DOUBLE, detail VARCHAR, payout_rule VARCHAR,
    payout_base DOUBLE, payout_threshold DOUBLE, payout_cap DOUBLE, payout DOUBLE,
    payout_basis VARCHAR, payout_calculation VARCHAR, as_of DATE
);`

// hostileTarget is a target label that must reach the page as text.
const hostileTarget = "revenue · channel=" + hostileScript + " · 2025"

// goalsSQL is the goals model's output as of 2025-03-31 for six targets
// shaped like the demo's (a company revenue goal for the year, a ROAS for
// the quarter, a CAC ceiling for the month, a count for the next quarter,
// a rate), one of them with a hostile label and owner, one in each status.
// Only is_latest rows are shown; target 1 also has a row of the day
// before (attainment 0.111) that must not appear. Three budgets (on plan,
// overspending on a hostile channel, not started) and a scorecard of three
// teams and their owners.
var goalsSQL = `
INSERT INTO meta.metrics (metric, unit) VALUES
  ('revenue', 'money'), ('roas', 'ratio'), ('cac', 'money'), ('new_customers', 'count'), ('conversion_rate', 'ratio');
INSERT INTO marts.targets_vs_actuals (target_id, target, metric, scope, period, period_start, period_end, owner, team,
    direction, target_value, curve, date, days_left, is_latest, actual_to_date, expected_to_date, attainment, pace_index,
    forecast, forecast_low, forecast_high, projected_attainment, required_daily, status, as_of) VALUES
  (1, 'revenue · company · 2025', 'revenue', 'company', '2025', DATE '2025-01-01', DATE '2025-12-31', 'li.wei', 'growth',
    'higher', 4000000, 'linear', DATE '2025-03-30', 276, false, 444000, 975342.47, 0.111, 0.4552,
    1820000, NULL, NULL, 0.455, 12884.06, 'off_track', DATE '2025-03-31'),
  (1, 'revenue · company · 2025', 'revenue', 'company', '2025', DATE '2025-01-01', DATE '2025-12-31', 'li.wei', 'growth',
    'higher', 4000000, 'linear', DATE '2025-03-31', 275, true, 1000000, 986301.37, 0.25, 1.0139,
    4055555.56, 3900000, 4211111.11, 1.0139, 10909.09, 'on_track', DATE '2025-03-31'),
  (2, 'roas · channel=paid_search · 2025-Q1', 'roas', 'channel=paid_search', '2025-Q1', DATE '2025-01-01', DATE '2025-03-31', 'li.wei', 'growth',
    'higher', 3.5, 'linear', DATE '2025-03-31', 0, true, 4, 3.5, 1.142857, 1.142857,
    4, NULL, NULL, 1.142857, NULL, 'achieved', DATE '2025-03-31'),
  (3, 'cac · channel=short_video · 2025-03', 'cac', 'channel=short_video', '2025-03', DATE '2025-03-01', DATE '2025-03-31', 'wang.fang', 'brand',
    'lower', 120, 'linear', DATE '2025-03-31', 0, true, 150, 120, 0.8, 0.8,
    150, NULL, NULL, 0.8, NULL, 'missed', DATE '2025-03-31'),
  (4, 'new_customers · company · 2025-Q2', 'new_customers', 'company', '2025-Q2', DATE '2025-04-01', DATE '2025-06-30', 'zhang.min', 'sales',
    'higher', 9000, 'last_year', DATE '2025-04-01', 89, true, NULL, 100, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, 'not_started', DATE '2025-03-31'),
  (5, '` + hostileTarget + `', 'revenue', 'channel=` + hostileScript + `', '2025', DATE '2025-01-01', DATE '2025-12-31', '` + hostileImg + `', 'growth',
    'higher', 500000, 'linear', DATE '2025-03-31', 275, true, 100000, 111111.11, 0.2, 0.9,
    450000, 350000, 550000, 0.9, 1454.55, 'at_risk', DATE '2025-03-31'),
  (6, 'conversion_rate · company · 2025', 'conversion_rate', 'company', '2025', DATE '2025-01-01', DATE '2025-12-31', 'liu.yang', 'sales',
    'higher', 0.025, 'linear', DATE '2025-03-31', 275, true, 0.02, 0.025, 0.8, 0.8,
    0.02, 0.018, 0.022, 0.8, 0.0268, 'off_track', DATE '2025-03-31');
INSERT INTO marts.budget_pacing VALUES
  (1, 'paid_search', '2025-03', DATE '2025-03-01', DATE '2025-03-31', 3000, 3100, 3000, 1.0333333, 3100, 100, 0.0333333,
    -100, NULL, 31, 0, 'on_plan', true, DATE '2025-03-31'),
  (2, '` + hostileScript + `', '2025-03', DATE '2025-03-01', DATE '2025-03-31', 1000, 1500, 1000, 1.5, 1500, 500, 0.5,
    -500, NULL, 31, 0, 'overspending', true, DATE '2025-03-31'),
  (3, 'display', '2025-04', DATE '2025-04-01', DATE '2025-04-30', 2000, 0, NULL, NULL, NULL, NULL, NULL,
    2000, 66.6666667, 0, 30, 'not_started', false, DATE '2025-03-31');
INSERT INTO marts.team_scorecard VALUES
  ('team', 'growth', NULL, 1, 3, 2, 1, 0, 1.0186, 1.0186, 1.05, -0.0314, 'detail of growth', 'linear', 20000, 0.8, 1.5, 20370,
    'projected', 'attainment 101.9% ≥ threshold 80.0%: base CNY 20,000 × 101.9% = CNY 20,370', DATE '2025-03-31'),
  ('team', 'brand', NULL, 2, 1, 0, 0, 1, 0.8, 0.8, 0.85, -0.05, 'detail of brand', 'step', 15000, 0.9, 1.2, 0,
    'final', 'attainment 80.0% is below the threshold 90.0%: no payout', DATE '2025-03-31'),
  ('team', 'sales', NULL, 3, 1, 0, 0, 1, 0.8, 0.8, NULL, NULL, 'detail of sales', NULL, NULL, NULL, NULL, NULL,
    'projected', NULL, DATE '2025-03-31'),
  ('owner', 'growth', 'li.wei', 1, 2, 2, 0, 0, 1.0782, 1.0782, 1.1, -0.0218, 'detail', NULL, NULL, NULL, NULL, NULL,
    'projected', NULL, DATE '2025-03-31'),
  ('owner', 'growth', '` + hostileImg + `', 2, 1, 0, 1, 0, 0.9, 0.9, 0.95, -0.05, 'detail', NULL, NULL, NULL, NULL, NULL,
    'projected', NULL, DATE '2025-03-31');
`

// addGoals creates the goals tables, with the fixture's rows when rows is
// set.
func addGoals(tb testing.TB, db *sql.DB, rows bool) {
	tb.Helper()
	q := goalsDDL
	if rows {
		q += goalsSQL
	}
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		tb.Fatalf("goals fixture: %v", err)
	}
}

// fullSQL adds the marts of the findings, attribution and evaluation
// models to the fixture, so that every page of the bundle exists, with the
// hostile names in each: a finding's title, a channel of every mart, a
// segment, a check's detail.
const fullSQL = `
CREATE TABLE marts.findings AS SELECT * FROM (VALUES
  (1, 'conversion_rate_drop', 'execution', 'channel=paid_social', '` + hostileScript + ` converts 44% fewer', 'detail ` + hostileImg + `', 26732.4),
  (2, 'budget_overspend', 'strategy', 'channel=display', 'display overspends its budget', 'd', 500.0))
  AS t(rank, rule, kind, scope, title, detail, impact);
CREATE TABLE marts.attribution_by_channel AS SELECT * FROM (VALUES
  ('last_touch', '2025-03', 'paid_search', 8.0, 800.0, 200.0, 4.0, 10.0),
  ('markov', '2025-03', 'paid_search', 6.5, 650.0, 200.0, 3.25, 10.0),
  ('shapley', '2025-03', 'paid_search', 6.0, 600.0, 200.0, 3.0, 10.0),
  ('last_touch', '2025-03', '` + hostileScript + `', 2.0, 200.0, 0.0, NULL, 10.0),
  ('markov', '2025-03', '` + hostileScript + `', 3.5, 350.0, 0.0, NULL, 10.0),
  ('shapley', '2025-03', '` + hostileScript + `', 4.0, 400.0, 0.0, NULL, 10.0))
  AS t(model, period, channel, conversions, value, spend, roas, period_conversions);
CREATE TABLE marts.reconciliation AS SELECT * FROM (VALUES
  (DATE '2025-03-30', 'paid_search', 400.0, 520.0, 380.0, NULL),
  (DATE '2025-03-31', 'paid_search', 400.0, 480.0, 420.0, 300.0),
  (DATE '2025-03-31', '` + hostileImg + `', 30.0, NULL, 33.0, NULL))
  AS t(date, channel, finance_revenue, platform_conversion_value, web_revenue, crm_won_revenue);
CREATE TABLE marts.funnel AS SELECT * FROM (VALUES
  ('month', DATE '2025-03-01', 'paid_search', 31000, 620, 6200, 124, 0.02, 0.02, 12400.0, 'click_to_session', -0.1),
  ('month', DATE '2025-03-01', '` + hostileScript + `', 0, 0, 3100, 31, NULL, 0.01, 2340.5, NULL, NULL))
  AS t(period_type, period_start, channel, impressions, clicks, sessions, orders, click_through_rate, session_to_order_rate, revenue, biggest_drop_stage, biggest_drop_change);
CREATE TABLE marts.channel_economics AS SELECT * FROM (VALUES
  ('paid_search', DATE '2025-02-01', 1, 60, 3000.0, 120.0, 0.2, 1),
  ('` + hostileImg + `', DATE '2025-02-01', 1, 10, 0.0, 30.0, 0.1, NULL))
  AS t(channel, cohort_month, months_since, new_customers, spend, cumulative_ltv, repeat_purchase_rate, payback_month);
CREATE TABLE marts.customer_segment_summary AS SELECT * FROM (VALUES
  ('champions', 'paid_search', 20, 18, 0.9, 12.0, 4.5, 9000.0, 450.0, 0.2, 0.6),
  ('` + hostileScript + `', 'paid_search', 80, 10, 0.125, 60.0, 1.2, 6000.0, 75.0, 0.8, 0.4))
  AS t(segment, acquisition_channel, customers, returning_customers, returning_share, avg_recency_days, avg_frequency, monetary, avg_monetary, share_of_customers, share_of_monetary);
INSERT INTO meta.check_results VALUES
  (7, TIMESTAMPTZ '2025-04-01 05:59:30+00', 'sql:hostile_detail', 'marts.kpi_daily', NULL, 'sql', 'warn', 'fail', 1, 'campaign ` + hostileImg + `');
`

// fullFixtureDB is fixtureDB with every mart the report reads.
func fullFixtureDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db := fixtureDB(tb)
	if _, err := db.ExecContext(context.Background(), fullSQL); err != nil {
		tb.Fatalf("full fixture: %v", err)
	}
	return db
}

// renderBundle renders db in lang and returns the bundle folder, the
// manifest and every page of the bundle by name (index, targets, ...).
func renderBundle(t *testing.T, db *sql.DB, opts Options) (string, *Manifest, map[string]string) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "report")
	}
	man, err := Render(t.Context(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, p := range man.Pages {
		pages[strings.TrimSuffix(p, ".html")] = readFile(t, opts.Dir, p)
	}
	return opts.Dir, man, pages
}
