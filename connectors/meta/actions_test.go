package meta

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// exampleBody is CONNECTORS.md's insights answer.
const exampleBody = `{"data":[
 {"campaign_id":"120210000000000001","campaign_name":"Prospecting EU","account_currency":"EUR",
  "spend":"154.32","impressions":"20311","clicks":"388",
  "actions":[{"action_type":"link_click","value":"351"},{"action_type":"purchase","value":"9","7d_click":"7","1d_view":"2"}],
  "action_values":[{"action_type":"purchase","value":"612.50","7d_click":"480.00","1d_view":"132.50"}],
  "date_start":"2026-11-01","date_stop":"2026-11-01"},
 {"campaign_id":"120210000000000001","campaign_name":"Prospecting EU","account_currency":"EUR",
  "spend":"98.10","impressions":"14002","clicks":"251","date_start":"2026-11-02","date_stop":"2026-11-02"},
 {"campaign_id":"120210000000000002","campaign_name":"Retargeting","spend":"10","impressions":"1","clicks":"0",
  "actions":[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"3","7d_click":"3"},
             {"action_type":"omni_purchase","value":"5","7d_click":"4","1d_view":"1"},
             {"action_type":"purchase","value":"5","7d_click":"4","1d_view":"1"}],
  "action_values":[{"action_type":"offsite_conversion.fb_pixel_purchase","value":"30.5","7d_click":"30.5"},
             {"action_type":"omni_purchase","value":"99999999999.123456789","7d_click":"99999999999.1","1d_view":"0.023456789"},
             {"action_type":"purchase","value":"50","7d_click":"40","1d_view":"10"}],
  "date_start":"2026-11-02","date_stop":"2026-11-02"}],
 "paging":{"cursors":{"before":"MAZDZD","after":"MQZDZD"},"next":"https://graph.facebook.com/v26.0/act_123/insights?access_token=EAAB123&after=MQZDZD"}}`

func decodeExample(t *testing.T, mode string) (map[string][]string, string) {
	t.Helper()
	s := &Source{level: levels["campaign"], windows: []string{"7d_click", "1d_view"}, actionTypes: DefaultConversionActionTypes,
		sumTypes: mode == "sum", channel: DefaultChannel, pageSize: DefaultPageSize}
	if err := s.compile(); err != nil {
		t.Fatal(err)
	}
	for col, v := range map[string]string{"account_id": "123", "currency": "EUR", "account_timezone": "Europe/Berlin"} {
		if err := s.dec.Set(col, v); err != nil {
			t.Fatal(err)
		}
	}
	next := ""
	res, err := s.dec.Decode([]byte(exampleBody), func(path string, v jsonarrow.Value) error {
		next = v.Text()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if len(res.Rejected) > 0 {
		t.Fatalf("rejected: %+v", res.Rejected)
	}
	out := map[string][]string{}
	for _, b := range res.Batches {
		for i, f := range b.Schema().Fields() {
			col := b.Column(i)
			for r := range int(b.NumRows()) {
				out[f.Name] = append(out[f.Name], valueString(col, r))
			}
		}
	}
	return out, next
}

func valueString(col arrow.Array, r int) string {
	if col.IsNull(r) {
		return "NULL"
	}
	if d, ok := col.(*array.Decimal128); ok {
		return strings.TrimRight(strings.TrimRight(d.Value(r).ToString(9), "0"), ".")
	}
	return col.ValueStr(r)
}

func TestActionsLandInTheirWindowColumns(t *testing.T) {
	got, next := decodeExample(t, "first")
	want := map[string][]string{
		"conversions":               {"9", "0", "5"}, // 7d_click + 1d_view; omni_purchase first, never the sum
		"conversions_7d_click":      {"7", "0", "4"},
		"conversions_1d_view":       {"2", "0", "1"},
		"conversion_value":          {"612.5", "0", "99999999999.123456789"},
		"conversion_value_7d_click": {"480", "0", "99999999999.1"},
		"conversion_value_1d_view":  {"132.5", "0", "0.023456789"},
		"spend":                     {"154.32", "98.1", "10"},
		"impressions":               {"20311", "14002", "1"},
		"clicks":                    {"388", "251", "0"},
		"date":                      {"2026-11-01", "2026-11-02", "2026-11-02"},
		"channel":                   {"paid_social", "paid_social", "paid_social"},
		"platform":                  {"meta", "meta", "meta"},
		"currency":                  {"EUR", "EUR", "EUR"},
		"ad_group_id":               {"NULL", "NULL", "NULL"},
	}
	for col, w := range want {
		if strings.Join(got[col], "|") != strings.Join(w, "|") {
			t.Errorf("%s = %v, want %v", col, got[col], w)
		}
	}
	if !strings.Contains(next, "after=MQZDZD") {
		t.Errorf("paging.next %q not captured", next)
	}
}

func TestSumModeAddsEveryListedType(t *testing.T) {
	got, _ := decodeExample(t, "sum")
	if w := []string{"9", "0", "13"}; strings.Join(got["conversions"], "|") != strings.Join(w, "|") {
		t.Errorf("conversions %v, want %v", got["conversions"], w)
	}
	if w := "100000000079.623456789"; got["conversion_value_7d_click"][2] != "100000000069.6" || got["conversion_value"][2] != w {
		t.Errorf("conversion_value %v / 7d %v", got["conversion_value"], got["conversion_value_7d_click"])
	}
}

func TestAddDecimals(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"1", "2"}, "3"},
		{[]string{"480.00", "132.50"}, "612.50"},
		{[]string{"0.1", "0.2"}, "0.3"},
		{[]string{"-1.5", "1"}, "-0.5"},
		{[]string{"99999999999999999", "1.5"}, "100000000000000000.5"},
		{[]string{"0.0000000001", "1"}, "1.0000000001"},
	}
	for _, tt := range tests {
		got, err := addDecimals(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("addDecimals(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPickerSlowPathMatchesFastPath(t *testing.T) {
	fast := `[{"action_type":"omni_purchase","value":"5","7d_click":"4","1d_view":"1"},{"action_type":"purchase","value":"5","7d_click":"4"}]`
	slow := `[{"action_type":"omni_purchase","value":5,"7d_click":4,"1d_view":"1"},{"action_type":"pur\u0063hase","value":"5","7d_click":"4"}]`
	for _, sum := range []bool{false, true} {
		for i := -1; i < 2; i++ {
			p1 := &actionPicker{types: DefaultConversionActionTypes, sum: sum, windows: []string{"7d_click", "1d_view"}}
			p2 := &actionPicker{types: DefaultConversionActionTypes, sum: sum, windows: []string{"7d_click", "1d_view"}}
			a, _, err1 := p1.extract(i)(jsonarrow.Value(fast))
			b, _, err2 := p2.extract(i)(jsonarrow.Value(slow))
			if err1 != nil || err2 != nil || string(a) != string(b) {
				t.Errorf("sum=%v window %d: fast %q (%v), slow %q (%v)", sum, i, a, err1, b, err2)
			}
		}
	}
}
