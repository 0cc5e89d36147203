package metatest

import (
	"fmt"
	"strconv"
	"time"
)

// Account is a Meta ad account the fake serves.
type Account struct {
	ID       string // digits, without act_
	Name     string
	Currency string // ISO 4217
	TimeZone string // IANA (timezone_name)
	// ActionTypes are the purchase action types its rows carry (default:
	// omni_purchase, purchase and offsite_conversion.fb_pixel_purchase).
	ActionTypes []string
}

type campaign struct {
	id, name string
	sets     []adSet
}

type adSet struct {
	id, name string
	ads      []ad
}

type ad struct{ id, name string }

var campaignNames = []string{"Prospecting EU", "Retargeting", `Café "Winter" 茶 Gifts`, "Advantage+ Shopping", "Lookalike 1%"}

// build makes the entities of account index ai.
func (s *Server) build(ai int) []campaign {
	var out []campaign
	for c := range s.opt.Campaigns {
		cp := campaign{id: fmt.Sprintf("1202100%02d%09d", ai, c+1), name: campaignNames[c%len(campaignNames)]}
		for g := range s.opt.AdSets {
			as := adSet{id: fmt.Sprintf("1202200%02d%06d%03d", ai, c+1, g+1), name: fmt.Sprintf("%s · set %d", cp.name, g+1)}
			for a := range s.opt.Ads {
				as.ads = append(as.ads, ad{id: fmt.Sprintf("1202300%02d%06d%02d%02d", ai, c+1, g+1, a+1), name: fmt.Sprintf("Creative %d-%d-%d", c+1, g+1, a+1)})
			}
			cp.sets = append(cp.sets, as)
		}
		out = append(out, cp)
	}
	return out
}

// windows are every attribution window the fake knows, in this order.
var windows = []string{"1d_click", "7d_click", "28d_click", "1d_view", "1d_ev"}

// metrics are one row's values, exactly: money in cents.
type metrics struct {
	impressions, clicks, spendCents int64
	// purchases and their value in cents, per window (index of windows).
	count, valueCents [5]int64
}

func (m metrics) zero() bool { return m.impressions == 0 && m.clicks == 0 && m.spendCents == 0 }

func (m *metrics) add(o metrics) {
	m.impressions += o.impressions
	m.clicks += o.clicks
	m.spendCents += o.spendCents
	for i := range m.count {
		m.count[i] += o.count[i]
		m.valueCents[i] += o.valueCents[i]
	}
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// adDay returns an ad's metrics on day (days since epoch) at restatement
// version v. About one ad-day in eight has no delivery (and so no row).
func (s *Server) adDay(adID string, day int64, v int) metrics {
	id, _ := strconv.ParseUint(adID, 10, 64)
	h := splitmix64(s.opt.Seed ^ splitmix64(id) ^ splitmix64(uint64(day)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%8 == 0 {
		return metrics{}
	}
	var m metrics
	m.impressions = int64(200 + r()%9800)
	m.clicks = m.impressions * int64(2+r()%30) / 1000
	m.spendCents = m.impressions * int64(300+r()%1200) / 1000 // CPM 3–15
	if r()%3 == 0 {
		return m // no purchases: no actions
	}
	c1 := int64(r() % 4)    // 1d_click
	c7 := c1 + int64(r()%3) // 7d_click
	c28 := c7 + int64(r()%2)
	v1 := int64(r() % 3) // 1d_view
	ev := int64(r() % 2)
	m.count = [5]int64{c1, c7, c28, v1, ev}
	price := int64(1999 + r()%6000)
	for i, c := range m.count {
		m.valueCents[i] = c * price
	}
	if v > 0 {
		// A restatement: late conversions, a billing adjustment.
		for i := range m.count {
			m.count[i] += int64(v)
			m.valueCents[i] += int64(v) * 2599
		}
		m.spendCents -= m.spendCents / 20 * int64(min(v, 5)) / 5
	}
	return m
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// money renders units/10^scale exactly, with all scale digits (as Meta
// writes "154.30").
func money(units int64, scale int) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units, 10)
	for len(s) <= scale {
		s = "0" + s
	}
	out := s
	if scale > 0 {
		out = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

// typeShare is how much of the purchases an action type reports, in
// quarters: the pixel sees three quarters of them.
func typeShare(t string) int64 {
	if t == "offsite_conversion.fb_pixel_purchase" {
		return 3
	}
	return 4
}

func share(n int64, t string) int64 { return n * typeShare(t) / 4 }
