package jsonarrow

import (
	stdjson "encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	goccy "github.com/goccy/go-json"
)

// benchBody is a searchStream response of n rows in batches of 10,000,
// shaped like Google's: string int64s, omitted zeros, resource names.
func benchBody(n int) []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i%10000 == 0 {
			if i > 0 {
				b.WriteString(`],"fieldMask":"segments.date,campaign.id,campaign.name,campaign.advertisingChannelType,metrics.costMicros,metrics.impressions,metrics.clicks,metrics.conversions,metrics.conversionsValue","requestId":"fAk3Req1dZk1m2N3o4p5Q6"},`)
			}
			b.WriteString(`{"results":[`)
		} else {
			b.WriteString(",")
		}
		camp := 1000000 + i%97
		fmt.Fprintf(&b, `{"campaign":{"resourceName":"customers/1234567890/campaigns/%d","id":"%d","name":"Campaign %d Brand DE","advertisingChannelType":"%s"},`,
			camp, camp, camp, []string{"SEARCH", "DISPLAY", "VIDEO", "PERFORMANCE_MAX"}[i%4])
		if i%7 == 0 {
			fmt.Fprintf(&b, `"metrics":{"clicks":"%d","costMicros":"%d","impressions":"%d"},`, i%50, (i%9000)*10000, i%3000+1)
		} else {
			fmt.Fprintf(&b, `"metrics":{"clicks":"%d","costMicros":"%d","impressions":"%d","conversions":%d.5,"conversionsValue":%d.25},`, i%50, (i%9000)*10000, i%3000+1, i%11, i%400)
		}
		// Rows of a 31-day window, campaign by campaign within each day.
		fmt.Fprintf(&b, `"segments":{"date":"2026-10-%02d"}}`, 1+(i/97)%31)
	}
	b.WriteString(`],"requestId":"fAk3Req1dZk1m2N3o4p5Q6","queryResourceConsumption":"240"}]`)
	return []byte(b.String())
}

const benchRows = 100_000

func report(b *testing.B, body []byte) {
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(body)*b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}

// BenchmarkDecodeSearchStream decodes a 100k-row searchStream body into
// Arrow with each JSON library; rows/s is decode plus Arrow build on one core.
func BenchmarkDecodeSearchStream(b *testing.B) {
	body := benchBody(benchRows)
	b.Run("scanner", func(b *testing.B) {
		d, err := New(adSchema(), googleSpec(), memory.NewGoAllocator())
		if err != nil {
			b.Fatal(err)
		}
		_ = d.Set("account_id", "1234567890")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			res, err := d.Decode(body, nil)
			if err != nil || res.Rows != benchRows {
				b.Fatal(err)
			}
			res.Release()
		}
		report(b, body)
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var batches []ssBatch
			if err := stdjson.Unmarshal(body, &batches); err != nil {
				b.Fatal(err)
			}
			buildStructRows(b, batches)
		}
		report(b, body)
	})
	b.Run("goccy_go_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var batches []ssBatch
			if err := goccy.Unmarshal(body, &batches); err != nil {
				b.Fatal(err)
			}
			buildStructRows(b, batches)
		}
		report(b, body)
	})
	benchJSONv2(b, body)
}

// ssBatch is a searchStream batch as structs; numbers that must stay exact
// are kept as text (json.Number or strings).
type ssBatch struct {
	Results []struct {
		Campaign struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"advertisingChannelType"`
		} `json:"campaign"`
		Metrics struct {
			Clicks           string         `json:"clicks"`
			CostMicros       string         `json:"costMicros"`
			Impressions      string         `json:"impressions"`
			Conversions      stdjson.Number `json:"conversions"`
			ConversionsValue stdjson.Number `json:"conversionsValue"`
		} `json:"metrics"`
		Segments struct {
			Date string `json:"date"`
		} `json:"segments"`
	} `json:"results"`
	RequestID string `json:"requestId"`
}

var channelMap = map[string]string{"DISPLAY": "display", "VIDEO": "short_video"}

// buildStructRows appends decoded structs to Arrow with the same
// conversions as the scanner, so that the comparison is of decoding only.
func buildStructRows(b *testing.B, batches []ssBatch) {
	rb := array.NewRecordBuilder(memory.NewGoAllocator(), adSchema())
	defer rb.Release()
	date := rb.Field(0).(*array.Date32Builder)
	acct := rb.Field(1).(*array.StringBuilder)
	cid := rb.Field(2).(*array.StringBuilder)
	cname := rb.Field(3).(*array.StringBuilder)
	ch := rb.Field(4).(*array.StringBuilder)
	spend := rb.Field(5).(*array.Decimal128Builder)
	impr := rb.Field(6).(*array.Int64Builder)
	clicks := rb.Field(7).(*array.Int64Builder)
	conv := rb.Field(8).(*array.Float64Builder)
	cval := rb.Field(9).(*array.Decimal128Builder)
	note := rb.Field(10).(*array.StringBuilder)
	zero := func(s string) string {
		if s == "" {
			return "0"
		}
		return s
	}
	n := 0
	for _, bt := range batches {
		for _, r := range bt.Results {
			dt, err := parseDate([]byte(r.Segments.Date))
			if err != nil {
				b.Fatal(err)
			}
			date.Append(dt)
			acct.Append("1234567890")
			cid.Append(r.Campaign.ID)
			cname.Append(r.Campaign.Name)
			c, ok := channelMap[r.Campaign.Type]
			if !ok {
				c = "paid_search"
			}
			ch.Append(c)
			sp, err := parseDecimal([]byte(zero(r.Metrics.CostMicros)), 9, 6, false)
			if err != nil {
				b.Fatal(err)
			}
			spend.Append(sp)
			i1, _ := parseInt([]byte(zero(r.Metrics.Impressions)))
			impr.Append(i1)
			i2, _ := parseInt([]byte(zero(r.Metrics.Clicks)))
			clicks.Append(i2)
			f, _ := parseFloat([]byte(zero(string(r.Metrics.Conversions))))
			conv.Append(f)
			v, _ := parseDecimal([]byte(zero(string(r.Metrics.ConversionsValue))), 9, 0, true)
			cval.Append(v)
			note.AppendNull()
			n++
			if n%65536 == 0 {
				rb.NewRecordBatch().Release()
			}
		}
	}
	rb.NewRecordBatch().Release()
	if n != benchRows {
		b.Fatalf("%d rows", n)
	}
}
