package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// frankfurter is a fake of the Frankfurter rates API (api.frankfurter.dev/v1):
// GET /v1/{from}..{to}?base=B&symbols=Q answers the rates of one B in Q per
// working day; an unknown currency is a 404 {"message":"not found"}. The
// first request of each currency is throttled with 429 and Retry-After.
type frankfurter struct {
	mu       sync.Mutex
	rates    map[string]map[string]string // base → day → rate in CNY
	requests []string
	served   map[string]bool
}

func (f *frankfurter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.RequestURI())
	m := regexp.MustCompile(`^/v1/(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$`).FindStringSubmatch(r.URL.Path)
	base, quote := r.URL.Query().Get("base"), r.URL.Query().Get("symbols")
	w.Header().Set("Content-Type", "application/json")
	if m == nil || quote != "CNY" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"message":"bad request"}`)
		return
	}
	days, ok := f.rates[base]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"not found"}`)
		return
	}
	if !f.served[base] {
		f.served[base] = true
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"too many requests"}`)
		return
	}
	out := map[string]map[string]json.RawMessage{}
	for d, rate := range days {
		if d >= m[1] && d <= m[2] {
			out[d] = map[string]json.RawMessage{quote: json.RawMessage(rate)}
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"amount": 1.0, "base": base, "start_date": m[1], "end_date": m[2], "rates": out})
}

// TestFXRatesFromAnAPI swaps the demo's rates file for a Frankfurter-style
// API serving the same rates on working days only: the rates land exactly
// as sent, weekends take Friday's rate, and an API that fails leaves the
// stored rates and the run alone.
func TestFXRatesFromAnAPI(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	fake := &frankfurter{rates: map[string]map[string]string{"USD": {}}, served: map[string]bool{}}
	b, err := os.ReadFile(filepath.Join(dir, "fx_rates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Split(line, ",")
		d, _ := time.Parse(time.DateOnly, f[0])
		if f[1] == "USD" && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && f[0] <= demoDay {
			fake.rates["USD"][f[0]] = f[2]
		}
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	y, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	withURL := regexp.MustCompile(`(?m)^  path: fx_rates\.csv.*$`).ReplaceAllString(string(y),
		"  url: "+srv.URL+"/v1\n  currencies: [USD]")
	if err := os.WriteFile(cfg, []byte(withURL), 0o644); err != nil {
		t.Fatal(err)
	}
	mustPacer(t, "-c", cfg, "run", "--date", demoDay)

	if got := query(t, cfg, `SELECT count(*) FROM raw.fx_rates`); got != fmt.Sprintf("count_star()\n%d", len(fake.rates["USD"])) {
		t.Errorf("raw.fx_rates holds %s rows, the API sent %d", got, len(fake.rates["USD"]))
	}
	mismatch := 0
	for _, row := range strings.Split(query(t, cfg, `SELECT strftime("date", '%Y-%m-%d'), rate::VARCHAR FROM raw.fx_rates WHERE currency = 'USD'`), "\n")[1:] {
		d, rate, _ := strings.Cut(row, ",")
		if want := fake.rates["USD"][d]; want == "" || !strings.HasPrefix(rate, want) {
			mismatch++
		}
	}
	if mismatch > 0 {
		t.Errorf("%d stored rates differ from what the API sent", mismatch)
	}
	if got := query(t, cfg, `SELECT count(*) FROM meta.fx_missing`); got != "count_star()\n0" {
		t.Errorf("amounts without a rate: %s", got)
	}
	// A Saturday's USD spend converts at Friday's rate.
	sat := query(t, cfg, `SELECT DISTINCT fx_rate::VARCHAR, strftime(date - 1, '%Y-%m-%d') FROM staging.ad_performance
		WHERE currency_original = 'USD' AND dayofweek(date) = 6 ORDER BY 2 DESC LIMIT 1`)
	rate, friday, _ := strings.Cut(strings.Split(sat, "\n")[1], ",")
	if want := fake.rates["USD"][friday]; !strings.HasPrefix(rate, want) {
		t.Errorf("the Saturday after %s converts at %s, want Friday's %s", friday, rate, want)
	}
	fake.mu.Lock()
	reqs := strings.Join(fake.requests, " ")
	fake.mu.Unlock()
	if !strings.Contains(reqs, "..") || !strings.Contains(reqs, "base=USD") || !strings.Contains(reqs, "symbols=CNY") || len(fake.requests) != 2 {
		t.Errorf("requests %s: want one throttled and one answered time-series request", reqs)
	}

	// An unknown currency: the API answers 404; the run warns and keeps the rates.
	withBad := strings.Replace(withURL, "currencies: [USD]", "currencies: [USD, XTS]", 1)
	if err := os.WriteFile(cfg, []byte(withBad), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustPacer(t, "-c", cfg, "run", "--date", demoDay)
	if !strings.Contains(res.stderr, "fx rates not fetched") || !strings.Contains(res.stderr, "not found") {
		t.Errorf("the failed fetch is not explained:\n%s", res.stderr)
	}
	if got := query(t, cfg, `SELECT count(*) FROM raw.fx_rates`); got != fmt.Sprintf("count_star()\n%d", len(fake.rates["USD"])) {
		t.Errorf("after a failed fetch raw.fx_rates holds %s rows", got)
	}
}
