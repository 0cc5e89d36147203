package salesforce

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// benchBody is a query answer of n realistic Opportunities (Salesforce
// pages hold up to 2,000; 10,000 decodes five pages' worth at once).
func benchBody(n int) []byte {
	stages := []string{"Prospecting", "Qualification", "Value Proposition", "Negotiation/Review", "Closed Won", "Closed Lost"}
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]map[string]any, n)
	for i := range n {
		ts := base.Add(time.Duration(i) * 97 * time.Second).Format("2006-01-02T15:04:05.000+0000")
		var amount any = json.Number(fmt.Sprintf("%d.%d", 1000+i*37%90000, i%10))
		if i%7 == 0 {
			amount = nil
		}
		id := fmt.Sprintf("006Hs%010dIAV", i)
		recs[i] = map[string]any{
			"attributes": map[string]string{"type": "Opportunity", "url": "/services/data/v68.0/sobjects/Opportunity/" + id},
			"Id":         id, "IsDeleted": i%50 == 0, "CreatedDate": ts, "CloseDate": "2026-11-14", "StageName": stages[i%len(stages)],
			"IsWon": i%6 == 4, "IsClosed": i%6 >= 4, "Amount": amount, "LeadSource": "Paid Search", "CampaignId": "701Hs000002XyZaIAK",
			"OwnerId": "005Hs00000AAAA1", "Owner": map[string]any{"attributes": map[string]string{"type": "User"}, "Name": "Ana Silva"},
			"SystemModstamp": ts,
		}
	}
	b, _ := json.Marshal(map[string]any{"totalSize": n, "done": false, "nextRecordsUrl": "/services/data/v68.0/query/01gX-2000", "records": recs})
	return b
}

func BenchmarkDecode10k(b *testing.B) {
	s, err := New(connectors.Config{Name: "bench", Decode: func(v any) error {
		o := v.(*options)
		o.ClientID, o.ClientSecret, o.RefreshToken, o.Currency = "x", "secret-bench", "refresh-bench", "USD"
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	body := benchBody(10000)
	b.SetBytes(int64(len(body)))
	rows := 0
	for b.Loop() {
		var p queryPage
		if err := decodePage(body, &p); err != nil {
			b.Fatal(err)
		}
		rec, rej := s.toArrow(p.Records, "bench")
		if len(rej) > 0 || rec.NumRows() != 9800 {
			b.Fatalf("%d rows, %d rejected", rec.NumRows(), len(rej))
		}
		rows += int(rec.NumRows())
		rec.Release()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
