package tiktok_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/tiktok"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

// handSet is a small fixture with awkward values: two advertisers in
// different currencies and zones, a unicode name with quotes, a zero-click
// row, a zero row, a large spend, a fractional conversion count, 9 days
// (paged 5 rows at a time by the test).
func handSet(grain string) *fixture.Set {
	set := conntest.HandAds{
		Platform: "tiktok",
		Accounts: []fixture.Account{
			{Platform: "tiktok", ID: "7301234567890123457", Name: "流明茶 TikTok", Currency: "CNY", TimeZone: "Asia/Singapore"},
			{Platform: "tiktok", ID: "7000000000000000002", Name: `Lumen "US"`, Currency: "USD", TimeZone: "America/Los_Angeles"},
			{Platform: "google_ads", ID: "482-913-5570", Currency: "USD", TimeZone: "Asia/Shanghai"},
		},
		Campaigns: [][2]string{{"1780000000000000001", `抖音 "直播" 引流`}, {"1780000000000000002", "Spark, Ads — 秋季 \\ back\\slash"}},
		Channel:   "short_video",
		Days:      9,
		Grain:     grain,
		AdGroupID: func(d, ai, ci int) string { return fmt.Sprintf("179000000000%04d%d%d", d%2, ai, ci) },
		AdID:      func(d, ai, ci int) string { return fmt.Sprintf("180000000000%04d%d%d", d%2, ai, ci) },
	}.Set()
	set.Ads = append(set.Ads, fixture.AdRow{Date: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), Platform: "google_ads", AccountID: "482-913-5570",
		CampaignID: "1", CampaignName: "not tiktok", Impressions: 1, Spend: 1_000_000})
	return set
}

// demoSet is the demo company's tiktok rows: the company starts on
// 2026-06-01 and its first TikTok campaign 30 days later; 70 days are
// collected, so about 40 have TikTok rows.
func demoSet(t *testing.T) *fixture.Set {
	return conntest.DemoSet(t, day("2026-06-01"), day("2026-08-09"), "ad_performance")
}

func TestFixtureRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		set       func(t *testing.T) *fixture.Set
		level     string
		pageSize  int
		minPages  int
		fractions bool
	}{
		{name: "hand-made, campaign grain", set: func(*testing.T) *fixture.Set { return handSet("campaign") }, level: "campaign", pageSize: 5, minPages: 8},
		{name: "hand-made, ad group grain", set: func(*testing.T) *fixture.Set { return handSet("adgroup") }, level: "adgroup", pageSize: 5, minPages: 8},
		{name: "hand-made, ad grain", set: func(*testing.T) *fixture.Set { return handSet("ad") }, level: "ad", pageSize: 5, minPages: 8},
		{name: "demo company", set: demoSet, level: "adgroup", pageSize: 7, minPages: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set(t)
			accts, rows := set.Platform("tiktok")
			if len(accts) == 0 || len(rows) < 20 {
				t.Fatalf("%d accounts, %d rows", len(accts), len(rows))
			}
			h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
			if got := h.fake.Options().Level; got != tt.level {
				t.Fatalf("level %s, want %s", got, tt.level)
			}
			from, to := fixture.Span(rows)
			if d := h.fake.Days(); !d.From.Equal(from) || !d.To.Equal(to) {
				t.Fatalf("days %s, want %s..%s", d, from, to)
			}
			h.fake.SetPageSize(tt.pageSize)
			if err := h.read(t, to); err != nil {
				t.Fatal(err)
			}
			if h.fake.Pages() < tt.minPages {
				t.Errorf("%d pages, want at least %d", h.fake.Pages(), tt.minPages)
			}
			// Every value goes through exactly: TikTok's strings carry the
			// cents and the fractional conversion count (2.5) unchanged.
			conntest.CompareAds(t, conntest.LandedAds(t, h.em, tiktok.StreamName(tt.level)), conntest.WantAds(accts, rows), conntest.AdOptions{})
			got := h.strings(t, `SELECT DISTINCT concat_ws('|', account_id, coalesce(ad_group_name, 'NULL'), coalesce(ad_name, 'NULL')) FROM `+tiktok.StreamName(tt.level)+` ORDER BY 1 LIMIT 1`)
			if tt.level == "campaign" && !strings.HasSuffix(got[0], "|NULL|NULL") || tt.level == "adgroup" && !strings.Contains(got[0], "|ad group ") {
				t.Errorf("names %v", got)
			}
		})
	}
}

// TestFixtureSubCentAmounts shows the one value that does not go through:
// TikTok sends money with two decimals, so a fixture amount finer than a
// cent arrives rounded half away from zero to the cent.
func TestFixtureSubCentAmounts(t *testing.T) {
	set := &fixture.Set{Accounts: []fixture.Account{{Platform: "tiktok", ID: "7000000000000000009", Currency: "USD", TimeZone: "UTC"}}}
	for i, m := range []fixture.Micros{1_234_567, 1_235_000, 1_234_999, 5_000} {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day("2026-09-01"), Platform: "tiktok", AccountID: "7000000000000000009",
			CampaignID: strconv.Itoa(i + 1), CampaignName: "c", Channel: "short_video", Spend: m, ConversionValue: m})
	}
	h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
	if err := h.read(t, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', campaign_id, spend, conversion_value) FROM campaign_daily ORDER BY campaign_id`)
	want := []string{"1 1.230000000 1.230000000", "2 1.240000000 1.240000000", "3 1.230000000 1.230000000", "4 0.010000000 0.010000000"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Every other column goes through as it is.
	conntest.CompareAds(t, conntest.LandedAds(t, h.em, "campaign_daily"), conntest.WantAds(set.Platform("tiktok")), conntest.AdOptions{RoundMoney: 10_000})
}

// TestFixtureRestatement: fixture values stay put until Restate is called.
func TestFixtureRestatement(t *testing.T) {
	set := handSet("adgroup")
	h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	before := h.strings(t, `SELECT sum(spend)::VARCHAR FROM adgroup_daily`)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	if again := h.strings(t, `SELECT sum(spend)::VARCHAR FROM adgroup_daily`); again[0] != before[0] {
		t.Errorf("values changed without a restatement: %s, then %s", before[0], again[0])
	}
	h.fake.Restate(day("2026-09-08"))
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', sum(conversions), sum(conversion_value)) FROM adgroup_daily WHERE date = '2026-09-08'`)
	_, rows := set.Platform("tiktok")
	var conv float64
	var value fixture.Micros
	for _, r := range rows {
		if r.Date.Equal(day("2026-09-08")) {
			conv, value = conv+r.Conversions+2, value+r.ConversionValue+12_500_000
		}
	}
	if want := fmt.Sprintf("%.1f %s", conv, value.Decimal(9)); got[0] != want {
		t.Errorf("restated day: %s, want %s", got[0], want)
	}
}

// TestFixtureConformance runs the conformance suite on a fake serving a
// fixture: paging, throttling, token expiry, restatement... keep working.
func TestFixtureConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: tiktok.Type,
		New:  conformance.Factory(tiktok.New),
		Start: func(t testing.TB) conformance.Fake {
			s := tiktoktest.New(tiktoktest.Options{Fixture: handSetDays("ad", 14)})
			t.Cleanup(s.Close)
			return s
		},
	})
}

// handSetDays is handSet over n days (the suite wants at least 12).
func handSetDays(grain string, n int) *fixture.Set {
	set := handSet(grain)
	last := set.Ads[:0:0]
	for _, r := range set.Ads {
		if r.Platform == "tiktok" && r.Date.Equal(time.Date(2026, 9, 9, 0, 0, 0, 0, time.UTC)) {
			last = append(last, r)
		}
	}
	for d := 1; d <= n-9; d++ {
		for _, r := range last {
			r.Date = r.Date.AddDate(0, 0, d)
			r.Spend += fixture.Micros(d) * 10_000
			set.Ads = append(set.Ads, r)
		}
	}
	return set
}
