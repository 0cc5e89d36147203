package oceanenginetest

import (
	"fmt"
	"strconv"
	"time"
)

// project is a campaign (项目) of the fake.
type project struct{ id, name string }

var projectNames = []string{"双11 大促", "抖音 信息流 拉新", `品牌 "冬季" 茶礼`, "直播间 引流", "搜索 广告"}

// build makes the projects of advertiser ai.
func (s *Server) build(ai int) []project {
	var out []project
	for p := range s.opt.Projects {
		id := strconv.FormatInt(7430000000000000001+int64(ai)*10000+int64(p), 10)
		out = append(out, project{id: id, name: fmt.Sprintf("%s #%d", projectNames[p%len(projectNames)], p+1)})
	}
	return out
}

// metrics are one row's values; cost in fen (分) so yuan render exactly.
type metrics struct{ show, click, costFen, convert int64 }

func (m metrics) zero() bool { return m.show == 0 && m.click == 0 && m.costFen == 0 && m.convert == 0 }

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// projectDay returns a project's metrics on day (days since epoch) at
// restatement version v; about one project-day in seven has no delivery
// and no row.
func (s *Server) projectDay(ai int, id string, day int64, v int) metrics {
	n, _ := strconv.ParseUint(id, 10, 64)
	h := splitmix64(s.opt.Seed ^ splitmix64(n) ^ splitmix64(uint64(day)<<8|uint64(ai)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%7 == 0 {
		return metrics{}
	}
	var m metrics
	m.show = int64(1000 + r()%90000)
	m.click = m.show * int64(5+r()%30) / 1000
	// Large yuan amounts with fen: exactness matters (e.g. 123456.78).
	m.costFen = m.show*int64(20+r()%200)/10 + int64(r()%100)
	if m.click > 0 {
		m.convert = int64(r() % uint64(m.click/10+1))
	}
	if v > 0 {
		m.convert += int64(v) * 3
		m.costFen -= m.costFen / 50
	}
	return m
}

func epochDay(t time.Time) int64 { return t.Unix() / 86400 }

// yuan renders fen as yuan with two decimals, as the API's strings.
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }
