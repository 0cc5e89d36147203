package linkedin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/linkedin/linkedintest"
)

// BenchmarkAdAnalytics measures LinkedIn's adAnalytics wire format into
// the ad_performance schema (16 columns) on one core: one real answer of
// the fake with 10,000+ elements (420 campaigns × 30 days, about five in six
// with delivery), pivot URNs mapped to campaign ids and names.
func BenchmarkAdAnalytics(b *testing.B) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 29)
	fake := linkedintest.New(linkedintest.Options{Campaigns: 420, From: from, To: to})
	b.Cleanup(fake.Close)
	y, vars := fake.Config()
	y = conntest.Expand(y, vars)
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		b.Fatal(err)
	}
	o := fake.Options()
	resp, err := http.PostForm(fake.TokenURL, url.Values{"grant_type": {"refresh_token"}, "client_id": {o.ClientID}, "client_secret": {o.ClientSecret}, "refresh_token": {o.RefreshToken}})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", fake.URL+"/rest/adAnalytics?"+Query(o.Accounts[0].ID, connectors.DateRange{From: from, To: to}), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Linkedin-Version", DefaultAPIVersion)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("fake: %d %s", resp.StatusCode, body)
	}
	src.campaigns = map[string][]byte{}
	for i := range 420 {
		src.campaigns[strconv.Itoa(612000001+i)] = []byte("Campaign " + strconv.Itoa(i))
	}
	for col, v := range map[string]string{"account_id": o.Accounts[0].ID, "currency": "USD"} {
		if err := src.dec.Set(col, v); err != nil {
			b.Fatal(err)
		}
	}
	res, err := src.dec.Decode(body, nil)
	if err != nil {
		b.Fatal(err)
	}
	rows := res.Rows
	res.Release()
	if rows < 10_000 {
		b.Fatalf("%d rows; want 10k", rows)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		res, err := src.dec.Decode(body, nil)
		if err != nil || res.Rows != rows {
			b.Fatal(err)
		}
		res.Release()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(body))/float64(rows), "B/row")
}
