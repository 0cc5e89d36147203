package fakekit

import (
	"sort"
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// Ads is the ad rows of one platform that a fake serves from a
// fixture.Set, split by account.
type Ads struct {
	Accounts []fixture.Account // the platform's accounts, in the set's order
	Rows     [][]fixture.AdRow // by account index: by date, in the set's order within a day
	Grain    string            // "campaign", "adgroup" or "ad": the finest id any row has
	Channel  string            // the first row's channel ("" when it has none)
	From, To time.Time         // the first and last day of the rows (zero without rows)
}

// SplitAds returns set's ad rows and accounts of platform. Rows of an
// account the set does not list are left out.
func SplitAds(set *fixture.Set, platform string) Ads {
	accts, rows := set.Platform(platform)
	a := Ads{Accounts: accts, Rows: make([][]fixture.AdRow, len(accts)), Grain: "campaign"}
	for i, r := range rows {
		switch {
		case r.AdID != "":
			a.Grain = "ad"
		case r.AdGroupID != "" && a.Grain == "campaign":
			a.Grain = "adgroup"
		}
		if i == 0 {
			a.Channel = r.Channel
		}
		for ai, acct := range accts {
			if acct.ID == r.AccountID {
				a.Rows[ai] = append(a.Rows[ai], r)
			}
		}
	}
	for _, rs := range a.Rows {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Date.Before(rs[j].Date) })
	}
	a.From, a.To = fixture.Span(rows)
	return a
}

// DefaultDays sets *from and *to, where they are zero, to the days of the
// rows (when there are rows).
func (a Ads) DefaultDays(from, to *time.Time) {
	if a.From.IsZero() {
		return
	}
	if from.IsZero() {
		*from = a.From
	}
	if to.IsZero() {
		*to = a.To
	}
}
