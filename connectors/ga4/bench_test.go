package ga4

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// reportBody is a runReport answer of n rows with the default dimensions
// and metrics, as GA4 sends it (every value a string).
func reportBody(n int) []byte {
	channels := []string{"Paid Search", "Direct", "Organic Search", "Paid Social", "Referral", "Email"}
	sms := []string{"google / cpc", "(direct) / (none)", "google / organic", "facebook / paid_social", "news.example.com / referral", "newsletter / email"}
	var b strings.Builder
	b.Grow(n * 300)
	b.WriteString(`{"dimensionHeaders":[{"name":"date"},{"name":"sessionDefaultChannelGroup"},{"name":"sessionSourceMedium"},{"name":"sessionCampaignName"}],` +
		`"metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"},{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"},{"name":"purchaseRevenue","type":"TYPE_CURRENCY"}],"rows":[`)
	d0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k := i % len(channels)
		fmt.Fprintf(&b, `{"dimensionValues":[{"value":"%s"},{"value":"%s"},{"value":"%s"},{"value":"campaign_%d"}],`+
			`"metricValues":[{"value":"%d"},{"value":"%d"},{"value":"%d"},{"value":"%d.%02d"}]}`,
			d0.AddDate(0, 0, i%7).Format("20060102"), channels[k], sms[k], i/7,
			100+i%1900, 90+i%1700, i%47, i%10000, i%100)
	}
	b.WriteString(`],"rowCount":` + strconv.Itoa(n) + `,"metadata":{"currencyCode":"EUR","timeZone":"Europe/Berlin"},` +
		`"propertyQuota":{"tokensPerDay":{"consumed":14,"remaining":199851},"tokensPerHour":{"consumed":14,"remaining":39860}},"kind":"analyticsData#runReport"}`)
	return []byte(b.String())
}

// BenchmarkDecodeRunReport decodes a 100,000-row runReport page into Arrow
// batches (source/medium split, exact revenue, flags set), as readWindow does.
func BenchmarkDecodeRunReport(b *testing.B) {
	const rows = 100_000
	body := reportBody(rows)
	s, err := New(connectors.Config{Decode: func(v any) error {
		return yaml.Unmarshal([]byte("property_ids: [\"123\"]\nclient_id: x\nclient_secret: y\nrefresh_token: z\n"), v)
	}})
	if err != nil {
		b.Fatal(err)
	}
	for col, v := range map[string]string{"property_id": "123", "currency": "EUR", "account_timezone": "Europe/Berlin"} {
		if err := s.dec.Set(col, v); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		res, err := s.dec.Decode(body, func(string, jsonarrow.Value) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != rows || len(res.Rejected) != 0 {
			b.Fatalf("%d rows, %d rejected", res.Rows, len(res.Rejected))
		}
		for _, batch := range res.Batches {
			s.flag(batch, false, false).Release()
		}
		res.Release()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
