package reports

import (
	"database/sql"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Fixed ids of the section pages' charts (see chartTrend).
const (
	chartTargets        = "target_attainment"
	chartBudgets        = "budget_pacing"
	chartTeams          = "team_attainment"
	chartAttribution    = "attribution_models"
	chartFunnel         = "funnel_stages"
	chartEconomics      = "ltv_to_cac"
	chartReconciliation = "reconciliation_gaps"
	chartFreshness      = "freshness_days_behind"
)

// paletteColors are the Okabe-Ito colours, distinguishable with the common
// colour-vision deficiencies, for charts with more than two series (the
// attribution models); legends and tooltips name every series as well.
var paletteColors = opts.Colors{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c8c00", "#000000"}

// chartLabelRunes is how long a category label (a target, a campaign) may
// be on an axis; the tables hold the full text.
const chartLabelRunes = 36

// barSeries is one series of a bar chart.
type barSeries struct {
	Name   string
	Values []opts.BarData
}

// barValue is a bar's value: rounded to 2 decimals, or a gap ("-") when
// missing, never 0.
func barValue(v sql.NullFloat64, scale float64) opts.BarData {
	if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
		return opts.BarData{Value: "-"}
	}
	return opts.BarData{Value: round2(v.Float64 * scale)}
}

// barChart builds a grouped bar chart over categories. horizontal draws
// the bars left to right with the first category on top (a long label
// list reads better that way); logAxis uses a logarithmic value axis (for
// funnel stages that span orders of magnitude). Categories and series names
// are data: they reach the page only through the escaped option JSON.
func barChart(id string, cats []string, series []barSeries, colors opts.Colors, horizontal, logAxis bool) chartView {
	n := len(cats)
	height := 360
	valueAxis := opts.YAxis{Type: "value"}
	if logAxis {
		valueAxis.Type = "log"
	}
	if horizontal {
		// ECharts draws a category y axis bottom-up: reverse, so the
		// first category is on top.
		rc := make([]string, n)
		for i, c := range cats {
			rc[n-1-i] = c
		}
		cats = rc
		for k := range series {
			rv := make([]opts.BarData, n)
			for i, v := range series[k].Values {
				rv[n-1-i] = v
			}
			series[k].Values = rv
		}
		height = 80 + n*(12*len(series)+18)
		if height < 200 {
			height = 200
		}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(initOpts(id, itoa(height)+"px")),
		charts.WithAnimation(false),
		charts.WithColorsOpts(colors),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "40", Bottom: "8", ContainLabel: opts.Bool(true)}),
	)
	if horizontal {
		bar.SetGlobalOptions(
			charts.WithXAxisOpts(opts.XAxis{Type: valueAxis.Type}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category"}),
		)
	} else {
		bar.SetGlobalOptions(
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: rotation(cats)}}),
			charts.WithYAxisOpts(valueAxis),
		)
	}
	bar.SetXAxis(cats)
	for _, s := range series {
		bar.AddSeries(s.Name, s.Values)
	}
	if horizontal {
		bar.XYReversal()
	}
	return viewOf(bar, &bar.BaseConfiguration)
}

// rotation tilts category labels when there are many or they are long.
func rotation(cats []string) float64 {
	long := 0
	for _, c := range cats {
		if n := len([]rune(c)); n > long {
			long = n
		}
	}
	if len(cats) > 6 || long*len(cats) > 80 {
		return 30
	}
	return 0
}

// short clips a category label for an axis.
func short(s string) string { return truncate(s, chartLabelRunes) }

// targetsChart shows each target's attainment next to the share of the
// target expected by now (expected to date ÷ target), in percent: a bar
// short of its partner is behind pace. Targets without either are gaps.
func targetsChart(ts []targetStanding, m catalog) chartView {
	cats := make([]string, len(ts))
	att := barSeries{Name: m.msg("attainment")}
	exp := barSeries{Name: m.msg("expected_share")}
	for i, t := range ts {
		cats[i] = "#" + itoa(int(t.ID)) + " " + short(t.Label)
		att.Values = append(att.Values, barValue(t.Attainment, 100))
		share := sql.NullFloat64{}
		if t.Expected.Valid && t.Value.Valid && t.Value.Float64 != 0 {
			share = valid(t.Expected.Float64 / t.Value.Float64)
		}
		exp.Values = append(exp.Values, barValue(share, 100))
	}
	v := barChart(chartTargets, cats, []barSeries{att, exp}, seriesColors, true, false)
	v.Title, v.Label, v.Caption, v.CSV = m.msg("targets_chart"), m.msg("targets_chart"), m.msg("targets_chart_caption"), csvTargets
	return v
}

// budgetsChart shows each budget's planned, expected-to-date and actual
// spend.
func budgetsChart(bs []budgetPace, m catalog) chartView {
	cats := make([]string, len(bs))
	planned := barSeries{Name: m.msg("planned")}
	expected := barSeries{Name: m.msg("expected_to_date")}
	actual := barSeries{Name: m.msg("actual")}
	for i, b := range bs {
		cats[i] = short(b.Channel) + " · " + b.Period
		planned.Values = append(planned.Values, barValue(b.Planned, 1))
		expected.Values = append(expected.Values, barValue(b.Expected, 1))
		actual.Values = append(actual.Values, barValue(b.Actual, 1))
	}
	v := barChart(chartBudgets, cats, []barSeries{planned, expected, actual}, paletteColors, true, false)
	v.Title, v.Label, v.CSV = m.msg("budgets_chart"), m.msg("budgets_chart"), csvBudgets
	return v
}

// teamsChart shows the weighted attainment of each team (team rows of
// the scorecard, in rank order).
func teamsChart(ss []scoreLine, m catalog) chartView {
	var cats []string
	att := barSeries{Name: m.msg("w_attainment")}
	for _, s := range ss {
		if s.Level != "team" {
			continue
		}
		cats = append(cats, short(s.Team))
		att.Values = append(att.Values, barValue(s.Attainment, 100))
	}
	if len(cats) == 0 {
		return chartView{}
	}
	v := barChart(chartTeams, cats, []barSeries{att}, seriesColors, true, false)
	v.Title, v.Label, v.Caption, v.CSV = m.msg("teams_chart"), m.msg("teams_chart"), m.msg("percent_caption"), csvScorecard
	return v
}

// attributionChart puts the models side by side: per channel (in the
// table's order), one bar per model with the conversions it credits.
func attributionChart(v attributionView, byChannel map[string]map[string]attributionRow, m catalog) chartView {
	cats := make([]string, len(v.Rows))
	for i, r := range v.Rows {
		cats[i] = short(r.Channel)
	}
	var series []barSeries
	for _, model := range v.Models {
		s := barSeries{Name: model}
		for _, r := range v.Rows {
			row, ok := byChannel[r.Channel][model]
			if !ok {
				s.Values = append(s.Values, opts.BarData{Value: "-"})
				continue
			}
			s.Values = append(s.Values, opts.BarData{Value: math.Round(row.Conversions*10) / 10})
		}
		series = append(series, s)
	}
	c := barChart(chartAttribution, cats, series, paletteColors, false, false)
	c.Title, c.Label, c.Caption, c.CSV = m.msg("attribution_chart"), m.msg("attribution_chart"), m.msg("attribution_chart_caption"), csvAttribution
	return c
}

// funnelStages is how many channels the funnel chart shows (largest
// revenue first); the table and CSV have all.
const funnelChannels = 6

// funnelChart shows each channel's stages (impressions, clicks, sessions,
// orders) on a logarithmic axis: the stages span orders of magnitude. A
// stage a channel does not have (0 or missing) is a gap.
func funnelChart(rows []funnelRow, m catalog) chartView {
	cats := []string{m.msg("col_impressions"), m.msg("col_clicks"), m.msg("col_sessions"), m.msg("col_orders")}
	var series []barSeries
	for i, r := range rows {
		if i == funnelChannels {
			break
		}
		s := barSeries{Name: short(r.Channel)}
		for _, v := range []sql.NullFloat64{r.Impressions, r.Clicks, r.Sessions, r.Orders} {
			if v.Valid && v.Float64 <= 0 {
				v = sql.NullFloat64{}
			}
			s.Values = append(s.Values, barValue(v, 1))
		}
		series = append(series, s)
	}
	v := barChart(chartFunnel, cats, series, paletteColors, false, true)
	v.Title, v.Label, v.Caption, v.CSV = m.msg("funnel_chart"), m.msg("funnel_chart"), m.msg("funnel_chart_caption"), csvFunnel
	return v
}

// economicsChart shows LTV:CAC per channel; channels without spend have
// none and are gaps.
func economicsChart(rows []econRow, m catalog) chartView {
	cats := make([]string, len(rows))
	s := barSeries{Name: m.msg("col_ltv_cac")}
	for i, r := range rows {
		cats[i] = short(r.Channel)
		s.Values = append(s.Values, barValue(r.LTVToCAC, 1))
	}
	v := barChart(chartEconomics, cats, []barSeries{s}, seriesColors, false, false)
	v.Title, v.Label, v.Caption, v.CSV = m.msg("economics_chart"), m.msg("economics_chart"), m.msg("economics_chart_caption"), csvEconomics
	return v
}

// reconChart shows, per channel, how far ad platforms and web analytics are
// from finance, in percent of finance revenue.
func reconChart(rows []reconRow, m catalog) chartView {
	cats := make([]string, len(rows))
	pg := barSeries{Name: m.msg("col_platform")}
	wg := barSeries{Name: m.msg("col_web")}
	for i, r := range rows {
		cats[i] = short(r.Channel)
		pg.Values = append(pg.Values, barValue(r.PlatformGap, 100))
		wg.Values = append(wg.Values, barValue(r.WebGap, 100))
	}
	v := barChart(chartReconciliation, cats, []barSeries{pg, wg}, seriesColors, false, false)
	v.Title, v.Label, v.Caption, v.CSV = m.msg("recon_chart"), m.msg("recon_chart"), m.msg("recon_chart_caption"), csvReconciliation
	return v
}

// freshnessChart shows how many days each source stream is behind the
// report's day; a stream never synced is a gap.
func freshnessChart(rows []streamRow, behind []sql.NullFloat64, m catalog) chartView {
	cats := make([]string, len(rows))
	s := barSeries{Name: m.msg("days_behind")}
	for i, r := range rows {
		cats[i] = short(r.Source + "." + r.Stream)
		s.Values = append(s.Values, barValue(behind[i], 1))
	}
	v := barChart(chartFreshness, cats, []barSeries{s}, seriesColors, true, false)
	v.Title, v.Label, v.CSV = m.msg("freshness_chart"), m.msg("freshness_chart"), csvFreshness
	return v
}
