package demo

import (
	"context"
	"math"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// historyMonths is how many months of survey and market history exist
// before the start date (the brand tracker and the panel predate pacer).
const historyMonths = 12

// month is a calendar month counted from year 0.
type month int

func monthOf(d day) month {
	y, m, _ := d.time().Date()
	return month(y*12 + int(m) - 1)
}

func (m month) first() day           { return dateDay(int(m)/12, time.Month(int(m)%12+1), 1) }
func (m month) last() day            { return monthEnd(m.first()) }
func (m month) calendar() time.Month { return time.Month(int(m)%12 + 1) }

// period formats the month as YYYY-MM.
func (m month) period() string { return m.first().time().Format("2006-01") }

// reportedMonths lists the months with published results on until: from
// historyMonths before the start month to the last complete month.
func (co *company) reportedMonths(until day) []month {
	var out []month
	for m := monthOf(co.start) - historyMonths; m.last() <= until; m++ {
		out = append(out, m)
	}
	return out
}

// emitSurveyMetrics writes the monthly brand tracker: aided brand awareness
// (share of category buyers), NPS among customers and stated loyalty
// (share who intend to buy again).
func (co *company) emitSurveyMetrics(ctx context.Context, until day, out connectors.Emitter) error {
	w := newBatchWriter(out, connectors.Canonical["survey_metrics"].ArrowSchema())
	defer w.release()
	period, metric := w.str("period"), w.str("metric")
	value, sample := w.f64("value"), w.i64("sample_size")
	origin := monthOf(co.start) - historyMonths
	for _, m := range co.reportedMonths(until) {
		r := newRNG(co.seed, tagSurvey, m.first(), 0)
		age := float64(m - origin)
		festive := 0.0
		switch m.calendar() {
		case time.November:
			festive = 0.012
		case time.December, time.January, time.February:
			festive = 0.008
		}
		awareness := math.Min(0.9, 0.14+0.0035*age+festive+0.006*r.normal())
		nps := 34 + 0.15*age + 2.5*r.normal()
		if c := m.calendar(); c == time.November || c == time.December {
			nps -= 6 // festival parcels arrive late
		}
		loyalty := 0.38 + 0.002*age + 0.015*r.normal()
		rows := [...]struct {
			metric string
			value  float64
			n      int64
		}{
			{"brand_awareness", round(awareness, 3), int64(1000 + r.intn(250))},
			{"nps", round(math.Max(-100, math.Min(100, nps)), 1), int64(300 + r.intn(200))},
			{"loyalty", round(loyalty, 3), int64(300 + r.intn(200))},
		}
		for _, row := range rows {
			period.Append(m.period())
			metric.Append(row.metric)
			value.Append(row.value)
			sample.Append(row.n)
			if err := w.endRow(ctx); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// emitMarketBenchmarks writes the monthly industry panel: revenue of the
// online premium tea market and competitors' advertising spend, in CNY. The
// market grows about 8% a year; the company grows faster, so its share rises.
func (co *company) emitMarketBenchmarks(ctx context.Context, until day, out connectors.Emitter) error {
	w := newBatchWriter(out, connectors.Canonical["market_benchmarks"].ArrowSchema())
	defer w.release()
	period, metric := w.str("period"), w.str("metric")
	value, source := w.f64("value"), w.str("source")
	monthlyRevenue := co.baseFirstOrders() * (1 + meanRepeatOrders) * co.aov * 30
	base := monthlyRevenue / 0.022 // the company starts with about 2.2% of the market
	for _, m := range co.reportedMonths(until) {
		r := newRNG(co.seed, tagMarket, m.first(), 0)
		years := float64(m.first()-co.start) / 365
		market := base * monthSeason(m) * (1 + 0.08*years) * r.lognormal(0.03)
		competitors := market * 0.09 * r.lognormal(0.08)
		for _, row := range [...]struct {
			metric string
			value  float64
		}{{"market_revenue", math.Round(market)}, {"competitor_spend", math.Round(competitors)}} {
			period.Append(m.period())
			metric.Append(row.metric)
			value.Append(row.value)
			source.Append("industry panel")
			if err := w.endRow(ctx); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// monthSeason is the mean demand multiplier of the days of a month.
func monthSeason(m month) float64 {
	sum, n := 0.0, 0
	for d := m.first(); d <= m.last(); d++ {
		sum += demandSeason(d)
		n++
	}
	return sum / float64(n)
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}
