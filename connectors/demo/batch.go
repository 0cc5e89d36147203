package demo

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
)

// maxBatchRows caps the rows of one emitted record batch.
const maxBatchRows = 64 * 1024

// initialBatchRows is the capacity reserved before a stream has shown it is big.
const initialBatchRows = 4096

// batchWriter accumulates the rows of one stream in typed column buffers
// and hands full batches to the emitter.
//
// The columns are plain Go slices wrapped as Arrow buffers at flush: on the
// hot ad path this is several times faster than array builders (no function
// pointer, capacity check and bitmap write per value). Each batch gets fresh
// buffers, so nothing is shared with the emitter after Batch returns.
type batchWriter struct {
	out    connectors.Emitter
	schema *arrow.Schema
	cols   []column // in schema order
	rows   int
	// capacity is the rows the next batch's buffers are sized for.
	capacity int
}

// column is one typed column buffer.
type column interface {
	// array wraps the buffered values (n of them) as an Arrow array.
	array(dt arrow.DataType, n int) arrow.Array
	// reset starts a new batch with room for rows values.
	reset(rows int)
}

func newBatchWriter(out connectors.Emitter, schema *arrow.Schema) *batchWriter {
	return &batchWriter{out: out, schema: schema, cols: make([]column, schema.NumFields()), capacity: initialBatchRows}
}

// add places a column at its schema position and returns it.
func add[C column](w *batchWriter, name string, c C) C {
	idx := w.schema.FieldIndices(name)
	if len(idx) != 1 {
		panic("demo: schema has no column " + name)
	}
	c.reset(w.capacity)
	w.cols[idx[0]] = c
	return c
}

func (w *batchWriter) str(name string) *strCol      { return add(w, name, &strCol{}) }
func (w *batchWriter) date(name string) *dateCol    { return add(w, name, &dateCol{}) }
func (w *batchWriter) ts(name string) *tsCol        { return add(w, name, &tsCol{}) }
func (w *batchWriter) i64(name string) *i64Col      { return add(w, name, &i64Col{}) }
func (w *batchWriter) f64(name string) *f64Col      { return add(w, name, &f64Col{}) }
func (w *batchWriter) money(name string) *moneyCol  { return add(w, name, &moneyCol{}) }
func (w *batchWriter) boolean(name string) *boolCol { return add(w, name, &boolCol{}) }

// endRow counts a finished row (every column got one value) and flushes a
// full batch.
func (w *batchWriter) endRow(ctx context.Context) error {
	w.rows++
	if w.rows >= maxBatchRows {
		return w.flush(ctx)
	}
	return nil
}

// flush emits the rows written so far, if any, and releases the batch.
func (w *batchWriter) flush(ctx context.Context) error {
	if w.rows == 0 {
		return nil
	}
	arrays := make([]arrow.Array, len(w.cols))
	for i, c := range w.cols {
		if c == nil {
			panic("demo: writer misses column " + w.schema.Field(i).Name)
		}
		arrays[i] = c.array(w.schema.Field(i).Type, w.rows)
	}
	rec := array.NewRecordBatch(w.schema, arrays, int64(w.rows))
	for _, a := range arrays {
		a.Release()
	}
	if w.rows >= maxBatchRows {
		w.capacity = maxBatchRows // a big stream: size the next batch for its full length
	}
	w.rows = 0
	for _, c := range w.cols {
		c.reset(w.capacity)
	}
	err := w.out.Batch(ctx, rec)
	rec.Release()
	if err != nil {
		return err
	}
	return ctx.Err()
}

// release drops rows not flushed.
func (w *batchWriter) release() { w.rows = 0 }

// newArray builds an array of n values from its buffers.
func newArray(dt arrow.DataType, n int, nulls int, buffers ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, buffers, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// validity is a column's null bitmap, materialised at the first NULL.
type validity struct {
	bits  []byte
	nulls int
}

// mark records whether value i (the next one) is valid.
func (v *validity) mark(i int, ok bool) {
	if ok && v.bits == nil {
		return
	}
	if v.bits == nil {
		v.bits = make([]byte, 0, (i+8)/8*2)
		for k := 0; k < i; k++ {
			v.bits = setBit(v.bits, k)
		}
	}
	for len(v.bits) <= i/8 {
		v.bits = append(v.bits, 0)
	}
	if ok {
		v.bits = setBit(v.bits, i)
	} else {
		v.nulls++
	}
}

func setBit(bits []byte, i int) []byte {
	for len(bits) <= i/8 {
		bits = append(bits, 0)
	}
	bits[i/8] |= 1 << uint(i%8)
	return bits
}

func (v *validity) buffer() *memory.Buffer {
	if v.bits == nil {
		return nil
	}
	return memory.NewBufferBytes(v.bits)
}

// strCol is a UTF-8 string column.
type strCol struct {
	offsets []int32
	data    []byte
	valid   validity
	// bytesPerRow is learnt from the previous batch, to size the next one.
	bytesPerRow int
}

func (c *strCol) reset(rows int) {
	if n := len(c.offsets) - 1; n > 0 {
		c.bytesPerRow = len(c.data)/n + 1
	}
	c.offsets = append(make([]int32, 0, rows+1), 0)
	c.data = make([]byte, 0, rows*max(c.bytesPerRow, 8))
	c.valid = validity{}
}

// Append appends s.
func (c *strCol) Append(s string) {
	c.valid.mark(len(c.offsets)-1, true)
	c.data = append(c.data, s...)
	c.offsets = append(c.offsets, int32(len(c.data)))
}

// AppendBytes appends v (copied).
func (c *strCol) AppendBytes(v []byte) {
	c.valid.mark(len(c.offsets)-1, true)
	c.data = append(c.data, v...)
	c.offsets = append(c.offsets, int32(len(c.data)))
}

// AppendNull appends NULL.
func (c *strCol) AppendNull() {
	c.valid.mark(len(c.offsets)-1, false)
	c.offsets = append(c.offsets, int32(len(c.data)))
}

func (c *strCol) array(dt arrow.DataType, n int) arrow.Array {
	return newArray(dt, n, c.valid.nulls, c.valid.buffer(),
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offsets)), memory.NewBufferBytes(c.data))
}

// fixedCol is a column of fixed-width values.
type fixedCol[T any] struct {
	values []T
	valid  validity
}

func (c *fixedCol[T]) reset(rows int) {
	c.values = make([]T, 0, rows)
	c.valid = validity{}
}

func (c *fixedCol[T]) push(v T) {
	c.valid.mark(len(c.values), true)
	c.values = append(c.values, v)
}

// AppendNull appends NULL.
func (c *fixedCol[T]) AppendNull() {
	c.valid.mark(len(c.values), false)
	var zero T
	c.values = append(c.values, zero)
}

func fixedArray[T any](c *fixedCol[T], dt arrow.DataType, n int, toBytes func([]T) []byte) arrow.Array {
	return newArray(dt, n, c.valid.nulls, c.valid.buffer(), memory.NewBufferBytes(toBytes(c.values)))
}

// dateCol is a DATE column (days since 1970-01-01).
type dateCol struct{ fixedCol[arrow.Date32] }

// Append appends a date.
func (c *dateCol) Append(v arrow.Date32) { c.push(v) }
func (c *dateCol) array(dt arrow.DataType, n int) arrow.Array {
	return fixedArray(&c.fixedCol, dt, n, arrow.Date32Traits.CastToBytes)
}

// tsCol is a TIMESTAMPTZ column (µs since the epoch, UTC).
type tsCol struct{ fixedCol[arrow.Timestamp] }

// Append appends an instant.
func (c *tsCol) Append(v arrow.Timestamp) { c.push(v) }
func (c *tsCol) array(dt arrow.DataType, n int) arrow.Array {
	return fixedArray(&c.fixedCol, dt, n, arrow.TimestampTraits.CastToBytes)
}

// i64Col is a BIGINT column.
type i64Col struct{ fixedCol[int64] }

// Append appends v.
func (c *i64Col) Append(v int64) { c.push(v) }
func (c *i64Col) array(dt arrow.DataType, n int) arrow.Array {
	return fixedArray(&c.fixedCol, dt, n, arrow.Int64Traits.CastToBytes)
}

// f64Col is a DOUBLE column.
type f64Col struct{ fixedCol[float64] }

// Append appends v.
func (c *f64Col) Append(v float64) { c.push(v) }
func (c *f64Col) array(dt arrow.DataType, n int) arrow.Array {
	return fixedArray(&c.fixedCol, dt, n, arrow.Float64Traits.CastToBytes)
}

// moneyCol is a decimal128(38,9) money column.
type moneyCol struct{ fixedCol[decimal128.Num] }

// AppendCents appends an amount given in cents (exact: cents × 10^7 at scale 9).
func (c *moneyCol) AppendCents(cents int64) { c.push(decimal128.FromI64(cents * 10_000_000)) }
func (c *moneyCol) array(dt arrow.DataType, n int) arrow.Array {
	return fixedArray(&c.fixedCol, dt, n, arrow.Decimal128Traits.CastToBytes)
}

// boolCol is a BOOLEAN column (bit-packed values).
type boolCol struct {
	bits  []byte
	n     int
	valid validity
}

func (c *boolCol) reset(rows int) {
	c.bits, c.n, c.valid = make([]byte, 0, rows/8+1), 0, validity{}
}

// Append appends v.
func (c *boolCol) Append(v bool) {
	c.valid.mark(c.n, true)
	for len(c.bits) <= c.n/8 {
		c.bits = append(c.bits, 0)
	}
	if v {
		c.bits[c.n/8] |= 1 << uint(c.n%8)
	}
	c.n++
}

func (c *boolCol) array(dt arrow.DataType, n int) arrow.Array {
	return newArray(dt, n, c.valid.nulls, c.valid.buffer(), memory.NewBufferBytes(c.bits))
}
