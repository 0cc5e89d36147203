package oceanengine

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/oceanengine/oceanenginetest"
)

func newTestSource(t testing.TB, y string) *Source {
	t.Helper()
	src, err := New(connectors.Config{Name: "t", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.dec.Set("account_id", "1760000000000001"); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestYuanBeyondFloat64 decodes amounts float64 cannot hold (17+
// significant digits) and a code≠0 found in the same pass.
func TestYuanBeyondFloat64(t *testing.T) {
	src := newTestSource(t, "advertiser_ids: [\"1760000000000001\"]\naccess_token: x\n")
	body := `{"code":0,"message":"OK","request_id":"r1","data":{"rows":[
 {"dimensions":{"stat_time_day":"2026-11-01","cdp_project_id":"7430000000000000001","cdp_project_name":"双11"},
  "metrics":{"stat_cost":"12345678901234567.89","show_cnt":"80211","click_cnt":"1532","convert_cnt":"-"}},
 {"dimensions":{"stat_time_day":"2026-11-01","cdp_project_id":"7430000000000000002","cdp_project_name":"直播"},
  "metrics":{"stat_cost":"0.01","show_cnt":"1","click_cnt":"0","convert_cnt":"0"}}],
 "total_metrics":{"stat_cost":"12345678901234567.90"},"page_info":{"page":1,"page_size":100,"total_number":2,"total_page":1}}}`
	res, total, reqID, err := src.decodePage([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if total != 1 || reqID != "r1" || res.Rows != 2 {
		t.Fatalf("total %d, request id %q, rows %d", total, reqID, res.Rows)
	}
	rec := res.Batches[0]
	idx := rec.Schema().FieldIndices("spend")[0]
	if got := rec.Column(idx).(*array.Decimal128).ValueStr(0); got != "12345678901234567.89" {
		t.Errorf("spend %s", got)
	}
	if got := rec.Column(idx).(*array.Decimal128).ValueStr(1); got != "0.01" {
		t.Errorf("spend %s", got)
	}
	if c := rec.Column(rec.Schema().FieldIndices("conversions")[0]); !c.IsNull(0) {
		t.Error(`"-" conversions should be NULL`)
	}
	_, _, _, err = src.decodePage([]byte(`{"code":40100,"message":"请求过于频繁","request_id":"r2","data":{}}`))
	if err == nil || !strings.Contains(err.Error(), "40100: 请求过于频繁") {
		t.Errorf("code inside 200: %v", err)
	}
}

// BenchmarkDecodeReport measures a custom-report page of 10,000 project-days
// (1,000 projects × 10 days) into the ad_performance schema on one core.
// The page size cap of the real API is unverified; the fake lifts it so that
// one answer holds a night's volume for a large advertiser.
func BenchmarkDecodeReport(b *testing.B) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	fake := oceanenginetest.New(oceanenginetest.Options{Advertisers: []string{"1760000000000001"}, Projects: 1170, From: from, To: from.AddDate(0, 0, 9), MaxPageSize: 20_000})
	b.Cleanup(fake.Close)
	o := fake.Options()
	src := newTestSource(b, "advertiser_ids: [\"1760000000000001\"]\naccess_token: x\npage_size: 1000\n")
	src.pageSize = 20_000
	q := src.ReportQuery(o.Advertisers[0], connectors.DateRange{From: from, To: o.To}, 1)
	req, _ := http.NewRequest("GET", fake.URL+"/open_api/v3.0/report/custom/get/?"+q.Encode(), nil)
	req.Header.Set("Access-Token", o.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	res, _, _, err := src.decodePage(body)
	if err != nil {
		b.Fatalf("%v: %.300s", err, body)
	}
	rows := res.Rows
	res.Release()
	if rows < 9_500 || rows > 10_500 {
		b.Fatalf("%d rows; want about 10,000", rows)
	}
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
}
