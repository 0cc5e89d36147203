package reports

import (
	"database/sql"
	"math"
	"strconv"
	"strings"
	"time"
)

// missing is shown for a value that does not exist (a ratio whose
// denominator is 0, a NULL date): an en dash, never 0.
const missing = "–"

// dateLayout is how days are shown and written: ISO 8601, the same in every
// language, so a day is never ambiguous.
const dateLayout = "2006-01-02"

// currencySymbols maps ISO 4217 codes to the symbol shown before amounts.
// Other codes are shown as the code and a no-break space.
var currencySymbols = map[string]string{
	"CNY": "¥",
	"USD": "$",
	"EUR": "€",
}

// groupDigits inserts thousands separators into a string of ASCII digits.
func groupDigits(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3)
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteByte(',')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// fixed formats v with the given decimals and thousands separators; the sign
// is returned apart so callers can put a currency symbol after it.
func fixed(v float64, decimals int) (neg bool, s string) {
	r := strconv.FormatFloat(math.Abs(denoise(v)), 'f', decimals, 64)
	// Rounding can turn a tiny negative into "0.00": no "-0.00".
	neg = v < 0 && strings.Trim(r, "0.") != ""
	intPart, frac, hasFrac := strings.Cut(r, ".")
	s = groupDigits(intPart)
	if hasFrac {
		s += "." + frac
	}
	return neg, s
}

// formatNumber formats v with thousands separators and the given decimals.
func formatNumber(v float64, decimals int) string {
	neg, s := fixed(v, decimals)
	if neg {
		return "-" + s
	}
	return s
}

// formatInt formats a count with thousands separators.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	if strings.HasPrefix(s, "-") {
		return "-" + groupDigits(s[1:])
	}
	return groupDigits(s)
}

// formatMoney formats an amount of the reporting currency with its symbol
// (¥, $, €, or the code) and 2 decimals: "¥1,234.50", "-$3.00", "GBP 7.25".
func formatMoney(v float64, currency string) string {
	neg, s := fixed(v, 2)
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency + "\u00a0"
		if currency == "" {
			sym = ""
		}
	}
	if neg {
		return "-" + sym + s
	}
	return sym + s
}

// formatMoneyN formats a nullable amount; NULL is "–".
func formatMoneyN(v sql.NullFloat64, currency string) string {
	if !v.Valid {
		return missing
	}
	return formatMoney(v.Float64, currency)
}

// formatRatio formats a ratio such as ROAS with 2 decimals; NULL is "–".
func formatRatio(v sql.NullFloat64) string {
	if !v.Valid {
		return missing
	}
	return formatNumber(v.Float64, 2)
}

// formatPercent formats a fraction (0.123) as a percentage with 1 decimal
// ("12.3%"); NULL is "–".
func formatPercent(v sql.NullFloat64) string {
	if !v.Valid {
		return missing
	}
	return formatNumber(v.Float64*100, 1) + "%"
}

// formatChange formats a relative change as a signed percentage with 1
// decimal ("+12.3%", "-4.0%", "0.0%"); NULL is "–".
func formatChange(v sql.NullFloat64) string {
	if !v.Valid {
		return missing
	}
	neg, s := fixed(v.Float64*100, 1)
	switch {
	case neg:
		return "-" + s + "%"
	case strings.Trim(s, "0.,") == "":
		return s + "%"
	default:
		return "+" + s + "%"
	}
}

// formatDate formats a day; NULL is "–".
func formatDate(t sql.NullTime) string {
	if !t.Valid {
		return missing
	}
	return t.Time.Format(dateLayout)
}

// formatInstant formats a timestamp as UTC to the minute.
func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// div returns num/den, or NULL when den is 0.
func div(num, den float64) sql.NullFloat64 {
	if den == 0 {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: num / den, Valid: true}
}

// change returns the relative change from prev to cur, or NULL when either
// is missing or prev is 0.
func change(cur, prev sql.NullFloat64) sql.NullFloat64 {
	if !cur.Valid || !prev.Valid || prev.Float64 == 0 {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: (cur.Float64 - prev.Float64) / math.Abs(prev.Float64), Valid: true}
}

// valid wraps a number that always exists.
func valid(v float64) sql.NullFloat64 { return sql.NullFloat64{Float64: v, Valid: true} }

// csvMoney writes an amount for a CSV file: plain, 2 decimals, no symbol.
func csvMoney(v float64) string {
	neg, s := fixed(v, 2)
	s = strings.ReplaceAll(s, ",", "")
	if neg {
		return "-" + s
	}
	return s
}

// csvFloat writes a ratio for a CSV file, rounded to 6 decimals in its
// shortest form ("0.1575", "87.583333"); NULL is empty.
func csvFloat(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	r := math.Round(v.Float64*1e6) / 1e6
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// denoise rounds v to 9 decimals, dropping binary floating-point noise
// before decimal rounding: 3.37/4 - 1 is -0.15749999999999997 in float64,
// and must show as -15.8%, like the exact -0.1575.
func denoise(v float64) float64 {
	if math.Abs(v) >= 1e9 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	return math.Round(v*1e9) / 1e9
}

// csvDate writes a day for a CSV file; NULL is empty.
func csvDate(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format(dateLayout)
}

// csvText guards a text cell against spreadsheet formula injection: a cell
// starting with = + - @ or a control character gets a leading apostrophe,
// which spreadsheets show as text. Numbers are written by the csv* helpers
// and never pass through here.
func csvText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
