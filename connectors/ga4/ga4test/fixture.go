package ga4test

import (
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// With a Fixture, Config asks for these dimensions and metrics: source and
// medium apart (a source holding " / " would split wrongly out of
// sessionSourceMedium) and newUsers.
var (
	FixtureDimensions = []string{"date", "sessionDefaultChannelGroup", "sessionSource", "sessionMedium", "sessionCampaignName"}
	FixtureMetrics    = []string{"sessions", "totalUsers", "newUsers", "keyEvents", "purchaseRevenue"}
)

// FixtureProperty is the property that serves a fixture's traffic when
// Options.Properties is empty: the set's ga4 account if it has one (ID,
// Currency, TimeZone), else property 123456789 in the currency of the
// first row with one (USD when none) and the time zone most of the set's
// ad accounts use (the company's; UTC when none). fixture.Traffic has no
// time zone: it lands only in account_timezone.
//
// Rows are served as runReport rows: date as YYYYMMDD, the channel group,
// source, medium and campaign as they are, sessions, totalUsers and
// newUsers as integers, keyEvents as the shortest decimal of the float
// (exact), purchaseRevenue as the shortest exact decimal of the micros.
// What the source cannot land as the fixture says: every row gets the
// property's currency (a row in another currency, or none, lands in it),
// and rows sharing date, channel group, source, medium and campaign are
// one GA4 row (summed).
func FixtureProperty(set *fixture.Set) Property {
	for _, a := range set.Accounts {
		if a.Platform == "ga4" {
			return Property{ID: a.ID, Currency: a.Currency, TimeZone: a.TimeZone}
		}
	}
	p := Property{ID: "123456789", Currency: "USD", TimeZone: "UTC"}
	for _, t := range set.Traffic {
		if t.Currency != "" {
			p.Currency = t.Currency
			break
		}
	}
	zones := map[string]int{}
	for _, a := range set.Accounts {
		if a.TimeZone != "" {
			zones[a.TimeZone]++
			if zones[a.TimeZone] > zones[p.TimeZone] {
				p.TimeZone = a.TimeZone
			}
		}
	}
	return p
}

// trafficSpan is the first and last day of the rows (zero when none).
func trafficSpan(rows []fixture.Traffic) (from, to time.Time) {
	for i, r := range rows {
		if i == 0 || r.Date.Before(from) {
			from = r.Date
		}
		if i == 0 || r.Date.After(to) {
			to = r.Date
		}
	}
	return from, to
}
