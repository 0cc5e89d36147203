package attribution

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pacerhq/pacer/transforms"
)

// Marts is the Go model of the transform step that runs the configured
// models on the journeys of staging.int_attribution__journeys and writes
// marts.attribution_by_channel: one row per model, period (each calendar
// month of conversion, and "all" for the whole window) and channel.
//
// Rule-based models and Shapley credit each journey on its own, so a
// month's figures add up to "all"; Markov learns from the journeys of the
// period it is run on, so its "all" is a chain of its own.
type Marts struct {
	Specs []Spec
}

// Name implements transforms.GoModel.
func (m *Marts) Name() string { return "attribution" }

// allPeriod labels the whole window.
const allPeriod = "all"

// journeysQuery reads the journeys, their month and, for time decay in
// days, the days from each touch to the conversion.
const journeysQuery = `SELECT CAST(date_trunc('month', date) AS DATE) AS month, converted, CAST(value AS DOUBLE) AS value, channels, days_before
FROM staging.int_attribution__journeys`

// Build implements transforms.GoModel.
func (m *Marts) Build(ctx context.Context, tx *transforms.Tx) ([]transforms.ModelResult, error) {
	start := time.Now()
	var timed, untimed []Spec
	for _, s := range m.Specs {
		if s.Model == TimeDecay && s.HalfLifeDays > 0 {
			timed = append(timed, s)
		} else {
			untimed = append(untimed, s)
		}
	}
	byPeriod := map[string]*Builder{}
	timedByPeriod := map[string]*Builder{}
	// Months arrive as days since 1970: the key is turned into YYYY-MM
	// once per month, not per journey.
	monthOf := map[arrow.Date32]string{}
	builder := func(m map[string]*Builder, month arrow.Date32, distinct bool) (*Builder, string) {
		p, ok := monthOf[month]
		if !ok {
			p = month.ToTime().Format("2006-01")
			monthOf[month] = p
		}
		b := m[p]
		if b == nil {
			b = NewBuilder()
			if distinct {
				b = NewDistinctBuilder()
			}
			m[p] = b
		}
		return b, p
	}
	var ids []int32
	var days []float64
	err := tx.ScanArrow(ctx, journeysQuery, func(rec arrow.RecordBatch) error {
		month := rec.Column(0).(*array.Date32)
		converted := rec.Column(1).(*array.Boolean)
		value := rec.Column(2).(*array.Float64)
		channels := rec.Column(3).(*array.List)
		names := channels.ListValues().(*array.String)
		before := rec.Column(4).(*array.List)
		times := before.ListValues().(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			conv, nulls := 0.0, 1.0
			if converted.Value(i) {
				conv, nulls = 1, 0
			}
			v := value.Value(i)
			from, to := channels.ValueOffsets(i)
			if from == to {
				continue
			}
			b, p := builder(byPeriod, month.Value(i), false)
			ids = ids[:0]
			for k := from; k < to; k++ {
				ids = append(ids, b.Channel(names.Value(int(k))))
			}
			if err := b.Add(ids, nil, conv, v, nulls); err != nil {
				return fmt.Errorf("journey of %s: %w", p, err)
			}
			// Time decay in days credits converting journeys only, each
			// with its own touch times (so they are kept apart).
			if len(timed) > 0 && conv > 0 {
				tb, _ := builder(timedByPeriod, month.Value(i), true)
				tf, tt := before.ValueOffsets(i)
				if tt-tf != to-from {
					return fmt.Errorf("a journey of %s has %d touches but %d times", p, to-from, tt-tf)
				}
				ids, days = ids[:0], days[:0]
				for k := from; k < to; k++ {
					ids = append(ids, tb.Channel(names.Value(int(k))))
				}
				for k := tf; k < tt; k++ {
					days = append(days, math.Max(0, times.Value(int(k))))
				}
				if err := tb.Add(ids, days, conv, v, 0); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read staging.int_attribution__journeys: %w", err)
	}
	spend, err := spendByChannel(ctx, tx)
	if err != nil {
		return nil, err
	}
	periods := make([]string, 0, len(byPeriod)+1)
	for p := range byPeriod {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	// The whole window's paths are the months' paths, aggregated again.
	journeys := map[string]*Journeys{}
	all := NewBuilder()
	for _, p := range periods {
		j := byPeriod[p].Journeys()
		journeys[p] = j
		ids := make([]int32, len(j.Channels))
		for i, c := range j.Channels {
			ids[i] = all.Channel(c)
		}
		var path []int32
		for _, jp := range j.Paths {
			path = path[:0]
			for _, c := range jp.Channels {
				path = append(path, ids[c])
			}
			if err := all.Add(path, nil, jp.Conversions, jp.Value, jp.Nulls); err != nil {
				return nil, err
			}
		}
	}
	journeys[allPeriod] = all.Journeys()
	periods = append(periods, allPeriod)

	out := newByChannelTable()
	summed := map[string]map[string][2]float64{} // timed model → channel → all-period credit
	for _, p := range periods {
		j := journeys[p]
		if len(j.Paths) == 0 {
			continue
		}
		results, err := Run(ctx, j, untimed)
		if err != nil {
			return nil, fmt.Errorf("attribution of %s: %w", p, err)
		}
		if tb := timedByPeriod[p]; tb != nil && p != allPeriod {
			tr, err := Run(ctx, tb.Journeys(), timed)
			if err != nil {
				return nil, fmt.Errorf("attribution of %s: %w", p, err)
			}
			for _, r := range tr {
				if summed[r.Model] == nil {
					summed[r.Model] = map[string][2]float64{}
				}
				for i, ch := range r.Channels {
					c := summed[r.Model][ch]
					summed[r.Model][ch] = [2]float64{c[0] + r.Conversions[i], c[1] + r.Value[i]}
				}
			}
			results = append(results, tr...)
		}
		if p == allPeriod {
			for _, s := range timed {
				r := Result{Model: s.Label(), Spec: s}
				for _, ch := range slices.Sorted(maps.Keys(summed[s.Label()])) {
					c := summed[s.Label()][ch]
					r.Channels = append(r.Channels, ch)
					r.Conversions = append(r.Conversions, c[0])
					r.Value = append(r.Value, c[1])
					r.TotalConversions += c[0]
					r.TotalValue += c[1]
				}
				results = append(results, r)
			}
		}
		conv, _, nulls := j.Totals()
		addCredits(out, p, results, spend[p], conv+nulls)
	}
	mr, err := out.Write(ctx, tx)
	if err != nil {
		return nil, err
	}
	mr.Duration = time.Since(start)
	return []transforms.ModelResult{mr}, nil
}

// spendByChannel is ad spend per month and channel, and per channel over
// the whole of marts.kpi_daily ("all").
func spendByChannel(ctx context.Context, tx *transforms.Tx) (map[string]map[string]float64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT coalesce(strftime(date, '%Y-%m'), 'all'), channel, CAST(sum(spend) AS DOUBLE)
		FROM marts.kpi_daily GROUP BY GROUPING SETS ((strftime(date, '%Y-%m'), channel), (channel))`)
	if err != nil {
		return nil, fmt.Errorf("spend by channel: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]float64{}
	for rows.Next() {
		var p, ch string
		var s float64
		if err := rows.Scan(&p, &ch, &s); err != nil {
			return nil, err
		}
		if out[p] == nil {
			out[p] = map[string]float64{}
		}
		out[p][ch] = s
	}
	return out, rows.Err()
}

// byChannelColumns are the columns of marts.attribution_by_channel.
var byChannelColumns = []transforms.TableColumn{
	{Name: "model", Type: arrow.BinaryTypes.String, Description: "Attribution model: first_touch, last_touch, last_non_direct, linear, time_decay, position_based, markov (markov_2.. for higher orders), shapley; _collapsed when consecutive repeats were merged."},
	{Name: "period", Type: arrow.BinaryTypes.String, Description: "Calendar month of the conversions (YYYY-MM; null journeys count in the month of their last touch), or all for the whole window."},
	{Name: "period_start", Type: arrow.FixedWidthTypes.Date32, Description: "First day of the period; NULL for all."},
	{Name: "period_end", Type: arrow.FixedWidthTypes.Date32, Description: "Last day of the period; NULL for all."},
	{Name: "channel", Type: arrow.BinaryTypes.String, Description: "Channel credited (or with spend in the period)."},
	{Name: "conversions", Type: arrow.PrimitiveTypes.Float64, Description: "Conversions the model credits to the channel; fractional for multi-touch models. Rounded to 1e-6."},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64, Description: "Conversion value credited, reporting currency. Rounded to 1e-6."},
	{Name: "share_of_conversions", Type: arrow.PrimitiveTypes.Float64, Description: "conversions ÷ the period's conversions."},
	{Name: "spend", Type: arrow.PrimitiveTypes.Float64, Description: "Ad spend of the channel in the period (marts.kpi_daily), reporting currency; 0 for unpaid channels."},
	{Name: "cpa", Type: arrow.PrimitiveTypes.Float64, Description: "spend ÷ conversions; NULL without spend or conversions."},
	{Name: "roas", Type: arrow.PrimitiveTypes.Float64, Description: "value ÷ spend; NULL without spend."},
	{Name: "removal_effect", Type: arrow.PrimitiveTypes.Float64, Description: "Markov models only: 1 − P(conversion without the channel) ÷ P(conversion)."},
	{Name: "conversion_probability", Type: arrow.PrimitiveTypes.Float64, Description: "Markov models only: the chain's probability of conversion from the start."},
	{Name: "period_conversions", Type: arrow.PrimitiveTypes.Float64, Description: "Conversions of all journeys in the period: what every model's credits add up to."},
	{Name: "period_value", Type: arrow.PrimitiveTypes.Float64, Description: "Conversion value of all converting journeys in the period."},
	{Name: "period_journeys", Type: arrow.PrimitiveTypes.Float64, Description: "Journeys in the period, converting and null."},
}

func newByChannelTable() *transforms.TableWriter {
	return transforms.NewTableWriter("marts.attribution_by_channel",
		"Conversions and value credited to each channel by each attribution model, per calendar month and for the whole window, with the channel's spend, CPA and ROAS: compare the models to see how much a channel's credit depends on the rule. Journeys come from staging.int_attribution__journeys (touches within attribution.lookback_days before each paid order, or conversion event with attribution.conversion_types; users without one are null journeys). Every model's credits in a period add up to period_conversions and period_value (checked).",
		byChannelColumns)
}

// round6 drops the last bits of a credit: journeys arrive in no fixed
// order, and sums in another order differ in the last binary digits, so
// rounding keeps reruns byte-identical.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// addCredits adds one period's rows: every model × every channel credited
// or with spend.
func addCredits(t *transforms.TableWriter, period string, results []Result, spend map[string]float64, journeys float64) {
	var from, to time.Time
	if period != allPeriod {
		from, _ = time.Parse("2006-01", period)
		to = from.AddDate(0, 1, -1)
	}
	for _, r := range results {
		credit := map[string][2]float64{}
		re := map[string]float64{}
		for i, ch := range r.Channels {
			credit[ch] = [2]float64{r.Conversions[i], r.Value[i]}
			if r.Markov != nil {
				re[ch] = r.Markov.RemovalEffects[i]
			}
		}
		channels := map[string]bool{}
		for ch := range credit {
			channels[ch] = true
		}
		for ch := range spend {
			channels[ch] = true
		}
		for _, ch := range slices.Sorted(maps.Keys(channels)) {
			c, s := credit[ch], spend[ch]
			cpa, roas := math.NaN(), math.NaN()
			if s > 0 && c[0] > 0 {
				cpa = round6(s / c[0])
			}
			if s > 0 {
				roas = round6(c[1] / s)
			}
			var removal, prob any
			if r.Markov != nil {
				removal, prob = round6(re[ch]), round6(r.Markov.ConversionProbability)
			}
			t.Add(r.Model, period, from, to, ch, round6(c[0]), round6(c[1]), round6(c[0]/r.TotalConversions), s,
				cpa, roas, removal, prob, round6(r.TotalConversions), round6(r.TotalValue), journeys)
		}
	}
}
