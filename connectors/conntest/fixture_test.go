package conntest

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/fixture"
)

func TestMicros(t *testing.T) {
	for s, want := range map[string]fixture.Micros{
		"0.000000000": 0, "1.234567000": 1_234_567, "-0.010000000": -10_000, "123456789012.345670000": 123_456_789_012_345_670,
	} {
		if got := micros(t, "row", s); got != want {
			t.Errorf("micros(%s) = %d, want %d", s, got, want)
		}
	}
	for _, s := range []string{"1.2345678", "1.23", "1.234567800"} {
		var bad fakeTB
		micros(&bad, "row", s)
		if !bad.failed {
			t.Errorf("micros(%s) accepted", s)
		}
	}
}

type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Errorf(string, ...any) { f.failed = true }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true }

func TestRound(t *testing.T) {
	for _, c := range [][3]fixture.Micros{{1_234_567, 10_000, 1_230_000}, {1_235_000, 10_000, 1_240_000}, {5_000, 10_000, 10_000}, {-5_000, 10_000, -10_000}, {4_999, 10_000, 0}} {
		if got := round(c[0], c[1]); got != c[2] {
			t.Errorf("round(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

func TestSumAds(t *testing.T) {
	d := day("2026-09-01")
	rows := []fixture.AdRow{
		{Date: d, Platform: "p", AccountID: "a", CampaignID: "c", AdGroupID: "g1", AdID: "x", Impressions: 1, Clicks: 1, Spend: 10, ConversionValue: 1, Conversions: 0.5},
		{Date: d, Platform: "p", AccountID: "a", CampaignID: "c", AdGroupID: "g1", AdID: "y", Impressions: 2, Spend: 20, Conversions: 0.25},
		{Date: d, Platform: "p", AccountID: "a", CampaignID: "c", AdGroupID: "g2", AdID: "z", Impressions: 4, Spend: 40, Conversions: 1},
	}
	groups := SumAds(rows, "ad_group")
	if len(groups) != 2 || groups[0].AdID != "" || groups[0].Impressions != 3 || groups[0].Spend != 30 || groups[0].Conversions != 0.75 || groups[1].AdGroupID != "g2" {
		t.Errorf("ad groups %+v", groups)
	}
	campaigns := SumAds(rows, "campaign")
	if len(campaigns) != 1 || campaigns[0].AdGroupID != "" || campaigns[0].Impressions != 7 || campaigns[0].Spend != 70 || campaigns[0].Conversions != 1.75 {
		t.Errorf("campaigns %+v", campaigns)
	}
}
