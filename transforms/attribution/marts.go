package attribution

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

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
				for _, ch := range sortedKeys(summed[s.Label()]) {
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
		out.add(p, results, spend[p], conv+nulls)
	}
	mr, err := out.write(ctx, tx)
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

type byChannelTable struct {
	b      *array.RecordBuilder
	schema *arrow.Schema
	docs   []transforms.ColumnDoc
}

var byChannelColumns = []struct {
	name string
	typ  arrow.DataType
	desc string
}{
	{"model", arrow.BinaryTypes.String, "Attribution model: first_touch, last_touch, last_non_direct, linear, time_decay, position_based, markov (markov_2.. for higher orders), shapley; _collapsed when consecutive repeats were merged."},
	{"period", arrow.BinaryTypes.String, "Calendar month of the conversions (YYYY-MM; null journeys count in the month of their last touch), or all for the whole window."},
	{"period_start", arrow.FixedWidthTypes.Date32, "First day of the period; NULL for all."},
	{"period_end", arrow.FixedWidthTypes.Date32, "Last day of the period; NULL for all."},
	{"channel", arrow.BinaryTypes.String, "Channel credited (or with spend in the period)."},
	{"conversions", arrow.PrimitiveTypes.Float64, "Conversions (paid orders) the model credits to the channel; fractional for multi-touch models. Rounded to 1e-6."},
	{"value", arrow.PrimitiveTypes.Float64, "Order value credited, reporting currency. Rounded to 1e-6."},
	{"share_of_conversions", arrow.PrimitiveTypes.Float64, "conversions ÷ the period's conversions."},
	{"spend", arrow.PrimitiveTypes.Float64, "Ad spend of the channel in the period (marts.kpi_daily), reporting currency; 0 for unpaid channels."},
	{"cpa", arrow.PrimitiveTypes.Float64, "spend ÷ conversions; NULL without spend or conversions."},
	{"roas", arrow.PrimitiveTypes.Float64, "value ÷ spend; NULL without spend."},
	{"removal_effect", arrow.PrimitiveTypes.Float64, "Markov models only: 1 − P(conversion without the channel) ÷ P(conversion)."},
	{"conversion_probability", arrow.PrimitiveTypes.Float64, "Markov models only: the chain's probability of conversion from the start."},
	{"period_conversions", arrow.PrimitiveTypes.Float64, "Conversions of all journeys in the period: what every model's credits add up to."},
	{"period_value", arrow.PrimitiveTypes.Float64, "Order value of all converting journeys in the period."},
	{"period_journeys", arrow.PrimitiveTypes.Float64, "Journeys in the period, converting and null."},
}

func newByChannelTable() *byChannelTable {
	fields := make([]arrow.Field, len(byChannelColumns))
	docs := make([]transforms.ColumnDoc, len(byChannelColumns))
	for i, c := range byChannelColumns {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		docs[i] = transforms.ColumnDoc{Name: c.name, Description: c.desc}
	}
	s := arrow.NewSchema(fields, nil)
	return &byChannelTable{b: array.NewRecordBuilder(memory.DefaultAllocator, s), schema: s, docs: docs}
}

// round6 drops the last bits of a credit: journeys arrive in no fixed
// order, and sums in another order differ in the last binary digits, so
// rounding keeps reruns byte-identical.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func (t *byChannelTable) add(period string, results []Result, spend map[string]float64, journeys float64) {
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
		for _, ch := range sortedKeys(channels) {
			c := credit[ch]
			s := spend[ch]
			f := t.b.Fields()
			f[0].(*array.StringBuilder).Append(r.Model)
			f[1].(*array.StringBuilder).Append(period)
			if from.IsZero() {
				f[2].AppendNull()
				f[3].AppendNull()
			} else {
				f[2].(*array.Date32Builder).Append(arrow.Date32FromTime(from))
				f[3].(*array.Date32Builder).Append(arrow.Date32FromTime(to))
			}
			f[4].(*array.StringBuilder).Append(ch)
			num := func(i int, v float64) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					f[i].AppendNull()
				} else {
					f[i].(*array.Float64Builder).Append(v)
				}
			}
			num(5, round6(c[0]))
			num(6, round6(c[1]))
			num(7, round6(c[0]/r.TotalConversions))
			num(8, s)
			cpa, roas := math.NaN(), math.NaN()
			if s > 0 && c[0] > 0 {
				cpa = round6(s / c[0])
			}
			if s > 0 {
				roas = round6(c[1] / s)
			}
			num(9, cpa)
			num(10, roas)
			if r.Markov != nil {
				num(11, round6(re[ch]))
				num(12, round6(r.Markov.ConversionProbability))
			} else {
				f[11].AppendNull()
				f[12].AppendNull()
			}
			num(13, round6(r.TotalConversions))
			num(14, round6(r.TotalValue))
			num(15, journeys)
		}
	}
}

func (t *byChannelTable) write(ctx context.Context, tx *transforms.Tx) (transforms.ModelResult, error) {
	rec := t.b.NewRecordBatch()
	defer rec.Release()
	t.b.Release()
	return tx.CreateTable(ctx, "marts.attribution_by_channel",
		"Conversions and order value credited to each channel by each attribution model, per calendar month and for the whole window, with the channel's spend, CPA and ROAS: compare the models to see how much a channel's credit depends on the rule. Journeys come from staging.int_attribution__journeys (touches within attribution.lookback_days before each paid order; users without orders are null journeys). Every model's credits in a period add up to period_conversions and period_value (checked).",
		t.schema, t.docs, rec)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
