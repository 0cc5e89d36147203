package goals

import (
	"math"
	"time"
)

// Day is one day's figures of a metric in a scope. An additive metric has
// Denominator 1 on days with data.
type Day struct {
	Date                   time.Time
	Numerator, Denominator float64
}

// Series is a metric's daily figures in one scope, by day. Days without a
// row count as zero. Coverage is the first day the source has any data (of
// any scope): a period before it is "outside the data", not "zero".
type Series struct {
	Days     map[time.Time]Day
	Coverage time.Time
}

// Sum returns the sums of numerator and denominator over p.
func (s Series) Sum(p Period) (num, den float64) {
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		x := s.Days[d]
		num += x.Numerator
		den += x.Denominator
	}
	return num, den
}

// Value is the metric over p: the numerator sum for additive metrics, the
// ratio of sums for ratios (NaN when the denominator is 0).
func (s Series) Value(m Metric, p Period) float64 {
	num, den := s.Sum(p)
	if m.Additive() {
		return num
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den * m.Scale
}

// Covers reports whether the source has data for every day of p up to
// asOf, so that a figure over p is complete.
func (s Series) Covers(p Period, asOf time.Time) bool {
	return !s.Coverage.IsZero() && !p.From.Before(s.Coverage) && !p.To.After(asOf)
}

// Statuses of a target on a day.
const (
	StatusNotStarted = "not_started"
	StatusNoData     = "no_data"
	StatusOnTrack    = "on_track"
	StatusAtRisk     = "at_risk"
	StatusOffTrack   = "off_track"
	StatusAchieved   = "achieved"
	StatusMissed     = "missed"
)

// z90 is the two-sided 90% normal quantile used for forecast intervals.
const z90 = 1.6448536269514722

// PaceDay is a target's standing on one day of its period, as of that day.
// Fields that need actuals are NaN on days after the as-of day.
type PaceDay struct {
	Date time.Time
	// Day is 1 for the period's first day; DaysLeft counts the days after
	// this one.
	Day, DaysLeft int
	// Actual is the day's own figure (a ratio for ratio metrics).
	Actual float64
	// Numerator and Denominator to date (the ratio's parts; for additive
	// metrics Numerator equals ActualToDate).
	Numerator, Denominator float64
	ActualToDate           float64
	// ExpectedToDate is where the curve says the metric should be by the
	// end of this day (for ratios: the target itself).
	ExpectedToDate float64
	// Attainment is ActualToDate ÷ target for additive metrics (progress
	// towards the whole target); for ratios actual ÷ target (target ÷
	// actual when lower is better).
	Attainment float64
	// PaceIndex is ActualToDate ÷ ExpectedToDate (inverted when lower is
	// better): 1 means exactly on the curve.
	PaceIndex float64
	// ForecastLinear extrapolates the average day so far to the period's
	// end; Forecast follows the curve (ActualToDate ÷ the curve's share to
	// date); ForecastLow and ForecastHigh bound Forecast at 90%.
	ForecastLinear, Forecast, ForecastLow, ForecastHigh float64
	// ProjectedAttainment is Forecast ÷ target (inverted when lower is better).
	ProjectedAttainment float64
	// RequiredDaily is what each remaining day must bring to end on target:
	// an amount per day for additive metrics, the ratio the remaining days
	// must average for ratios. NaN on the last day.
	RequiredDaily float64
	Status        string
}

// Curve is a target's expected daily shape over its period: weights, one
// per day, that need not sum to 1. Used is the curve actually applied
// (linear when the requested one has no data) and Note says why.
type Curve struct {
	Weights []float64
	Used    string
	Note    string
}

// BuildCurve returns the pacing curve of a target over p.
//
//   - linear: every day weighs the same.
//   - last_year: each day weighs what the same scope did on the same
//     calendar day a year earlier (29 February takes 28 February's).
//   - weekly: each day weighs the average of its weekday over the 8 weeks
//     before the period, or, when those are not in the data yet, the 8
//     weeks up to asOf.
//
// Only additive metrics have curves; ratios are flat. A curve with no data
// (the source does not cover the days, or they sum to zero) falls back to
// linear, with a note.
func BuildCurve(kind string, m Metric, p Period, s Series, asOf time.Time) Curve {
	n := p.Days()
	flat := func(note string) Curve {
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		return Curve{Weights: w, Used: "linear", Note: note}
	}
	if !m.Additive() || kind == "" || kind == "linear" {
		if !m.Additive() && kind != "" && kind != "linear" {
			return flat(m.Name + " is a ratio: it does not accumulate, so it is paced flat")
		}
		return flat("")
	}
	w := make([]float64, n)
	total := 0.0
	switch kind {
	case "last_year":
		ly := Period{sameDayLastYear(p.From), sameDayLastYear(p.To), "range"}
		if !s.Covers(ly, asOf) {
			return flat("the same period last year (" + ly.String() + ") is not in the data: paced linearly")
		}
		for i := range n {
			d := sameDayLastYear(p.From.AddDate(0, 0, i))
			w[i] = math.Max(0, s.Days[d].Numerator)
			total += w[i]
		}
		if total <= 0 {
			return flat("the same period last year had no " + m.Name + ": paced linearly")
		}
		return Curve{Weights: w, Used: "last_year"}
	case "weekly":
		base := Period{p.From.AddDate(0, 0, -56), p.From.AddDate(0, 0, -1), "range"}
		if !s.Covers(base, asOf) {
			base = Period{asOf.AddDate(0, 0, -55), asOf, "range"}
		}
		if !s.Covers(base, asOf) {
			return flat("fewer than 8 weeks of data: paced linearly")
		}
		var byWeekday [7]float64
		for d := base.From; !d.After(base.To); d = d.AddDate(0, 0, 1) {
			byWeekday[d.Weekday()] += math.Max(0, s.Days[d].Numerator) / 8
		}
		for i := range n {
			w[i] = byWeekday[p.From.AddDate(0, 0, i).Weekday()]
			total += w[i]
		}
		if total <= 0 {
			return flat("the last 8 weeks had no " + m.Name + ": paced linearly")
		}
		return Curve{Weights: w, Used: "weekly", Note: "weekday profile of " + base.String()}
	}
	return flat("")
}

// Pace computes a target's standing on every day of its period. Days after
// asOf carry only the expected curve. value is the target; thresholds turn
// the pace index into a status.
func Pace(m Metric, value float64, p Period, c Curve, s Series, asOf time.Time, th Thresholds) []PaceDay {
	n := p.Days()
	out := make([]PaceDay, n)
	var wsum float64
	for _, w := range c.Weights {
		wsum += w
	}
	perf := func(actual, goal float64) float64 {
		if m.LowerIsBetter {
			return safeDiv(goal, actual)
		}
		return safeDiv(actual, goal)
	}
	var (
		cumW, cumNum, cumDen float64
		ratios               []float64 // additive: actual ÷ expected per day; ratio: the day's ratio
		allNonNegative       = true
	)
	// Suffix sums of expected² for the forecast interval of additive metrics.
	expected := make([]float64, n)
	for i, w := range c.Weights {
		expected[i] = value * w / wsum
	}
	sq := make([]float64, n+1)
	for i := n - 1; i >= 0; i-- {
		sq[i] = sq[i+1] + expected[i]*expected[i]
	}
	for i := range n {
		d := p.From.AddDate(0, 0, i)
		pd := PaceDay{Date: d, Day: i + 1, DaysLeft: n - i - 1}
		cumW += c.Weights[i]
		if m.Additive() {
			pd.ExpectedToDate = value * cumW / wsum
		} else {
			pd.ExpectedToDate = value
		}
		if d.After(asOf) {
			nan := math.NaN()
			pd.Actual, pd.Numerator, pd.Denominator, pd.ActualToDate = nan, nan, nan, nan
			pd.Attainment, pd.PaceIndex, pd.ForecastLinear, pd.Forecast = nan, nan, nan, nan
			pd.ForecastLow, pd.ForecastHigh, pd.ProjectedAttainment, pd.RequiredDaily = nan, nan, nan, nan
			pd.Status = ""
			if asOf.Before(p.From) {
				pd.Status = StatusNotStarted
			}
			out[i] = pd
			continue
		}
		x := s.Days[d]
		cumNum += x.Numerator
		cumDen += x.Denominator
		pd.Numerator, pd.Denominator = cumNum, cumDen
		elapsed := float64(i + 1)
		left := float64(n - i - 1)
		if m.Additive() {
			pd.Actual = x.Numerator
			if x.Numerator < 0 {
				allNonNegative = false
			}
			pd.ActualToDate = cumNum
			pd.Attainment = safeDiv(cumNum, value)
			pd.PaceIndex = perf(cumNum, pd.ExpectedToDate)
			pd.ForecastLinear = cumNum / elapsed * float64(n)
			pd.Forecast = safeDiv(cumNum*wsum, cumW)
			if expected[i] > 0 {
				ratios = append(ratios, x.Numerator/expected[i])
			}
			pd.ForecastLow, pd.ForecastHigh = math.NaN(), math.NaN()
			if sd, ok := stddev(ratios); ok && !math.IsNaN(pd.Forecast) {
				rem := value - pd.ExpectedToDate
				half := z90 * sd * math.Sqrt(sq[i+1]+rem*rem/float64(len(ratios)))
				pd.ForecastLow, pd.ForecastHigh = pd.Forecast-half, pd.Forecast+half
				if allNonNegative && pd.ForecastLow < cumNum {
					pd.ForecastLow = cumNum
				}
			}
			pd.ProjectedAttainment = perf(pd.Forecast, value)
			pd.RequiredDaily = math.NaN()
			if left > 0 {
				pd.RequiredDaily = (value - cumNum) / left
			}
		} else {
			pd.Actual = math.NaN()
			if x.Denominator != 0 {
				r := x.Numerator / x.Denominator * m.Scale
				pd.Actual = r
				ratios = append(ratios, r)
			}
			pd.ActualToDate = math.NaN()
			if cumDen != 0 {
				pd.ActualToDate = cumNum / cumDen * m.Scale
			}
			pd.Attainment = perf(pd.ActualToDate, value)
			pd.PaceIndex = pd.Attainment
			pd.ForecastLinear, pd.Forecast = pd.ActualToDate, pd.ActualToDate
			pd.ForecastLow, pd.ForecastHigh = math.NaN(), math.NaN()
			if sd, ok := stddev(ratios); ok && !math.IsNaN(pd.Forecast) {
				// The remaining days' ratios as independent draws around
				// the mean so far, weighted equally.
				nn := float64(len(ratios))
				half := z90 * sd * math.Sqrt(left/float64(n*n)+(left/float64(n))*(left/float64(n))/nn)
				pd.ForecastLow, pd.ForecastHigh = pd.Forecast-half, pd.Forecast+half
			}
			pd.ProjectedAttainment = pd.Attainment
			pd.RequiredDaily = math.NaN()
			if left > 0 && cumDen > 0 {
				denLeft := cumDen / elapsed * left
				pd.RequiredDaily = (value/m.Scale*(cumDen+denLeft) - cumNum) / denLeft * m.Scale
			}
		}
		pd.Status = status(m, pd, value, d.Equal(p.To), th)
		out[i] = pd
	}
	return out
}

// status judges one day. On the period's last day the target is achieved
// or missed; before, the pace index decides.
//
// An input metric (spend) is a plan, not a floor: spending far above it is
// as far off plan as spending far below, so its pace is judged by its
// distance from 1 in both directions (on track within 1 − on_track, i.e.
// ±5 % by default; at risk within 1 − at_risk, ±15 %), and it is achieved
// when the period ends within ±(1 − on_track) of the target.
func status(m Metric, pd PaceDay, value float64, last bool, th Thresholds) string {
	if last {
		met := pd.ActualToDate >= value
		switch {
		case m.Role == Input:
			met = math.Abs(pd.ActualToDate-value) <= (1-th.OnTrack)*math.Abs(value)
		case m.LowerIsBetter:
			met = pd.ActualToDate <= value
		}
		if math.IsNaN(pd.ActualToDate) {
			return StatusNoData
		}
		if met {
			return StatusAchieved
		}
		return StatusMissed
	}
	pace := pd.PaceIndex
	if m.Role == Input && pace > 1 {
		pace = 2 - pace // 1.08 over plan is as far off as 0.92
	}
	switch {
	case math.IsNaN(pace):
		return StatusNoData
	case pace >= th.OnTrack:
		return StatusOnTrack
	case pace >= th.AtRisk:
		return StatusAtRisk
	default:
		return StatusOffTrack
	}
}

func safeDiv(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return a / b
}

// stddev is the sample standard deviation; ok is false below 2 values.
func stddev(x []float64) (float64, bool) {
	if len(x) < 2 {
		return 0, false
	}
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(x)-1)), true
}
