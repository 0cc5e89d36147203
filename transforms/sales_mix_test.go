package transforms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
)

// The sales mix case (USD, UTC, lookback 30 days, default price tiers
// below 100, 100–300, 300 and more). The shop's orders carry region and
// product_line; a legacy shop's file has neither column (NULL → '(not set)').
//
//   - o1 c1 (u1, paid_search click 01-05) 01-05 50 paid, East, Green: new, tier 1.
//   - o2 c2 (no user: direct) 01-20 150 paid, South, product line ” (not set): new, tier 2.
//   - o3 c1 (u1's click is 29 days old: paid_search) 02-03 400 paid, East, Gift: returning, tier 3.
//   - o2 refunded 150 on 02-10 without region or line: South, (not set), tier 2, new, direct.
//   - o4 c3 (u2, email click 02-01) 02-01 100 paid, West, Oolong: new, tier 2 (100 is not < 100).
//   - o5 c4 02-15 80 cancelled: ignored.
//   - L1 c5 (legacy) 02-20 20 paid: direct, new, tier 1, region and line (not set).
//
// January revenue 200, February 400 − 150 + 100 + 20 = 370.
var salesMixFixtures = []string{
	`CREATE TABLE raw.web__touchpoints (user_id VARCHAR, ts TIMESTAMPTZ, channel VARCHAR, interaction VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.web__touchpoints VALUES
	    ('u1', '2026-01-05 00:00:00+00', 'paid_search', 'click', 1, now()),
	    ('u2', '2026-02-01 00:00:00+00', 'email', 'click', 1, now())`,
	`CREATE TABLE raw.shop__orders (
	    order_id VARCHAR, customer_id VARCHAR, user_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(38,9),
	    currency VARCHAR, status VARCHAR, region VARCHAR, product_line VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.shop__orders VALUES
	    ('o1', 'c1', 'u1', '2026-01-05 10:00:00+00', 50, 'USD', 'paid', 'East', 'Green', 1, now()),
	    ('o2', 'c2', NULL, '2026-01-20 10:00:00+00', 150, 'USD', 'paid', 'South', '', 1, now()),
	    ('o3', 'c1', 'u1', '2026-02-03 10:00:00+00', 400, 'USD', 'paid', 'East', 'Gift', 1, now()),
	    ('o2', 'c2', NULL, '2026-02-10 10:00:00+00', 150, 'USD', 'refunded', NULL, NULL, 1, now()),
	    ('o4', 'c3', 'u2', '2026-02-01 12:00:00+00', 100, 'USD', 'paid', 'West', 'Oolong', 1, now()),
	    ('o5', 'c4', NULL, '2026-02-15 10:00:00+00', 80, 'USD', 'cancelled', 'East', 'Green', 1, now())`,
	`CREATE TABLE raw.legacy__orders (
	    order_id VARCHAR, customer_id VARCHAR, user_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(38,9),
	    currency VARCHAR, status VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.legacy__orders VALUES ('L1', 'c5', NULL, '2026-02-20 10:00:00+00', 20, 'USD', 'paid', 1, now())`,
}

var salesMixInputs = []transforms.RawInput{
	{Source: "web", Stream: "touchpoints", Canonical: "touchpoints", Table: "raw.web__touchpoints"},
	{Source: "shop", Stream: "orders", Canonical: "orders", Table: "raw.shop__orders"},
	{Source: "legacy", Stream: "orders", Canonical: "orders", Table: "raw.legacy__orders"},
}

func buildSalesMix(t *testing.T, vars transforms.Vars) (*transforms.Runner, func(string) []string) {
	t.Helper()
	_, conn := openDB(t)
	for _, q := range salesMixFixtures {
		mustExec(t, conn, q)
	}
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	r := transforms.New(models, vars, nil)
	r.Now = func() time.Time { return time.Date(2026, 2, 21, 12, 0, 0, 0, time.UTC) }
	if _, err := r.Transform(t.Context(), conn, salesMixInputs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		results, err := r.Check(context.Background(), conn, 1)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, c := range results {
			if c.Name == "sql:sales_mix_adds_up" {
				seen++
			}
			if strings.Contains(c.Name, "sales_mix") && c.Status != transforms.StatusPass {
				t.Errorf("check %s: %s (%d rows) %s", c.Name, c.Status, c.FailingRows, c.Detail)
			}
		}
		if seen != 1 {
			t.Errorf("check sales_mix_adds_up ran %d times", seen)
		}
	})
	return r, func(q string) []string { return queryStrings(t, conn, q) }
}

func TestSalesMixHandComputed(t *testing.T) {
	_, query := buildSalesMix(t, transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 30})
	const num = `coalesce(printf('%.6f', %s), 'NULL')`
	n := func(col string) string { return strings.ReplaceAll(num, "%s", col) }
	v := func(col string) string { return "coalesce(CAST(" + col + " AS VARCHAR), 'NULL')" }
	got := query(`SELECT concat_ws('|', month, dimension, dimension_value, is_partial, orders, revenue, customers, new_customers,
			` + n("aov") + `, ` + n("revenue_share") + `, ` + v("revenue_previous_month") + `, ` + v("revenue_change_vs_previous_month") + `,
			` + n("revenue_change_pct_vs_previous_month") + `, ` + v("orders_previous_month") + `, ` + n("orders_change_pct_vs_previous_month") + `,
			` + v("revenue_last_year") + `, ` + n("revenue_change_pct_vs_last_year") + `)
		FROM marts.sales_mix ORDER BY month, dimension, dimension_value`)
	want := []string{
		// January: nothing to compare with (the data starts in January).
		"2026-01-01|channel|direct|false|1|150.00|1|1|150.000000|0.750000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|channel|paid_search|false|1|50.00|1|1|50.000000|0.250000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|customer_type|new|false|2|200.00|2|2|100.000000|1.000000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|price_tier|1: < 100|false|1|50.00|1|1|50.000000|0.250000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|price_tier|2: 100–300|false|1|150.00|1|1|150.000000|0.750000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|product_line|(not set)|false|1|150.00|1|1|150.000000|0.750000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|product_line|Green|false|1|50.00|1|1|50.000000|0.250000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|region|East|false|1|50.00|1|1|50.000000|0.250000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		"2026-01-01|region|South|false|1|150.00|1|1|150.000000|0.750000|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
		// February (running: data ends 02-20). Shares of 370; the refund
		// of o2 (−150) stays with o2's values; a value without sales in
		// January compares with 0 there (change % NULL).
		"2026-02-01|channel|direct|true|1|-130.00|1|1|20.000000|-0.351351|150.00|-280.00|-1.866667|1|0.000000|NULL|NULL",
		"2026-02-01|channel|email|true|1|100.00|1|1|100.000000|0.270270|0.00|100.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|channel|paid_search|true|1|400.00|1|0|400.000000|1.081081|50.00|350.00|7.000000|1|0.000000|NULL|NULL",
		"2026-02-01|customer_type|new|true|2|-30.00|2|2|60.000000|-0.081081|200.00|-230.00|-1.150000|2|0.000000|NULL|NULL",
		"2026-02-01|customer_type|returning|true|1|400.00|1|0|400.000000|1.081081|0.00|400.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|price_tier|1: < 100|true|1|20.00|1|1|20.000000|0.054054|50.00|-30.00|-0.600000|1|0.000000|NULL|NULL",
		"2026-02-01|price_tier|2: 100–300|true|1|-50.00|1|1|100.000000|-0.135135|150.00|-200.00|-1.333333|1|0.000000|NULL|NULL",
		"2026-02-01|price_tier|3: ≥ 300|true|1|400.00|1|0|400.000000|1.081081|0.00|400.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|product_line|(not set)|true|1|-130.00|1|1|20.000000|-0.351351|150.00|-280.00|-1.866667|1|0.000000|NULL|NULL",
		"2026-02-01|product_line|Gift|true|1|400.00|1|0|400.000000|1.081081|0.00|400.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|product_line|Oolong|true|1|100.00|1|1|100.000000|0.270270|0.00|100.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|region|(not set)|true|1|20.00|1|1|20.000000|0.054054|0.00|20.00|NULL|0|NULL|NULL|NULL",
		"2026-02-01|region|East|true|1|400.00|1|0|400.000000|1.081081|50.00|350.00|7.000000|1|0.000000|NULL|NULL",
		// Only the refund: no orders, so no AOV; −150 against 150.
		"2026-02-01|region|South|true|0|-150.00|0|0|NULL|-0.405405|150.00|-300.00|-2.000000|1|-1.000000|NULL|NULL",
		"2026-02-01|region|West|true|1|100.00|1|1|100.000000|0.270270|0.00|100.00|NULL|0|NULL|NULL|NULL",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	bad := query(`SELECT count(*) FROM marts.sales_mix WHERE isnan(aov) OR isinf(aov) OR isnan(revenue_share) OR isinf(revenue_share)
		OR isnan(revenue_change_pct_vs_previous_month) OR isinf(revenue_change_pct_vs_previous_month)
		OR isnan(orders_change_pct_vs_previous_month) OR isinf(orders_change_pct_vs_previous_month)`)
	if bad[0] != "0" {
		t.Errorf("%s rows with NaN or Inf", bad[0])
	}
}

// evaluation.price_tiers [60] makes two tiers.
func TestSalesMixPriceTiersConfigurable(t *testing.T) {
	_, query := buildSalesMix(t, transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 30, PriceTierBounds: []float64{60}})
	got := query(`SELECT concat_ws('|', month, dimension_value, revenue) FROM marts.sales_mix WHERE dimension = 'price_tier' ORDER BY ALL`)
	want := []string{"2026-01-01|1: < 60|50.00", "2026-01-01|2: ≥ 60|150.00", "2026-02-01|1: < 60|20.00", "2026-02-01|2: ≥ 60|350.00"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := (transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 30, PriceTierBounds: []float64{300, 100}}).Validate(); err == nil ||
		!strings.Contains(err.Error(), "ascending") {
		t.Errorf("descending bounds: %v", err)
	}
}
