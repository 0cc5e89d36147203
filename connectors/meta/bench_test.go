package meta

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/meta/metatest"
	"github.com/pacerhq/pacer/warehouse"
)

// benchBody fetches one real insights page of the fake at ad grain: 12
// days of 1,000 ads (50 campaigns × 4 ad sets × 5 ads), about 10,500 rows
// with delivery, two thirds of them with actions and action_values in two
// windows and three overlapping purchase types.
func benchBody(b *testing.B) (*Source, []byte) {
	b.Helper()
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	fake := metatest.New(metatest.Options{Level: "ad", Campaigns: 50, AdSets: 4, Ads: 5, From: from, To: from.AddDate(0, 0, 11), PageSize: 100_000})
	b.Cleanup(fake.Close)
	y, vars := fake.Config()
	y = conntest.Expand(y, vars)
	src, err := New(connectors.Config{Name: "bench", Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err != nil {
		b.Fatal(err)
	}
	src.pageSize = 100_000
	o := fake.Options()
	q := src.Params(connectors.DateRange{From: from, To: from.AddDate(0, 0, 11)})
	q.Set("access_token", o.AccessToken)
	resp, err := http.Get(fake.URL + "/v26.0/act_" + o.Accounts[0].ID + "/insights?" + q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("fake: %d %s", resp.StatusCode, body)
	}
	for col, v := range map[string]string{"account_id": o.Accounts[0].ID, "currency": "EUR", "account_timezone": "Europe/Berlin"} {
		if err := src.dec.Set(col, v); err != nil {
			b.Fatal(err)
		}
	}
	return src, body
}

// BenchmarkInsights measures Meta's insights wire format into the
// ad_performance schema plus the per-window columns (25 columns) on one
// core: "decode" is JSON to Arrow batches (actions and action_values picked
// and summed exactly); "decode_commit" adds the load into DuckDB through
// the warehouse, with DuckDB on one thread.
func BenchmarkInsights(b *testing.B) {
	src, body := benchBody(b)
	src.acts.reset()
	src.vals.reset()
	res, err := src.dec.Decode(body, nil)
	if err != nil {
		b.Fatal(err)
	}
	rows := res.Rows
	res.Release()
	if rows < 10_000 {
		b.Fatalf("%d rows; want a 10k-row page", rows)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(len(body))/float64(rows), "B/row")
	}
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			src.acts.reset()
			src.vals.reset()
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
		db, err := warehouse.Open(ctx, filepath.Join(b.TempDir(), "w.duckdb"), warehouse.Options{Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		load, err := db.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: "meta__ad_daily", RunID: 1, SyncedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		defer load.Close(ctx)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			src.acts.reset()
			src.vals.reset()
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
}
