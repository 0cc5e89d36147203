package jsonarrow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
)

// Conv says how a JSON value becomes an Arrow value. Every Conv accepts the
// value as a JSON number or as a string holding one, because platforms send
// int64s (Google, Meta, TikTok) and money (Meta, TikTok) as strings.
type Conv int

const (
	// String: a JSON string (unescaped), or a number's or literal's text.
	String Conv = iota + 1
	// Int64: an integer; "12.0" and 1e3 pass when integral.
	Int64
	// Float64: any number.
	Float64
	// Decimal: exact decimal into a decimal128 column at the column's scale,
	// parsed from the text and never through float64 (Field.Shift moves the
	// point: 6 for micros, 2 for cents or fen).
	Decimal
	// Date: YYYY-MM-DD (a trailing time is ignored) or YYYYMMDD, into date32.
	Date
	// Bool: true/false (also as strings).
	Bool
)

// Missing says what a row gets when its value is absent or JSON null.
type Missing int

const (
	// MissingNull appends NULL (the default).
	MissingNull Missing = iota
	// MissingZero appends 0, "" or false: for proto3 JSON (Google), which
	// omits zero fields.
	MissingZero
	// MissingDefault appends Field.Default, parsed by Conv.
	MissingDefault
)

// Field maps one JSON value of each row to one Arrow column.
type Field struct {
	// Column is the Arrow field's name in the schema.
	Column string
	// Path is the value's dotted path inside a row object
	// ("metrics.costMicros"); array elements are indexes ("dimensionValues.0.value").
	// Empty makes a constant column: Default, or what Decoder.Set gave.
	Path string
	// Conv reads the value.
	Conv Conv
	// Shift: Decimal values are in units of 10^-Shift (micros: 6).
	Shift int
	// Round: Decimal digits beyond the column's scale are rounded half away
	// from zero; without it such a row is rejected.
	Round bool
	// Missing is what an absent or null value becomes.
	Missing Missing
	// Default is the value for MissingDefault and constant columns; for a
	// String with Map, also the value of anything Map lacks.
	Default string
	// Nulls are texts that mean "not available" (TikTok's "-"): they become
	// NULL whatever Missing says.
	Nulls []string
	// Map replaces String values (an enum to a channel).
	Map map[string]string
	// Extract, when set, turns the raw value (any JSON: an object, an
	// array) into the text Conv reads; ok false means missing. For values
	// a path cannot reach: Meta's actions[action_type=purchase].value,
	// LinkedIn's {year,month,day}.
	Extract func(v Value) (text []byte, ok bool, err error)
	// Scan, when set, reads an object or array value of Path in the pass
	// over the row and returns the index after it, or -1 to leave it to
	// the general scanner: Extract can then reuse the work (Meta's actions
	// arrays are parsed once, not skipped and then parsed). The value
	// starts at b[i]; Scan must return the end only of a well-formed value.
	Scan func(b []byte, i int) int
}

// Spec describes a response: where its rows are, how each becomes a row of
// the schema, and which other values to hand back.
type Spec struct {
	// Rows is the path of the array of row objects: "" when the body is
	// that array, "data" (Meta), "data.list" (TikTok), "*.results" (Google
	// searchStream: each element of the top-level array has a results array).
	Rows string
	// Fields map row values to columns. Nullable columns without a Field
	// get NULL; every non-nullable column needs one.
	Fields []Field
	// Capture lists paths outside the rows whose values Decode hands to its
	// callback: "paging.next", "data.page_info.total_page", "*.requestId",
	// "*.error" (with "*" for each array element).
	Capture []string
	// BatchRows is the largest batch Decode builds (default 65,536).
	BatchRows int
}

// Decoder turns JSON responses into Arrow record batches of one schema. It
// scans the bytes once, without reflection or intermediate structs. A
// Decoder is reusable but not safe for concurrent use.
type Decoder struct {
	schema        *arrow.Schema
	mem           memory.Allocator
	fields        []field
	root          *node
	rows          []string
	capture       map[string]bool
	capturePrefix map[string]bool
	batchRows     int

	// per Decode
	body      []byte
	rb        *array.RecordBuilder
	spans     []span
	vals      []val
	gen       uint32
	reserved  int // rows reserved in the fixed-width builders of rb
	arena     []byte
	res       *Result
	n         int // rows in rb
	row       int // row number within the response, 1-based
	onCapture func(path string, v Value) error

	// What the last Decode saw, to size the builders of the next one:
	// body bytes per row, and each string field's data bytes per row
	// (strPerRow, by field).
	bodyPerRow float64
	strPerRow  []float64
}

type field struct {
	Field
	col      int
	required bool // non-nullable column: an absent value rejects the row
	scale    int32
	def      val
	constant bool   // Path "": appended in bulk at flush
	lastDate []byte // Date: the last text parsed, and its value in lastDay
	lastDay  arrow.Date32
	mapped   map[string][]byte
	mapDef   []byte
	sb       *array.BinaryBuilder
	ib       *array.Int64Builder
	fb       *array.Float64Builder
	db       *array.Decimal128Builder
	dtb      *array.Date32Builder
	bb       *array.BooleanBuilder
}

// span is where one field's value is in the current row.
type span struct {
	gen        uint32 // the row it belongs to (Decoder.gen)
	start, end int
	esc        bool // a string value with escapes
}

// val is one field's converted value in the current row.
type val struct {
	null bool
	b    bool
	i    int64
	f    float64
	d    decimal128.Num
	s    []byte
}

type node struct {
	keys   []string
	kids   []*node
	fields []int
	scan   func(b []byte, i int) int
	// hint is where the search for the next key starts: the key after the
	// last one matched, since rows repeat their keys in the same order.
	hint int
	// byIndex are the kids by array index, built on first use.
	byIndex []*node
}

func (n *node) child(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	c := &node{}
	n.keys = append(n.keys, key)
	n.kids = append(n.kids, c)
	return c
}

// New compiles spec for schema. mem may be nil (Go allocator).
func New(schema *arrow.Schema, spec Spec, mem memory.Allocator) (*Decoder, error) {
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	d := &Decoder{schema: schema, mem: mem, root: &node{}, capture: map[string]bool{}, capturePrefix: map[string]bool{}, batchRows: spec.BatchRows}
	if d.batchRows <= 0 {
		d.batchRows = 1 << 16
	}
	if spec.Rows != "" {
		d.rows = strings.Split(spec.Rows, ".")
	}
	for _, c := range spec.Capture {
		d.capture[c] = true
		parts := strings.Split(c, ".")
		for i := 1; i < len(parts); i++ {
			d.capturePrefix[strings.Join(parts[:i], ".")] = true
		}
	}
	covered := map[int]bool{}
	var errs []error
	for _, f := range spec.Fields {
		idx := schema.FieldIndices(f.Column)
		if len(idx) != 1 {
			errs = append(errs, fmt.Errorf("jsonarrow: field %q: no single column of that name in the schema", f.Column))
			continue
		}
		af := schema.Field(idx[0])
		if covered[idx[0]] {
			errs = append(errs, fmt.Errorf("jsonarrow: column %q is mapped twice", f.Column))
		}
		covered[idx[0]] = true
		cf := field{Field: f, col: idx[0], required: !af.Nullable}
		if err := checkType(&cf, af.Type); err != nil {
			errs = append(errs, err)
			continue
		}
		if f.Path == "" {
			cf.Missing, cf.constant = MissingDefault, true
		}
		if f.Map != nil {
			cf.mapped = make(map[string][]byte, len(f.Map))
			for k, v := range f.Map {
				cf.mapped[k] = []byte(v)
			}
			cf.mapDef = []byte(f.Default)
		}
		d.fields = append(d.fields, cf)
		i := len(d.fields) - 1
		if err := d.parseDefault(i); err != nil {
			errs = append(errs, err)
		}
		if f.Path != "" {
			n := d.root
			for _, seg := range strings.Split(f.Path, ".") {
				n = n.child(seg)
			}
			n.fields = append(n.fields, i)
			if n.scan == nil {
				n.scan = f.Scan
			}
		}
	}
	for i, af := range schema.Fields() {
		if !covered[i] && !af.Nullable {
			errs = append(errs, fmt.Errorf("jsonarrow: non-nullable column %q has no field", af.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d.spans = make([]span, len(d.fields))
	d.vals = make([]val, len(d.fields))
	return d, nil
}

func checkType(f *field, t arrow.DataType) error {
	ok := false
	switch f.Conv {
	case String:
		ok = t.ID() == arrow.STRING
	case Int64:
		ok = t.ID() == arrow.INT64
	case Float64:
		ok = t.ID() == arrow.FLOAT64
	case Decimal:
		if dt, is := t.(*arrow.Decimal128Type); is {
			ok, f.scale = true, dt.Scale
		}
	case Date:
		ok = t.ID() == arrow.DATE32
	case Bool:
		ok = t.ID() == arrow.BOOL
	}
	if !ok {
		return fmt.Errorf("jsonarrow: field %q: conversion %d does not fit column type %s", f.Column, f.Conv, t)
	}
	return nil
}

// Set sets the value of a constant column (Path "") for the next Decode
// calls: the account id, currency or time zone of a response.
func (d *Decoder) Set(column, value string) error {
	for i := range d.fields {
		if d.fields[i].Column == column && d.fields[i].Path == "" {
			d.fields[i].Default = value
			return d.parseDefault(i)
		}
	}
	return fmt.Errorf("jsonarrow: Set(%q): not a constant column", column)
}

func (d *Decoder) parseDefault(i int) error {
	f := &d.fields[i]
	f.def = val{}
	switch f.Missing {
	case MissingNull:
		f.def.null = true
		return nil
	case MissingZero:
		if f.Conv == Date {
			return fmt.Errorf("jsonarrow: field %q: a date has no zero; use MissingNull or MissingDefault", f.Column)
		}
		return nil
	}
	if f.Path == "" && f.Default == "" && f.Conv != String {
		f.def.null = true
		return nil
	}
	if err := d.convText(f, &f.def, []byte(f.Default)); err != nil {
		return fmt.Errorf("jsonarrow: field %q: default %q: %w", f.Column, f.Default, err)
	}
	f.def.s = append([]byte(nil), f.def.s...)
	return nil
}

// Result is what Decode built. Release it when done.
type Result struct {
	Batches  []arrow.RecordBatch
	Rows     int
	Rejected []connectors.Rejected // rows whose values did not convert; Raw is not redacted
}

// Release releases the batches.
func (r *Result) Release() {
	if r == nil {
		return
	}
	for _, b := range r.Batches {
		b.Release()
	}
	r.Batches = nil
}

// Decode reads body whole and returns its rows as batches of at most
// Spec.BatchRows rows. capture (may be nil) gets each Spec.Capture value
// met outside the rows, in body order; an error from it stops Decode. A
// row whose value does not convert is left out and reported in
// Result.Rejected. Malformed JSON returns a *SyntaxError (wrapping
// httpkit.ErrMalformed) and no batches.
func (d *Decoder) Decode(body []byte, capture func(path string, v Value) error) (res *Result, err error) {
	d.body, d.onCapture, d.row, d.n, d.reserved = body, capture, 0, 0, 0
	d.res = &Result{}
	d.rb = array.NewRecordBuilder(d.mem, d.schema)
	d.bind()
	d.presize(len(body))
	defer func() {
		if d.rb != nil {
			d.rb.Release()
			d.rb = nil
		}
		if err != nil {
			d.res.Release()
			res = nil
		}
		d.body, d.onCapture, d.res = nil, nil, nil
	}()
	i := skipWS(body, 0)
	if i >= len(body) {
		return nil, synErr(body, i, "empty body")
	}
	i, err = d.walk(body, i, d.rows, "")
	if err != nil {
		return nil, err
	}
	if i = skipWS(body, i); i != len(body) {
		return nil, synErr(body, i, "data after the end of the JSON value")
	}
	d.flush()
	d.learn(len(body))
	return d.res, nil
}

// presize reserves the builders for the rows a body of n bytes likely
// holds, judged by the last Decode, so that they do not grow by doubling
// (copying and leaving garbage) on the way.
func (d *Decoder) presize(n int) {
	if d.bodyPerRow <= 0 {
		return
	}
	rows := min(int(float64(n)/d.bodyPerRow)+16, d.batchRows)
	d.reserved = rows
	for k := range d.fields {
		f := &d.fields[k]
		if f.constant {
			continue
		}
		d.rb.Field(f.col).Reserve(rows)
		if f.sb != nil && k < len(d.strPerRow) {
			f.sb.ReserveData(int(float64(rows) * d.strPerRow[k] * 1.05))
		}
	}
}

// learn records the sizes of the rows just decoded for presize.
func (d *Decoder) learn(n int) {
	rows := d.res.Rows
	if rows < 64 {
		return
	}
	d.bodyPerRow = float64(n) / float64(rows)
	if len(d.strPerRow) != len(d.fields) {
		d.strPerRow = make([]float64, len(d.fields))
	}
	for k := range d.fields {
		f := &d.fields[k]
		d.strPerRow[k] = 0
		if f.Conv != String || f.constant {
			continue
		}
		total := 0
		for _, rec := range d.res.Batches {
			if c, ok := rec.Column(f.col).(*array.String); ok {
				total += len(c.ValueBytes())
			}
		}
		d.strPerRow[k] = float64(total) / float64(rows)
	}
}

// bind points each field at its typed builder.
func (d *Decoder) bind() {
	for i := range d.fields {
		f := &d.fields[i]
		switch b := d.rb.Field(f.col).(type) {
		case *array.StringBuilder:
			f.sb = b.BinaryBuilder
		case *array.Int64Builder:
			f.ib = b
		case *array.Float64Builder:
			f.fb = b
		case *array.Decimal128Builder:
			f.db = b
		case *array.Date32Builder:
			f.dtb = b
		case *array.BooleanBuilder:
			f.bb = b
		}
	}
}

func (d *Decoder) flush() {
	if d.n == 0 {
		return
	}
	d.appendConstants(d.n)
	// Columns without a field are nullable: fill them with NULLs.
	for i := range d.schema.NumFields() {
		if b := d.rb.Field(i); b.Len() < d.n {
			b.AppendNulls(d.n - b.Len())
		}
	}
	d.res.Batches = append(d.res.Batches, d.rb.NewRecordBatch())
	d.n, d.reserved = 0, 0
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// walk follows the rows path from the value at b[i], handing captures on
// the way, and parses the rows array at its end.
func (d *Decoder) walk(b []byte, i int, segs []string, path string) (int, error) {
	if i >= len(b) {
		return i, synErr(b, i, "expected a value")
	}
	if b[i] == 'n' {
		return scanLiteral(b, i, "null")
	}
	if len(segs) == 0 {
		if b[i] != '[' {
			return d.captureWalk(b, i, path)
		}
		return d.parseRows(b, i)
	}
	if segs[0] == "*" {
		if b[i] != '[' {
			return d.captureWalk(b, i, path)
		}
		p := join(path, "*")
		return d.elements(b, i, func(j int) (int, error) { return d.walk(b, j, segs[1:], p) })
	}
	if b[i] != '{' {
		return d.captureWalk(b, i, path)
	}
	return d.members(b, i, func(key []byte, j int) (int, error) {
		if string(key) == segs[0] {
			return d.walk(b, j, segs[1:], join(path, segs[0]))
		}
		return d.captureValue(b, j, join(path, string(key)))
	})
}

// captureValue hands the value at b[i] to the capture callback when path
// is captured, descends when a captured path is below it, else skips it.
func (d *Decoder) captureValue(b []byte, i int, path string) (int, error) {
	if d.capture[path] {
		e, err := skipValue(b, i)
		if err != nil {
			return e, err
		}
		if d.onCapture != nil {
			if err := d.onCapture(path, Value(b[i:e])); err != nil {
				return e, err
			}
		}
		return e, nil
	}
	if d.capturePrefix[path] {
		return d.captureWalk(b, i, path)
	}
	return skipValue(b, i)
}

func (d *Decoder) captureWalk(b []byte, i int, path string) (int, error) {
	switch b[i] {
	case '{':
		return d.members(b, i, func(key []byte, j int) (int, error) { return d.captureValue(b, j, join(path, string(key))) })
	case '[':
		p := join(path, "*")
		return d.elements(b, i, func(j int) (int, error) { return d.captureValue(b, j, p) })
	}
	return skipValue(b, i)
}

// members walks the object at b[i]; fn consumes the value at j and returns
// its end.
func (d *Decoder) members(b []byte, i int, fn func(key []byte, j int) (int, error)) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, synErr(b, i, "expected a key")
		}
		ke, _, err := scanString(b, i)
		if err != nil {
			return ke, err
		}
		j := skipWS(b, ke)
		if j >= len(b) || b[j] != ':' {
			return j, synErr(b, j, "expected ':'")
		}
		j = skipWS(b, j+1)
		if j >= len(b) {
			return j, synErr(b, j, "expected a value")
		}
		e, err := fn(b[i+1:ke-1], j)
		if err != nil {
			return e, err
		}
		i = skipWS(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return i, synErr(b, i, "expected ',' or '}'")
	}
}

func (d *Decoder) elements(b []byte, i int, fn func(j int) (int, error)) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, synErr(b, i, "expected a value")
		}
		e, err := fn(i)
		if err != nil {
			return e, err
		}
		i = skipWS(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		return i, synErr(b, i, "expected ',' or ']'")
	}
}

// parseRows reads the rows array at b[i].
func (d *Decoder) parseRows(b []byte, i int) (int, error) {
	return d.elements(b, i, func(j int) (int, error) {
		d.row++
		d.gen++
		if d.gen == 0 {
			for k := range d.spans {
				d.spans[k].gen = 0
			}
			d.gen = 1
		}
		if b[j] != '{' {
			e, err := skipValue(b, j)
			if err == nil {
				d.reject("", "a row must be a JSON object", b[j:e])
			}
			return e, err
		}
		e, err := d.parseObject(b, j, d.root)
		if err != nil {
			return e, err
		}
		d.finishRow(b[j:e])
		return e, nil
	})
}

// parseObject reads an object of a row, recording the spans of mapped values.
func (d *Decoder) parseObject(b []byte, i int, nd *node) (int, error) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, synErr(b, i, "expected a key")
		}
		// Match the known keys in place; scan only keys nobody maps.
		var kid *node
		ke := 0
		nk := len(nd.keys)
		k := nd.hint
		for range nk {
			if k >= nk {
				k = 0
			}
			name := nd.keys[k]
			if e := i + 1 + len(name); e < len(b) && b[e] == '"' && string(b[i+1:e]) == name {
				kid, ke = nd.kids[k], e+1
				nd.hint = k + 1
				break
			}
			k++
		}
		if kid == nil {
			var err error
			if ke, _, err = scanString(b, i); err != nil {
				return ke, err
			}
		}
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return i, synErr(b, i, "expected ':'")
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return i, synErr(b, i, "expected a value")
		}
		var e int
		var err error
		esc := false
		switch {
		case kid == nil:
			e, err = skipValue(b, i)
		case b[i] == '"':
			e, esc, err = scanString(b, i)
		case kid.scan != nil && (b[i] == '[' || b[i] == '{'):
			if e = kid.scan(b, i); e < 0 {
				e, err = skipValue(b, i)
			}
		case len(kid.keys) > 0 && b[i] == '{':
			e, err = d.parseObject(b, i, kid)
		case len(kid.keys) > 0 && b[i] == '[':
			e, err = d.parseIndexed(b, i, kid)
		default:
			e, err = skipValue(b, i)
		}
		if err != nil {
			return e, err
		}
		if kid != nil {
			for _, fi := range kid.fields {
				if c := &d.spans[fi]; c.gen != d.gen {
					c.gen, c.start, c.end, c.esc = d.gen, i, e, esc
				}
			}
		}
		i = skipWS(b, e)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return i, synErr(b, i, "expected ',' or '}'")
	}
}

// parseIndexed reads an array inside a row whose elements paths address by index.
func (d *Decoder) parseIndexed(b []byte, i int, nd *node) (int, error) {
	if nd.byIndex == nil {
		nd.indexKids()
	}
	n := -1
	return d.elements(b, i, func(j int) (int, error) {
		n++
		var kid *node
		if n < len(nd.byIndex) {
			kid = nd.byIndex[n]
		}
		var e int
		var err error
		esc := false
		switch {
		case kid == nil:
			return skipValue(b, j)
		case b[j] == '"':
			e, esc, err = scanString(b, j)
		case len(kid.keys) > 0 && b[j] == '{':
			e, err = d.parseObject(b, j, kid)
		case len(kid.keys) > 0 && b[j] == '[':
			e, err = d.parseIndexed(b, j, kid)
		default:
			e, err = skipValue(b, j)
		}
		if err != nil {
			return e, err
		}
		for _, fi := range kid.fields {
			if c := &d.spans[fi]; c.gen != d.gen {
				c.gen, c.start, c.end, c.esc = d.gen, j, e, esc
			}
		}
		return e, nil
	})
}

// indexKids fills byIndex: the child of each array index a path names
// ("dimensionValues.0"), so that elements are found without comparing keys.
func (n *node) indexKids() {
	n.byIndex = []*node{}
	for k, key := range n.keys {
		// Only the text itoa gives an index ("0", "12"; not "01").
		idx, err := strconv.Atoi(key)
		if err != nil || idx < 0 || idx > 1<<20 || itoa(idx) != key {
			continue
		}
		for len(n.byIndex) <= idx {
			n.byIndex = append(n.byIndex, nil)
		}
		n.byIndex[idx] = n.kids[k]
	}
}

// finishRow converts the row's values and appends them, or rejects the row.
func (d *Decoder) finishRow(raw []byte) {
	d.arena = d.arena[:0]
	for k := range d.fields {
		f := &d.fields[k]
		if f.constant {
			continue
		}
		sp := &d.spans[k]
		if err := d.convert(f, sp, &d.vals[k]); err != nil {
			text := ""
			if sp.gen == d.gen {
				text = string(d.body[sp.start:sp.end])
			}
			reason := fmt.Sprintf("%s %s: %v", f.Path, truncate(text, 80), err)
			d.reject(f.Column, reason, raw)
			return
		}
	}
	if d.n == d.reserved {
		d.reserve()
	}
	for k := range d.fields {
		f := &d.fields[k]
		v := &d.vals[k]
		if f.constant {
			continue
		}
		if v.null {
			d.rb.Field(f.col).AppendNull()
			continue
		}
		switch f.Conv {
		case String:
			// reserve covered the offsets and validity; check the data.
			if f.sb.DataCap()-f.sb.DataLen() >= len(v.s) {
				f.sb.UnsafeAppend(v.s)
			} else {
				f.sb.Append(v.s)
			}
		case Int64:
			f.ib.UnsafeAppend(v.i)
		case Float64:
			f.fb.UnsafeAppend(v.f)
		case Decimal:
			f.db.UnsafeAppend(v.d)
		case Date:
			f.dtb.UnsafeAppend(arrow.Date32(v.i))
		case Bool:
			f.bb.UnsafeAppend(v.b)
		}
	}
	d.res.Rows++
	d.n++
	if d.n >= d.batchRows {
		d.flush()
	}
}

// appendConstants appends n copies of each constant column's value.
func (d *Decoder) appendConstants(n int) {
	for k := range d.fields {
		f := &d.fields[k]
		if !f.constant {
			continue
		}
		v := f.def
		b := d.rb.Field(f.col)
		if v.null {
			b.AppendNulls(n)
			continue
		}
		switch f.Conv {
		case String:
			f.sb.Reserve(n)
			f.sb.ReserveData(n * len(v.s))
			for range n {
				f.sb.UnsafeAppend(v.s)
			}
		case Int64:
			for range n {
				f.ib.Append(v.i)
			}
		case Float64:
			for range n {
				f.fb.Append(v.f)
			}
		case Decimal:
			for range n {
				f.db.Append(v.d)
			}
		case Date:
			for range n {
				f.dtb.Append(arrow.Date32(v.i))
			}
		case Bool:
			for range n {
				f.bb.Append(v.b)
			}
		}
	}
}

// reserve grows the fixed-width builders by a chunk of rows, so that
// appends skip their per-value capacity check.
func (d *Decoder) reserve() {
	const chunk = 1024
	for k := range d.fields {
		f := &d.fields[k]
		if !f.constant {
			d.rb.Field(f.col).Reserve(chunk)
		}
	}
	d.reserved += chunk
}

func (d *Decoder) reject(column, reason string, raw []byte) {
	d.res.Rejected = append(d.res.Rejected, connectors.Rejected{
		Line: int64(d.row), Field: column, Reason: reason, Raw: truncate(string(raw), 1000),
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// convert fills v from the row's value of f (or f's missing value).
func (d *Decoder) convert(f *field, sp *span, v *val) error {
	if sp.gen != d.gen {
		*v = f.def
		return f.absent(v)
	}
	raw := d.body[sp.start:sp.end]
	if f.Extract != nil {
		text, ok, err := f.Extract(Value(raw))
		if err != nil {
			return err
		}
		if !ok {
			*v = f.def
			return f.absent(v)
		}
		v.null = false
		return d.convText(f, v, text)
	}
	switch raw[0] {
	case 'n':
		*v = f.def
		return f.absent(v)
	case '{', '[':
		return errors.New("expected a scalar, got an object or array")
	case '"':
		s := raw[1 : len(raw)-1]
		if sp.esc {
			start := len(d.arena)
			var err error
			d.arena, err = appendUnescaped(d.arena, s)
			if err != nil {
				return err
			}
			s = d.arena[start:]
		}
		v.null = false
		return d.convText(f, v, s)
	}
	v.null = false
	return d.convText(f, v, raw)
}

var errMissing = errors.New("missing value for a required column")

// absent checks the value a missing field got.
func (f *field) absent(v *val) error {
	if v.null && f.required {
		return errMissing
	}
	return nil
}

// convText converts unquoted text by f's Conv into c.
func (d *Decoder) convText(f *field, c *val, s []byte) error {
	if len(f.Nulls) > 0 {
		for _, n := range f.Nulls {
			if string(s) == n {
				c.null = true
				return nil
			}
		}
	}
	var err error
	switch f.Conv {
	case String:
		c.s = s
		if f.mapped != nil {
			if m, ok := f.mapped[string(s)]; ok {
				c.s = m
			} else if len(f.mapDef) > 0 {
				c.s = f.mapDef
			}
		}
	case Int64:
		c.i, err = parseInt(s)
	case Float64:
		c.f, err = parseFloat(s)
	case Decimal:
		c.d, err = parseDecimal(s, f.scale, f.Shift, f.Round)
	case Date:
		// A response holds few distinct days: remember the last one.
		if f.lastDate == nil || string(s) != string(f.lastDate) {
			var dt arrow.Date32
			if dt, err = parseDate(s); err != nil {
				return err
			}
			f.lastDate, f.lastDay = append(f.lastDate[:0], s...), dt
		}
		c.i = int64(f.lastDay)
	case Bool:
		c.b, err = parseBool(s)
	}
	return err
}
