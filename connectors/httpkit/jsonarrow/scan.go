package jsonarrow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// SyntaxError is malformed JSON: a truncated or broken body. It wraps
// httpkit.ErrMalformed, so that Client.DoDecode retries the request.
type SyntaxError struct {
	Offset int // byte offset of the problem
	Size   int // body size
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d of %d: %s", e.Offset, e.Size, e.Msg)
}

// Unwrap returns httpkit.ErrMalformed.
func (e *SyntaxError) Unwrap() error { return httpkit.ErrMalformed }

func synErr(b []byte, i int, msg string) error {
	if i >= len(b) {
		msg = "unexpected end of input (" + msg + ")"
	}
	return &SyntaxError{Offset: i, Size: len(b), Msg: msg}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipWS(b []byte, i int) int {
	// Every JSON space is <= ' ': one compare passes other bytes.
	for i < len(b) && b[i] <= ' ' && isSpace(b[i]) {
		i++
	}
	return i
}

// scanString returns the index after the closing quote of the string
// starting at b[i] == '"', and whether it holds escapes.
func scanString(b []byte, i int) (int, bool, error) {
	j := i + 1
	// Eight bytes at a time: the lowest byte equal to '"' or '\\' ends
	// the fast path (SWAR, exact for the lowest match).
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:])
		if m := hasByte(x, '"') | hasByte(x, '\\'); m != 0 {
			j += bits.TrailingZeros64(m) / 8
			if b[j] == '"' {
				return j + 1, false, nil
			}
			return scanEscaped(b, j)
		}
		j += 8
	}
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, false, nil
		case '\\':
			return scanEscaped(b, j)
		}
	}
	return len(b), false, synErr(b, len(b), "unterminated string")
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasByte sets the high bit of each byte of x equal to c (exact for the
// lowest such byte).
func hasByte(x uint64, c byte) uint64 {
	y := x ^ (lsb * uint64(c))
	return (y - lsb) &^ y & msb
}

// scanEscaped finishes a string from the backslash at b[j].
func scanEscaped(b []byte, j int) (int, bool, error) {
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, true, nil
		case '\\':
			j++
		}
	}
	return len(b), true, synErr(b, len(b), "unterminated string")
}

func scanNumber(b []byte, i int) (int, error) {
	j := i
	for j < len(b) {
		c := b[j]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			j++
			continue
		}
		break
	}
	if j == i {
		return i, synErr(b, i, "invalid value")
	}
	return j, nil
}

func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, synErr(b, i, "invalid literal")
	}
	return i + len(lit), nil
}

// skipValue returns the index after the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, synErr(b, i, "expected a value")
	}
	switch c := b[i]; {
	case c == '"':
		j, _, err := scanString(b, i)
		return j, err
	case c == '{' || c == '[':
		return skipNested(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	default:
		return scanNumber(b, i)
	}
}

// skipNested skips an object or array, counting brackets outside strings.
// It checks nesting, not every comma and colon: a body is either what the
// platform sent or cut short, and truncation is what it must catch.
func skipNested(b []byte, i int) (int, error) {
	var stack [64]byte
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			k, _, err := scanString(b, j)
			if err != nil {
				return k, err
			}
			j = k - 1
		case '{', '[':
			if depth == len(stack) {
				return j, synErr(b, j, "nested too deep")
			}
			stack[depth] = c
			depth++
		case '}', ']':
			if depth == 0 || (c == '}') != (stack[depth-1] == '{') {
				return j, synErr(b, j, "mismatched "+string(c))
			}
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return len(b), synErr(b, len(b), "unterminated object or array")
}

// appendUnescaped appends the decoded content of a JSON string (without
// its quotes) to dst.
func appendUnescaped(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(s) {
			return dst, errors.New("bad escape")
		}
		switch s[i] {
		case '"', '\\', '/':
			dst = append(dst, s[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return dst, errors.New("bad \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if i+6 < len(s)+0 && s[i+1] == '\\' && s[i+2] == 'u' {
					if x, ok := hex4(s, i+3); ok {
						r2 = utf16.DecodeRune(r, x)
						if r2 != utf8.RuneError {
							i += 6
						}
					}
				}
				r = r2
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, errors.New("bad escape")
		}
	}
	return dst, nil
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// Value is one raw JSON value, as handed to capture callbacks and Extract
// functions.
type Value []byte

// IsNull reports whether v is null (or empty).
func (v Value) IsNull() bool { return len(v) == 0 || string(v) == "null" }

// IsString reports whether v is a JSON string.
func (v Value) IsString() bool { return len(v) > 0 && v[0] == '"' }

// Text returns a string's decoded content, or a number's or literal's text.
func (v Value) Text() string {
	if !v.IsString() {
		return string(v)
	}
	b, err := appendUnescaped(nil, v[1:len(v)-1])
	if err != nil {
		return string(v[1 : len(v)-1])
	}
	return string(b)
}

// Get returns the value at path (object keys; array indexes as "0", "1")
// inside v, and whether it exists.
func (v Value) Get(path ...string) (Value, bool) {
	cur := []byte(v)
	for _, key := range path {
		i := skipWS(cur, 0)
		if i >= len(cur) {
			return nil, false
		}
		found := false
		switch cur[i] {
		case '{':
			_ = eachMember(cur, i, func(k []byte, val []byte) (bool, error) {
				if string(k) == key {
					cur, found = val, true
					return false, nil
				}
				return true, nil
			})
		case '[':
			n := 0
			_ = eachElement(cur, i, func(val []byte) (bool, error) {
				if itoa(n) == key {
					cur, found = val, true
					return false, nil
				}
				n++
				return true, nil
			})
		}
		if !found {
			return nil, false
		}
	}
	return Value(cur), true
}

// Each calls fn for each element of the array v (nothing for null).
func (v Value) Each(fn func(elem Value) error) error {
	i := skipWS(v, 0)
	if i >= len(v) || v.IsNull() {
		return nil
	}
	if v[i] != '[' {
		return synErr(v, i, "expected an array")
	}
	return eachElement(v, i, func(val []byte) (bool, error) { return true, fn(Value(val)) })
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return fmt.Sprint(n)
}

// eachMember walks the object at b[i]; fn gets raw keys (no quotes) and
// raw values and returns false to stop.
func eachMember(b []byte, i int, fn func(k, v []byte) (bool, error)) error {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return synErr(b, i, "expected a key")
		}
		ke, _, err := scanString(b, i)
		if err != nil {
			return err
		}
		key := b[i+1 : ke-1]
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return synErr(b, i, "expected ':'")
		}
		i = skipWS(b, i+1)
		ve, err := skipValue(b, i)
		if err != nil {
			return err
		}
		more, err := fn(key, b[i:ve])
		if err != nil || !more {
			return err
		}
		i = skipWS(b, ve)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return nil
		}
		return synErr(b, i, "expected ',' or '}'")
	}
}

func eachElement(b []byte, i int, fn func(v []byte) (bool, error)) error {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for {
		ve, err := skipValue(b, i)
		if err != nil {
			return err
		}
		more, err := fn(b[i:ve])
		if err != nil || !more {
			return err
		}
		i = skipWS(b, ve)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return nil
		}
		return synErr(b, i, "expected ',' or ']'")
	}
}
