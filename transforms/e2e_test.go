package transforms_test

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/attribution"
	"github.com/pacerhq/pacer/transforms/goals"
)

// The hand-computed case: reporting currency USD, reporting time zone
// Asia/Shanghai (UTC+8, no daylight saving), attribution lookback 30 days.
// Rates: CNY 0.14 on 2026-03-01 and 0.15 on 2026-03-02; EUR has none.
var handFixtures = []string{
	`INSERT INTO raw.fx_rates (date, currency, rate) VALUES
	    ('2026-03-01', 'CNY', 0.14), ('2026-03-02', 'CNY', 0.15)`,

	// Ads: no account_timezone, ad_group_id or ad_id columns (optional: typed NULLs).
	`CREATE TABLE raw.ads__ad_performance (
	    date DATE, platform VARCHAR, account_id VARCHAR, campaign_id VARCHAR, campaign_name VARCHAR,
	    channel VARCHAR, currency VARCHAR, spend DECIMAL(38,9), impressions BIGINT, clicks BIGINT,
	    conversions DOUBLE, conversion_value DECIMAL(38,9), _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.ads__ad_performance VALUES
	    ('2026-03-01', 'google_ads', 'g1', 'g-1', 'Search Brand', 'paid_search', 'USD', 60, 6000, 300, 6, 600, 1, now()),
	    ('2026-03-01', 'google_ads', 'g1', 'g-1', 'Search Brand', 'paid_search', 'USD', 40, 4000, 200, 4, 400, 1, now()),
	    ('2026-03-01', 'meta', 'm1', 'm-1', 'Social Prospecting', 'paid_social', 'CNY', 700, 20000, 400, 5, 1400, 1, now()),
	    ('2026-03-02', 'google_ads', 'g1', 'g-1', 'Search Brand', 'paid_search', 'USD', 50, 5000, 250, 4, 400, 1, now()),
	    ('2026-03-02', 'meta', 'm1', 'm-1', 'Social Prospecting', 'paid_social', 'CNY', 1000, 0, 0, 0, 0, 1, now()),
	    ('2026-03-02', 'meta', 'm2', 'm-2', 'Social EUR', 'paid_social', 'EUR', 80, 1000, 10, 1, 20, 1, now())`,

	// Web analytics: no new_users and no currency column.
	`CREATE TABLE raw.ga4__web (
	    date DATE, source VARCHAR, medium VARCHAR, campaign VARCHAR, channel_group VARCHAR,
	    sessions BIGINT, users BIGINT, key_events DOUBLE, revenue DECIMAL(38,9), _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.ga4__web VALUES
	    ('2026-03-01', 'google', 'cpc', 'g-1', 'Paid Search', 400, 350, 5, 0, 1, now()),
	    ('2026-03-01', '(direct)', '(none)', '(not set)', 'Direct', 100, 90, 0, 0, 1, now()),
	    ('2026-03-02', 'facebook', 'paid', 'Social Prospecting', 'Paid Social', 200, 180, 0, 0, 1, now()),
	    ('2026-03-02', 'google', 'organic', '(not set)', 'Organic Search', 300, 280, 0, 0, 1, now())`,

	`CREATE TABLE raw.web__touchpoints (
	    user_id VARCHAR, ts TIMESTAMPTZ, channel VARCHAR, campaign_id VARCHAR, interaction VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.web__touchpoints VALUES
	    ('u1', '2026-02-28 10:00:00+00', 'paid_search', 'g-1', 'click', 1, now()),
	    ('u1', '2026-02-28 10:00:00+00', 'display', NULL, 'impression', 1, now()),
	    ('u2', '2026-03-01 01:00:00+00', 'paid_social', 'm-1', 'click', 1, now()),
	    ('u2', '2026-03-01 03:00:00+00', 'email', NULL, 'click', 1, now()),
	    ('u4', '2026-01-01 00:00:00+00', 'paid_search', 'g-1', 'click', 1, now()),
	    ('u7', '2026-03-01 00:00:00+00', 'display', NULL, 'view', 1, now())`,

	// Orders with an extra column (coupon) that staging keeps.
	`CREATE TABLE raw.shop__orders (
	    order_id VARCHAR, customer_id VARCHAR, user_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(38,9),
	    currency VARCHAR, status VARCHAR, coupon VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.shop__orders VALUES
	    ('o1', 'c1', 'u1', '2026-03-01 02:00:00+00', 120, 'USD', 'paid', NULL, 1, now()),
	    ('o2', 'c2', 'u2', '2026-03-01 05:00:00+00', 700, 'CNY', 'paid', 'SPRING', 1, now()),
	    ('o3', 'c1', 'u1', '2026-03-01 20:00:00+00', 80, 'USD', 'paid', NULL, 1, now()),
	    ('o4', 'c3', NULL, '2026-03-02 03:00:00+00', 50, 'USD', 'paid', NULL, 1, now()),
	    ('o5', 'c4', 'u4', '2026-03-02 06:00:00+00', 30, 'USD', 'paid', NULL, 1, now()),
	    ('o1', 'c1', 'u1', '2026-03-02 08:00:00+00', 20, 'USD', 'refunded', NULL, 1, now()),
	    ('o6', 'c5', 'u2', '2026-03-02 09:00:00+00', 999, 'USD', 'cancelled', NULL, 1, now()),
	    ('o7', 'c6', NULL, '2026-03-02 10:00:00+00', 10, 'EUR', 'paid', NULL, 1, now())`,

	`CREATE TABLE raw.shop__conversions (
	    conversion_id VARCHAR, user_id VARCHAR, ts TIMESTAMPTZ, type VARCHAR, value DECIMAL(38,9), currency VARCHAR,
	    _run_id BIGINT, _synced_at TIMESTAMP)`,
	`INSERT INTO raw.shop__conversions VALUES
	    ('cv1', 'u1', '2026-03-01 01:00:00+00', 'signup', 0, 'USD', 1, now()),
	    ('cv2', 'u9', '2026-03-02 02:00:00+00', 'signup', 5, 'USD', 1, now())`,

	// Google Ads restates from 2026-03-02 on; the shop does not restate.
	`INSERT INTO meta.stream_state (source, stream, canonical, raw_table, updated_at, run_id, synced_through, provisional_from) VALUES
	    ('ads', 'ad_performance', 'ad_performance', 'raw.ads__ad_performance', now(), 1, '2026-03-02', '2026-03-02'),
	    ('shop', 'orders', 'orders', 'raw.shop__orders', now(), 1, '2026-03-02', NULL)`,
}

var handInputs = []transforms.RawInput{
	{Source: "ads", Stream: "ad_performance", Canonical: "ad_performance", Table: "raw.ads__ad_performance"},
	{Source: "ga4", Stream: "web", Canonical: "web_traffic", Table: "raw.ga4__web"},
	{Source: "web", Stream: "touchpoints", Canonical: "touchpoints", Table: "raw.web__touchpoints"},
	{Source: "shop", Stream: "orders", Canonical: "orders", Table: "raw.shop__orders"},
	{Source: "shop", Stream: "conversions", Canonical: "conversions", Table: "raw.shop__conversions"},
}

var handVars = transforms.Vars{Currency: "USD", Timezone: "Asia/Shanghai", AttributionLookbackDays: 30}

// kpiRow is one expected row of marts.kpi_daily. Money is compared as
// text (exact decimals); nil ratios mean NULL.
type kpiRow struct {
	date, channel, platform, campaignID, campaignName string
	spend                                             string
	impressions, clicks                               int64
	ctr, cpc, cpm                                     *float64
	platformConversions                               float64
	platformConversionValue                           string
	sessions, users, conversions                      int64
	conversionRate                                    *float64
	orders                                            int64
	grossRevenue, refunds, revenue                    string
	roas                                              *float64
	newCustomers, returningCustomers                  int64
	cac, aov                                          *float64
	provisional                                       bool
}

func f(v float64) *float64 { return &v }

// handKPI is marts.kpi_daily computed by hand, sorted by date, channel,
// campaign_id.
var handKPI = []kpiRow{
	// 2026-03-01 direct (none): the GA4 Direct row, 100 sessions, 90 users.
	// conversion_rate 0/100 = 0; everything with spend, clicks, impressions or
	// orders below the line is NULL.
	{"2026-03-01", "direct", "", "(none)", "(none)", "0.00", 0, 0, nil, nil, nil, 0, "0.00",
		100, 90, 0, f(0), 0, "0.00", "0.00", "0.00", nil, 0, 0, nil, nil, false},
	// 2026-03-01 email (none): order o2 (u2 at 05:00Z) credits u2's last touch
	// before it, the email click at 03:00Z (not the paid_social one at 01:00Z).
	// 700 CNY × 0.14 = 98.00 USD; c2 is new. cac = 0 spend / 1 = 0, aov 98.
	{"2026-03-01", "email", "", "(none)", "(none)", "0.00", 0, 0, nil, nil, nil, 0, "0.00",
		0, 0, 0, nil, 1, "98.00", "0.00", "98.00", nil, 1, 0, f(0), f(98), false},
	// 2026-03-01 paid_search g-1: ads 60+40 = 100.00 USD, 6000+4000 = 10000
	// impressions, 300+200 = 500 clicks, 6+4 = 10 platform conversions worth
	// 600+400 = 1000.00. Web row campaign "g-1" matches the id: 400 sessions,
	// 350 users. Conversion cv1 (u1 at 01:00Z = 09:00 Shanghai) credits u1's
	// touch of 02-28 (paid_search g-1; the display impression at the same
	// instant loses to the click). Order o1 (u1, 02:00Z = 10:00 Shanghai,
	// 120 USD) too; c1's first order, so a new customer.
	// ctr 500/10000 = 0.05, cpc 100/500 = 0.2, cpm 100*1000/10000 = 10,
	// conversion_rate 1/400 = 0.0025, roas 120/100 = 1.2, cac 100/1, aov 120/1.
	{"2026-03-01", "paid_search", "google_ads", "g-1", "Search Brand", "100.00", 10000, 500, f(0.05), f(0.2), f(10), 10, "1000.00",
		400, 350, 1, f(0.0025), 1, "120.00", "0.00", "120.00", f(1.2), 1, 0, f(100), f(120), false},
	// 2026-03-01 paid_social m-1: 700 CNY × 0.14 = 98.00 USD spend, 1400 CNY ×
	// 0.14 = 196.00 conversion value; 20000 impressions, 400 clicks. No
	// sessions, orders or conversions. ctr 400/20000 = 0.02, cpc 98/400 =
	// 0.245, cpm 98*1000/20000 = 4.9, roas 0/98 = 0; conversion_rate, cac and
	// aov have zero denominators: NULL.
	{"2026-03-01", "paid_social", "meta", "m-1", "Social Prospecting", "98.00", 20000, 400, f(0.02), f(0.245), f(4.9), 5, "196.00",
		0, 0, 0, nil, 0, "0.00", "0.00", "0.00", f(0), 0, 0, nil, nil, false},
	// 2026-03-02 (provisional: the ads source restates from 2026-03-02)
	// direct (none): o4 (no user, 50 USD, c3 new), o5 (u4, whose only touch on
	// 01-01 is 60 days old: outside the 30-day lookback; 30 USD, c4 new), o7
	// (10 EUR: no EUR rate, so 0 here and in meta.fx_missing; c6 new) and
	// conversion cv2 (u9 has no touch). gross 50+30+0 = 80.00, 3 orders, 3 new
	// customers, cac 0/3 = 0, aov 80/3.
	{"2026-03-02", "direct", "", "(none)", "(none)", "0.00", 0, 0, nil, nil, nil, 0, "0.00",
		0, 0, 1, nil, 3, "80.00", "0.00", "80.00", nil, 3, 0, f(0), f(80.0 / 3), true},
	// 2026-03-02 organic (none): GA4 Organic Search, 300 sessions, 280 users.
	{"2026-03-02", "organic", "", "(none)", "(none)", "0.00", 0, 0, nil, nil, nil, 0, "0.00",
		300, 280, 0, f(0), 0, "0.00", "0.00", "0.00", nil, 0, 0, nil, nil, true},
	// 2026-03-02 paid_search g-1: ads 50.00, 5000 impressions, 250 clicks, 4
	// conversions worth 400.00. Order o3 (u1 at 2026-03-01 20:00Z = 2026-03-02
	// 04:00 in Shanghai, so on 03-02) credits u1's touch of 02-28: 80.00, c1's
	// second order (returning). The refund of o1 (20.00 USD, 2026-03-02 08:00Z)
	// is credited like o1 (g-1) on its own day. revenue 80 - 20 = 60.00.
	// ctr 250/5000 = 0.05, cpc 50/250 = 0.2, cpm 50*1000/5000 = 10, roas 60/50
	// = 1.2, aov 80/1; no sessions and no new customers: NULL rate and cac.
	{"2026-03-02", "paid_search", "google_ads", "g-1", "Search Brand", "50.00", 5000, 250, f(0.05), f(0.2), f(10), 4, "400.00",
		0, 0, 0, nil, 1, "80.00", "20.00", "60.00", f(1.2), 0, 1, nil, f(80), true},
	// 2026-03-02 paid_social m-1: 1000 CNY × 0.15 = 150.00 spend, no
	// impressions or clicks (ctr, cpc, cpm NULL). The web row's campaign
	// "Social Prospecting" matches m-1 by name: 200 sessions, 180 users;
	// conversion_rate 0/200 = 0, roas 0/150 = 0.
	{"2026-03-02", "paid_social", "meta", "m-1", "Social Prospecting", "150.00", 0, 0, nil, nil, nil, 0, "0.00",
		200, 180, 0, f(0), 0, "0.00", "0.00", "0.00", f(0), 0, 0, nil, nil, true},
	// 2026-03-02 paid_social m-2: 80 EUR has no rate, so spend and value
	// count 0 (meta.fx_missing lists it); 1000 impressions, 10 clicks:
	// ctr 0.01, cpc 0/10 = 0, cpm 0; roas NULL (no spend).
	{"2026-03-02", "paid_social", "meta", "m-2", "Social EUR", "0.00", 1000, 10, f(0.01), f(0), f(0), 1, "0.00",
		0, 0, 0, nil, 0, "0.00", "0.00", "0.00", nil, 0, 0, nil, nil, true},
}

func TestTransformHandComputed(t *testing.T) {
	_, conn := openDB(t)
	for _, q := range handFixtures {
		mustExec(t, conn, q)
	}
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	r := transforms.New(models, handVars, nil)
	r.Now = func() time.Time { return time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC) }
	var specs []attribution.Spec
	for _, name := range []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley"} {
		s, err := attribution.ParseSpec(name)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	r.AddGoModel(&goals.Model{AsOf: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Currency: handVars.Currency}, &attribution.Marts{Specs: specs})
	res, err := r.Transform(t.Context(), conn, handInputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.SourceViews) != 8 {
		t.Errorf("source views %v", res.SourceViews)
	}

	t.Run("kpi_daily matches the hand computation", func(t *testing.T) {
		rows, err := conn.QueryContext(t.Context(), `
			SELECT CAST(date AS VARCHAR), channel, coalesce(platform, ''), campaign_id, campaign_name,
			       CAST(spend AS VARCHAR), impressions, clicks, ctr, cpc, cpm,
			       platform_conversions, CAST(platform_conversion_value AS VARCHAR),
			       sessions, users, conversions, conversion_rate, orders,
			       CAST(gross_revenue AS VARCHAR), CAST(refunds AS VARCHAR), CAST(revenue AS VARCHAR),
			       roas, new_customers, returning_customers, cac, aov, provisional
			FROM marts.kpi_daily ORDER BY date, channel, campaign_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []kpiRow
		for rows.Next() {
			var k kpiRow
			var ctr, cpc, cpm, cr, roas, cac, aov sql.NullFloat64
			if err := rows.Scan(&k.date, &k.channel, &k.platform, &k.campaignID, &k.campaignName, &k.spend, &k.impressions, &k.clicks,
				&ctr, &cpc, &cpm, &k.platformConversions, &k.platformConversionValue, &k.sessions, &k.users, &k.conversions, &cr,
				&k.orders, &k.grossRevenue, &k.refunds, &k.revenue, &roas, &k.newCustomers, &k.returningCustomers, &cac, &aov,
				&k.provisional); err != nil {
				t.Fatal(err)
			}
			k.ctr, k.cpc, k.cpm, k.conversionRate, k.roas, k.cac, k.aov = ptr(ctr), ptr(cpc), ptr(cpm), ptr(cr), ptr(roas), ptr(cac), ptr(aov)
			got = append(got, k)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(handKPI) {
			for _, g := range got {
				t.Logf("%+v", g)
			}
			t.Fatalf("%d rows, want %d", len(got), len(handKPI))
		}
		for i, want := range handKPI {
			if diff := diffKPI(got[i], want); diff != "" {
				t.Errorf("row %d (%s %s %s): %s", i, want.date, want.channel, want.campaignID, diff)
			}
		}
	})

	t.Run("kpi_daily has the contracted columns and types", func(t *testing.T) {
		got := queryStrings(t, conn, `SELECT column_name || ' ' || data_type FROM duckdb_columns()
			WHERE schema_name = 'marts' AND table_name = 'kpi_daily' ORDER BY column_index`)
		want := "date DATE, channel VARCHAR, platform VARCHAR, campaign_id VARCHAR, campaign_name VARCHAR, " +
			"spend DECIMAL(18,2), impressions BIGINT, clicks BIGINT, ctr DOUBLE, cpc DOUBLE, cpm DOUBLE, " +
			"platform_conversions DOUBLE, platform_conversion_value DECIMAL(18,2), sessions BIGINT, users BIGINT, " +
			"conversions BIGINT, conversion_rate DOUBLE, orders BIGINT, gross_revenue DECIMAL(18,2), refunds DECIMAL(18,2), " +
			"revenue DECIMAL(18,2), roas DOUBLE, new_customers BIGINT, returning_customers BIGINT, cac DOUBLE, aov DOUBLE, " +
			"provisional BOOLEAN"
		if strings.Join(got, ", ") != want {
			t.Errorf("got  %s\nwant %s", strings.Join(got, ", "), want)
		}
	})

	t.Run("channel_daily sums kpi_daily", func(t *testing.T) {
		var spend, revenue string
		var sessions int64
		var cpc float64
		// paid_social 2026-03-02: m-1 150.00 + m-2 0.00; clicks 0 + 10; cpc 150/10 = 15.
		err := conn.QueryRowContext(t.Context(), `SELECT CAST(spend AS VARCHAR), CAST(revenue AS VARCHAR), sessions, cpc
			FROM marts.channel_daily WHERE date = '2026-03-02' AND channel = 'paid_social'`).Scan(&spend, &revenue, &sessions, &cpc)
		if err != nil {
			t.Fatal(err)
		}
		if spend != "150.00" || revenue != "0.00" || sessions != 200 || cpc != 15 {
			t.Errorf("got spend %s revenue %s sessions %d cpc %v", spend, revenue, sessions, cpc)
		}
	})

	t.Run("fx_missing lists the EUR rows", func(t *testing.T) {
		got := queryStrings(t, conn, `SELECT concat_ws('|', currency, date, source, stream, canonical, rows_affected)
			FROM meta.fx_missing ORDER BY canonical`)
		want := []string{"EUR|2026-03-02|ads|ad_performance|ad_performance|1", "EUR|2026-03-02|shop|orders|orders|1"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	// Journeys (Asia/Shanghai days, all in March 2026): u1's display
	// impression and paid_search click at the same instant (impression
	// first) lead to o1 (120) and o3 (80); u2's paid_social then email to
	// o2 (700 CNY × 0.14 = 98); o4 and o7 have no user and o5's only touch
	// is 60 days old: [direct] for 50, 0 (EUR without a rate) and 30. u7's
	// display view is a null journey.
	t.Run("journeys and attribution match the hand computation", func(t *testing.T) {
		got := queryStrings(t, conn, `SELECT concat_ws('|', journey_id, converted, date, value, array_to_string(channels, '>'), no_touch)
			FROM staging.int_attribution__journeys ORDER BY journey_id`)
		want := []string{
			"order:o1|true|2026-03-01|120.00|display>paid_search|false",
			"order:o2|true|2026-03-01|98.00|paid_social>email|false",
			"order:o3|true|2026-03-02|80.00|display>paid_search|false",
			"order:o4|true|2026-03-02|50.00|direct|true",
			"order:o5|true|2026-03-02|30.00|direct|true",
			"order:o7|true|2026-03-02|0.00|direct|true",
			"user:u7|false|2026-03-01|0.00|display|false",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("journeys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Markov order 1: P(conv) = 3/7·2/3 + 1/7 + 3/7 = 6/7; removal
		// effects display 1/3, paid_search 1/3, paid_social 1/6, email 1/6,
		// direct 1/2 (sum 3/2), so 6 conversions split 4/3, 4/3, 2/3, 2/3, 2
		// and 378 of value 84, 84, 42, 42, 126. Linear and Shapley agree
		// here (no channel repeats within a path).
		want2 := map[string]map[string][2]float64{
			"first_touch": {"display": {2, 200}, "paid_social": {1, 98}, "direct": {3, 80}},
			"last_touch":  {"paid_search": {2, 200}, "email": {1, 98}, "direct": {3, 80}},
			"linear":      {"display": {1, 100}, "paid_search": {1, 100}, "paid_social": {0.5, 49}, "email": {0.5, 49}, "direct": {3, 80}},
			"shapley":     {"display": {1, 100}, "paid_search": {1, 100}, "paid_social": {0.5, 49}, "email": {0.5, 49}, "direct": {3, 80}},
			"markov":      {"display": {4.0 / 3, 84}, "paid_search": {4.0 / 3, 84}, "paid_social": {2.0 / 3, 42}, "email": {2.0 / 3, 42}, "direct": {2, 126}},
		}
		for model, chans := range want2 {
			for _, period := range []string{"2026-03", "all"} {
				rows, err := conn.QueryContext(t.Context(), `SELECT channel, conversions, value FROM marts.attribution_by_channel
					WHERE model = ? AND period = ? AND conversions > 0`, model, period)
				if err != nil {
					t.Fatal(err)
				}
				seen := 0
				for rows.Next() {
					var ch string
					var c, v float64
					if err := rows.Scan(&ch, &c, &v); err != nil {
						t.Fatal(err)
					}
					w, ok := chans[ch]
					if !ok || math.Abs(c-w[0]) > 1e-6 || math.Abs(v-w[1]) > 1e-6 {
						t.Errorf("%s %s %s: %v conversions, %v value; want %v", model, period, ch, c, v, w)
					}
					seen++
				}
				rows.Close()
				if seen != len(chans) {
					t.Errorf("%s %s: %d channels credited, want %d", model, period, seen, len(chans))
				}
			}
		}
		// Paid search spent 60 + 40 + 50 USD in March: last-touch CPA 150/2,
		// ROAS 200/150; Markov's removal effect of paid search is 1/3.
		var cpa, roas, re float64
		if err := conn.QueryRowContext(t.Context(), `SELECT cpa, roas, (SELECT removal_effect FROM marts.attribution_by_channel
			WHERE model = 'markov' AND period = 'all' AND channel = 'paid_search')
			FROM marts.attribution_by_channel WHERE model = 'last_touch' AND period = '2026-03' AND channel = 'paid_search'`).Scan(&cpa, &roas, &re); err != nil {
			t.Fatal(err)
		}
		if math.Abs(cpa-75) > 1e-6 || math.Abs(roas-4.0/3) > 1e-6 || math.Abs(re-1.0/3) > 1e-6 {
			t.Errorf("paid search: cpa %v roas %v removal effect %v", cpa, roas, re)
		}
	})

	t.Run("staging converts, dates and keeps extras", func(t *testing.T) {
		got := queryStrings(t, conn, `SELECT concat_ws('|', order_id, status, date, coalesce(CAST(amount AS VARCHAR), 'NULL'), currency,
			CAST(amount_original AS DECIMAL(18,2)), currency_original, coalesce(coupon, ''), _source, _stream)
			FROM staging.orders ORDER BY ts`)
		want := []string{
			"o1|paid|2026-03-01|120.0000|USD|120.00|USD||shop|orders",
			"o2|paid|2026-03-01|98.0000|USD|700.00|CNY|SPRING|shop|orders",
			"o3|paid|2026-03-02|80.0000|USD|80.00|USD||shop|orders",
			"o4|paid|2026-03-02|50.0000|USD|50.00|USD||shop|orders",
			"o5|paid|2026-03-02|30.0000|USD|30.00|USD||shop|orders",
			"o1|refunded|2026-03-02|20.0000|USD|20.00|USD||shop|orders",
			"o6|cancelled|2026-03-02|999.0000|USD|999.00|USD||shop|orders",
			"o7|paid|2026-03-02|NULL|USD|10.00|EUR||shop|orders",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The optional ad columns the raw table lacks are typed NULLs.
		var typ string
		if err := conn.QueryRowContext(t.Context(), `SELECT any_value(typeof(ad_group_id)) || ',' || any_value(typeof(account_timezone)) || ',' || count(*) FILTER (WHERE ad_group_id IS NULL)
			FROM staging.src_ad_performance`).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		if typ != "VARCHAR,VARCHAR,6" {
			t.Errorf("optional columns: %s", typ)
		}
	})

	t.Run("checks pass and fail as computed", func(t *testing.T) {
		results, err := r.Check(t.Context(), conn, 42)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]transforms.CheckResult{}
		for _, c := range results {
			byName[c.Name] = c
			if c.Status == transforms.StatusError {
				t.Errorf("check %s could not run: %s", c.Name, c.Detail)
			}
		}
		want := map[string]struct {
			status  string
			failing int64
			detail  string
		}{
			// Two rows (one ad row, one order) had no EUR rate.
			"fx_missing:meta.fx_missing": {transforms.StatusFail, 2, "currency=EUR"},
			// u7's "view" is not an interaction pacer knows.
			"accepted_values:staging.touchpoints.interaction":             {transforms.StatusFail, 1, "interaction=view"},
			"not_null:marts.kpi_daily.date":                               {transforms.StatusPass, 0, ""},
			"unique_combination:marts.kpi_daily.date+channel+campaign_id": {transforms.StatusPass, 0, ""},
			"row_count_min:marts.kpi_daily":                               {transforms.StatusPass, 0, "it has 9"},
			// Today is 2026-03-03 in Shanghai; the latest day 03-02 is 1 day old.
			"freshness:marts.kpi_daily.date":           {transforms.StatusPass, 0, "it is 2026-03-02"},
			"sql:kpi_revenue_reconciles":               {transforms.StatusPass, 0, ""},
			"sql:refunds_match_orders":                 {transforms.StatusPass, 0, ""},
			"sql:ad_rows_not_in_future":                {transforms.StatusPass, 0, ""},
			"sql:ad_spend_not_negative":                {transforms.StatusPass, 0, ""},
			"unique:staging.conversions.conversion_id": {transforms.StatusPass, 0, ""},
		}
		for name, w := range want {
			c, ok := byName[name]
			if !ok {
				t.Errorf("no check %s", name)
				continue
			}
			if c.Status != w.status || c.FailingRows != w.failing || !strings.Contains(c.Detail, w.detail) {
				t.Errorf("%s: status %s failing %d detail %q; want %s %d containing %q", name, c.Status, c.FailingRows, c.Detail, w.status, w.failing, w.detail)
			}
		}
		failed := transforms.Failed(results)
		var names []string
		for _, c := range failed {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != "accepted_values:staging.touchpoints.interaction,fx_missing:meta.fx_missing" {
			t.Errorf("failed checks: %v", names)
		}
		var stored, storedFailed int64
		if err := conn.QueryRowContext(t.Context(), `SELECT count(*), count(*) FILTER (WHERE status = 'fail' AND severity = 'error')
			FROM meta.check_results WHERE run_id = 42`).Scan(&stored, &storedFailed); err != nil {
			t.Fatal(err)
		}
		if stored != int64(len(results)) || storedFailed != 2 {
			t.Errorf("meta.check_results: %d rows, %d failed; want %d, 2", stored, storedFailed, len(results))
		}
		var name, model, kind, sev, status, detail string
		var col sql.NullString
		if err := conn.QueryRowContext(t.Context(), `SELECT check_name, model, column_name, kind, severity, status, detail
			FROM meta.check_results WHERE run_id = 42 AND check_name = 'accepted_values:staging.touchpoints.interaction'`).
			Scan(&name, &model, &col, &kind, &sev, &status, &detail); err != nil {
			t.Fatal(err)
		}
		if model != "staging.touchpoints" || col.String != "interaction" || kind != "accepted_values" || sev != "error" || status != "fail" ||
			!strings.Contains(detail, "user_id=u7") {
			t.Errorf("stored row: %s %s %v %s %s %s %q", name, model, col, kind, sev, status, detail)
		}
	})

	t.Run("a second run gives identical marts", func(t *testing.T) {
		const digest = `SELECT count(*) || ':' || md5(string_agg(k::VARCHAR, ',' ORDER BY k::VARCHAR)) FROM marts.kpi_daily AS k`
		before := queryStrings(t, conn, digest)
		if _, err := r.Transform(t.Context(), conn, handInputs); err != nil {
			t.Fatal(err)
		}
		after := queryStrings(t, conn, digest)
		if before[0] != after[0] || !strings.HasPrefix(after[0], fmt.Sprintf("%d:", len(handKPI))) {
			t.Errorf("before %s, after %s", before[0], after[0])
		}
	})

	t.Run("every relation and column is commented", func(t *testing.T) {
		assertAllCommented(t, conn)
	})
}

func ptr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	return &n.Float64
}

func diffKPI(got, want kpiRow) string {
	var d []string
	str := func(name, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s %q, want %q", name, g, w))
		}
	}
	num := func(name string, g, w int64) {
		if g != w {
			d = append(d, fmt.Sprintf("%s %d, want %d", name, g, w))
		}
	}
	ratio := func(name string, g, w *float64) {
		switch {
		case g == nil && w == nil:
		case g == nil || w == nil:
			d = append(d, fmt.Sprintf("%s %v, want %v", name, fmtPtr(g), fmtPtr(w)))
		case math.Abs(*g-*w) > 1e-9:
			d = append(d, fmt.Sprintf("%s %v, want %v", name, *g, *w))
		}
	}
	str("platform", got.platform, want.platform)
	str("campaign_name", got.campaignName, want.campaignName)
	str("spend", got.spend, want.spend)
	num("impressions", got.impressions, want.impressions)
	num("clicks", got.clicks, want.clicks)
	ratio("ctr", got.ctr, want.ctr)
	ratio("cpc", got.cpc, want.cpc)
	ratio("cpm", got.cpm, want.cpm)
	ratio("platform_conversions", &got.platformConversions, &want.platformConversions)
	str("platform_conversion_value", got.platformConversionValue, want.platformConversionValue)
	num("sessions", got.sessions, want.sessions)
	num("users", got.users, want.users)
	num("conversions", got.conversions, want.conversions)
	ratio("conversion_rate", got.conversionRate, want.conversionRate)
	num("orders", got.orders, want.orders)
	str("gross_revenue", got.grossRevenue, want.grossRevenue)
	str("refunds", got.refunds, want.refunds)
	str("revenue", got.revenue, want.revenue)
	ratio("roas", got.roas, want.roas)
	num("new_customers", got.newCustomers, want.newCustomers)
	num("returning_customers", got.returningCustomers, want.returningCustomers)
	ratio("cac", got.cac, want.cac)
	ratio("aov", got.aov, want.aov)
	if got.provisional != want.provisional {
		d = append(d, fmt.Sprintf("provisional %v, want %v", got.provisional, want.provisional))
	}
	return strings.Join(d, "; ")
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(*p)
}

func queryStrings(t *testing.T, conn *sql.Conn, query string) []string {
	t.Helper()
	rows, err := conn.QueryContext(t.Context(), query)
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
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// assertAllCommented fails for every table, view or column of staging,
// marts and meta without a comment.
func assertAllCommented(t *testing.T, conn *sql.Conn) {
	t.Helper()
	missing := queryStrings(t, conn, `
		SELECT 'table ' || schema_name || '.' || table_name FROM duckdb_tables()
		WHERE schema_name IN ('staging', 'marts', 'meta') AND coalesce(comment, '') = ''
		UNION ALL
		SELECT 'view ' || schema_name || '.' || view_name FROM duckdb_views()
		WHERE schema_name IN ('staging', 'marts', 'meta') AND NOT internal AND coalesce(comment, '') = ''
		UNION ALL
		SELECT 'column ' || schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
		WHERE schema_name IN ('staging', 'marts', 'meta') AND coalesce(comment, '') = ''
		ORDER BY 1`)
	for _, m := range missing {
		t.Errorf("no comment: %s", m)
	}
	var n int64
	if err := conn.QueryRowContext(t.Context(), `SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('staging', 'marts', 'meta')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("only %d columns checked", n)
	}
}

// With attribution.conversion_types, conversion events of those types are
// what attribution credits: cv1 (u1's signup on 2026-03-01 01:00Z, after
// u1's display impression and paid_search click of 02-28) and cv2 (u9, no
// touch: [direct], value 5). Users without a signup are null journeys.
func TestJourneysFromConversionEvents(t *testing.T) {
	_, conn := openDB(t)
	for _, q := range handFixtures {
		mustExec(t, conn, q)
	}
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	vars := handVars
	vars.AttributionConversionTypes = []string{"signup"}
	r := transforms.New(models, vars, nil)
	if _, err := r.Transform(t.Context(), conn, handInputs); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, conn, `SELECT concat_ws('|', journey_id, converted, value, array_to_string(channels, '>'))
		FROM staging.int_attribution__journeys ORDER BY journey_id`)
	want := []string{
		"conversion:cv1|true|0.00|display>paid_search",
		"conversion:cv2|true|5.00|direct",
		"user:u2|false|0.00|paid_social>email",
		"user:u4|false|0.00|paid_search",
		"user:u7|false|0.00|display",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journeys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	bad := handVars
	bad.AttributionConversionTypes = []string{"lead'); DROP TABLE x; --"}
	if _, err := transforms.New(models, bad, nil).Transform(t.Context(), conn, handInputs); err == nil || !strings.Contains(err.Error(), "conversion type") {
		t.Errorf("an unsafe conversion type: %v", err)
	}
}
