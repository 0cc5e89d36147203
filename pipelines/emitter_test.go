package pipelines

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/warehouse"
)

// dayBatch makes rows (date, n) for the given days, with an extra column
// when extra is set.
func dayBatch(t *testing.T, extra bool, days ...string) arrow.RecordBatch {
	t.Helper()
	fields := []arrow.Field{{Name: "date", Type: arrow.FixedWidthTypes.Date32}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}
	if extra {
		fields = append(fields, arrow.Field{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true})
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i, d := range days {
		tm, err := time.Parse(time.DateOnly, d)
		if err != nil {
			t.Fatal(err)
		}
		b.Field(0).(*array.Date32Builder).Append(arrow.Date32FromTime(tm))
		b.Field(1).(*array.Int64Builder).Append(int64(i))
		if extra {
			b.Field(2).(*array.StringBuilder).Append("x")
		}
	}
	return b.NewRecordBatch()
}

// TestEmitterBuffersBatchesInOrder checks that buffering pages does not
// change what the calls mean: a Replace after a Batch deletes its rows, a
// new schema flushes the old, a Checkpoint commits everything before it,
// and what follows the last checkpoint is discarded.
func TestEmitterBuffersBatchesInOrder(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	until := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	count := func() (n int64) {
		if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM raw.s__days").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	emit := func(steps func(em *streamEmitter)) {
		load, err := db.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: "s__days", RunID: 1, SyncedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		defer load.Close(ctx)
		em := &streamEmitter{load: load, runID: 1, source: "s", stream: connectors.Stream{Name: "days", Canonical: "days", DateColumn: "date"}, until: until}
		defer em.discard()
		steps(em)
	}
	batch := func(em *streamEmitter, extra bool, days ...string) {
		rec := dayBatch(t, extra, days...)
		defer rec.Release()
		if err := em.Batch(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	emit(func(em *streamEmitter) {
		batch(em, false, "2026-10-01", "2026-10-02")
		// Replacing Oct 2 removes the buffered row of Oct 2.
		if err := em.Replace(ctx, connectors.DateRange{From: until.AddDate(0, 0, -1), To: until.AddDate(0, 0, -1)}); err != nil {
			t.Fatal(err)
		}
		batch(em, false, "2026-10-03")
		batch(em, true, "2026-10-03") // a new column: the buffer is flushed first
		if err := em.Checkpoint(ctx, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if em.rows != 4 || em.bufferedRows != 0 { // rows written, one of them replaced since
			t.Errorf("checkpoint wrote %d rows, %d still buffered; want 4, 0", em.rows, em.bufferedRows)
		}
		batch(em, false, "2026-10-01") // never checkpointed
	})
	if n := count(); n != 3 {
		t.Errorf("raw table holds %d rows, want 3 (Oct 1, Oct 3 twice)", n)
	}
	var notes int64
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(note) FROM raw.s__days").Scan(&notes); err != nil || notes != 1 {
		t.Errorf("rows with the new column: %d (%v), want 1", notes, err)
	}
}
