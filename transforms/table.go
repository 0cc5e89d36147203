package transforms

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TableColumn is one column of a table a Go model writes: its name, Arrow type
// and comment.
type TableColumn struct {
	Name        string
	Type        arrow.DataType
	Description string
}

// TableWriter collects the rows of one table a Go model writes, as Arrow, row
// by row, then replaces the table with them (Write).
type TableWriter struct {
	name, comment string
	schema        *arrow.Schema
	docs          []ColumnDoc
	b             *array.RecordBuilder
}

// NewTableWriter starts a table called name (schema.table) with a comment and
// columns.
func NewTableWriter(name, comment string, cols []TableColumn) *TableWriter {
	fields := make([]arrow.Field, len(cols))
	docs := make([]ColumnDoc, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: true}
		docs[i] = ColumnDoc{Name: c.Name, Description: c.Description}
	}
	s := arrow.NewSchema(fields, nil)
	return &TableWriter{name: name, comment: comment, schema: s, docs: docs, b: array.NewRecordBuilder(memory.DefaultAllocator, s)}
}

// Add appends one row, a value per column: string, int, float64 (NaN and
// ±Inf are NULL), bool, time.Time (a day; the zero time is NULL) or nil
// (NULL). A wrong count or type is a programming error and panics.
func (t *TableWriter) Add(vals ...any) {
	if len(vals) != len(t.schema.Fields()) {
		panic(fmt.Sprintf("%s: %d values for %d columns", t.name, len(vals), len(t.schema.Fields())))
	}
	for i, v := range vals {
		fb := t.b.Field(i)
		switch x := v.(type) {
		case nil:
			fb.AppendNull()
		case string:
			fb.(*array.StringBuilder).Append(x)
		case int:
			fb.(*array.Int64Builder).Append(int64(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				fb.AppendNull()
			} else {
				fb.(*array.Float64Builder).Append(x)
			}
		case bool:
			fb.(*array.BooleanBuilder).Append(x)
		case time.Time:
			if x.IsZero() {
				fb.AppendNull()
			} else {
				fb.(*array.Date32Builder).Append(arrow.Date32FromTime(x))
			}
		default:
			panic(fmt.Sprintf("%s: column %s: unsupported %T", t.name, t.schema.Field(i).Name, v))
		}
	}
}

// Write replaces the table in the warehouse with the rows added, inside
// the transform's transaction. The TableWriter cannot be used afterwards.
func (t *TableWriter) Write(ctx context.Context, tx *Tx) (ModelResult, error) {
	rec := t.b.NewRecordBatch()
	defer rec.Release()
	t.b.Release()
	return tx.CreateTable(ctx, t.name, t.comment, t.schema, t.docs, rec)
}
