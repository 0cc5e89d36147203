package conntest

import (
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// HandAds describes a small hand-made ad fixture with awkward values, the
// same for every platform but for its ids, names and channel (see Set).
type HandAds struct {
	Platform string
	// Accounts are listed in the set; the first two get rows, the others
	// (of other platforms, to be ignored) none.
	Accounts []fixture.Account
	// Campaigns are [id, name] pairs: every account runs each of them.
	Campaigns [][2]string
	Channel   string
	// Days from 2026-09-01.
	Days int
	// Grain is campaign, adgroup or ad: the ids the rows have.
	Grain string
	// AdGroupID and AdID render the ids of day d, account ai and campaign
	// ci (two ad groups and ads per account and campaign: d%2 tells them
	// apart).
	AdGroupID, AdID func(d, ai, ci int) string
	// More returns rows to add after row r (nil for none).
	More func(r fixture.AdRow) []fixture.AdRow
}

// Set returns the rows: counts and money growing by day, account and
// campaign, whole conversions of 0 to 2 with a value of 19.99 each, sub-
// unit spend of 0.99 in the cents; on the first day the first campaign has
// no clicks and no conversions, on the second the second campaign has
// nothing at all, and on the fifth the first account's first campaign
// spends 1,234,567.89 for 9,876,543.21 in 2.5 conversions.
func (h HandAds) Set() *fixture.Set {
	set := &fixture.Set{Accounts: h.Accounts}
	for d := range h.Days {
		date := time.Date(2026, 9, 1+d, 0, 0, 0, 0, time.UTC)
		for ai, a := range h.Accounts[:2] {
			for ci, c := range h.Campaigns {
				r := fixture.AdRow{Date: date, Platform: h.Platform, AccountID: a.ID, CampaignID: c[0], CampaignName: c[1], Channel: h.Channel,
					Impressions: int64(1000*(d+1) + 17*ci + ai), Clicks: int64(10*d + ci),
					Spend: fixture.Micros(int64(d*10007+ci*31+ai)*10_000 + 990_000), Conversions: float64(d % 3), ConversionValue: fixture.Micros(int64(d%3) * 19_990_000)}
				if h.Grain != "campaign" {
					r.AdGroupID = h.AdGroupID(d, ai, ci)
				}
				if h.Grain == "ad" {
					r.AdID = h.AdID(d, ai, ci)
				}
				switch {
				case d == 0 && ci == 0:
					r.Clicks, r.Conversions, r.ConversionValue = 0, 0, 0 // a zero-click row
				case d == 1 && ci == 1:
					r.Impressions, r.Clicks, r.Spend, r.Conversions, r.ConversionValue = 0, 0, 0, 0, 0 // nothing at all
				case d == 4 && ci == 0 && ai == 0:
					r.Spend, r.ConversionValue, r.Conversions = 1_234_567_890_000, 9_876_543_210_000, 2.5 // 1234567.89
				}
				set.Ads = append(set.Ads, r)
				if h.More != nil {
					set.Ads = append(set.Ads, h.More(r)...)
				}
			}
		}
	}
	return set
}
