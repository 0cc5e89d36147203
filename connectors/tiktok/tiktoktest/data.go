package tiktoktest

import (
	"fmt"
	"strconv"
	"time"
)

// Advertiser is a TikTok ad account the fake serves.
type Advertiser struct {
	ID       string // digits
	Name     string
	Currency string // ISO 4217
	// DisplayTimezone is the IANA zone advertiser/info sends as
	// display_timezone; Timezone is its "timezone" (an offset zone such as
	// Etc/GMT+8; the exact form is unverified).
	DisplayTimezone, Timezone string
}

type campaign struct {
	id, name string
	groups   []adGroup
}

type adGroup struct {
	id, name string
	ads      []ad
}

type ad struct{ id, name string }

var campaignNames = []string{"TT Prospecting", "Spark Ads 秋季", `Creator "Duets" Q4`, "Retargeting 7d", "Lead Gen"}

// build makes the entities of advertiser ai.
func (s *Server) build(ai int) []campaign {
	var out []campaign
	for c := range s.opt.Campaigns {
		id := strconv.FormatInt(1780000000000001+int64(ai)*1000+int64(c), 10)
		cp := campaign{id: id, name: campaignNames[c%len(campaignNames)]}
		for g := range s.opt.AdGroups {
			gid := strconv.FormatInt(1790000000000001+int64(ai)*100000+int64(c)*100+int64(g), 10)
			ag := adGroup{id: gid, name: fmt.Sprintf("%s · group %d", cp.name, g+1)}
			for a := range s.opt.Ads {
				aid := strconv.FormatInt(1800000000000001+int64(ai)*10000000+int64(c)*10000+int64(g)*100+int64(a), 10)
				ag.ads = append(ag.ads, ad{id: aid, name: fmt.Sprintf("%s · ad %d", ag.name, a+1)})
			}
			cp.groups = append(cp.groups, ag)
		}
		out = append(out, cp)
	}
	return out
}

// metrics are one row's values, money in cents, exactly.
type metrics struct {
	impressions, clicks, spendCents, conversions, valueCents int64
}

func (m metrics) zero() bool { return m.impressions == 0 && m.clicks == 0 && m.spendCents == 0 }

func (m *metrics) add(o metrics) {
	m.impressions += o.impressions
	m.clicks += o.clicks
	m.spendCents += o.spendCents
	m.conversions += o.conversions
	m.valueCents += o.valueCents
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// adDay returns an ad's metrics on day (days since epoch) at restatement
// version v. About one ad-day in six has no delivery: TikTok still sends
// its row, with zeros and "-" for conversions.
func (s *Server) adDay(ai int, id string, day int64, v int) metrics {
	n, _ := strconv.ParseUint(id, 10, 64)
	h := splitmix64(s.opt.Seed ^ splitmix64(n) ^ splitmix64(uint64(day)<<8|uint64(ai)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%6 == 0 {
		return metrics{}
	}
	var m metrics
	m.impressions = int64(200 + r()%9800)
	m.clicks = m.impressions * int64(2+r()%40) / 1000
	m.spendCents = m.impressions*int64(300+r()%900)/1000 + int64(r()%100)
	if m.clicks > 0 {
		m.conversions = int64(r() % uint64(m.clicks/8+1))
	}
	m.valueCents = m.conversions * int64(1999+r()%6000)
	if v > 0 {
		// Restated: conversions credited late, a spend correction.
		m.conversions += int64(v) * 2
		m.valueCents += int64(v) * 1250
		m.spendCents -= m.spendCents / 20
	}
	return m
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// cents renders an amount in cents as TikTok does: two decimals.
func cents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	out := fmt.Sprintf("%d.%02d", c/100, c%100)
	if neg {
		out = "-" + out
	}
	return out
}
