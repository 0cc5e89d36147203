package goals

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Period is an inclusive range of days (UTC midnights standing for
// reporting days).
type Period struct {
	From, To time.Time
	// Kind is year, quarter, month, week or range: comparable periods for
	// the attainability lint are periods of the same kind.
	Kind string
}

// Days is the number of days in p.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

// Contains reports whether day d is inside p.
func (p Period) Contains(d time.Time) bool { return !d.Before(p.From) && !d.After(p.To) }

// Overlaps reports whether p and q share a day.
func (p Period) Overlaps(q Period) bool { return !p.To.Before(q.From) && !q.To.Before(p.From) }

// String prints p as a day range.
func (p Period) String() string {
	return p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly)
}

// Shift returns the period n periods of p's kind later (earlier for n < 0):
// the same quarter last year is Shift(-4) of a quarter. Custom ranges shift
// by their own length.
func (p Period) Shift(n int) Period {
	switch p.Kind {
	case "year":
		return Period{p.From.AddDate(n, 0, 0), p.From.AddDate(n+1, 0, -1), p.Kind}
	case "quarter":
		return Period{p.From.AddDate(0, 3*n, 0), p.From.AddDate(0, 3*n+3, -1), p.Kind}
	case "month":
		return Period{p.From.AddDate(0, n, 0), p.From.AddDate(0, n+1, -1), p.Kind}
	default: // week, range
		d := p.Days() * n
		return Period{p.From.AddDate(0, 0, d), p.To.AddDate(0, 0, d), p.Kind}
	}
}

// LastYear is the same period one year earlier: the same calendar days for
// years, quarters, months and ranges, the same ISO week for weeks.
func (p Period) LastYear() Period {
	switch p.Kind {
	case "year":
		return p.Shift(-1)
	case "quarter":
		return p.Shift(-4)
	case "month":
		return p.Shift(-12)
	case "week":
		y, w := p.From.ISOWeek()
		q, err := ParsePeriod(fmt.Sprintf("%d-W%02d", y-1, w))
		if err != nil { // week 53 has no twin: take week 52
			q, _ = ParsePeriod(fmt.Sprintf("%d-W52", y-1))
		}
		return q
	default:
		return Period{sameDayLastYear(p.From), sameDayLastYear(p.To), p.Kind}
	}
}

// sameDayLastYear is d one year earlier; 29 February becomes 28 February.
func sameDayLastYear(d time.Time) time.Time {
	if d.Month() == time.February && d.Day() == 29 {
		return time.Date(d.Year()-1, 2, 28, 0, 0, 0, 0, time.UTC)
	}
	return d.AddDate(-1, 0, 0)
}

var (
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reWeek    = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
)

// ParsePeriod reads YYYY, YYYY-Qn, YYYY-MM, YYYY-Www (ISO week) or
// YYYY-MM-DD..YYYY-MM-DD.
func ParsePeriod(s string) (Period, error) {
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	switch {
	case reYear.MatchString(s):
		y := atoi(s)
		return Period{day(y, 1, 1), day(y, 12, 31), "year"}, nil
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		y, q := atoi(m[1]), atoi(m[2])
		from := day(y, 3*(q-1)+1, 1)
		return Period{from, from.AddDate(0, 3, -1), "quarter"}, nil
	case reMonth.MatchString(s):
		m := reMonth.FindStringSubmatch(s)
		mo := atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: month must be 01..12", s)
		}
		from := day(atoi(m[1]), mo, 1)
		return Period{from, from.AddDate(0, 1, -1), "month"}, nil
	case reWeek.MatchString(s):
		m := reWeek.FindStringSubmatch(s)
		y, w := atoi(m[1]), atoi(m[2])
		// ISO week 1 contains January 4th; weeks start on Monday.
		jan4 := day(y, 1, 4)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		from := monday.AddDate(0, 0, 7*(w-1))
		if wy, wk := from.ISOWeek(); w < 1 || wk != w || wy != y {
			return Period{}, fmt.Errorf("period %q: %d has no ISO week %d", s, y, w)
		}
		return Period{from, from.AddDate(0, 0, 6), "week"}, nil
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(a))
		to, err2 := time.Parse(time.DateOnly, strings.TrimSpace(b))
		if err1 != nil || err2 != nil {
			return Period{}, fmt.Errorf("period %q: a range is YYYY-MM-DD..YYYY-MM-DD", s)
		}
		if to.Before(from) {
			return Period{}, fmt.Errorf("period %q ends before it starts", s)
		}
		return Period{from, to, "range"}, nil
	}
	return Period{}, fmt.Errorf("period %q: use YYYY, YYYY-Qn, YYYY-MM, YYYY-Www or YYYY-MM-DD..YYYY-MM-DD", s)
}
