package jsonarrow

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// adSchema is a small slice of the canonical ad_performance stream.
func adSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "account_id", Type: arrow.BinaryTypes.String},
		{Name: "campaign_id", Type: arrow.BinaryTypes.String},
		{Name: "campaign_name", Type: arrow.BinaryTypes.String},
		{Name: "channel", Type: arrow.BinaryTypes.String},
		{Name: "spend", Type: connectors.ArrowType(connectors.Money)},
		{Name: "impressions", Type: arrow.PrimitiveTypes.Int64},
		{Name: "clicks", Type: arrow.PrimitiveTypes.Int64},
		{Name: "conversions", Type: arrow.PrimitiveTypes.Float64},
		{Name: "conversion_value", Type: connectors.ArrowType(connectors.Money)},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

func googleSpec() Spec {
	return Spec{
		Rows:    "*.results",
		Capture: []string{"*.requestId", "*.error"},
		Fields: []Field{
			{Column: "date", Path: "segments.date", Conv: Date},
			{Column: "account_id", Conv: String},
			{Column: "campaign_id", Path: "campaign.id", Conv: String},
			{Column: "campaign_name", Path: "campaign.name", Conv: String, Missing: MissingZero},
			{Column: "channel", Path: "campaign.advertisingChannelType", Conv: String, Missing: MissingDefault, Default: "paid_search",
				Map: map[string]string{"DISPLAY": "display", "VIDEO": "short_video"}},
			{Column: "spend", Path: "metrics.costMicros", Conv: Decimal, Shift: 6, Missing: MissingZero},
			{Column: "impressions", Path: "metrics.impressions", Conv: Int64, Missing: MissingZero},
			{Column: "clicks", Path: "metrics.clicks", Conv: Int64, Missing: MissingZero},
			{Column: "conversions", Path: "metrics.conversions", Conv: Float64, Missing: MissingZero},
			{Column: "conversion_value", Path: "metrics.conversionsValue", Conv: Decimal, Missing: MissingZero, Round: true},
		},
	}
}

const searchStream = `[{"results":[
  {"campaign":{"resourceName":"customers/1234567890/campaigns/111","id":"111","name":"Brand DE","advertisingChannelType":"SEARCH"},
   "metrics":{"clicks":"412","costMicros":"183250000","impressions":"10233","conversions":17.5,"conversionsValue":2210.4},
   "segments":{"date":"2026-11-01"}},
  {"campaign":{"resourceName":"customers/1234567890/campaigns/112","id":"112","name":"Caf\u00e9 \"Winter\" \ud83c\udf75","advertisingChannelType":"VIDEO"},
   "metrics":{"clicks":"9","costMicros":"2100000","impressions":"801"},"segments":{"date":"2026-11-02"}}],
  "fieldMask":"segments.date,campaign.id","requestId":"req-1"},
 {"results":[{"campaign":{"id":"113"},"metrics":{"costMicros":"1"},"segments":{"date":"2026-11-03"}}],"requestId":"req-2","queryResourceConsumption":"240"}]`

// column renders column name of all batches as strings.
func column(t *testing.T, res *Result, name string) []string {
	t.Helper()
	var out []string
	for _, b := range res.Batches {
		idx := b.Schema().FieldIndices(name)
		col := b.Column(idx[0])
		for i := range col.Len() {
			out = append(out, col.ValueStr(i))
		}
	}
	return out
}

func TestDecodeSearchStream(t *testing.T) {
	d, err := New(adSchema(), googleSpec(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Set("account_id", "1234567890"); err != nil {
		t.Fatal(err)
	}
	var captured []string
	res, err := d.Decode([]byte(searchStream), func(path string, v Value) error {
		captured = append(captured, path+"="+v.Text())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.Rows != 3 || len(res.Rejected) != 0 {
		t.Fatalf("rows %d, rejected %+v", res.Rows, res.Rejected)
	}
	want := map[string][]string{
		"date":             {"2026-11-01", "2026-11-02", "2026-11-03"},
		"account_id":       {"1234567890", "1234567890", "1234567890"},
		"campaign_name":    {"Brand DE", `Café "Winter" 🍵`, ""},
		"channel":          {"paid_search", "short_video", "paid_search"},
		"spend":            {"183.25", "2.1", "1e-06"},
		"impressions":      {"10233", "801", "0"},
		"conversions":      {"17.5", "0", "0"},
		"conversion_value": {"2210.4", "0", "0"},
		"note":             {"(null)", "(null)", "(null)"},
	}
	for col, w := range want {
		got := column(t, res, col)
		if strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("%s = %q, want %q", col, got, w)
		}
	}
	if strings.Join(captured, ",") != "*.requestId=req-1,*.requestId=req-2" {
		t.Errorf("captured %q", captured)
	}
}

func TestDecodeMalformedAndRejected(t *testing.T) {
	d, err := New(adSchema(), googleSpec(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		body     string
		rows     int
		rejected int
		err      string
	}{
		{name: "a truncated body is malformed", body: searchStream[:len(searchStream)/2], err: "malformed JSON"},
		{name: "trailing garbage is malformed", body: searchStream + "x", err: "data after the end"},
		{name: "an empty body is malformed", body: " ", err: "empty body"},
		{name: "no rows is fine", body: `[]`},
		{name: "a batch without results is fine", body: `[{"fieldMask":"x","requestId":"r"}]`},
		{name: "a bad number rejects its row only", body: `[{"results":[{"campaign":{"id":"1"},"metrics":{"clicks":"12x"},"segments":{"date":"2026-11-01"}},{"campaign":{"id":"2"},"segments":{"date":"2026-11-01"}}]}]`, rows: 1, rejected: 1},
		{name: "a bad date rejects its row", body: `[{"results":[{"campaign":{"id":"1"},"segments":{"date":"2026-02-30"}}]}]`, rejected: 1},
		{name: "a missing date rejects its row", body: `[{"results":[{"campaign":{"id":"1"}}]}]`, rejected: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.Decode([]byte(tt.body), nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, httpkit.ErrMalformed) {
					t.Fatalf("err = %v, want %q wrapping ErrMalformed", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer res.Release()
			if res.Rows != tt.rows || len(res.Rejected) != tt.rejected {
				t.Fatalf("rows %d rejected %+v", res.Rows, res.Rejected)
			}
		})
	}
}

func TestDecodeBatchesAndCaptureError(t *testing.T) {
	spec := googleSpec()
	spec.BatchRows = 2
	d, err := New(adSchema(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Decode([]byte(searchStream), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Batches) != 2 || res.Batches[0].NumRows() != 2 || res.Batches[1].NumRows() != 1 {
		t.Errorf("batches %d", len(res.Batches))
	}
	res.Release()
	stop := errors.New("platform error")
	_, err = d.Decode([]byte(`[{"results":[]},{"error":{"code":429}}]`), func(path string, v Value) error {
		if path == "*.error" {
			if code, _ := v.Get("code"); code.Text() != "429" {
				t.Errorf("code %q", code)
			}
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("err %v", err)
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in    string
		shift int
		round bool
		want  string // at scale 9
		err   bool
	}{
		{in: "183250000", shift: 6, want: "183.250000000"},
		{in: "0", want: "0.000000000"},
		{in: "-12.5", want: "-12.500000000"},
		{in: "2210.4", want: "2210.400000000"},
		{in: "1e3", want: "1000.000000000"},
		{in: "1.5E-3", want: "0.001500000"},
		{in: "0.1234567891", err: true},
		{in: "0.1234567895", round: true, want: "0.123456790"},
		{in: "12345678901234567890123456789", want: "12345678901234567890123456789.000000000"},
		{in: "123456789012345678901234567890", err: true}, // 39 digits at scale 9
		{in: "12.3.4", err: true},
		{in: "abc", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		n, err := parseDecimal([]byte(tt.in), 9, tt.shift, tt.round)
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v", tt.in, err)
			continue
		}
		if err == nil && n.ToString(9) != tt.want {
			t.Errorf("%q = %s, want %s", tt.in, n.ToString(9), tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"1970-01-01": "1970-01-01", "2026-11-01": "2026-11-01", "2024-02-29": "2024-02-29",
		"20261101": "2026-11-01", "2026-11-02 00:00:00": "2026-11-02", "1969-12-31": "1969-12-31",
	} {
		d, err := parseDate([]byte(in))
		if err != nil || d.FormattedString() != want {
			t.Errorf("%q = %v %v", in, d.FormattedString(), err)
		}
	}
	for _, in := range []string{"2025-02-29", "2026-13-01", "2026-1-01", "x"} {
		if _, err := parseDate([]byte(in)); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

func TestValueHelpers(t *testing.T) {
	v := Value(`{"actions":[{"action_type":"link_click","value":"351"},{"action_type":"purchase","value":"9"}],"n":null}`)
	acts, ok := v.Get("actions")
	if !ok {
		t.Fatal("no actions")
	}
	var got string
	_ = acts.Each(func(e Value) error {
		if at, _ := e.Get("action_type"); at.Text() == "purchase" {
			val, _ := e.Get("value")
			got = val.Text()
		}
		return nil
	})
	if got != "9" {
		t.Errorf("purchase = %q", got)
	}
	if x, _ := v.Get("actions", "1", "value"); x.Text() != "9" {
		t.Errorf("by index %q", x)
	}
	if n, _ := v.Get("n"); !n.IsNull() {
		t.Error("null")
	}
	if _, ok := v.Get("nope"); ok {
		t.Error("found nope")
	}
}

var _ = array.NewRecordBuilder

func TestScanStringMatchesNaive(t *testing.T) {
	naive := func(b []byte, i int) (int, bool) {
		esc := false
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '"':
				return j + 1, esc
			case '\\':
				esc = true
				j++
			}
		}
		return -1, esc
	}
	alphabet := []byte(`ab"\\x€`)
	seed := uint64(42)
	for n := range 20000 {
		seed = seed*6364136223846793005 + 1442695040888963407
		l := int(seed>>33) % 40
		b := []byte{'"'}
		s := seed
		for range l {
			s = s*6364136223846793005 + 1442695040888963407
			b = append(b, alphabet[int(s>>40)%len(alphabet)])
		}
		wantEnd, wantEsc := naive(b, 0)
		gotEnd, gotEsc, err := scanString(b, 0)
		if wantEnd < 0 {
			if err == nil {
				t.Fatalf("case %d %q: no error", n, b)
			}
			continue
		}
		if err != nil || gotEnd != wantEnd || gotEsc != wantEsc {
			t.Fatalf("case %d %q: got %d %v %v, want %d %v", n, b, gotEnd, gotEsc, err, wantEnd, wantEsc)
		}
	}
}
