package conntest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
)

var day = Day

// orders builds a batch of the canonical orders schema, one order per day.
func orders(t *testing.T, days ...string) arrow.RecordBatch {
	t.Helper()
	schema := connectors.Canonical["orders"].ArrowSchema()
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i, d := range days {
		b.Field(0).(*array.StringBuilder).Append("o" + d)
		b.Field(1).(*array.StringBuilder).Append("c1")
		b.Field(2).(*array.StringBuilder).AppendNull()
		ts, _ := arrow.TimestampFromTime(day(d).Add(time.Duration(i)*time.Hour), arrow.Microsecond)
		b.Field(3).(*array.TimestampBuilder).Append(ts)
		b.Field(4).(*array.Decimal128Builder).Append(decimal(int64(i+1) * 1_000_000_000))
		b.Field(5).(*array.StringBuilder).Append("EUR")
		b.Field(6).(*array.StringBuilder).Append("paid")
		for f := 7; f < schema.NumFields(); f++ { // optional columns (region, product_line, ...)
			b.Field(f).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

func TestEmitterCommitsAtCheckpoint(t *testing.T) {
	db := OpenDB(t)
	e := NewEmitter(t, db, "orders", WithDateColumn("ts"))
	ctx := t.Context()
	rec := orders(t, "2026-01-01", "2026-01-02", "2026-01-03")
	defer rec.Release()
	if err := e.Batch(ctx, rec); err != nil {
		t.Fatalf("Batch: %v", err)
	}
	// Another connection sees nothing before the checkpoint.
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'orders'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("table visible before Checkpoint (n=%d, err=%v)", n, err)
	}
	if err := e.Checkpoint(ctx, []byte(`{"page":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows after Checkpoint (err=%v), want 3", n, err)
	}
	if got := Strings(t, e, "SELECT CAST(amount AS VARCHAR) FROM orders ORDER BY ts"); !slices.Equal(got, []string{"1.000000000", "2.000000000", "3.000000000"}) {
		t.Errorf("amounts %v", got)
	}

	// Replace deletes by UTC day of the timestamp column, then rows are re-emitted.
	if err := e.Replace(ctx, connectors.DateRange{From: day("2026-01-02"), To: day("2026-01-02")}); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if got := Strings(t, e, "SELECT order_id FROM orders ORDER BY 1"); !slices.Equal(got, []string{"o2026-01-01", "o2026-01-03"}) {
		t.Errorf("after Replace: %v", got)
	}
	if err := e.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got := Strings(t, e, "SELECT count(*)::VARCHAR FROM orders"); got[0] != "3" {
		t.Errorf("Rollback kept the delete: %v rows", got)
	}
	if err := e.Replace(ctx, connectors.DateRange{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Checkpoint(ctx, []byte(`{"page":2}`)); err != nil {
		t.Fatal(err)
	}
	if got := Strings(t, e, "SELECT count(*)::VARCHAR FROM orders"); got[0] != "0" {
		t.Errorf("a zero range left %v rows", got)
	}
	if got := e.Cursors(); len(got) != 2 || string(e.Cursor()) != `{"page":2}` {
		t.Errorf("cursors %q", got)
	}
}

func TestEmitterInsertSelect(t *testing.T) {
	db := OpenDB(t)
	e := NewEmitter(t, db, "deals", WithDateColumn("day"))
	ctx := t.Context()
	n, err := e.InsertSelect(ctx, "SELECT DATE '2026-01-01' + CAST(i AS INTEGER) AS day, i AS n FROM range(5) t(i)")
	if err != nil || n != 5 {
		t.Fatalf("InsertSelect = %d, %v", n, err)
	}
	// Later rows bring a new column; earlier rows get NULL.
	if _, err := e.InsertSelect(ctx, "SELECT DATE '2026-01-10' AS day, 9 AS n, 'x' AS extra"); err != nil {
		t.Fatalf("InsertSelect with a new column: %v", err)
	}
	if err := e.Replace(ctx, connectors.DateRange{From: day("2026-01-02"), To: day("2026-01-03")}); err != nil {
		t.Fatal(err)
	}
	if err := e.Quarantine(ctx, connectors.Rejected{File: "a.csv", Line: 2, Reason: "bad"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Checkpoint(ctx, nil); err != nil {
		t.Fatal(err)
	}
	got := Strings(t, e, "SELECT strftime(day, '%d') || ':' || coalesce(extra, '-') FROM deals ORDER BY day")
	if want := []string{"01:-", "04:-", "05:-", "10:x"}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if q := e.Quarantined(); len(q) != 1 || q[0].File != "a.csv" {
		t.Errorf("quarantined %+v", q)
	}
	if err := e.Replace(ctx, connectors.DateRange{From: day("2026-01-02"), To: day("2026-01-02")}); err != nil {
		t.Fatal(err)
	}
	// A date column that does not exist is an error naming it.
	bad := NewEmitter(t, db, "deals", WithDateColumn("nope"))
	err = bad.Replace(ctx, connectors.DateRange{From: day("2026-01-02"), To: day("2026-01-02")})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Replace by a missing column: %v", err)
	}
}
