package meta

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// actionPicker reads Meta's actions and action_values arrays:
//
//	[{"action_type":"link_click","value":"351"},
//	 {"action_type":"purchase","value":"9","7d_click":"7","1d_view":"2"}]
//
// It picks the configured action types (the first present, or all of them
// in sum mode) and returns, for one attribution window or for the sum of
// the configured windows, the exact decimal text. It remembers the last
// array it parsed, because the conversion columns of one row read the same
// array several times. It is not safe for concurrent use (a Decoder isn't).
type actionPicker struct {
	types   []string
	sum     bool
	windows []string

	last   []byte   // the array last parsed (identity: start and length)
	picked [][]byte // len(windows) values per picked entry, nil when absent
	cand   [][]byte // the entry being scanned
	kv     [][2][]byte
	out    []byte
	texts  [][]byte
}

// reset forgets the array last parsed; call it before each Decode.
func (p *actionPicker) reset() { p.last = nil }

// parse picks the entries of arr, unless arr is the array last parsed.
func (p *actionPicker) parse(arr jsonarrow.Value) error {
	if len(arr) > 0 && len(p.last) == len(arr) && &p.last[0] == &arr[0] {
		return nil
	}
	p.last = nil
	if e := p.scanFast(arr, skip(arr, 0)); e < 0 || skip(arr, e) != len(arr) {
		if err := p.parseSlow(arr); err != nil {
			return err
		}
	}
	p.last = arr
	return nil
}

// scan is the jsonarrow.Field Scan of the actions or action_values
// column: it picks the entries of the array at b[i] while the decoder
// passes over the row, and remembers it, so that Extract does not parse it
// again. It returns the array's end, or -1 for anything scanFast does not
// take (parse then handles it from Extract).
func (p *actionPicker) scan(b []byte, i int) int {
	e := p.scanFast(b, i)
	if e < 0 {
		p.last = nil
		return -1
	}
	p.last = b[i:e]
	return e
}

// rank is the priority of action type t, -1 when not configured.
func (p *actionPicker) rank(t []byte) int {
	for i, want := range p.types {
		if string(t) == want {
			return i
		}
	}
	return -1
}

// keep records an entry of rank r whose window values are in p.cand.
func (p *actionPicker) keep(r int, best *int) {
	switch {
	case p.sum:
		p.picked = append(p.picked, p.cand...)
	case r < *best:
		*best = r
		p.picked = append(p.picked[:0], p.cand...)
	}
}

// scanFast scans the array at b[i] of flat objects whose values are
// strings without escapes (what Meta sends) in place, in one pass and
// without allocating, and returns the index after it. It returns -1 on
// anything else, leaving the work to parseSlow.
func (p *actionPicker) scanFast(b []byte, i int) int {
	p.picked = p.picked[:0]
	best := len(p.types)
	nw := len(p.windows)
	if cap(p.cand) < nw {
		p.cand = make([][]byte, nw)
	}
	p.cand = p.cand[:nw]
	if i >= len(b) || b[i] != '[' {
		return -1
	}
	i = skip(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '{' {
			return -1
		}
		for w := range p.cand {
			p.cand[w] = nil
		}
		r := -1
		i = skip(b, i+1)
		for i < len(b) && b[i] != '}' {
			// Known keys and action types are matched in place; only
			// other strings are scanned. The last of duplicate keys wins.
			win, isType, e := -1, false, 0
			if lit(b, i, "action_type") {
				isType, e = true, i+len("action_type")+2
			} else if lit(b, i, "value") {
				e = i + len("value") + 2 // the total, which no window is
			} else {
				for w, name := range p.windows {
					if lit(b, i, name) {
						win, e = w, i+len(name)+2
						break
					}
				}
				if win < 0 {
					var ok bool
					if _, e, ok = str(b, i); !ok {
						return -1
					}
				}
			}
			i = skip(b, e)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			i = skip(b, i+1)
			if isType {
				r, e = -1, 0
				for t, name := range p.types {
					if lit(b, i, name) {
						r, e = t, i+len(name)+2
						break
					}
				}
				if r < 0 {
					var ok bool
					if _, e, ok = str(b, i); !ok {
						return -1
					}
				}
			} else {
				v, e2, ok := str(b, i)
				if !ok {
					return -1
				}
				if win >= 0 {
					p.cand[win] = v
				}
				e = e2
			}
			i = skip(b, e)
			if i < len(b) && b[i] == ',' {
				i = skip(b, i+1)
			}
		}
		if i >= len(b) {
			return -1
		}
		i = skip(b, i+1)
		if r >= 0 {
			p.keep(r, &best)
		}
		if i < len(b) && b[i] == ',' {
			i = skip(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		return -1
	}
}

// lit reports whether the string at b[i] is s (which holds no quote or
// backslash).
func lit(b []byte, i int, s string) bool {
	e := i + 1 + len(s)
	return e < len(b) && b[i] == '"' && b[e] == '"' && string(b[i+1:e]) == s
}

func skip(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// str returns the content of the escape-free string at b[i] and its end.
// It looks at eight bytes at a time (SWAR): the lowest byte that is '"'
// or '\\' ends the string or the fast path.
func str(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	j := i + 1
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:])
		if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
			j += bits.TrailingZeros64(m) / 8
			if b[j] == '"' {
				return b[i+1 : j], j + 1, true
			}
			return nil, j, false
		}
		j += 8
	}
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return b[i+1 : j], j + 1, true
		case '\\':
			return nil, j, false
		}
	}
	return nil, len(b), false
}

// hasByte sets the high bit of each byte of x equal to c (exact for the
// lowest such byte).
func hasByte(x uint64, c byte) uint64 {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	y := x ^ (lsb * uint64(c))
	return (y - lsb) &^ y & msb
}

// parseSlow handles any JSON (numbers, escapes) through jsonarrow.Value.
func (p *actionPicker) parseSlow(arr jsonarrow.Value) error {
	p.picked = p.picked[:0]
	best := len(p.types)
	return arr.Each(func(el jsonarrow.Value) error {
		t, ok := el.Get("action_type")
		if !ok {
			return nil
		}
		r := p.rank([]byte(t.Text()))
		if r < 0 {
			return nil
		}
		p.cand = p.cand[:0]
		for _, w := range p.windows {
			var val []byte
			if v, ok := el.Get(w); ok && !v.IsNull() {
				val = []byte(v.Text())
			}
			p.cand = append(p.cand, val)
		}
		p.keep(r, &best)
		return nil
	})
}

// extract returns the Extract function of one column: window i, or the sum
// of every window when i < 0. A row without the picked action types gets 0.
// The text returned is valid until the next call.
func (p *actionPicker) extract(i int) func(v jsonarrow.Value) ([]byte, bool, error) {
	return func(v jsonarrow.Value) ([]byte, bool, error) {
		if v.IsNull() {
			return nil, false, nil
		}
		if err := p.parse(v); err != nil {
			return nil, false, err
		}
		p.texts = p.texts[:0]
		n := len(p.windows)
		for e := 0; e+n <= len(p.picked); e += n {
			for w, t := range p.picked[e : e+n] {
				if t != nil && (i < 0 || w == i) {
					p.texts = append(p.texts, t)
				}
			}
		}
		switch len(p.texts) {
		case 0:
			return zero, true, nil
		case 1:
			return p.texts[0], true, nil
		}
		var err error
		p.out, err = appendSum(p.out[:0], p.texts)
		return p.out, err == nil, err
	}
}

var zero = []byte("0")

// appendSum appends the exact sum of decimal texts to dst: in int64 at
// the largest scale when that fits, else with big.Rat. No float64 is
// involved.
func appendSum(dst []byte, xs [][]byte) ([]byte, error) {
	scale := 0
	for _, x := range xs {
		for j, c := range x {
			if c == '.' {
				scale = max(scale, len(x)-j-1)
				break
			}
		}
	}
	if scale <= 9 {
		var total int64
		ok := true
		for _, x := range xs {
			n, good := scaled(x, scale)
			if !good || total > 1<<62 || total < -(1<<62) {
				ok = false
				break
			}
			total += n
		}
		if ok {
			return appendScaled(dst, total, scale), nil
		}
	}
	sum := new(big.Rat)
	for _, x := range xs {
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return dst, fmt.Errorf("%q is not a decimal", x)
		}
		sum.Add(sum, r)
	}
	return append(dst, sum.FloatString(scale)...), nil
}

// addDecimals is appendSum for strings.
func addDecimals(xs []string) (string, error) {
	bs := make([][]byte, len(xs))
	for i, x := range xs {
		bs[i] = []byte(x)
	}
	b, err := appendSum(nil, bs)
	return string(b), err
}

// scaled parses x as an integer count of 10^-scale units, within 18 digits.
func scaled(x []byte, scale int) (int64, bool) {
	i, neg := 0, false
	if len(x) > 0 && (x[0] == '-' || x[0] == '+') {
		neg, i = x[0] == '-', 1
	}
	var n int64
	digits, frac, dot := 0, 0, false
	for ; i < len(x); i++ {
		c := x[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
		if digits > 18 {
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	for ; frac < scale; frac++ {
		if n > 1<<59 {
			return 0, false
		}
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true
}

// appendScaled renders n units of 10^-scale.
func appendScaled(dst []byte, n int64, scale int) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var buf [24]byte
	s := strconv.AppendInt(buf[:0], n, 10)
	for len(s) <= scale {
		s = append([]byte{'0'}, s...)
	}
	if scale == 0 {
		return append(dst, s...)
	}
	dst = append(dst, s[:len(s)-scale]...)
	dst = append(dst, '.')
	return append(dst, s[len(s)-scale:]...)
}
