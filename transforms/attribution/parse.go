package attribution

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PathFormat describes a file of aggregated paths, as ChannelAttribution
// reads and writes them:
//
//	path,total_conversions,total_conversion_value,total_null
//	eta > iota > alpha > eta,1,0.244,3
//
// The zero value is that format. Empty fields take the defaults.
type PathFormat struct {
	// Column names in the header line. ValueColumn and NullsColumn may be
	// NoColumn for a file without them (value 0, no null journeys).
	PathColumn        string // default "path"
	ConversionsColumn string // default "total_conversions"
	ValueColumn       string // default "total_conversion_value"
	NullsColumn       string // default "total_null"
	// Comma is the field delimiter (default ','); fields may be quoted as
	// in RFC 4180.
	Comma rune
	// Separator separates the channels of a path (default ">"); space
	// around each channel name is trimmed, so "a > b" and "a>b" are the
	// same path.
	Separator string
}

// NoColumn as PathFormat.ValueColumn or NullsColumn says the file has no
// such column.
const NoColumn = "-"

// Defaults of PathFormat.
const (
	DefaultPathColumn        = "path"
	DefaultConversionsColumn = "total_conversions"
	DefaultValueColumn       = "total_conversion_value"
	DefaultNullsColumn       = "total_null"
	DefaultSeparator         = ">"
)

// withDefaults returns f with its defaults applied.
func (f PathFormat) withDefaults() PathFormat {
	if f.PathColumn == "" {
		f.PathColumn = DefaultPathColumn
	}
	if f.ConversionsColumn == "" {
		f.ConversionsColumn = DefaultConversionsColumn
	}
	if f.ValueColumn == "" {
		f.ValueColumn = DefaultValueColumn
	}
	if f.NullsColumn == "" {
		f.NullsColumn = DefaultNullsColumn
	}
	if f.Comma == 0 {
		f.Comma = ','
	}
	if f.Separator == "" {
		f.Separator = DefaultSeparator
	}
	return f
}

// ParseError is a malformed line of a path file.
type ParseError struct {
	// Line is the 1-based line number (where the record starts).
	Line int
	// Field is the column name, or empty when the whole line is bad.
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: field %s: %v", e.Line, e.Field, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParsePaths reads a file of aggregated paths (see PathFormat): a header
// line naming the columns (other columns are ignored), then one path per
// line; empty lines are skipped. Rows of the same path are summed. Counts
// must be finite numbers >= 0 (fractions are allowed), the value a finite
// number; a path needs at least one channel and no empty channel
// ("a > > b"). It does not correct input: the first malformed line stops
// it with a *ParseError naming the line and the field.
func ParsePaths(r io.Reader, f PathFormat) (*Journeys, error) {
	f = f.withDefaults()
	if f.Comma == '"' || f.Comma == '\r' || f.Comma == '\n' || !utf8.ValidRune(f.Comma) || f.Comma == utf8.RuneError {
		return nil, fmt.Errorf("field delimiter %q is not allowed", f.Comma)
	}
	if strings.TrimSpace(f.Separator) == "" {
		return nil, fmt.Errorf("channel separator %q: it needs a character other than space", f.Separator)
	}
	cr := newCSVReader(r, f.Comma)
	if err := cr.read(); err != nil {
		if err == io.EOF {
			return nil, &ParseError{Line: 1, Err: errors.New("empty file: no header line")}
		}
		return nil, err
	}
	header := make([]string, cr.fields())
	for i := range header {
		header[i] = strings.TrimSpace(string(cr.field(i)))
	}
	if len(header) > 0 {
		header[0] = strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff"))
	}
	headerLine := cr.line
	col := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := col[h]; dup {
			return nil, &ParseError{Line: headerLine, Field: h, Err: errors.New("column appears twice in the header")}
		}
		col[h] = i
	}
	find := func(name string, optional bool) (int, error) {
		if optional && name == NoColumn {
			return -1, nil
		}
		i, ok := col[name]
		if !ok {
			return 0, &ParseError{Line: headerLine, Err: fmt.Errorf("no column %q in the header (columns: %s)", name, strings.Join(header, ", "))}
		}
		return i, nil
	}
	iPath, err := find(f.PathColumn, false)
	if err != nil {
		return nil, err
	}
	iConv, err := find(f.ConversionsColumn, false)
	if err != nil {
		return nil, err
	}
	iVal, err := find(f.ValueColumn, true)
	if err != nil {
		return nil, err
	}
	iNull, err := find(f.NullsColumn, true)
	if err != nil {
		return nil, err
	}

	cols := pathColumns{header: header, path: iPath, conv: iConv, value: iVal, nulls: iNull, sep: []byte(f.Separator)}
	if runtime.GOMAXPROCS(0) == 1 {
		b := NewBuilder()
		if err := cols.scan(cr, b, b.add2); err != nil {
			return nil, err
		}
		return b.Journeys(), nil
	}
	// Two stages: this goroutine aggregates while another reads and splits
	// the lines, handing them over in batches.
	dict, agg := NewBuilder(), NewBuilder()
	full, free := make(chan *pathBatch, 4), make(chan *pathBatch, 4)
	var scanErr error
	go func() {
		defer close(full)
		bt := &pathBatch{}
		scanErr = cols.scan(cr, dict, func(ids []int32, conv, value, nulls float64) {
			bt.ids = append(bt.ids, ids...)
			bt.ends = append(bt.ends, len(bt.ids))
			bt.nums = append(bt.nums, conv, value, nulls)
			if len(bt.ends) == 2048 {
				full <- bt
				select {
				case bt = <-free:
					bt.ids, bt.ends, bt.nums = bt.ids[:0], bt.ends[:0], bt.nums[:0]
				default:
					bt = &pathBatch{}
				}
			}
		})
		if len(bt.ends) > 0 {
			full <- bt
		}
	}()
	for bt := range full {
		start := 0
		for i, end := range bt.ends {
			agg.add(bt.ids[start:end], nil, bt.nums[3*i], bt.nums[3*i+1], bt.nums[3*i+2])
			start = end
		}
		select {
		case free <- bt:
		default:
		}
	}
	if scanErr != nil {
		return nil, scanErr
	}
	agg.channels = dict.channels
	return agg.Journeys(), nil
}

// pathBatch is lines of a path file handed from the reader to the
// aggregator: line i has the channels ids[ends[i-1]:ends[i]] and the
// conversions, value and nulls nums[3i:3i+3].
type pathBatch struct {
	ids  []int32
	ends []int
	nums []float64
}

// pathColumns are the columns of a path file.
type pathColumns struct {
	header                   []string
	path, conv, value, nulls int // -1: no such column
	sep                      []byte
}

// add2 is add without times, for scan.
func (b *Builder) add2(ids []int32, conv, value, nulls float64) { b.add(ids, nil, conv, value, nulls) }

// scan reads the lines after the header, numbering channels in dict, and
// calls emit for each line. The ids passed to emit are reused.
func (pc *pathColumns) scan(cr *csvReader, dict *Builder, emit func(ids []int32, conv, value, nulls float64)) error {
	sep := pc.sep
	var ids []int32
	for {
		err := cr.read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if cr.fields() != len(pc.header) {
			return &ParseError{Line: cr.lines[0], Err: fmt.Errorf("%d fields, but the header has %d", cr.fields(), len(pc.header))}
		}
		bad := func(i int, format string, a ...any) error {
			return &ParseError{Line: cr.lines[i], Field: pc.header[i], Err: fmt.Errorf(format, a...)}
		}
		conv, err := parseCount(cr.field(pc.conv))
		if err != nil {
			return bad(pc.conv, "%v", err)
		}
		nulls := 0.0
		if pc.nulls >= 0 {
			if nulls, err = parseCount(cr.field(pc.nulls)); err != nil {
				return bad(pc.nulls, "%v", err)
			}
		}
		value := 0.0
		if pc.value >= 0 {
			if value, err = parseNumber(cr.field(pc.value)); err != nil {
				return bad(pc.value, "%v", err)
			}
		}
		ids = ids[:0]
		rest := cr.field(pc.path)
		for k := 1; ; k++ {
			var name []byte
			more := false
			if len(sep) == 1 {
				// bytes.Cut, without a call per short channel name.
				name = rest
				for i, c := range rest {
					if c == sep[0] {
						name, rest, more = rest[:i], rest[i+1:], true
						break
					}
				}
			} else {
				name, rest, more = bytes.Cut(rest, sep)
			}
			name = trimSpace(name)
			if len(name) == 0 {
				if k == 1 && !more {
					return bad(pc.path, "empty path")
				}
				return bad(pc.path, "channel %d of %q is empty", k, cr.field(pc.path))
			}
			ids = append(ids, dict.channelBytes(name))
			if !more {
				break
			}
		}
		emit(ids, conv, value, nulls)
	}
}

// pow10 holds the powers of ten that are exact in float64.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a finite decimal number. Plain decimals of up to 15
// digits ("12", "-3.25") take a fast path that is exact: the digits are
// an exact integer, 10^k is exact, and one division rounds correctly
// (the same result as strconv.ParseFloat).
func parseNumber(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, errors.New("empty: want a number")
	}
	s := b
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	ok := len(s) > 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			ok = false
		}
		if !ok || digits > 15 {
			ok = false
			break
		}
	}
	if ok && digits > 0 {
		x := float64(m)
		if frac > 0 {
			x /= pow10[frac]
		}
		if neg {
			x = -x
		}
		return x, nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q is not a finite number", b)
	}
	return x, nil
}

// parseCount parses a count: a finite number >= 0.
func parseCount(b []byte) (float64, error) {
	x, err := parseNumber(b)
	if err != nil {
		return 0, err
	}
	if x < 0 {
		return 0, fmt.Errorf("%s is negative: counts are >= 0", bytes.TrimSpace(b))
	}
	return x, nil
}

// trimSpace is bytes.TrimSpace, inlined for the usual name without space
// around it or with ASCII spaces only.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && (b[0] <= ' ' || b[0] >= utf8.RuneSelf || b[len(b)-1] <= ' ' || b[len(b)-1] >= utf8.RuneSelf) {
		return bytes.TrimSpace(b)
	}
	return b
}
