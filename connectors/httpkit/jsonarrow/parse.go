package jsonarrow

import (
	"errors"
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

var (
	errNotInt     = errors.New("not an integer")
	errNotNumber  = errors.New("not a number")
	errNotDate    = errors.New("not a date (want YYYY-MM-DD or YYYYMMDD)")
	errNotBool    = errors.New("not a boolean")
	errOutOfRange = errors.New("out of range")
)

// parseInt parses an integer given as digits (from a JSON number or a
// string such as Google's int64s); "12.0" and "1e3" are accepted when
// integral.
func parseInt(s []byte) (int64, error) {
	if len(s) == 0 {
		return 0, errNotInt
	}
	neg := s[0] == '-'
	i := 0
	if neg || s[0] == '+' {
		i = 1
	}
	if i == len(s) || len(s)-i > 18 {
		return parseIntSlow(s)
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return parseIntSlow(s)
		}
		n = n*10 + int64(c)
	}
	if neg {
		n = -n
	}
	return n, nil
}

func parseIntSlow(s []byte) (int64, error) {
	if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		return n, nil
	}
	d, err := parseDecimal(s, 0, 0, false)
	if err != nil || !d.FitsInPrecision(18) {
		return 0, errNotInt
	}
	// Integral only: parseDecimal at scale 0 without rounding refused fractions.
	return int64(d.LowBits()), nil
}

func parseFloat(s []byte) (float64, error) {
	// Exact fast path (Clinger): up to 15 digits and a short fraction give
	// an exactly representable mantissa and power of ten, so one division
	// rounds correctly, as strconv would.
	if len(s) > 0 && len(s) <= 16 {
		var m uint64
		frac, dot, ok := 0, false, true
		for i, c := range s {
			switch {
			case c >= '0' && c <= '9':
				m = m*10 + uint64(c-'0')
				if dot {
					frac++
				}
			case c == '.' && !dot && i > 0:
				dot = true
			case c == '-' && i == 0:
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && m < 1<<53 && s[len(s)-1] != '.' && !(len(s) == 1 && s[0] == '-') {
			f := float64(m) / float64pow10[frac]
			if s[0] == '-' {
				f = -f
			}
			return f, nil
		}
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return 0, errNotNumber
	}
	return f, nil
}

// parseDecimal parses a decimal literal exactly into an unscaled integer at
// scale: the value times 10^(scale-shift). Digits beyond the scale are
// rounded half away from zero when round is set, else refused. No float64
// is involved.
func parseDecimal(s []byte, scale int32, shift int, round bool) (decimal128.Num, error) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	digits, frac := 0, 0 // significant digits kept in mant; digits after '.'
	var big_ *big.Int
	seenDigit, dot := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if dot {
				frac++
			}
			if mant == 0 && big_ == nil && c == '0' {
				continue
			}
			if digits < 18 {
				mant = mant*10 + uint64(c-'0')
			} else {
				if big_ == nil {
					big_ = new(big.Int).SetUint64(mant)
				}
				big_.Mul(big_, big.NewInt(10))
				big_.Add(big_, big.NewInt(int64(c-'0')))
			}
			digits++
		case c == '.' && !dot:
			dot = true
		case c == 'e' || c == 'E':
			if !seenDigit {
				return decimal128.Num{}, errNotNumber
			}
			e, err := strconv.Atoi(string(s[i+1:]))
			if err != nil || e > 60 || e < -60 {
				return decimal128.Num{}, errNotNumber
			}
			frac -= e
			i = len(s)
		default:
			return decimal128.Num{}, errNotNumber
		}
	}
	if !seenDigit {
		return decimal128.Num{}, errNotNumber
	}
	exp := int(scale) - shift - frac // unscaled = mantissa × 10^exp
	var n decimal128.Num
	switch {
	case big_ == nil && exp >= 0:
		if exp > 38 {
			if mant == 0 {
				return decimal128.Num{}, nil
			}
			return decimal128.Num{}, errOutOfRange
		}
		if mant != 0 && exp+digits > 38 {
			return decimal128.Num{}, errOutOfRange
		}
		n = decimal128.FromU64(mant)
		if exp > 0 && mant != 0 {
			n = n.Mul(decimal128.GetScaleMultiplier(exp))
		}
	case big_ == nil:
		div := -exp
		if div > 19 {
			if mant != 0 && !round {
				return decimal128.Num{}, errOutOfRange
			}
			mant = 0
			break
		}
		p := pow10u(div)
		q, r := mant/p, mant%p
		if r != 0 {
			if !round {
				return decimal128.Num{}, errOutOfRange
			}
			if r >= p-r { // half away from zero
				q++
			}
		}
		n = decimal128.FromU64(q)
	default:
		if exp >= 0 {
			big_.Mul(big_, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
		} else {
			p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-exp)), nil)
			q, r := new(big.Int).QuoRem(big_, p, new(big.Int))
			if r.Sign() != 0 {
				if !round {
					return decimal128.Num{}, errOutOfRange
				}
				if new(big.Int).Mul(r, big.NewInt(2)).Cmp(p) >= 0 {
					q.Add(q, big.NewInt(1))
				}
			}
			big_ = q
		}
		if big_.BitLen() > 126 {
			return decimal128.Num{}, errOutOfRange
		}
		n = decimal128.FromBigInt(big_)
	}
	if !n.FitsInPrecision(38) {
		return decimal128.Num{}, errOutOfRange
	}
	if neg {
		n = n.Negate()
	}
	return n, nil
}

var float64pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

func pow10u(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// parseDate reads YYYY-MM-DD (optionally followed by a time, as TikTok's
// "2026-11-01 00:00:00") or YYYYMMDD (GA4) as days since 1970-01-01.
func parseDate(s []byte) (arrow.Date32, error) {
	var y, m, d int
	var ok bool
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-' && (len(s) == 10 || s[10] == ' ' || s[10] == 'T'):
		y, ok = digitsN(s[0:4])
		if ok {
			m, ok = digitsN(s[5:7])
		}
		if ok {
			d, ok = digitsN(s[8:10])
		}
	case len(s) == 8:
		y, ok = digitsN(s[0:4])
		if ok {
			m, ok = digitsN(s[4:6])
		}
		if ok {
			d, ok = digitsN(s[6:8])
		}
	}
	if !ok || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, errNotDate
	}
	return arrow.Date32(daysFromCivil(y, m, d)), nil
}

func digitsN(s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is Howard Hinnant's days_from_civil.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func parseBool(s []byte) (bool, error) {
	switch string(s) {
	case "true", "1", "TRUE", "True":
		return true, nil
	case "false", "0", "FALSE", "False":
		return false, nil
	}
	return false, errNotBool
}
