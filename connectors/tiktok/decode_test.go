package tiktok

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// TestDecodePageReadsCodesAndNotAvailable covers what the classifier does
// not see: a page's code read in the decoder's pass, and "-" as NULL.
func TestDecodePageReadsCodesAndNotAvailable(t *testing.T) {
	y := "advertiser_ids: [\"7000000000000000001\"]\naccess_token: act.example-token\nthrottle_wait: 45s\n"
	src, err := New(connectors.Config{Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		t.Fatal(err)
	}
	for col, v := range map[string]string{"account_id": "7000000000000000001", "currency": "USD", "account_timezone": "America/Los_Angeles"} {
		if err := src.dec.Set(col, v); err != nil {
			t.Fatal(err)
		}
	}
	body := `{"code":0,"message":"OK","request_id":"2026110309152301023F1A2B3C4D5E","data":{
 "list":[{"dimensions":{"campaign_id":"1780000000000001","stat_time_day":"2026-11-01 00:00:00"},
          "metrics":{"spend":"88.40","impressions":"15020","clicks":"212","conversion":"6","total_complete_payment_rate":"612.50","campaign_name":"TT Prospecting"}},
         {"dimensions":{"campaign_id":"1780000000000001","stat_time_day":"2026-11-02 00:00:00"},
          "metrics":{"spend":"0.00","impressions":"0","clicks":"0","conversion":"-","total_complete_payment_rate":"-","campaign_name":"TT Prospecting"}}],
 "page_info":{"page":1,"page_size":1000,"total_number":2,"total_page":1}}}`
	res, total, reqID, err := src.decodePage([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.Rows != 2 || total != 1 || reqID != "2026110309152301023F1A2B3C4D5E" || len(res.Rejected) != 0 {
		t.Fatalf("rows %d total %d id %q rejected %v", res.Rows, total, reqID, res.Rejected)
	}
	rec := res.Batches[0]
	col := func(name string) int { return rec.Schema().FieldIndices(name)[0] }
	if rec.Column(col("conversions")).IsNull(0) || !rec.Column(col("conversions")).IsNull(1) || !rec.Column(col("conversion_value")).IsNull(1) {
		t.Error(`"-" must be NULL and only "-"`)
	}
	if got := rec.Column(col("spend")).ValueStr(0); got != "88.4" {
		t.Errorf("spend %s", got)
	}

	_, _, _, err = src.decodePage([]byte(`{"code":40100,"message":"Too many requests.","request_id":"r2","data":{}}`))
	var he *httpkit.Error
	if !errors.As(err, &he) || he.Action != httpkit.Retry || he.Wait != 45*time.Second || he.Permanent {
		t.Errorf("40100 in a page: %#v", err)
	}
	_, _, _, err = src.decodePage([]byte(`{"code":40105,"message":"The access token is invalid or has been revoked.","request_id":"r3","data":{}}`))
	if !errors.As(err, &he) || he.Action != httpkit.Refresh {
		t.Errorf("40105 in a page: %v", err)
	}
	_, _, _, err = src.decodePage([]byte(`{"code":40001,"message":"No permission to operate advertiser.","request_id":"r4","data":{}}`))
	if !errors.Is(err, httpkit.ErrPermanent) || !strings.Contains(err.Error(), "40001: No permission to operate advertiser.") {
		t.Errorf("40001 in a page: %v", err)
	}
	if _, _, _, err = src.decodePage([]byte(`{"message":"OK","data":{"list":[]}}`)); !errors.Is(err, httpkit.ErrMalformed) {
		t.Errorf("a page without code: %v", err)
	}
}
