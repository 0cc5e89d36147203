package warehouse

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
)

const (
	benchBatches   = 16
	benchBatchRows = 65536
)

// adBatches builds ad_performance-shaped record batches: the canonical
// schema (15 columns, 9 of them strings, money as decimal128).
func adBatches() []arrow.RecordBatch {
	sch := connectors.Canonical["ad_performance"].ArrowSchema()
	out := make([]arrow.RecordBatch, benchBatches)
	for k := range out {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		for i := 0; i < benchBatchRows; i++ {
			row := k*benchBatchRows + i
			for j, f := range sch.Fields() {
				switch bb := b.Field(j).(type) {
				case *array.StringBuilder:
					bb.Append(fmt.Sprintf("%s-%d", f.Name, row%997))
				case *array.Date32Builder:
					bb.Append(arrow.Date32(20000 + row%400))
				case *array.Int64Builder:
					bb.Append(int64(row % 5000))
				case *array.Float64Builder:
					bb.Append(float64(row%100) / 7)
				case *array.Decimal128Builder:
					bb.Append(decimal128.FromI64(int64(row%100000) * 10_000_000))
				}
			}
		}
		out[k] = b.NewRecordBatch()
		b.Release()
	}
	return out
}

func loadBatches(ctx context.Context, b *testing.B, db *DB, table string, recs []arrow.RecordBatch) {
	l, err := db.NewLoad(ctx, LoadSpec{Schema: "raw", Table: table, RunID: 1, SyncedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(ctx)
	if _, err := l.AppendArrow(ctx, recs...); err != nil {
		b.Fatal(err)
	}
	if err := l.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkArrowIngest: Arrow batches → raw table through RegisterView +
// INSERT … SELECT in one transaction, lineage columns included. Compare
// with BenchmarkDuckDBReadParquet on the same rows.
func BenchmarkArrowIngest(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	recs := adBatches()
	i := 0
	for b.Loop() {
		i++
		loadBatches(ctx, b, db, fmt.Sprintf("ads_%d", i), recs)
	}
	b.ReportMetric(float64(benchBatches*benchBatchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDuckDBReadParquet is the yardstick: DuckDB's own reader loading
// the same rows from a Parquet file into a table.
func BenchmarkDuckDBReadParquet(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	loadBatches(ctx, b, db, "src", adBatches())
	file := filepath.Join(b.TempDir(), "ads.parquet")
	if _, err := db.SQL().Exec(fmt.Sprintf("COPY (SELECT * EXCLUDE (_run_id, _synced_at) FROM raw.src) TO '%s' (FORMAT parquet)", file)); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := db.SQL().Exec(fmt.Sprintf("CREATE TABLE raw.pq_%d AS SELECT * FROM read_parquet('%s')", i, file)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchBatches*benchBatchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
