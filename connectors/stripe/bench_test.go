package stripe

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pacerhq/pacer/connectors"
)

// listBody returns a Stripe list of n charges in mixed currencies, as
// /v1/charges sends them (trimmed to the fields a real answer has most of).
func listBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"object":"list","url":"/v1/charges","has_more":true,"data":[`)
	curs := []string{"usd", "jpy", "kwd", "eur", "krw"}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"ch_3QxAbC2eZvKYlo2C%010d","object":"charge","amount":%d,"amount_captured":%d,"amount_refunded":0,`+
			`"balance_transaction":"txn_3QxAbC2eZvKYlo2C%010d","billing_details":{"address":{"city":null,"country":"DE"},"email":null,"name":null},`+
			`"captured":true,"created":%d,"currency":"%s","customer":"cus_RaBcD%06d","description":null,"livemode":true,`+
			`"metadata":{"order_id":"%d","user_id":"u%d"},"outcome":{"network_status":"approved_by_network","risk_level":"normal","type":"authorized"},`+
			`"paid":true,"payment_intent":"pi_3QxAbC2eZvKYlo2C%010d","payment_method":"pm_1QxAbC2eZvKYlo2C","refunded":false,"status":"succeeded"}`,
			i, 1000+i, 1000+i, i, 1762070400-i*7, curs[i%len(curs)], i%5000, 10000+i, i%3000, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkDecodeCharges10k(b *testing.B) {
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error {
		o := v.(*options)
		o.APIKey = "rk_test_bench"
		o.UserIDMetadataKey = "user_id"
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	body := listBody(10_000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		res, err := src.decodePage(ObjectCharges, body, connectors.DateRange{})
		if err != nil {
			b.Fatal(err)
		}
		rows += int(res.rec.NumRows())
		res.rec.Release()
	}
	if rows%10_000 != 0 || rows == 0 {
		b.Fatalf("decoded %d rows", rows)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
