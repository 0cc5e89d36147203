package reports

import (
	"html/template"
	"math"
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// assetsHost is where pages load the chart library from: a relative folder
// of the bundle, so it opens from file:// with no network.
const assetsHost = "assets/"

// Fixed chart ids: go-echarts fills an empty ChartID with a random one,
// which would make every page differ.
const (
	chartTrend    = "spend_revenue"
	chartChannels = "channel_spend_revenue"
)

// Series colours: blue and orange stay apart for the common colour-vision
// deficiencies; legends and tooltips name the series as well.
var seriesColors = opts.Colors{"#2f6eba", "#e8772e"}

// chartView is one chart as the page template places it.
//
// go-echarts renders a chart to a <div> and a <script> whose options come
// from BaseConfiguration.JSONNotEscaped: encoding/json with HTML escaping
// turned off, inserted as template.JS. A channel named "</script><script>…"
// would end the script element there and run. So the page builds only the
// container element (see viewOf) and writes its own script, passing
// the options (chart.JSON(), a map) to html/template in a script context:
// html/template encodes it with encoding/json, which escapes <, > and & as
// \u003c, \u003e and \u0026, so no data can close the element.
type chartView struct {
	ID string
	// Element is go-echarts' container <div>, built by its html/template
	// from the chart id and size only (no data).
	Element template.HTML
	// Option is the ECharts option object; never pre-encoded.
	Option map[string]any
	// Scripts are the JS assets go-echarts asks for, under assetsHost.
	Scripts []string
	Title   string
	// Label describes the chart for screen readers (aria-label).
	Label string
	// CSV is the bundle path of the rows behind the chart.
	CSV     string
	Caption string
}

// initOpts is the go-echarts initialisation shared by all charts.
func initOpts(id, height string) opts.Initialization {
	return opts.Initialization{
		ChartID:    id,
		AssetsHost: assetsHost,
		Width:      "100%",
		Height:     height,
		Renderer:   "canvas",
		Theme:      "white",
	}
}

// viewOf turns a chart into a chartView. It runs the chart's Validate
// hook (what go-echarts' RenderSnippet runs first: axis data, asset paths)
// and builds the container element as RenderSnippet's template does, from
// the chart id and size only (no data). RenderSnippet itself is not used:
// it also renders and regexp-rewrites the whole option script, which the
// page writes itself (see chartView) and which cost most of a page's
// render time.
func viewOf(c interface{ Validate() }, bc *charts.BaseConfiguration) chartView {
	c.Validate()
	esc := template.HTMLEscapeString
	element := `<div class="container">` + "\n" +
		`    <div class="item" id="` + esc(bc.ChartID) + `" style="width:` + esc(bc.Initialization.Width) +
		`;height:` + esc(bc.Initialization.Height) + `;"></div>` + "\n" + `</div>`
	return chartView{
		ID: bc.ChartID,
		// Our chart id and size, escaped; no data reaches it.
		Element: template.HTML(element),
		Option:  bc.JSON(),
		Scripts: append([]string(nil), bc.JSAssets.Values...),
	}
}

// itoa formats a small int.
func itoa(n int) string { return strconv.Itoa(n) }

// round2 rounds a money amount to cents for the chart data, so the options
// stay short and stable.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// trendChart builds the daily spend vs revenue line over the whole period,
// with provisional days shaded. Days without rows are gaps ("-"), not 0.
func trendChart(days []dailyTotal, from, to time.Time, provisionalFrom *time.Time, m catalog) chartView {
	var (
		xs      []string
		spend   []opts.LineData
		revenue []opts.LineData
	)
	i := 0
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		xs = append(xs, day.Format(dateLayout))
		if i < len(days) && days[i].Date.Equal(day) {
			spend = append(spend, opts.LineData{Value: round2(days[i].Spend)})
			revenue = append(revenue, opts.LineData{Value: round2(days[i].Revenue)})
			i++
			continue
		}
		spend = append(spend, opts.LineData{Value: "-"})
		revenue = append(revenue, opts.LineData{Value: "-"})
	}

	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(initOpts(chartTrend, "360px")),
		charts.WithAnimation(false),
		charts.WithColorsOpts(seriesColors),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "56", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value"}),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside"},
			opts.DataZoom{Type: "slider"},
		),
	)
	line.SetXAxis(xs)
	spendOpts := []charts.SeriesOpts{
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), ConnectNulls: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Width: 2}),
	}
	if provisionalFrom != nil && !provisionalFrom.After(to) {
		start := *provisionalFrom
		if start.Before(from) {
			start = from
		}
		spendOpts = append(spendOpts,
			charts.WithMarkAreaStyleOpts(opts.MarkAreaStyle{
				ItemStyle: &opts.ItemStyle{Color: "rgba(120,120,120,0.14)"},
				Label:     &opts.Label{Show: opts.Bool(true), Position: "insideTop", Color: "#555"},
			}),
			charts.WithMarkAreaData([]opts.MarkAreaData{
				{Name: m.msg("provisional"), XAxis: start.Format(dateLayout)},
				{XAxis: to.Format(dateLayout)},
			}),
		)
	}
	line.AddSeries(m.msg("kpi_spend"), spend, spendOpts...)
	line.AddSeries(m.msg("kpi_revenue"), revenue,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), ConnectNulls: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Width: 2}),
	)
	v := viewOf(line, &line.BaseConfiguration)
	v.Title = m.msg("trend")
	v.Label = m.msg("trend")
	v.Caption = m.msg("trend_caption")
	v.CSV = csvDaily
	return v
}

// channelChart builds horizontal spend and revenue bars per channel for the
// last 30 days, largest spend on top. Channel names are data: they reach the
// page only through the escaped option JSON.
func channelChart(rows []channelTotals, m catalog) chartView {
	n := len(rows)
	names := make([]string, n)
	spend := make([]opts.BarData, n)
	revenue := make([]opts.BarData, n)
	// ECharts draws a category y axis bottom-up: reverse, so the order
	// matches the table (largest spend first, at the top).
	for i, r := range rows {
		j := n - 1 - i
		names[j] = channelName(r.Channel, m)
		spend[j] = opts.BarData{Value: round2(r.Spend)}
		revenue[j] = opts.BarData{Value: round2(r.Revenue)}
	}
	height := 80 + 44*n
	if height < 200 {
		height = 200
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(initOpts(chartChannels, itoa(height)+"px")),
		charts.WithAnimation(false),
		charts.WithColorsOpts(seriesColors),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category"}),
	)
	bar.SetXAxis(names)
	bar.AddSeries(m.msg("kpi_spend"), spend)
	bar.AddSeries(m.msg("kpi_revenue"), revenue)
	bar.XYReversal()
	v := viewOf(bar, &bar.BaseConfiguration)
	v.Title = m.msg("channels_bar")
	v.Label = m.msg("channels_bar")
	v.CSV = csvChannels
	return v
}
