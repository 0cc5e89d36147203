package meta

import (
	"fmt"
	"math/big"
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
	if !p.parseFast(arr) {
		if err := p.parseSlow(arr); err != nil {
			return err
		}
	}
	p.last = arr
	return nil
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

// parseFast scans an array of flat objects whose values are strings
// without escapes (what Meta sends) in place, without allocating. It
// returns false on anything else, leaving the work to parseSlow.
func (p *actionPicker) parseFast(b []byte) bool {
	p.picked = p.picked[:0]
	best := len(p.types)
	i := skip(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	i = skip(b, i+1)
	if i < len(b) && b[i] == ']' {
		return skip(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '{' {
			return false
		}
		p.kv = p.kv[:0]
		i = skip(b, i+1)
		for i < len(b) && b[i] != '}' {
			k, e, ok := str(b, i)
			if !ok {
				return false
			}
			i = skip(b, e)
			if i >= len(b) || b[i] != ':' {
				return false
			}
			v, e2, ok := str(b, skip(b, i+1))
			if !ok {
				return false
			}
			p.kv = append(p.kv, [2][]byte{k, v})
			i = skip(b, e2)
			if i < len(b) && b[i] == ',' {
				i = skip(b, i+1)
			}
		}
		if i >= len(b) {
			return false
		}
		i = skip(b, i+1)
		r := -1
		for _, kv := range p.kv {
			if string(kv[0]) == "action_type" {
				r = p.rank(kv[1])
			}
		}
		if r >= 0 {
			p.cand = p.cand[:0]
			for _, w := range p.windows {
				var val []byte
				for _, kv := range p.kv {
					if string(kv[0]) == w {
						val = kv[1]
					}
				}
				p.cand = append(p.cand, val)
			}
			p.keep(r, &best)
		}
		if i < len(b) && b[i] == ',' {
			i = skip(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return skip(b, i+1) == len(b)
		}
		return false
	}
}

func skip(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// str returns the content of the escape-free string at b[i] and its end.
func str(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return b[i+1 : j], j + 1, true
		case '\\':
			return nil, j, false
		}
	}
	return nil, len(b), false
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
