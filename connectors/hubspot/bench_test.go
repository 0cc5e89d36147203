package hubspot

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// benchBody is a search answer of n realistic deals (HubSpot caps pages at
// 200; 10,000 is a whole capped search decoded at once).
func benchBody(n int) []byte {
	stages := []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent", "closedwon", "closedlost"}
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	results := make([]map[string]any, n)
	for i := range n {
		created := base.Add(time.Duration(i) * 97 * time.Second).Format("2006-01-02T15:04:05.000Z")
		var amount, cur any = fmt.Sprintf("%d.%02d", 100+i*37%90000, i%100), "EUR"
		if i%7 == 0 {
			amount, cur = nil, nil
		}
		results[i] = map[string]any{
			"id": fmt.Sprint(40211000000 + i),
			"properties": map[string]any{
				"amount": amount, "closedate": "2026-11-03T16:00:00Z", "createdate": created, "deal_currency_code": cur,
				"dealstage": stages[i%len(stages)], "hs_lastmodifieddate": created, "hs_object_id": fmt.Sprint(40211000000 + i),
				"pipeline": "default", "hs_is_closed_won": fmt.Sprint(stages[i%len(stages)] == "closedwon"),
				"hubspot_owner_id": fmt.Sprint(1000 + i%12), "hs_analytics_source": "PAID_SEARCH", "hs_campaign": "cmp-123",
			},
			"createdAt": created, "updatedAt": created, "archived": false,
		}
	}
	b, _ := json.Marshal(map[string]any{"total": n, "results": results, "paging": map[string]any{"next": map[string]any{"after": fmt.Sprint(n)}}})
	return b
}

func BenchmarkDecode10k(b *testing.B) {
	s, err := New(connectors.Config{Name: "bench", Decode: func(v any) error {
		o := v.(*options)
		o.AccessToken = "pat-na1-bench"
		cp := "hs_campaign"
		o.CampaignProperty = &cp
		o.OwnerMap = map[string]string{"1001": "Ana Silva"}
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	body := benchBody(10000)
	b.SetBytes(int64(len(body)))
	rows := 0
	b.ResetTimer()
	for b.Loop() {
		var p searchPage
		if err := decodePage(body, &p); err != nil {
			b.Fatal(err)
		}
		rec, rej := s.toArrow(p.Results, "bench")
		if len(rej) > 0 || rec.NumRows() != 10000 {
			b.Fatalf("%d rows, %d rejected", rec.NumRows(), len(rej))
		}
		rows += int(rec.NumRows())
		rec.Release()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
