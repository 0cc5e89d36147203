package googleadstest

import (
	"fmt"
	"strconv"
	"time"
)

// Account is a Google Ads customer the fake serves.
type Account struct {
	ID       string // ten digits
	Name     string
	Currency string // ISO 4217
	TimeZone string // IANA
}

// campaign, adGroup and ad are the fake's entities.
type campaign struct {
	id, name, typ string
	channel       string // the fixture's channel; "" for invented campaigns
	groups        []adGroup
}

type adGroup struct {
	id, name string
	ads      []string
}

var (
	campaignNames = []string{"Brand DE", "Generic EN", `Café "Winter" 茶 Gifts`, "PMax Tea Shop", "Shopping Matcha", "YouTube Launch"}
	campaignTypes = []string{"SEARCH", "SEARCH", "DISPLAY", "PERFORMANCE_MAX", "SHOPPING", "VIDEO"}
)

// build makes the entities of account index ai.
func (s *Server) build(ai int) []campaign {
	var out []campaign
	for c := range s.opt.Campaigns {
		id := strconv.FormatInt(int64(21000000000)+int64(ai)*1000+int64(c), 10)
		cp := campaign{id: id, name: campaignNames[c%len(campaignNames)], typ: campaignTypes[c%len(campaignTypes)]}
		for g := range s.opt.AdGroups {
			gid := id + fmt.Sprintf("%02d", g)
			ag := adGroup{id: gid, name: fmt.Sprintf("%s · group %d", cp.name, g+1)}
			for a := range s.opt.Ads {
				ag.ads = append(ag.ads, gid+fmt.Sprintf("%03d", a))
			}
			cp.groups = append(cp.groups, ag)
		}
		out = append(out, cp)
	}
	return out
}

// metrics are one row's values: money in micros and cents, exactly.
type metrics struct {
	impressions, clicks int64
	costMicros          int64
	conversionsHalves   int64 // conversions × 2 (Google reports fractional conversions)
	valueCents          int64
}

func (m metrics) zero() bool {
	return m.impressions == 0 && m.clicks == 0 && m.costMicros == 0 && m.conversionsHalves == 0 && m.valueCents == 0
}

func (m *metrics) add(o metrics) {
	m.impressions += o.impressions
	m.clicks += o.clicks
	m.costMicros += o.costMicros
	m.conversionsHalves += o.conversionsHalves
	m.valueCents += o.valueCents
}

// splitmix64 is the generator behind every value: the same seed, ad, day
// and restatement version always give the same numbers.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// adDay returns an ad's metrics on day (days since epoch) at version v.
// About one ad-day in eight has no delivery (and so no row).
func (s *Server) adDay(ai int, ad string, day int64, v int) metrics {
	id, _ := strconv.ParseUint(ad, 10, 64)
	h := splitmix64(s.opt.Seed ^ splitmix64(id) ^ splitmix64(uint64(day)<<8|uint64(ai)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%8 == 0 {
		return metrics{}
	}
	var m metrics
	m.impressions = int64(100 + r()%4900)
	m.clicks = m.impressions * int64(1+r()%60) / 1000
	cpcCents := int64(20 + r()%280)
	m.costMicros = m.clicks * cpcCents * 10_000
	if m.clicks > 0 {
		m.conversionsHalves = int64(r() % uint64(m.clicks/5+1))
	}
	m.valueCents = m.conversionsHalves * int64(1500+r()%4000)
	if v > 0 {
		// A restatement: conversions credited late, an invalid-click credit.
		m.conversionsHalves += int64(v) * 3
		m.valueCents += int64(v) * 2599
		m.costMicros -= m.costMicros / 10 * int64(min(v, 5)) / 5
	}
	return m
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// money renders an exact amount of units/10^scale without trailing zeros.
func money(units int64, scale int) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units, 10)
	for len(s) <= scale {
		s = "0" + s
	}
	whole, frac := s[:len(s)-scale], s[len(s)-scale:]
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// channelOf is the pacer channel a campaign type maps to by default (see
// package googleads).
func channelOf(typ string) string {
	switch typ {
	case "DISPLAY", "DEMAND_GEN", "DISCOVERY":
		return "display"
	case "VIDEO":
		return "short_video"
	}
	return "paid_search"
}
