package pipelines

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/demo"
)

// BenchmarkSyncLargeDemoMonth syncs one month of the large demo's ad rows
// (generation, Arrow hand-off and DuckDB insert) into a fresh warehouse.
func BenchmarkSyncLargeDemoMonth(b *testing.B) {
	start := demo.DefaultStartDate()
	ctx := context.Background()
	var rows int64
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		cfgPath := filepath.Join(dir, "pacer.yaml")
		os.WriteFile(cfgPath, []byte(fmt.Sprintf("version: 1\ncompany: B\ncurrency: CNY\nsources:\n  - {name: demo, type: demo, scale: large, start_date: %s}\n", start.Format(time.DateOnly))), 0o644)
		cfg, err := LoadConfig(cfgPath)
		if err != nil {
			b.Fatal(err)
		}
		job := openBench(b, cfg)
		srcs, err := cfg.OpenSources(discardLogger())
		if err != nil {
			b.Fatal(err)
		}
		var st connectors.Stream
		for _, s := range srcs[0].Source.Streams() {
			if s.Name == "ad_performance" {
				st = s
			}
		}
		b.StartTimer()
		res := job.syncStream(ctx, 1, srcs[0], st, SyncRequest{Until: start.AddDate(0, 1, -1)})
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		rows += res.Rows
		b.StopTimer()
		job.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
