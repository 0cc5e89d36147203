package meta_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/meta"
	"github.com/pacerhq/pacer/connectors/meta/metatest"
)

// awkwardSet is a hand-made fixture at ad grain: two accounts in
// different currencies and zones (one id with act_, one without), a
// campaign name with quotes, a backslash and CJK, a channel other than the
// default, a zero-click row, a row without delivery, whole and fractional
// conversions (split over both attribution windows when whole), a large
// spend and sub-cent micros.
func awkwardSet() *fixture.Set {
	set := &fixture.Set{Accounts: []fixture.Account{
		{Platform: "google_ads", ID: "123-456-7890", Currency: "USD", TimeZone: "America/Los_Angeles"}, // another platform: ignored
		{Platform: "meta", ID: "act_100200300", Name: `Lumen "EU" 茶`, Currency: "EUR", TimeZone: "Europe/Berlin"},
		{Platform: "meta", ID: "9988776655", Name: "ルーメン 日本", Currency: "JPY", TimeZone: "Asia/Tokyo"},
	}}
	add := func(acct, date, cid, name, sid, aid string, imp, clk int64, spend, value fixture.Micros, conv float64) {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day(date), Platform: "meta", AccountID: acct,
			CampaignID: cid, CampaignName: name, AdGroupID: sid, AdID: aid, Channel: "paid_social_ig",
			Impressions: imp, Clicks: clk, Spend: spend, ConversionValue: value, Conversions: conv})
	}
	weird := `Café "Winter" \ 茶 ‘Gifts’ — 50%`
	for i, d := range []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"} {
		n := int64(i)
		add("act_100200300", d, "120210000000000001", weird, "120211000000000001", "120212000000000001", 1000+n, 50+n, fixture.Micros(12_340_000+n*10_000), 99_990_000, 7)
		add("act_100200300", d, "120210000000000001", weird, "120211000000000001", "120212000000000002", 10, 0, 70_000, 0, 0) // zero clicks
		add("act_100200300", d, "120210000000000002", "Advantage+ Shopping", "120211000000000002", "120212000000000003", 20000, 13, 1_234_567_890_000, 1_234_567_890_000, 2.25)
		add("9988776655", d, "120210000000000003", "リール 発売", "120211000000000003", "120212000000000004", 5000, 7, 4_560_000+fixture.Micros(n), 12_345_678, 4)
		add("9988776655", d, "120210000000000004", "Lookalike 1%", "120211000000000004", "120212000000000005", 800, 9, 9_990_000, 45_670_000, 1)
	}
	add("9988776655", "2026-10-04", "120210000000000005", "Paused", "120211000000000005", "120212000000000006", 0, 0, 0, 0, 0) // no delivery
	return set
}

// demoFixture is 40 days of the demo company's ad rows.
func demoFixture(t testing.TB) *fixture.Set {
	return conntest.DemoSet(t, day("2026-09-01"), day("2026-10-10"), "ad_performance")
}

// adOptions: account ids land as the connector stores them (metatest.AccountID).
var adOptions = conntest.AdOptions{AccountID: metatest.AccountID}

// syncFixture serves set from a fake, syncs it into DuckDB and returns the
// fake and the landed rows.
func syncFixture(t *testing.T, set *fixture.Set, o metatest.Options) (*harness, []conntest.LandedAd) {
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
	conntest.CompareAds(t, got, conntest.WantAds(set.Platform("meta")), adOptions)
}

// compareSums checks the sums per account only (the rows landed at a
// coarser grain).
func compareSums(t *testing.T, set *fixture.Set, got []conntest.LandedAd) {
	t.Helper()
	o := adOptions
	o.SumsOnly = true
	conntest.CompareAds(t, got, conntest.WantAds(set.Platform("meta")), o)
}

// TestFixtureRoundTrip syncs fixtures through the fake and compares every
// stored row exactly. Meta carries every metric as a decimal string, so
// nothing is lost on the way: spend and conversion values land to the
// micro, conversions as the same double. Not carried (and not compared):
// ad set and ad names, which a fixture does not have (the columns land as
// empty strings).
func TestFixtureRoundTrip(t *testing.T) {
	zero := 0
	for _, async := range []bool{false, true} {
		name := "awkward_sync"
		o := metatest.Options{PageSize: 2, DaysPerRequest: 3}
		if async {
			name, o.AsyncAfterDays = "awkward_async", &zero
		}
		t.Run(name, func(t *testing.T) {
			set := awkwardSet()
			h, got := syncFixture(t, set, o)
			y, _ := h.fake.Config()
			if !strings.Contains(y, "level: ad\n") || !strings.Contains(y, "channel: paid_social_ig\n") {
				t.Errorf("config lacks the fixture's level or channel:\n%s", y)
			}
			compareRows(t, set, got)
			if d := h.fake.Days(); d.From != day("2026-10-01") || d.To != day("2026-10-08") {
				t.Errorf("days %s, want the span of the rows", d)
			}
			// 3 windows of 2 accounts, 2 to 3 rows a day in pages of 2.
			if p := h.fake.Pages(); p < 2*6 {
				t.Errorf("%d pages: paging not exercised", p)
			}
			// Whole conversions are split over the two windows; the
			// per-window columns add up to the total.
			n := h.count(t, `SELECT count(*) FROM ad_daily WHERE conversions_7d_click + conversions_1d_view <> conversions
				OR conversion_value_7d_click + conversion_value_1d_view <> conversion_value`)
			split := h.count(t, `SELECT count(*) FROM ad_daily WHERE conversions_1d_view > 0 AND conversions_7d_click > 0`)
			if n != 0 || split == 0 {
				t.Errorf("%d rows whose windows do not add up; %d rows split over both windows", n, split)
			}
		})
	}
	t.Run("demo", func(t *testing.T) {
		set := demoFixture(t)
		accts, rows := set.Platform("meta")
		if len(accts) != 1 || len(rows) < 200 {
			t.Fatalf("demo slice: %v, %d rows", accts, len(rows))
		}
		_, got := syncFixture(t, set, metatest.Options{PageSize: 50})
		compareRows(t, set, got)
	})
	t.Run("a coarser level sums the rows", func(t *testing.T) {
		set := awkwardSet()
		_, got := syncFixture(t, set, metatest.Options{Level: "campaign"})
		compareSums(t, set, got)
	})
}

func TestFixtureCheck(t *testing.T) {
	set := awkwardSet()
	set.Ads[3].Channel = "display"
	if err := metatest.CheckFixture(set); err == nil || !strings.Contains(err.Error(), "one channel") {
		t.Errorf("mixed channels: %v", err)
	}
	set = awkwardSet()
	set.Ads[0].AdID = ""
	if err := metatest.CheckFixture(set); err == nil || !strings.Contains(err.Error(), "mix") {
		t.Errorf("mixed grains: %v", err)
	}
}

// TestFixtureRestatement: fixture values change only when Restate asks.
func TestFixtureRestatement(t *testing.T) {
	set := awkwardSet()
	fake := metatest.New(metatest.Options{Fixture: set})
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
		Type: meta.Type,
		New:  conformance.Factory(meta.New),
		Start: func(t testing.TB) conformance.Fake {
			s := metatest.New(metatest.Options{Fixture: set})
			t.Cleanup(s.Close)
			return s
		},
		Skip: map[string]string{
			"expired_token": "Meta has no refresh tokens: an expired token (code 190, subcode 463) cannot be refreshed and fails at once; the revoked check covers it",
		},
	})
}
