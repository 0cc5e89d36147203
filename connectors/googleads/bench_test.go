package googleads

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/googleads/googleadstest"
	"github.com/pacerhq/pacer/warehouse"
)

// benchBody fetches a real searchStream answer of the fake at level: 60
// days of 1,000 ads in 100 campaigns (about 52,000 ad rows, or 5,300
// campaign rows repeated to the same size), in batches of 10,000 results.
func benchBody(b testing.TB, level string) (*Source, []byte) {
	b.Helper()
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	o := googleadstest.Options{Level: level, Campaigns: 100, AdGroups: 2, Ads: 5, From: from, To: from.AddDate(0, 0, 59)}
	if level == "campaign" {
		o.Campaigns, o.To = 1000, from.AddDate(0, 0, 59)
	}
	fake := googleadstest.New(o)
	b.Cleanup(fake.Close)
	y, vars := fake.Config()
	y = conntest.Expand(y, vars)
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		b.Fatal(err)
	}
	o = fake.Options()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {o.ClientID}, "client_secret": {o.ClientSecret}, "refresh_token": {o.RefreshToken}}
	resp, err := http.PostForm(fake.TokenURL, form)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	q, _ := json.Marshal(map[string]string{"query": src.Query(connectors.DateRange{From: from, To: from.AddDate(0, 0, 59)})})
	req, _ := http.NewRequest("POST", fake.URL+"/v26/customers/"+o.Accounts[0].ID+"/googleAds:searchStream", bytes.NewReader(q))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("login-customer-id", o.LoginCustomerID)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("fake: %d %s", resp.StatusCode, body)
	}
	for col, v := range map[string]string{"account_id": o.Accounts[0].ID, "currency": "USD", "account_timezone": "America/Los_Angeles"} {
		if err := src.dec.Set(col, v); err != nil {
			b.Fatal(err)
		}
	}
	return src, body
}

// BenchmarkSearchStream measures Google's wire format into the
// ad_performance schema (17 columns) on one core, at campaign and ad grain:
// "decode" is JSON to Arrow batches; "decode_commit" adds the load into
// DuckDB through the warehouse, as the pipeline does (Arrow view, INSERT
// with lineage columns, COMMIT), with DuckDB on one thread.
func BenchmarkSearchStream(b *testing.B) {
	for _, level := range []string{"campaign", "ad"} {
		b.Run(level, func(b *testing.B) { benchLevel(b, level) })
	}
}

func benchLevel(b *testing.B, level string) {
	src, body := benchBody(b, level)
	res, err := src.dec.Decode(body, nil)
	if err != nil {
		b.Fatal(err)
	}
	rows := res.Rows
	res.Release()
	report := func(b *testing.B) {
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(len(body))/float64(rows), "B/row")
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			res, err := src.dec.Decode(body, nil)
			if err != nil || res.Rows != rows {
				b.Fatal(err)
			}
			res.Release()
		}
		report(b)
	})
	b.Run("decode_commit", func(b *testing.B) {
		ctx := b.Context()
		db, err := warehouse.Open(ctx, filepath.Join(b.TempDir(), "w.duckdb"), warehouse.Options{Threads: benchThreads})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		load, err := db.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: "google_ads__" + level + "_daily", RunID: 1, SyncedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		defer load.Close(ctx)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			res, err := src.dec.Decode(body, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := load.AppendArrow(ctx, res.Batches...); err != nil {
				b.Fatal(err)
			}
			res.Release()
			if err := load.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
	// The yardstick: DuckDB's own Parquet reader loading the same rows into
	// a table on the same one thread. Storage (compressing DECIMAL(38,9)
	// and strings) bounds both; decode_commit should not fall far below it.
	b.Run("duckdb_parquet_reference", func(b *testing.B) {
		ctx := b.Context()
		dir := b.TempDir()
		db, err := warehouse.Open(ctx, filepath.Join(dir, "w.duckdb"), warehouse.Options{Threads: benchThreads})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		load, err := db.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: "src", RunID: 1, SyncedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		res, err := src.dec.Decode(body, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, err = load.AppendArrow(ctx, res.Batches...)
		res.Release()
		if err == nil {
			err = load.Commit(ctx)
		}
		load.Close(ctx)
		pq := filepath.Join(dir, "rows.parquet")
		if err == nil {
			_, err = db.SQL().ExecContext(ctx, "COPY raw.src TO '"+pq+"' (FORMAT parquet)")
		}
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			i++
			if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf("CREATE TABLE raw.t%d AS SELECT * FROM read_parquet('%s')", i, pq)); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// benchThreads is DuckDB's thread count in decode_commit: one core.
const benchThreads = 1
