package tencentads

import (
	"io"
	"net/http"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/tencentads/tencentadstest"
)

// BenchmarkDailyReports measures one realistic daily_reports/get page into
// the ad_performance schema on one core: 10,000 rows (125 ad groups over
// 100 days with delivery on five days in six), JSON numbers, int64 ids above
// 2^53, Chinese names, cost and order_amount in fen shifted exactly to CNY.
func BenchmarkDailyReports(b *testing.B) {
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 99)
	fake := tencentadstest.New(tencentadstest.Options{AdGroups: 125, From: from, To: to, PageSize: 10_000})
	b.Cleanup(fake.Close)
	y, vars := fake.Config()
	y = conntest.Expand(y, vars)
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		b.Fatal(err)
	}
	src.pageSize = 10_000
	q := src.Query("25610", connectors.DateRange{From: from, To: to}, 1)
	q.Set("access_token", vars["TENCENT_ADS_ACCESS_TOKEN"])
	q.Set("timestamp", "1793000000")
	q.Set("nonce", Nonce())
	resp, err := http.Get(fake.URL + "/v3.0/daily_reports/get?" + q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := src.dec.Set("account_id", "25610"); err != nil {
		b.Fatal(err)
	}
	res, err := src.dec.Decode(body, nil)
	if err != nil || len(res.Rejected) > 0 {
		b.Fatalf("%v %v %.300s", err, res, body)
	}
	rows := res.Rows
	res.Release()
	if rows != 10_000 {
		b.Fatalf("%d rows, want a 10,000-row page", rows)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		res, err := src.dec.Decode(body, nil)
		if err != nil || res.Rows != rows {
			b.Fatal(err)
		}
		res.Release()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(body))/float64(rows), "B/row")
}
