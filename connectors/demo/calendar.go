package demo

import (
	"math"
	"time"
)

// day is a calendar day counted from 1970-01-01, the same count as arrow.Date32.
type day int32

const (
	secondsPerDay = 86400
	microsPerDay  = int64(secondsPerDay) * 1_000_000
	// shanghaiOffset is Asia/Shanghai's UTC offset (no daylight saving time).
	shanghaiOffset = 8 * 3600 * int64(1_000_000)
)

// dayOf returns the calendar day of t, read in t's own location.
func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// dateDay returns the day of a calendar date.
func dateDay(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// time returns the day at midnight UTC.
func (d day) time() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

func (d day) String() string { return d.time().Format(time.DateOnly) }

// weekday returns the day of the week (1970-01-01 was a Thursday).
func (d day) weekday() time.Weekday { return time.Weekday(((int(d)+4)%7 + 7) % 7) }

func (d day) weekend() bool {
	w := d.weekday()
	return w == time.Saturday || w == time.Sunday
}

// localStart is the instant (µs since the epoch, UTC) at which the day starts
// in the company's time zone, Asia/Shanghai.
func (d day) localStart() int64 { return int64(d)*microsPerDay - shanghaiOffset }

// utcDay is the UTC calendar day of an instant in µs.
func utcDay(ts int64) day {
	q := ts / microsPerDay
	if ts%microsPerDay < 0 {
		q--
	}
	return day(q)
}

// localDay is the Asia/Shanghai calendar day of an instant in µs.
func localDay(ts int64) day { return utcDay(ts + shanghaiOffset) }

func minDay(a, b day) day {
	if a < b {
		return a
	}
	return b
}

func maxDay(a, b day) day {
	if a > b {
		return a
	}
	return b
}

// monthEnd returns the last day of d's month.
func monthEnd(d day) day {
	y, m, _ := d.time().Date()
	return dateDay(y, m+1, 1) - 1
}

// Chinese New Year and the Mid-Autumn Festival move with the lunar calendar.
var (
	chineseNewYear = map[int]time.Time{
		2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
		2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
		2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
		2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
		2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
	}
	midAutumn = map[int]time.Time{
		2022: date(2022, 9, 10), 2023: date(2023, 9, 29), 2024: date(2024, 9, 17),
		2025: date(2025, 10, 6), 2026: date(2026, 9, 25), 2027: date(2027, 9, 15),
		2028: date(2028, 10, 3), 2029: date(2029, 9, 22), 2030: date(2030, 9, 12),
		2031: date(2031, 10, 1), 2032: date(2032, 9, 19), 2033: date(2033, 9, 8),
		2034: date(2034, 9, 27), 2035: date(2035, 9, 16),
	}
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// anchor is a yearly date campaigns and demand peaks are planned around.
type anchor uint8

const (
	noAnchor       anchor = iota
	singlesDay            // 11.11 双11
	doubleTwelve          // 12.12 双12
	mid618                // 618 年中大促
	springFestival        // Chinese New Year 春节
	midAutumnDay          // Mid-Autumn Festival 中秋
)

// anchorDay returns the day of an anchor in year y.
func anchorDay(a anchor, y int) day {
	switch a {
	case singlesDay:
		return dateDay(y, time.November, 11)
	case doubleTwelve:
		return dateDay(y, time.December, 12)
	case mid618:
		return dateDay(y, time.June, 18)
	case springFestival:
		if t, ok := chineseNewYear[y]; ok {
			return dayOf(t)
		}
		return dateDay(y, time.February, 5) // outside the table: a typical date
	case midAutumnDay:
		if t, ok := midAutumn[y]; ok {
			return dayOf(t)
		}
		return dateDay(y, time.September, 20)
	}
	return 0
}

// monthDemand is the baseline demand of each calendar month for tea: slower
// in the heat of July and August, stronger in the gifting months.
var monthDemand = [13]float64{0, 1.0, 0.95, 1.0, 0.97, 1.0, 1.03, 0.88, 0.9, 1.0, 1.0, 1.02, 1.08}

// weekdayDemand: consumers shop more on weekends, least on Friday evening.
var weekdayDemand = [7]float64{1.08, 0.97, 0.99, 1.0, 0.98, 0.93, 1.05} // Sunday first

// weekdaySpend is how each paid channel's budget pacing differs by weekday:
// search buyers cut weekends, short video pushes them.
var weekdaySpend = [numPaidChannels][7]float64{
	paidSearch: {0.74, 1.07, 1.08, 1.08, 1.06, 0.98, 0.76},
	paidSocial: {1.02, 1.0, 1.0, 1.0, 1.0, 0.98, 1.02},
	shortVideo: {1.16, 0.94, 0.94, 0.95, 0.97, 1.05, 1.16},
	display:    {0.82, 1.05, 1.06, 1.06, 1.05, 1.0, 0.84},
}

// peakFactor is the multiplier of shopping festivals and holidays on demand.
func peakFactor(d day) float64 {
	y, m, _ := d.time().Date()
	f := 1.0
	// 11.11: presales ramp from Oct 20, the day itself is the year's peak,
	// followed by a hangover while parcels arrive.
	if s := anchorDay(singlesDay, y); d == s {
		f *= 5.0
	} else if d >= s-22 && d < s {
		f *= 1.1 + 0.6*float64(d-(s-22))/22
	} else if d > s && d <= s+4 {
		f *= 0.75
	}
	// 12.12 and the year-end gifting weeks.
	if s := anchorDay(doubleTwelve, y); d == s {
		f *= 2.3
	} else if d >= s-3 && d < s {
		f *= 1.25
	}
	if m == time.December && d >= dateDay(y, time.December, 20) {
		f *= 1.2
	}
	// 618: ramp from June 1, peak on the 18th, dip after.
	if s := anchorDay(mid618, y); d == s {
		f *= 3.2
	} else if d >= s-17 && d < s {
		f *= 1.1 + 0.5*float64(d-(s-17))/17
	} else if d > s && d <= s+4 {
		f *= 0.8
	}
	// Chinese New Year: tea is a gift, so the weeks before boom (年货节); then
	// couriers stop and the factories close, and demand collapses.
	for _, cy := range [2]int{y, y + 1} {
		c := anchorDay(springFestival, cy)
		switch {
		case d >= c-28 && d <= c-10:
			f *= 1.45
		case d >= c-9 && d <= c+6:
			f *= 0.45
		case d >= c+7 && d <= c+14:
			f *= 0.8
		}
	}
	// Mid-Autumn gift boxes.
	if c := anchorDay(midAutumnDay, y); d >= c-18 && d <= c-3 {
		f *= 1.35
	}
	// Women's Day (3.8) and 520 promotions.
	if m == time.March && d >= dateDay(y, time.March, 5) && d <= dateDay(y, time.March, 8) {
		f *= 1.25
	}
	if m == time.May && d >= dateDay(y, time.May, 18) && d <= dateDay(y, time.May, 20) {
		f *= 1.2
	}
	return f
}

// megaSale reports the days of the big platform festivals, when shopping
// starts at midnight and refunds run higher.
func megaSale(d day) bool {
	y := d.time().Year()
	return d == anchorDay(singlesDay, y) || d == anchorDay(mid618, y) || d == anchorDay(doubleTwelve, y)
}

// demandSeason is the demand multiplier of a day, without growth.
func demandSeason(d day) float64 {
	_, m, _ := d.time().Date()
	return monthDemand[m] * peakFactor(d) * weekdayDemand[d.weekday()]
}

// spendSeason is how advertisers budget around the season (peak is the
// day's peakFactor): they raise budgets into festivals, less than demand
// rises, and cut them when couriers stop; then weekday pacing applies.
func spendSeason(ch channel, peak float64, d day) float64 {
	var f float64
	if peak >= 1 {
		gain := 0.5
		if ch == shortVideo {
			gain = 0.65 // livestream sales are the festival channel
		}
		f = 1 + gain*(peak-1)
	} else {
		f = 1 - 0.6*(1-peak)
	}
	return f * weekdaySpend[ch][d.weekday()]
}

// hourCumNormal and hourCumMega are the cumulative shares of orders by local
// hour on an ordinary day and on a festival day (when carts are paid for at
// the stroke of midnight).
var (
	hourCumNormal = cumulative(2.6, 1.4, 0.8, 0.5, 0.4, 0.5, 0.9, 1.8, 3.2, 4.3, 5, 5, 4.5, 4.4,
		4.4, 4.5, 4.5, 4.6, 5, 5.9, 6.8, 7.4, 6.9, 4.8)
	hourCumMega = cumulative(22, 6, 2, 1, 0.6, 0.6, 0.9, 1.8, 3.2, 4.3, 5, 5, 4.5, 4.4,
		4.4, 4.5, 4.5, 4.6, 5.2, 6.5, 8.5, 9.5, 9.5, 7.5)
)

// timeOnDay returns a random instant on local day d following the daily rhythm.
func timeOnDay(r *rng, d day, mega bool) int64 {
	cum := hourCumNormal
	if mega {
		cum = hourCumMega
	}
	h := r.pick(cum)
	return d.localStart() + int64(h)*3600_000_000 + int64(r.float()*3600_000_000)
}

// growth is the company's growth trend: about +30% a year from the start date.
func growth(start, d day) float64 {
	return math.Max(0.55, 1+0.30*float64(d-start)/365)
}
