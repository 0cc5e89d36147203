package stripe

import (
	"net/http"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

func testSource(t *testing.T) *Source {
	t.Helper()
	s, err := New(connectors.Config{Name: "t", Decode: func(v any) error {
		v.(*options).APIKey = "rk_test_unit"
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecodeDropsObjectsOutsideTheWindowAndRejectsBadOnes(t *testing.T) {
	s := testSource(t)
	body := []byte(`{"object":"list","url":"/v1/charges","has_more":false,"data":[
 {"id":"ch_in","object":"charge","amount":2599,"created":1762070400,"currency":"eur","customer":null,"metadata":{},"paid":true,"payment_intent":null,"status":"succeeded"},
 {"id":"ch_old","object":"charge","amount":100,"created":1234567890,"currency":"usd","customer":null,"metadata":{},"paid":true,"payment_intent":null,"status":"succeeded"},
 {"id":"ch_nocur","object":"charge","amount":100,"created":1762070401,"customer":null,"metadata":{},"paid":true,"status":"succeeded"},
 {"id":"ch_odd","object":"charge","amount":100,"created":1762070402,"currency":"usd","paid":true,"status":"weird"}]}`)
	d := time.Unix(1762070400, 0).UTC()
	res, err := s.decodePage(ObjectCharges, body, connectors.DateRange{From: connectors.Day(d), To: connectors.Day(d)})
	if err != nil {
		t.Fatal(err)
	}
	defer res.rec.Release()
	if res.rec.NumRows() != 1 || res.outside != 1 || len(res.rejected) != 2 || res.lastID != "ch_odd" || res.hasMore {
		t.Fatalf("rows %d outside %d rejected %+v last %s", res.rec.NumRows(), res.outside, res.rejected, res.lastID)
	}
	if res.rejected[0].Field != "currency" || res.rejected[1].Field != "status" {
		t.Errorf("rejected %+v", res.rejected)
	}
	if _, err := s.decodePage(ObjectCharges, body[:len(body)/2], connectors.DateRange{}); err == nil {
		t.Error("a body cut short decoded")
	}
	if _, err := s.decodePage(ObjectCharges, []byte(`{"error":{"message":"x"}}`), connectors.DateRange{}); err == nil {
		t.Error("a non-list decoded")
	}
}

func TestClassify(t *testing.T) {
	c := &classifier{throttleWait: 2 * time.Second}
	resp := func(status int, should, body string) *httpkit.Response {
		h := http.Header{"Request-Id": {"req_abc"}}
		if should != "" {
			h.Set("Stripe-Should-Retry", should)
		}
		return &httpkit.Response{Status: status, Header: h, Body: []byte(body)}
	}
	for _, tc := range []struct {
		name string
		r    *httpkit.Response
		act  httpkit.Action
		wait time.Duration
		code string
	}{
		{"ok", resp(200, "", `{}`), httpkit.OK, 0, ""},
		{"429", resp(429, "", `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many"}}`), httpkit.Retry, 2 * time.Second, "rate_limit"},
		{"401", resp(401, "", `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_live_****1234"}}`), httpkit.Fatal, 0, "invalid_request_error"},
		{"404", resp(404, "", `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such charge: 'ch_123'","param":"id"}}`), httpkit.Fatal, 0, "resource_missing"},
		{"500", resp(500, "", `{"error":{"type":"api_error","message":"boom"}}`), httpkit.Retry, 0, "api_error"},
		{"500 should not retry", resp(500, "false", `{"error":{"type":"api_error","message":"boom"}}`), httpkit.Fatal, 0, "api_error"},
		{"400 should retry", resp(400, "true", `{"error":{"type":"invalid_request_error","message":"x"}}`), httpkit.Retry, 0, "invalid_request_error"},
		{"409 lock", resp(409, "", `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"x"}}`), httpkit.Retry, 2 * time.Second, "lock_timeout"},
		{"502 html", resp(502, "", `<html>bad gateway</html>`), httpkit.Retry, 0, ""},
	} {
		v := c.classify(tc.r)
		if v.Action != tc.act || v.Wait != tc.wait || v.Code != tc.code || v.RequestID != "req_abc" {
			t.Errorf("%s: %+v", tc.name, v)
		}
	}
	if v := c.classify(resp(404, "", `{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such charge: 'ch_123'","param":"id"}}`)); v.Message != "No such charge: 'ch_123'" {
		t.Errorf("message %q", v.Message)
	}
}

// The charge metadata region and product_line fill the optional orders
// columns; a refund takes them from its expanded charge; absent: NULL.
func TestDecodeMapsRegionAndProductLine(t *testing.T) {
	s := testSource(t)
	d := time.Unix(1762070400, 0).UTC()
	w := connectors.DateRange{From: connectors.Day(d), To: connectors.Day(d)}
	charges := []byte(`{"object":"list","url":"/v1/charges","has_more":false,"data":[
 {"id":"ch_1","object":"charge","amount":2599,"created":1762070400,"currency":"eur","customer":null,"metadata":{"region":"East China","product_line":"Oolong"},"paid":true,"payment_intent":null,"status":"succeeded"},
 {"id":"ch_2","object":"charge","amount":100,"created":1762070401,"currency":"eur","customer":null,"metadata":{},"paid":true,"payment_intent":null,"status":"succeeded"}]}`)
	refunds := []byte(`{"object":"list","url":"/v1/refunds","has_more":false,"data":[
 {"id":"re_1","object":"refund","amount":500,"created":1762070500,"currency":"eur","status":"succeeded",
  "charge":{"id":"ch_1","object":"charge","metadata":{"region":"East China","product_line":"Oolong"},"customer":null}}]}`)
	var got []string
	for _, page := range []struct {
		object string
		body   []byte
	}{{ObjectCharges, charges}, {ObjectRefunds, refunds}} {
		res, err := s.decodePage(page.object, page.body, w)
		if err != nil {
			t.Fatal(err)
		}
		sch := res.rec.Schema()
		region := res.rec.Column(sch.FieldIndices("region")[0])
		line := res.rec.Column(sch.FieldIndices("product_line")[0])
		for i := 0; i < int(res.rec.NumRows()); i++ {
			got = append(got, region.ValueStr(i)+"|"+line.ValueStr(i))
		}
		res.rec.Release()
	}
	want := []string{"East China|Oolong", "(null)|(null)", "East China|Oolong"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %s, want %s", i, got[i], want[i])
		}
	}
}
