package oceanengine_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/oceanengine"
	"github.com/pacerhq/pacer/connectors/oceanengine/oceanenginetest"
)

// handSet is a small fixture with awkward values: two advertisers, a
// unicode name with quotes, a zero-click row, a zero row, a large spend, a
// fractional conversion count, days days (paged by the test). Both
// advertisers are in CNY on Beijing time: the report says neither, and one
// source has one currency and zone (see oceanenginetest's fixture.go).
func handSet(grain string, days int) *fixture.Set {
	set := conntest.HandAds{
		Platform: "ocean_engine",
		Accounts: []fixture.Account{
			{Platform: "ocean_engine", ID: "1771234567890123", Name: "流明茶 巨量", Currency: "CNY", TimeZone: "Asia/Shanghai"},
			{Platform: "ocean_engine", ID: "1760000000000002", Name: `Lumen "2"`, Currency: "CNY", TimeZone: "Asia/Shanghai"},
			{Platform: "tiktok", ID: "7301234567890123457", Currency: "CNY", TimeZone: "Asia/Singapore"},
		},
		Campaigns: [][2]string{{"7430000000000000001", `抖音 "直播" 引流`}, {"7430000000000000002", "千川, 商品 — \\ back\\slash"}},
		Channel:   "short_video",
		Days:      days,
		Grain:     grain,
		AdGroupID: func(d, ai, ci int) string { return fmt.Sprintf("17%014d", d%2*100+ai*10+ci) },
		AdID:      func(d, ai, ci int) string { return fmt.Sprintf("73%017d", d%2*100+ai*10+ci) },
	}.Set()
	set.Ads = append(set.Ads, fixture.AdRow{Date: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), Platform: "tiktok", AccountID: "7301234567890123457",
		CampaignID: "1", CampaignName: "not ocean engine", Impressions: 1, Spend: 1_000_000})
	return set
}

// demoSet is the demo company's ocean_engine rows over 40 days (its Ocean
// Engine campaigns run from the company's first day).
func demoSet(t *testing.T) *fixture.Set {
	return conntest.DemoSet(t, day("2026-06-01"), day("2026-07-10"), "ad_performance")
}

func TestFixtureRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		set      func(t *testing.T) *fixture.Set
		dims     string
		pageSize int
		minPages int
	}{
		{name: "hand-made, campaign grain", set: func(*testing.T) *fixture.Set { return handSet("campaign", 9) }, dims: `["stat_time_day","cdp_project_id","cdp_project_name"]`, pageSize: 5, minPages: 8},
		{name: "hand-made, ad group grain", set: func(*testing.T) *fixture.Set { return handSet("adgroup", 9) }, dims: `["stat_time_day","cdp_project_id","cdp_project_name","cdp_promotion_id"]`, pageSize: 5, minPages: 8},
		{name: "hand-made, ad grain", set: func(*testing.T) *fixture.Set { return handSet("ad", 9) }, dims: `["stat_time_day","cdp_project_id","cdp_project_name","cdp_promotion_id","material_id"]`, pageSize: 5, minPages: 8},
		{name: "demo company", set: demoSet, dims: `["stat_time_day","cdp_project_id","cdp_project_name","cdp_promotion_id"]`, pageSize: 7, minPages: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set(t)
			accts, rows := set.Platform("ocean_engine")
			if len(accts) == 0 || len(rows) < 20 {
				t.Fatalf("%d accounts, %d rows", len(accts), len(rows))
			}
			h := newHarness(t, oceanenginetest.Options{Fixture: set}, "", nil)
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
			if q := h.fake.Queries()[0]; q["dimensions"] != tt.dims || q["metrics"] != `["stat_cost","show_cnt","click_cnt","convert_cnt","attribution_convert_amount"]` {
				t.Errorf("dimensions %s, metrics %s", q["dimensions"], q["metrics"])
			}
			// Every value goes through exactly: the yuan strings carry the fen
			// and convert_cnt the fractional count (2.5) unchanged.
			conntest.CompareAds(t, conntest.LandedAds(t, h.em, oceanengine.StreamName), conntest.WantAds(accts, rows), conntest.AdOptions{})
		})
	}
}

// TestFixtureGrainMismatch: a source asking for another grain than the
// fixture's is refused, not served aggregated rows.
func TestFixtureGrainMismatch(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{Fixture: handSet("adgroup", 3)}, "", nil)
	h.yaml = strings.Replace(h.yaml, "ad_group_dimension: cdp_promotion_id\n", "", 1)
	err := h.read(t, day("2026-09-03"))
	if err == nil || !strings.Contains(err.Error(), "cdp_promotion_id") {
		t.Errorf("read: %v", err)
	}
}

// TestFixtureSubCentAmounts shows the one value that does not go through:
// yuan strings have two decimals, so a fixture amount finer than a fen
// arrives rounded half away from zero to the fen.
func TestFixtureSubCentAmounts(t *testing.T) {
	set := &fixture.Set{Accounts: []fixture.Account{{Platform: "ocean_engine", ID: "1760000000000009", Currency: "CNY", TimeZone: "Asia/Shanghai"}}}
	for i, m := range []fixture.Micros{1_234_567, 1_235_000, 1_234_999, 5_000} {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day("2026-09-01"), Platform: "ocean_engine", AccountID: "1760000000000009",
			CampaignID: strconv.Itoa(i + 1), CampaignName: "c", Channel: "short_video", Impressions: 1, Spend: m, ConversionValue: m})
	}
	h := newHarness(t, oceanenginetest.Options{Fixture: set}, "", nil)
	if err := h.read(t, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', campaign_id, spend, conversion_value) FROM project_daily ORDER BY campaign_id`)
	want := []string{"1 1.230000000 1.230000000", "2 1.240000000 1.240000000", "3 1.230000000 1.230000000", "4 0.010000000 0.010000000"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Every other column goes through as it is.
	conntest.CompareAds(t, conntest.LandedAds(t, h.em, "project_daily"), conntest.WantAds(set.Platform("ocean_engine")), conntest.AdOptions{RoundMoney: 10_000})
}

// TestFixtureRestatement: fixture values stay put until Restate is called.
func TestFixtureRestatement(t *testing.T) {
	set := handSet("adgroup", 9)
	h := newHarness(t, oceanenginetest.Options{Fixture: set}, "", nil)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	before := h.strings(t, `SELECT concat_ws(' ', sum(spend), sum(conversions)) FROM project_daily`)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	if again := h.strings(t, `SELECT concat_ws(' ', sum(spend), sum(conversions)) FROM project_daily`); again[0] != before[0] {
		t.Errorf("values changed without a restatement: %s, then %s", before[0], again[0])
	}
	h.fake.Restate(day("2026-09-08"))
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', sum(conversions), sum(spend)) FROM project_daily WHERE date = '2026-09-08'`)
	_, rows := set.Platform("ocean_engine")
	var conv float64
	var spend fixture.Micros
	for _, r := range rows {
		if r.Date.Equal(day("2026-09-08")) {
			conv, spend = conv+r.Conversions+3, spend+r.Spend-r.Spend/50/10_000*10_000
		}
	}
	if want := fmt.Sprintf("%.1f %s", conv, spend.Decimal(9)); got[0] != want {
		t.Errorf("restated day: %s, want %s", got[0], want)
	}
}

// TestFixtureConformance runs the conformance suite on a fake serving a
// fixture: paging, throttling, token rotation, restatement... keep working.
func TestFixtureConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: oceanengine.Type,
		New:  conformance.Factory(oceanengine.New),
		Start: func(t testing.TB) conformance.Fake {
			s := oceanenginetest.New(oceanenginetest.Options{Fixture: handSet("ad", 14)})
			t.Cleanup(s.Close)
			return s
		},
	})
}
