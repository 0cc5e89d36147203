package tiktok

import (
	"io"
	"net/http"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

// benchBody fetches a real report page of the fake: 10 days of 1,000 ads
// (25 campaigns × 4 ad groups × 10 ads) at ad level, 10,000 rows in one
// page. TikTok caps page_size at 1000; the fake lifts the cap so that one
// answer holds a realistic night's volume for one advertiser.
func benchBody(b *testing.B, level string) (*Source, []byte, int) {
	b.Helper()
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	o := tiktoktest.Options{Level: level, Campaigns: 25, AdGroups: 4, Ads: 10, From: from, To: from.AddDate(0, 0, 9), MaxPageSize: 10_000}
	want := 10_000
	if level == "campaign" {
		o.Campaigns, o.To = 1000, from.AddDate(0, 0, 9)
	}
	fake := tiktoktest.New(o)
	b.Cleanup(fake.Close)
	y, vars := fake.Config()
	y = conntest.Expand(y, vars)
	y += "page_size: 1000\n"
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		b.Fatal(err)
	}
	o = fake.Options()
	src.pageSize = 10_000
	q := src.ReportQuery(o.Advertisers[0].ID, connectors.DateRange{From: from, To: o.To}, 1)
	req, _ := http.NewRequest("GET", fake.URL+"/open_api/v1.3/report/integrated/get/?"+q.Encode(), nil)
	req.Header.Set("Access-Token", o.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for col, v := range map[string]string{"account_id": o.Advertisers[0].ID, "currency": "USD", "account_timezone": "America/Los_Angeles"} {
		if err := src.dec.Set(col, v); err != nil {
			b.Fatal(err)
		}
	}
	res, _, _, err := src.decodePage(body)
	if err != nil {
		b.Fatalf("%v: %.300s", err, body)
	}
	if res.Rows != want || len(res.Rejected) != 0 {
		b.Fatalf("%d rows, %d rejected; want %d", res.Rows, len(res.Rejected), want)
	}
	res.Release()
	return src, body, want
}

// BenchmarkDecodeReport measures TikTok's report page (string metrics, "-"
// for not available, exact decimals) into the ad_performance schema (17
// columns) on one core, at campaign and ad grain.
func BenchmarkDecodeReport(b *testing.B) {
	for _, level := range []string{"campaign", "ad"} {
		b.Run(level, func(b *testing.B) {
			src, body, rows := benchBody(b, level)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				res, _, _, err := src.decodePage(body)
				if err != nil || res.Rows != rows {
					b.Fatal(err)
				}
				res.Release()
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(len(body))/float64(rows), "B/row")
		})
	}
}
