package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pacerhq/pacer/connectors"
)

// memEmitter is an in-memory connectors.Emitter that copies every row and
// records Replace and Checkpoint calls.
type memEmitter struct {
	t      testing.TB
	schema *arrow.Schema
	rows   [][]any
	calls  []string // "replace FROM..TO", "checkpoint CURSOR" in order
	// rowsAtCheckpoint is len(rows) at each Checkpoint.
	rowsAtCheckpoint []int
}

func newMemEmitter(t testing.TB, schema *arrow.Schema) *memEmitter {
	return &memEmitter{t: t, schema: schema}
}

func (e *memEmitter) Batch(_ context.Context, rec arrow.RecordBatch) error {
	if e.schema != nil && !rec.Schema().Equal(e.schema) {
		e.t.Fatalf("batch schema %v, want %v", rec.Schema(), e.schema)
	}
	for i, col := range rec.Columns() {
		if v, ok := col.(interface{ ValidateFull() error }); ok {
			if err := v.ValidateFull(); err != nil {
				e.t.Fatalf("column %s: %v", rec.ColumnName(i), err)
			}
		}
		if col.Len() != int(rec.NumRows()) {
			e.t.Fatalf("column %s has %d values, batch %d rows", rec.ColumnName(i), col.Len(), rec.NumRows())
		}
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		row := make([]any, rec.NumCols())
		for c := range row {
			row[c] = cell(e.t, rec.Column(c), r)
		}
		e.rows = append(e.rows, row)
	}
	return nil
}

func (e *memEmitter) Replace(_ context.Context, r connectors.DateRange) error {
	if r.IsZero() {
		e.calls = append(e.calls, "replace all")
	} else {
		e.calls = append(e.calls, "replace "+r.String())
	}
	return nil
}

func (e *memEmitter) Checkpoint(_ context.Context, cursor []byte) error {
	e.calls = append(e.calls, "checkpoint "+string(cursor))
	e.rowsAtCheckpoint = append(e.rowsAtCheckpoint, len(e.rows))
	return nil
}

func (e *memEmitter) Quarantine(context.Context, ...connectors.Rejected) error { return nil }

// cell copies one value: strings, int64 (also dates as days and timestamps
// as µs), float64, bool, money as int64 cents, nil for NULL.
func cell(t testing.TB, col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Decimal128:
		v := a.Value(i)
		if v.HighBits() != 0 || v.LowBits()%10_000_000 != 0 {
			t.Fatalf("money value %s is not whole cents", v.ToString(9))
		}
		return int64(v.LowBits() / 10_000_000)
	}
	t.Fatalf("unexpected column type %T", col)
	return nil
}

// col returns the index of a column.
func (e *memEmitter) col(name string) int {
	idx := e.schema.FieldIndices(name)
	if len(idx) != 1 {
		e.t.Fatalf("no column %s", name)
	}
	return idx[0]
}

// sortedRows returns every row as text, sorted: a row set for comparisons.
func (e *memEmitter) sortedRows() []string {
	out := make([]string, len(e.rows))
	for i, row := range e.rows {
		out[i] = fmt.Sprint(row...)
	}
	sort.Strings(out)
	return out
}

// testSource builds a demo source with the given seed and scale.
func testSource(t testing.TB, seed int64, scale string, start time.Time) *Source {
	t.Helper()
	cfg := connectors.Config{Name: "demo", StartDate: start, Decode: func(v any) error {
		c := v.(*config)
		c.Seed, c.Scale = &seed, scale
		return nil
	}}
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src.(*Source)
}

// read runs one Read of stream into a fresh emitter.
func read(t testing.TB, src *Source, stream string, cursor []byte, until time.Time, backfill *connectors.DateRange) *memEmitter {
	t.Helper()
	e := newMemEmitter(t, connectors.Canonical[stream].ArrowSchema())
	req := connectors.ReadRequest{Stream: stream, Cursor: cursor, Until: until, Backfill: backfill}
	if err := src.Read(context.Background(), req, e); err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return e
}

func ymd(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func lastCall(e *memEmitter) string {
	if len(e.calls) == 0 {
		return ""
	}
	return e.calls[len(e.calls)-1]
}

func hasChinese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) >= 0
}
