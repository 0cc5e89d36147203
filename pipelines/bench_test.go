package pipelines

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/demo"
	pacersql "github.com/pacerhq/pacer/sql"
)

// largeDemo syncs the large demo company (≥10 M ad rows, ≥1 M orders) into
// a warehouse under the system temp dir, once: later benchmark runs reuse it.
func largeDemo(b *testing.B) *Config {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "pacer-bench-large-demo")
	start := demo.DefaultStartDate()
	end := start.AddDate(0, 13, 23)
	cfgPath := filepath.Join(dir, "pacer.yaml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	body := fmt.Sprintf(`version: 1
company: Lumen Tea (large benchmark)
timezone: Asia/Shanghai
currency: CNY
fx: {path: fx_rates.csv}
sources:
  - {name: demo, type: demo, scale: large, start_date: %s}
`, start.Format(time.DateOnly))
	os.WriteFile(cfgPath, []byte(body), 0o644)
	os.WriteFile(filepath.Join(dir, "fx_rates.csv"), demo.FXRatesCSV(start, end), 0o644)
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "synced")); err == nil {
		return cfg
	}
	os.Remove(cfg.WarehousePath())
	job := openBench(b, cfg)
	defer job.Close()
	t0 := time.Now()
	out, err := job.Run(context.Background(), RunOptions{Command: "bench", Date: end, Steps: Steps{Sync: true}})
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	for _, s := range out.Streams {
		rows += s.Rows
	}
	b.Logf("synced the large demo: %d rows in %s (%.0f rows/s end to end, generation included)", rows, time.Since(t0), float64(rows)/time.Since(t0).Seconds())
	os.WriteFile(filepath.Join(dir, "synced"), nil, 0o644)
	return cfg
}

func openBench(b *testing.B, cfg *Config) *Job {
	job, err := Open(context.Background(), cfg, "bench", pacersql.FS, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	return job
}

// BenchmarkLargeDemoKPIMarts rebuilds every staging view and mart from the
// large demo's raw tables (≥10 M ad rows). Target: under 1.5 s.
func BenchmarkLargeDemoKPIMarts(b *testing.B) {
	cfg := largeDemo(b)
	job := openBench(b, cfg)
	defer job.Close()
	var adRows int64
	if err := job.DB.SQL().QueryRow("SELECT count(*) FROM raw.demo__ad_performance").Scan(&adRows); err != nil {
		b.Fatal(err)
	}
	runner, err := job.runner(cfg.Yesterday(time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := job.transform(ctx, runner); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(adRows), "ad_rows")
	b.ReportMetric(float64(adRows*int64(b.N))/b.Elapsed().Seconds(), "ad_rows/s")
}
