package googleads_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/googleads"
	"github.com/pacerhq/pacer/connectors/googleads/googleadstest"
)

// awkwardSet is a hand-made fixture: two accounts in different currencies
// and zones (one id with dashes, one without), a campaign name with
// quotes, a backslash and CJK, every default channel plus one that needs
// channel_map, a zero-click row, an all-zero row, fractional conversions,
// a large spend and sub-cent micros.
func awkwardSet() *fixture.Set {
	set := &fixture.Set{Accounts: []fixture.Account{
		{Platform: "google_ads", ID: "123-456-7890", Name: `Lumen "US" 茶`, Currency: "USD", TimeZone: "America/Los_Angeles"},
		{Platform: "google_ads", ID: "9876543210", Name: "流明茶 中国", Currency: "CNY", TimeZone: "Asia/Shanghai"},
		{Platform: "meta", ID: "act_1", Currency: "EUR", TimeZone: "Europe/Berlin"}, // another platform: ignored
	}}
	add := func(acct, date, cid, name, gid, channel string, imp, clk int64, spend, value fixture.Micros, conv float64) {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day(date), Platform: "google_ads", AccountID: acct,
			CampaignID: cid, CampaignName: name, AdGroupID: gid, Channel: channel,
			Impressions: imp, Clicks: clk, Spend: spend, ConversionValue: value, Conversions: conv})
	}
	weird := `Café "Winter" \ 茶 ‘Gifts’ — 50%`
	for i, d := range []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"} {
		n := int64(i)
		add("123-456-7890", d, "21000000001", weird, "2100000000101", "paid_search", 1000+n, 50+n, fixture.Micros(12_340_000+n*10_000), fixture.Micros(99_990_000), 2.25)
		add("123-456-7890", d, "21000000001", weird, "2100000000102", "paid_search", 10, 0, 70_000, 0, 0) // zero clicks
		add("123-456-7890", d, "21000000002", "Display Remarketing", "2100000000201", "display", 20000, 13, 1_234_567_890_000, 1_234_567_890_000, 0.1)
		add("9876543210", d, "22000000001", "YouTube 发布", "2200000000101", "short_video", 5000, 7, 4_560_000+fixture.Micros(n), 12_345_678, 1.0/3)
		add("9876543210", d, "22000000002", "Shopping – 全部商品", "2200000000201", "paid_shopping", 800, 9, 9_990_000, 45_670_000, 3)
	}
	add("9876543210", "2026-10-04", "22000000003", "Paused", "2200000000301", "paid_search", 0, 0, 0, 0, 0) // all zero
	return set
}

var (
	demoOnce sync.Once
	demoSet  *fixture.Set
	demoErr  error
)

// demoFixture is 40 days of the demo company's ad rows.
func demoFixture(t testing.TB) *fixture.Set {
	demoOnce.Do(func() {
		start := day("2026-09-01")
		src, err := demo.New(connectors.Config{Name: "demo", StartDate: start})
		if err != nil {
			demoErr = err
			return
		}
		demoSet, demoErr = fixture.Collect(t.Context(), src, start.AddDate(0, 0, 39), "ad_performance")
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoSet
}

// landedRow is one stored row as text: money at the column's scale,
// conversions as the double's shortest text.
type landedRow map[string]string

var compared = []string{"date", "account_id", "campaign_id", "campaign_name", "ad_group_id", "ad_id", "channel",
	"currency", "account_timezone", "impressions", "clicks", "conversions", "spend", "conversion_value"}

func rowKey(m landedRow) string {
	return strings.Join([]string{m["date"], m["account_id"], m["campaign_id"], m["ad_group_id"], m["ad_id"]}, "|")
}

// want renders a fixture row as it must land: account ids as Google
// writes them (digits only), money as DECIMAL(38,9) text, NULL ids as "NULL".
func want(set *fixture.Set, r fixture.AdRow) landedRow {
	a, _ := set.Account(r.Platform, r.AccountID)
	orNull := func(s string) string {
		if s == "" {
			return "NULL"
		}
		return s
	}
	return landedRow{
		"date": r.Date.Format(time.DateOnly), "account_id": googleadstest.CustomerID(r.AccountID),
		"campaign_id": r.CampaignID, "campaign_name": r.CampaignName,
		"ad_group_id": orNull(r.AdGroupID), "ad_id": orNull(r.AdID), "channel": r.Channel,
		"currency": a.Currency, "account_timezone": a.TimeZone,
		"impressions": strconv.FormatInt(r.Impressions, 10), "clicks": strconv.FormatInt(r.Clicks, 10),
		"conversions": strconv.FormatFloat(r.Conversions, 'g', -1, 64),
		"spend":       r.Spend.Decimal(9), "conversion_value": r.ConversionValue.Decimal(9),
	}
}

// syncFixture serves set from a fake, syncs it into DuckDB and returns the
// fake and the stored rows.
func syncFixture(t *testing.T, set *fixture.Set, o googleadstest.Options) (*harness, []landedRow) {
	t.Helper()
	o.Fixture = set
	h := newHarness(t, o, "")
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	if q := h.em.Quarantined(); len(q) > 0 {
		t.Fatalf("%d rows quarantined, e.g. %+v", len(q), q[0])
	}
	table := h.src.Streams()[0].Name
	rows, err := h.em.Query(t.Context(), `SELECT date::VARCHAR, account_id, campaign_id, campaign_name,
		coalesce(ad_group_id, 'NULL'), coalesce(ad_id, 'NULL'), channel, currency, account_timezone,
		impressions::VARCHAR, clicks::VARCHAR, conversions, spend::VARCHAR, conversion_value::VARCHAR FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []landedRow
	for rows.Next() {
		v := make([]string, len(compared))
		var conv float64
		dest := make([]any, len(compared))
		for i := range v {
			dest[i] = &v[i]
		}
		dest[11] = &conv
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		// The DOUBLE compared through its shortest text: equal texts are
		// equal doubles, bit for bit.
		v[11] = strconv.FormatFloat(conv, 'g', -1, 64)
		m := landedRow{}
		for i, c := range compared {
			m[c] = v[i]
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return h, out
}

// compareRows checks every stored row against the fixture's, column by
// column; diffs lists the known differences (row key → column → stored
// value) that the wire cannot carry.
func compareRows(t *testing.T, set *fixture.Set, got []landedRow, diffs map[string]map[string]string) {
	t.Helper()
	_, fixRows := set.Platform("google_ads")
	wantBy := map[string]landedRow{}
	for _, r := range fixRows {
		w := want(set, r)
		if _, dup := wantBy[rowKey(w)]; dup {
			t.Fatalf("fixture has two rows of %s", rowKey(w))
		}
		wantBy[rowKey(w)] = w
	}
	if len(got) != len(wantBy) {
		t.Errorf("%d rows stored, fixture has %d", len(got), len(wantBy))
	}
	seen := map[string]bool{}
	bad := 0
	for _, g := range got {
		k := rowKey(g)
		if seen[k] {
			t.Errorf("row %s stored twice", k)
		}
		seen[k] = true
		w, ok := wantBy[k]
		if !ok {
			t.Errorf("stored row %s is not in the fixture", k)
			continue
		}
		for _, c := range compared {
			exp := w[c]
			if d, ok := diffs[k][c]; ok {
				exp = d
			}
			if g[c] != exp {
				bad++
				if bad <= 10 {
					t.Errorf("row %s: %s = %q, fixture %q", k, c, g[c], exp)
				}
			}
		}
	}
	for k := range wantBy {
		if !seen[k] {
			t.Errorf("fixture row %s not stored", k)
		}
	}
	if bad > 10 {
		t.Errorf("… %d differences in all", bad)
	}
}

// compareSums checks per-account sums of the stored rows against the
// fixture's, in exact integers (money in micros, conversions in
// millionths).
func compareSums(t *testing.T, h *harness, set *fixture.Set, diffMicros map[string]int64) {
	t.Helper()
	type sums struct{ imp, clk, spend, value, conv int64 }
	want := map[string]sums{}
	_, fixRows := set.Platform("google_ads")
	for _, r := range fixRows {
		id := googleadstest.CustomerID(r.AccountID)
		s := want[id]
		s.imp += r.Impressions
		s.clk += r.Clicks
		s.spend += int64(r.Spend)
		s.value += int64(r.ConversionValue)
		s.conv += int64(fixture.MicrosOf(r.Conversions))
		want[id] = s
	}
	for id, d := range diffMicros {
		s := want[id]
		s.value += d
		want[id] = s
	}
	rows, err := h.em.Query(t.Context(), `SELECT account_id, sum(impressions)::BIGINT, sum(clicks)::BIGINT,
		sum(spend * 1000000)::BIGINT, sum(conversion_value * 1000000)::BIGINT, sum(round(conversions * 1000000))::BIGINT
		FROM `+h.src.Streams()[0].Name+` GROUP BY account_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]sums{}
	for rows.Next() {
		var id string
		var s sums
		if err := rows.Scan(&id, &s.imp, &s.clk, &s.spend, &s.value, &s.conv); err != nil {
			t.Fatal(err)
		}
		got[id] = s
	}
	if !maps.Equal(got, want) {
		t.Errorf("sums per account\n got %+v\nwant %+v", got, want)
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	t.Run("awkward", func(t *testing.T) {
		set := awkwardSet()
		h, got := syncFixture(t, set, googleadstest.Options{BatchSize: 2, DaysPerRequest: 3})
		y, _ := h.fake.Config()
		if !strings.Contains(y, "level: ad_group\n") || !strings.Contains(y, "channel_map: {SHOPPING: paid_shopping}\n") {
			t.Errorf("config lacks the fixture's level or channel_map:\n%s", y)
		}
		compareRows(t, set, got, nil)
		compareSums(t, h, set, nil)
		if d := h.fake.Days(); d.From != day("2026-10-01") || d.To != day("2026-10-08") {
			t.Errorf("days %s, want the span of the rows", d)
		}
		// 2 customer queries, then 3 windows of 2 accounts; 5 or 6 rows a
		// day in batches of 2.
		if r, p := h.fake.Requests(), h.fake.Pages(); r != 8 || p < 3*r {
			t.Errorf("%d requests, %d batches: paging not exercised", r, p)
		}
	})
	t.Run("demo", func(t *testing.T) {
		set := demoFixture(t)
		accts, rows := set.Platform("google_ads")
		if len(accts) != 1 || len(rows) < 300 {
			t.Fatalf("demo slice: %v, %d rows", accts, len(rows))
		}
		h, got := syncFixture(t, set, googleadstest.Options{BatchSize: 50})
		compareRows(t, set, got, nil)
		compareSums(t, h, set, nil)
	})
	t.Run("a coarser level sums the rows", func(t *testing.T) {
		set := awkwardSet()
		h, _ := syncFixture(t, set, googleadstest.Options{Level: "campaign"})
		compareSums(t, h, set, nil)
	})
}

// TestFixtureBeyondDouble shows what does not round-trip: Google sends
// conversions_value as a double, which holds about 15 significant digits;
// 123,456,789,012.345678 becomes the double nearest to it, whose
// shortest text is 123456789012.34567: stored 0.000008 lower. Spend
// travels as int64 micros and stays exact at any size.
func TestFixtureBeyondDouble(t *testing.T) {
	big := fixture.Micros(123_456_789_012_345_678)
	set := &fixture.Set{
		Accounts: []fixture.Account{{Platform: "google_ads", ID: "1234567890", Name: "big", Currency: "IDR", TimeZone: "Asia/Jakarta"}},
		Ads: []fixture.AdRow{{Date: day("2026-10-05"), Platform: "google_ads", AccountID: "1234567890", CampaignID: "1", CampaignName: "big",
			Channel: "paid_search", Impressions: 1, Clicks: 1, Spend: big, ConversionValue: big, Conversions: 1}},
	}
	h, got := syncFixture(t, set, googleadstest.Options{})
	key := "2026-10-05|1234567890|1|NULL|NULL"
	compareRows(t, set, got, map[string]map[string]string{key: {"conversion_value": "123456789012.345670000"}})
	compareSums(t, h, set, map[string]int64{"1234567890": -8})
	if len(got) != 1 {
		t.Fatalf("%d rows", len(got))
	}
}

// TestFixtureRestatement: fixture values change only when Restate asks.
func TestFixtureRestatement(t *testing.T) {
	set := awkwardSet()
	fake := googleadstest.New(googleadstest.Options{Fixture: set})
	defer fake.Close()
	before := fake.Expected(fake.Days())
	if again := fake.Expected(fake.Days()); !slices.EqualFunc(before, again, maps.Equal) {
		t.Fatal("values changed without a restatement")
	}
	fake.Restate(day("2026-10-02"))
	after := fake.Expected(fake.Days())
	changed := 0
	for i := range before {
		if !maps.Equal(before[i], after[i]) {
			changed++
			if before[i]["date"] != "2026-10-02" {
				t.Errorf("restating 2026-10-02 changed %v", before[i])
			}
		}
	}
	if changed == 0 {
		t.Error("Restate changed nothing")
	}
}

// TestConformanceFixture runs the suite on the demo company's rows: paging,
// throttling, errors, auth, restatement and resumption with fixture data.
func TestConformanceFixture(t *testing.T) {
	set := demoFixture(t)
	conformance.Run(t, conformance.Harness{
		Type: googleads.Type,
		New:  conformance.Factory(googleads.New),
		Start: func(t testing.TB) conformance.Fake {
			s := googleadstest.New(googleadstest.Options{Fixture: set})
			t.Cleanup(s.Close)
			return s
		},
	})
}

func TestFixtureCheck(t *testing.T) {
	set := awkwardSet()
	set.Ads[0].AdID = "1"
	if err := googleadstest.CheckFixture(set); err == nil || !strings.Contains(err.Error(), "mix") {
		t.Errorf("mixed grains: %v", err)
	}
	set = awkwardSet()
	set.Accounts[0].ID = "123-456"
	if err := googleadstest.CheckFixture(set); err == nil || !strings.Contains(err.Error(), "not a customer id") {
		t.Errorf("bad customer id: %v", err)
	}
}
