package tencentads_test

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/tencentads"
	"github.com/pacerhq/pacer/connectors/tencentads/tencentadstest"
)

// handSet is a small fixture with awkward values: two accounts, int64 ids
// above 2^53, a unicode name with quotes, a zero-click row, a zero row, a
// large spend, a fractional conversion count (2.5), days days (paged by the
// test). Both accounts are in CNY on Beijing time: the report says
// neither, and one source has one currency and zone. At ad grain each ad
// group has a second ad (0.5 conversions), which the fake sums into the ad
// group.
func handSet(grain string, days int) *fixture.Set {
	h := conntest.HandAds{
		Platform: "tencent_ads",
		Accounts: []fixture.Account{
			{Platform: "tencent_ads", ID: "24681357", Name: "流明茶 朋友圈", Currency: "CNY", TimeZone: "Asia/Shanghai"},
			{Platform: "tencent_ads", ID: "25611", Name: `Lumen "2"`, Currency: "CNY", TimeZone: "Asia/Shanghai"},
			{Platform: "tiktok", ID: "7301234567890123457", Currency: "CNY", TimeZone: "Asia/Singapore"},
		},
		Campaigns: [][2]string{{"9007199254740993", `抖音 "直播" 引流`}, {"9223372036854775807", "朋友圈, 礼盒 — \\ back\\slash"}},
		Channel:   "display",
		Days:      days,
		Grain:     grain,
		AdGroupID: func(d, ai, ci int) string { return strconv.FormatInt(9007199254740995+int64(d%2*100+ai*10+ci), 10) },
		AdID:      func(d, ai, ci int) string { return strconv.FormatInt(9107199254740995+int64(d%2*100+ai*10+ci), 10) },
	}
	if grain == "ad" {
		h.More = func(r fixture.AdRow) []fixture.AdRow {
			r.AdID += "7"
			r.Impressions, r.Clicks, r.Spend, r.Conversions, r.ConversionValue = 7, 1, 10_000, 0.5, 1_230_000
			return []fixture.AdRow{r}
		}
	}
	set := h.Set()
	set.Ads = append(set.Ads, fixture.AdRow{Date: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), Platform: "tiktok", AccountID: "7301234567890123457",
		CampaignID: "1", CampaignName: "not tencent", Impressions: 1, Spend: 1_000_000})
	return set
}

// asServed is what the fake documents it does to fixture rows: ad rows
// summed into their ad group (the connector has no ad grain) and
// conversions rounded half away from zero (an integer on the wire).
func asServed(rows []fixture.AdRow) []fixture.AdRow {
	out := conntest.SumAds(rows, "ad_group")
	for i := range out {
		out[i].Conversions = math.Round(out[i].Conversions)
	}
	return out
}

// demoSet is the demo company's tencent_ads rows over 40 days (its Tencent
// campaigns run from the company's first day).
func demoSet(t *testing.T) *fixture.Set {
	return conntest.DemoSet(t, day("2026-06-01"), day("2026-07-10"), "ad_performance")
}

func TestFixtureRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		set      func(t *testing.T) *fixture.Set
		level    string
		pageSize int
		minPages int
		// convDiff is the fixture's conversions minus the landed ones, per
		// account, from the rounding of fractional counts.
		convDiff map[string]float64
	}{
		{name: "hand-made, campaign grain", set: func(*testing.T) *fixture.Set { return handSet("campaign", 9) }, level: "REPORT_LEVEL_CAMPAIGN", pageSize: 5, minPages: 8,
			convDiff: map[string]float64{"24681357": -0.5, "25611": 0}},
		{name: "hand-made, ad group grain", set: func(*testing.T) *fixture.Set { return handSet("adgroup", 9) }, level: "REPORT_LEVEL_ADGROUP", pageSize: 5, minPages: 8,
			convDiff: map[string]float64{"24681357": -0.5, "25611": 0}},
		// 36 ad group-days of two ads each: the second ad's 0.5 makes every
		// sum x.5, rounded up; 2.5+0.5 on 2026-09-05 is exact.
		{name: "hand-made, ad grain summed into ad groups", set: func(*testing.T) *fixture.Set { return handSet("ad", 9) }, level: "REPORT_LEVEL_ADGROUP", pageSize: 5, minPages: 8,
			convDiff: map[string]float64{"24681357": -0.5 * 17, "25611": -0.5 * 18}},
		{name: "demo company", set: demoSet, level: "REPORT_LEVEL_ADGROUP", pageSize: 7, minPages: 6, convDiff: map[string]float64{"24681357": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set(t)
			accts, rows := set.Platform("tencent_ads")
			if len(accts) == 0 || len(rows) < 20 {
				t.Fatalf("%d accounts, %d rows", len(accts), len(rows))
			}
			h := newHarness(t, tencentadstest.Options{Fixture: set}, nil)
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
			if q := h.fake.Queries()[0]; q["level"][0] != tt.level {
				t.Errorf("level %s", q["level"])
			}
			// Ids above 2^53 and money go through exactly (fen integers);
			// conversions land rounded and ad rows summed (asServed).
			served := asServed(rows)
			conntest.CompareAds(t, conntest.LandedAds(t, h.em, tencentads.StreamName), conntest.WantAds(accts, served), conntest.AdOptions{})
			for a, want := range tt.convDiff {
				var fx, landed float64
				for _, r := range rows {
					if r.AccountID == a {
						fx += r.Conversions
					}
				}
				for _, r := range served {
					if r.AccountID == a {
						landed += r.Conversions
					}
				}
				got := h.strings(t, `SELECT account_id, sum(conversions)::VARCHAR FROM daily GROUP BY 1`)[a]
				if got != strconv.FormatFloat(landed, 'f', 1, 64) || fx-landed != want {
					t.Errorf("account %s: fixture conversions %v, landed %s (served %v), difference %v, want %v", a, fx, got, landed, fx-landed, want)
				}
			}
		})
	}
}

// TestFixtureFractionalConversions shows the exact change: conversions_count
// is an integer on the wire, so a fractional fixture count lands rounded
// half away from zero.
func TestFixtureFractionalConversions(t *testing.T) {
	set := &fixture.Set{Accounts: []fixture.Account{{Platform: "tencent_ads", ID: "25619", Currency: "CNY", TimeZone: "Asia/Shanghai"}}}
	for i, c := range []float64{2.5, 1.49, 0.5, 0.49, 7, 3.75} {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day("2026-09-01"), Platform: "tencent_ads", AccountID: "25619",
			CampaignID: strconv.Itoa(i + 1), CampaignName: "c", Channel: "display", Impressions: 10, Conversions: c})
	}
	h := newHarness(t, tencentadstest.Options{Fixture: set}, nil)
	if err := h.read(t, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT campaign_id, conversions::VARCHAR FROM daily`)
	want := map[string]string{"1": "3.0", "2": "1.0", "3": "1.0", "4": "0.0", "5": "7.0", "6": "4.0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("campaign %s: conversions %s, want %s", k, got[k], v)
		}
	}
}

// TestFixtureSubFenAmounts shows the other change: cost and order_amount
// are integer fen, so a fixture amount finer than a fen arrives rounded
// half away from zero to the fen.
func TestFixtureSubFenAmounts(t *testing.T) {
	set := &fixture.Set{Accounts: []fixture.Account{{Platform: "tencent_ads", ID: "25619", Currency: "CNY", TimeZone: "Asia/Shanghai"}}}
	for i, m := range []fixture.Micros{1_234_567, 1_235_000, 1_234_999, 5_000} {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day("2026-09-01"), Platform: "tencent_ads", AccountID: "25619",
			CampaignID: strconv.Itoa(i + 1), CampaignName: "c", Channel: "display", Impressions: 1, Spend: m, ConversionValue: m})
	}
	h := newHarness(t, tencentadstest.Options{Fixture: set}, nil)
	if err := h.read(t, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT campaign_id, concat_ws(' ', spend, conversion_value) FROM daily`)
	want := map[string]string{"1": "1.230000000 1.230000000", "2": "1.240000000 1.240000000", "3": "1.230000000 1.230000000", "4": "0.010000000 0.010000000"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("campaign %s: %s, want %s", k, got[k], v)
		}
	}
	// Every other column goes through as it is.
	conntest.CompareAds(t, conntest.LandedAds(t, h.em, "daily"), conntest.WantAds(set.Platform("tencent_ads")), conntest.AdOptions{RoundMoney: 10_000})
}

// TestFixtureRestatement: fixture values stay put until Restate is called.
func TestFixtureRestatement(t *testing.T) {
	set := handSet("adgroup", 9)
	h := newHarness(t, tencentadstest.Options{Fixture: set}, nil)
	q := `SELECT 'x', concat_ws(' ', sum(spend), sum(conversions), sum(conversion_value)) FROM daily`
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	before := h.strings(t, q)["x"]
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	if again := h.strings(t, q)["x"]; again != before {
		t.Errorf("values changed without a restatement: %s, then %s", before, again)
	}
	h.fake.Restate(day("2026-09-08"))
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT 'x', concat_ws(' ', sum(conversions), sum(conversion_value)) FROM daily WHERE date = '2026-09-08'`)["x"]
	_, rows := set.Platform("tencent_ads")
	var conv float64
	var value fixture.Micros
	for _, r := range rows {
		if r.Date.Equal(day("2026-09-08")) {
			conv, value = conv+math.Round(r.Conversions)+1, value+r.ConversionValue+88_010_000
		}
	}
	if want := fmt.Sprintf("%.1f %s", conv, value.Decimal(9)); got != want {
		t.Errorf("restated day: %s, want %s", got, want)
	}
}

// TestFixtureConformance runs the conformance suite on a fake serving a
// fixture: paging, nonces, throttling, token refresh, restatement... keep
// working.
func TestFixtureConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: tencentads.Type,
		New:  conformance.Factory(tencentads.New),
		Start: func(t testing.TB) conformance.Fake {
			s := tencentadstest.New(tencentadstest.Options{Fixture: handSet("ad", 14)})
			t.Cleanup(s.Close)
			return s
		},
	})
}
