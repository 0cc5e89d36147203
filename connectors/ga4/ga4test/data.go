package ga4test

import (
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// Property is a GA4 property the fake serves.
type Property struct {
	ID       string // digits
	Currency string // ISO 4217 (metadata.currencyCode)
	TimeZone string // IANA (metadata.timeZone)
}

// combo is one channel group, source / medium and campaign.
type combo struct {
	channel, sourceMedium, campaign string
}

// combos are the traffic the fake reports. The last has no " / ": the
// connector reads its medium as "(not set)".
var combos = []combo{
	{"Paid Search", "google / cpc", "brand_de"},
	{"Direct", "(direct) / (none)", "(direct)"},
	{"Organic Search", "google / organic", "(organic)"},
	{"Paid Social", "facebook / paid_social", `Café "Winter" 茶 \ Gifts`},
	{"Referral", "news.example.com / referral", "(referral)"},
	{"Email", "newsletter / email", "nov_sale"},
	{"Unassigned", "partner-feed", "(not set)"},
}

// split is the connector's reading of a source / medium value.
func split(sm string) (string, string) {
	for i := 0; i+3 <= len(sm); i++ {
		if sm[i:i+3] == " / " {
			return sm[:i], sm[i+3:]
		}
	}
	return sm, "(not set)"
}

// values are one row's metrics; revenue in micros, exactly.
type values struct {
	sessions, users, newUsers int64
	keyEvents                 float64
	revenue                   fixture.Micros
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// rowValues returns the metrics of property pi, combo ci on day at
// restatement version v; ok false when the combo had no sessions that day.
func (s *Server) rowValues(pi, ci int, day int64, v int) (values, bool) {
	h := splitmix64(s.opt.Seed ^ splitmix64(uint64(pi)<<32|uint64(ci)) ^ splitmix64(uint64(day)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%7 == 0 {
		return values{}, false
	}
	var x values
	x.sessions = int64(1 + r()%2000)
	x.users = x.sessions - int64(r()%uint64(x.sessions/4+1))
	x.newUsers = x.users / 2
	keyEvents := int64(r() % uint64(x.sessions/20+1))
	x.keyEvents = float64(keyEvents)
	x.revenue = fixture.Micros(keyEvents*int64(1500+r()%4500)) * 10_000
	restate(&x, v)
	return x, true
}

// restate applies restatement version v: late events processed, more
// sessions, conversions and revenue.
func restate(x *values, v int) {
	if v > 0 {
		x.sessions += int64(v) * 7
		x.users += int64(v) * 3
		x.newUsers += int64(v)
		x.keyEvents += float64(v)
		x.revenue += fixture.Micros(v) * 25_990_000
	}
}

// keyEventsText renders key events as GA4 does: "12", "2.5".
func keyEventsText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// money renders an amount as GA4 does, the shortest exact decimal:
// "3890.25", "955", "0.5".
func money(m fixture.Micros) string {
	t := strings.TrimRight(m.Decimal(6), "0")
	return strings.TrimSuffix(t, ".")
}
