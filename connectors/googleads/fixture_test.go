package googleads_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
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

// demoFixture is 40 days of the demo company's ad rows.
func demoFixture(t testing.TB) *fixture.Set {
	return conntest.DemoSet(t, day("2026-09-01"), day("2026-10-10"), "ad_performance")
}

// adOptions: account ids land as the connector stores them (googleadstest.CustomerID).
var adOptions = conntest.AdOptions{AccountID: googleadstest.CustomerID}

// syncFixture serves set from a fake, syncs it into DuckDB and returns the
// fake and the landed rows.
func syncFixture(t *testing.T, set *fixture.Set, o googleadstest.Options) (*harness, []conntest.LandedAd) {
	t.Helper()
	o.Fixture = set
	h := newHarness(t, o, "")
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	if q := h.em.Quarantined(); len(q) > 0 {
		t.Fatalf("%d rows quarantined, e.g. %+v", len(q), q[0])
	}
	return h, conntest.LandedAds(t, h.em, h.src.Streams()[0].Name)
}

// compareRows checks every landed row, then the sums per account, against
// the fixture's.
func compareRows(t *testing.T, set *fixture.Set, got []conntest.LandedAd) {
	t.Helper()
	conntest.CompareAds(t, got, conntest.WantAds(set.Platform("google_ads")), adOptions)
}

// compareSums checks the sums per account only (the rows landed at a
// coarser grain).
func compareSums(t *testing.T, set *fixture.Set, got []conntest.LandedAd) {
	t.Helper()
	o := adOptions
	o.SumsOnly = true
	conntest.CompareAds(t, got, conntest.WantAds(set.Platform("google_ads")), o)
}

func TestFixtureRoundTrip(t *testing.T) {
	t.Run("awkward", func(t *testing.T) {
		set := awkwardSet()
		h, got := syncFixture(t, set, googleadstest.Options{BatchSize: 2, DaysPerRequest: 3})
		y, _ := h.fake.Config()
		if !strings.Contains(y, "level: ad_group\n") || !strings.Contains(y, "channel_map: {SHOPPING: paid_shopping}\n") {
			t.Errorf("config lacks the fixture's level or channel_map:\n%s", y)
		}
		compareRows(t, set, got)
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
		_, got := syncFixture(t, set, googleadstest.Options{BatchSize: 50})
		compareRows(t, set, got)
	})
	t.Run("a coarser level sums the rows", func(t *testing.T) {
		set := awkwardSet()
		_, got := syncFixture(t, set, googleadstest.Options{Level: "campaign"})
		compareSums(t, set, got)
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
	_, got := syncFixture(t, set, googleadstest.Options{})
	if len(got) != 1 {
		t.Fatalf("%d rows", len(got))
	}
	// The known difference, row and sum: 0.000008 less conversion value.
	if v := got[0].ConversionValue.Decimal(9); v != "123456789012.345670000" {
		t.Errorf("conversion_value %s", v)
	}
	want := conntest.WantAds(set.Platform("google_ads"))
	want[0].ConversionValue -= 8
	conntest.CompareAds(t, got, want, adOptions)
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
