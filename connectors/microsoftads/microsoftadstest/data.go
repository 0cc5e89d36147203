package microsoftadstest

import (
	"strconv"
	"time"
)

// Account is a Microsoft Advertising account the fake serves.
type Account struct {
	ID       string // AccountId, digits
	Name     string
	Currency string // ISO 4217, the CurrencyCode column
	TimeZone string // IANA; the fake reports days in it
}

type campaign struct {
	id, name string
}

var campaignNames = []string{"Brand US", "Generic Tea", `Café "Winter", 茶 Gifts`, "Shopping Matcha", "Competitor Terms", "Remarketing"}

// build makes the campaigns of account index ai.
func (s *Server) build(ai int) []campaign {
	var out []campaign
	for c := range s.opt.Campaigns {
		id := strconv.FormatInt(410000000+int64(ai)*1000+int64(c), 10)
		out = append(out, campaign{id: id, name: campaignNames[c%len(campaignNames)]})
	}
	return out
}

// metrics are one row's values, money in cents.
type metrics struct {
	impressions, clicks  int64
	spendCents           int64
	conversions          int64
	revenueCents         int64
	conversionsHundredth int64 // fractional part of conversions, in hundredths
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// day returns a campaign's metrics on a day at restatement version v.
// About one campaign-day in seven has no impressions, and so no row.
func (s *Server) day(ai int, c campaign, d time.Time, v int) metrics {
	id, _ := strconv.ParseUint(c.id, 10, 64)
	h := splitmix64(s.opt.Seed ^ splitmix64(id) ^ splitmix64(uint64(epochDay(d))<<8|uint64(ai)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%7 == 0 {
		return metrics{}
	}
	var m metrics
	m.impressions = int64(50 + r()%9000)
	m.clicks = m.impressions * int64(1+r()%80) / 1000
	m.spendCents = m.clicks * int64(15+r()%400)
	if m.clicks > 0 {
		m.conversions = int64(r() % uint64(m.clicks/4+1))
	}
	m.conversionsHundredth = int64(r() % 4 * 25)
	m.revenueCents = m.conversions * int64(900+r()%7000)
	if v > 0 {
		// A restatement: late conversions, an invalid-click credit.
		m.conversions += int64(v) * 2
		m.revenueCents += int64(v) * 4599
		m.spendCents -= m.spendCents / 20 * int64(min(v, 5)) / 5
	}
	return m
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// money renders cents as a decimal with two places, as Microsoft's CSV does.
func money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := strconv.FormatInt(cents/100, 10) + "." + leftPad(strconv.FormatInt(cents%100, 10), 2)
	if neg {
		s = "-" + s
	}
	return s
}

// conversionsText renders conversions with their fraction (Microsoft
// reports fractional conversions for some attribution models).
func conversionsText(m metrics) string {
	if m.conversionsHundredth == 0 {
		return strconv.FormatInt(m.conversions, 10)
	}
	return strconv.FormatInt(m.conversions, 10) + "." + leftPad(strconv.FormatInt(m.conversionsHundredth, 10), 2)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
