package tencentadstest

import (
	"strconv"
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

type adGroup struct {
	id, name string
}

var groupNames = []string{"冬季促销", "朋友圈 新品", "公众号 文章底部", `"暖冬" 礼盒, 限时`, "小程序 复购", "视频号 直播"}

// build makes the ad groups of account index ai. Ids are above 2^53, so
// that a decoder going through float64 would change them.
func (s *Server) build(ai int) []adGroup {
	var out []adGroup
	for g := range s.opt.AdGroups {
		id := strconv.FormatUint(9007199254740993+uint64(ai)*1_000_000+uint64(g)*2, 10)
		out = append(out, adGroup{id: id, name: groupNames[g%len(groupNames)]})
	}
	return out
}

type metrics struct {
	views, clicks, conversions int64
	costFen, orderFen          int64
}

type fakeRow struct {
	date time.Time
	g    adGroup
	m    metrics
	fx   *fixture.AdRow // fixture mode: the row served, restated
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// rows returns account ai's rows with delivery for days in [from, to].
// Callers hold s.mu.
func (s *Server) rows(ai int, from, to time.Time) []fakeRow {
	if s.fx != nil {
		return s.fixtureRows(ai, from, to)
	}
	if from.Before(s.opt.From) {
		from = s.opt.From
	}
	if to.After(s.opt.To) {
		to = s.opt.To
	}
	var out []fakeRow
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		v := s.Version(d)
		for _, g := range s.groups[ai] {
			id, _ := strconv.ParseUint(g.id, 10, 64)
			h := splitmix64(s.opt.Seed ^ splitmix64(id) ^ splitmix64(uint64(epochDay(d))<<8|uint64(ai)))
			r := func() uint64 { h = splitmix64(h); return h }
			if r()%6 == 0 {
				continue // no delivery, no row
			}
			var m metrics
			m.views = int64(200 + r()%60000)
			m.clicks = m.views * int64(1+r()%40) / 1000
			m.costFen = m.clicks*int64(30+r()%500) + int64(r()%100) // any fen, not whole yuan
			m.conversions = int64(r() % uint64(m.clicks/8+1))
			m.orderFen = m.conversions * int64(1999+r()%30000)
			if v > 0 {
				m.conversions += int64(v)
				m.orderFen += int64(v) * 8801
				m.costFen -= m.costFen / 50 * int64(min(v, 5)) / 5
			}
			out = append(out, fakeRow{date: d, g: g, m: m})
		}
	}
	return out
}

// yuan renders fen as an exact CNY decimal.
func yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	s := strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(100+fen%100, 10)[1:]
	if neg {
		s = "-" + s
	}
	return s
}
