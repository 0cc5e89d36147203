package goals

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/transforms"
)

// column is one column of a table a Go model writes.
type column struct {
	name string
	typ  arrow.DataType
	desc string
}

// table builds the Arrow rows of one output table.
type table struct {
	name, comment string
	schema        *arrow.Schema
	docs          []transforms.ColumnDoc
	b             *array.RecordBuilder
}

func newTable(name, comment string, cols []column) *table {
	fields := make([]arrow.Field, len(cols))
	docs := make([]transforms.ColumnDoc, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		docs[i] = transforms.ColumnDoc{Name: c.name, Description: c.desc}
	}
	s := arrow.NewSchema(fields, nil)
	return &table{name: name, comment: comment, schema: s, docs: docs, b: array.NewRecordBuilder(memory.DefaultAllocator, s)}
}

// add appends one row. Values: string, int, float64 (NaN and ±Inf are
// NULL), bool, time.Time (a day), nil (NULL). A zero time.Time is NULL.
func (t *table) add(vals ...any) {
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

// write replaces the table in the warehouse.
func (t *table) write(ctx context.Context, tx *transforms.Tx) (transforms.ModelResult, error) {
	rec := t.b.NewRecordBatch()
	defer rec.Release()
	t.b.Release()
	return tx.CreateTable(ctx, t.name, t.comment, t.schema, t.docs, rec)
}
