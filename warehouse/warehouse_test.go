package warehouse

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.duckdb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// batch builds n rows of (day DATE, campaign VARCHAR, spend DOUBLE).
func batch(n int, day int32, extra bool) arrow.RecordBatch {
	fields := []arrow.Field{
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "campaign", Type: arrow.BinaryTypes.String},
		{Name: "spend", Type: arrow.PrimitiveTypes.Float64},
	}
	if extra {
		fields = append(fields, arrow.Field{Name: "region", Type: arrow.BinaryTypes.String})
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Date32Builder).Append(arrow.Date32(day))
		b.Field(1).(*array.StringBuilder).Append("c" + string(rune('a'+i%26)))
		b.Field(2).(*array.Float64Builder).Append(float64(i))
		if extra {
			b.Field(3).(*array.StringBuilder).Append("north")
		}
	}
	return b.NewRecordBatch()
}

func TestMigrationsCommentEveryMetaColumn(t *testing.T) {
	db := openTest(t)
	var missing string
	err := db.SQL().QueryRow(`SELECT coalesce(string_agg(table_name || '.' || column_name, ', '), '') FROM duckdb_columns()
		WHERE schema_name = 'meta' AND (comment IS NULL OR comment = '')`).Scan(&missing)
	if err != nil {
		t.Fatal(err)
	}
	if missing != "" {
		t.Errorf("meta columns without a comment: %s", missing)
	}
}

func TestLoadCommitsAtomicallyAndEvolvesColumns(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	l, err := db.NewLoad(ctx, LoadSpec{Schema: "raw", Table: "t", RunID: 7, SyncedAt: time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	rec := batch(100, 20000, false)
	defer rec.Release()
	if n, err := l.AppendArrow(ctx, rec); err != nil || n != 100 {
		t.Fatalf("append: %d, %v", n, err)
	}
	// Not visible to others before commit.
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM raw.t").Scan(&n); err == nil {
		t.Fatalf("table visible before commit with %d rows", n)
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// A later batch with a new column adds it; old rows get NULL.
	rec2 := batch(10, 20001, true)
	defer rec2.Release()
	if _, err := l.AppendArrow(ctx, rec2); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Rolled back work disappears.
	if _, err := l.AppendArrow(ctx, rec2); err != nil {
		t.Fatal(err)
	}
	if err := l.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close(ctx)
	var total, regions, run int
	var synced time.Time
	err = db.SQL().QueryRow("SELECT count(*), count(region), min(_run_id), min(_synced_at) FROM raw.t").Scan(&total, &regions, &run, &synced)
	if err != nil {
		t.Fatal(err)
	}
	if total != 110 || regions != 10 || run != 7 || synced.Hour() != 1 {
		t.Errorf("got %d rows, %d regions, run %d, synced %v", total, regions, run, synced)
	}
}
