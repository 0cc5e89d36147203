package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
	"time"
)

// The digest's chart: revenue per day of the last 30 days as bars, drawn
// with the standard library into a small paletted PNG that the email
// carries inline (Content-ID), since mail clients show neither scripts nor
// SVG. It has no text (no font in the standard library): the numbers are in
// its alt text, in the caption's key and in the plain text part.
//
// Geometry, in pixels: the image is chartW × chartH, as wide as the
// digest's content column. Day i (0 = the window's first day) owns the slot
// x ∈ [chartLeft + i·chartSlot, chartLeft + (i+1)·chartSlot); its bar fills
// x ∈ [slot+chartGap, slot+chartGap+chartBarW) and y ∈ [chartBase−h,
// chartBase), where h = round(chartPlotH · revenue / top), at least 1 for
// any revenue above 0; top is the largest daily revenue or the comparison
// average, whichever is larger. The axis is the row y = chartBase.
const (
	chartW     = 560
	chartH     = 160
	chartSlot  = 18
	chartGap   = 2
	chartBarW  = 14
	chartLeft  = (chartW - windowDays*chartSlot) / 2 // 10
	chartTop   = 10
	chartBase  = 150
	chartPlotH = chartBase - chartTop // 140
)

// Palette indexes of the chart.
const (
	pxBackground = iota
	pxAxis
	pxRevenue
	pxProvisional
	pxMissing
	pxAverage
)

// chartPalette: white, the axis grey, the digest's revenue orange, a
// lighter orange for provisional days, a pale grey for days without data
// and a dark grey for the comparison line.
var chartPalette = color.Palette{
	color.RGBA{0xff, 0xff, 0xff, 0xff},
	color.RGBA{0x8a, 0x93, 0xa0, 0xff},
	color.RGBA{0xe8, 0x77, 0x2e, 0xff},
	color.RGBA{0xf4, 0xbb, 0x96, 0xff},
	color.RGBA{0xee, 0xf0, 0xf2, 0xff},
	color.RGBA{0x3b, 0x44, 0x50, 0xff},
}

// chartDay is one day of the chart. Missing: marts.kpi_daily has no row
// that day (drawn as a pale column, not as a zero).
type chartDay struct {
	Date        time.Time
	Revenue     float64
	Provisional bool
	Missing     bool
}

// barHeight is the height in pixels of v's bar when top is the chart's
// largest value: 0 for nothing (or a negative revenue), at least 1 for any
// positive value.
func barHeight(v, top float64) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	h := int(math.Round(chartPlotH * v / top))
	return min(chartPlotH, max(h, 1))
}

// revenuePNG draws days (at most windowDays, oldest first) and, when
// avg is valid, a dashed line at that daily revenue. The same days give
// the same bytes.
func revenuePNG(days []chartDay, avg float64, hasAvg bool) ([]byte, error) {
	if len(days) > windowDays {
		days = days[len(days)-windowDays:]
	}
	top := 0.0
	for _, d := range days {
		if !d.Missing {
			top = math.Max(top, d.Revenue)
		}
	}
	if hasAvg {
		top = math.Max(top, avg)
	}
	img := image.NewPaletted(image.Rect(0, 0, chartW, chartH), chartPalette)
	fill := func(r image.Rectangle, idx uint8) {
		draw.Draw(img, r, &image.Uniform{chartPalette[idx]}, image.Point{}, draw.Src)
	}
	for i, d := range days {
		x := chartLeft + i*chartSlot + chartGap
		switch h := barHeight(d.Revenue, top); {
		case d.Missing:
			fill(image.Rect(x, chartTop, x+chartBarW, chartBase), pxMissing)
		case h > 0:
			idx := uint8(pxRevenue)
			if d.Provisional {
				idx = pxProvisional
			}
			fill(image.Rect(x, chartBase-h, x+chartBarW, chartBase), idx)
		}
	}
	fill(image.Rect(chartLeft, chartBase, chartW-chartLeft, chartBase+1), pxAxis)
	if h := barHeight(avg, top); hasAvg && h > 0 {
		y := chartBase - h
		for x := chartLeft; x < chartW-chartLeft; x += 8 {
			fill(image.Rect(x, y, min(x+5, chartW-chartLeft), y+1), pxAverage)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("reports: encode the digest's chart: %w", err)
	}
	return buf.Bytes(), nil
}

// DigestImage is an image the digest's HTML shows inline: the HTML refers
// to it as cid:CID, and the email carries PNG as a part with that
// Content-ID and the file name Name.
type DigestImage struct {
	CID, Name string
	// Alt is the image's alt text: the numbers it shows.
	Alt string
	PNG []byte
}

// revenueChart is the digest's chart of the last 30 days' revenue per day
// (all channels), with the daily average of the 30 days before as the
// comparison when those have data; lines are its numbers for the plain
// text part, five days a line. nil without data.
func revenueChart(d *reportData, m catalog, currency string) (img *DigestImage, lines []string, err error) {
	if !d.To.Valid {
		return nil, nil, nil
	}
	wc, wp := d.windows()
	byDay := map[time.Time]dailyTotal{}
	var prevSum float64
	var prevDays int
	for _, t := range d.daily() {
		switch {
		case wc.contains(t.Date):
			byDay[t.Date] = t
		case wp.contains(t.Date):
			prevSum += t.Revenue
			prevDays++
		}
	}
	var days []chartDay
	var total float64
	hi, lo, missing := -1, -1, 0
	for day := wc.From; !day.After(wc.To); day = day.AddDate(0, 0, 1) {
		t, ok := byDay[day]
		cd := chartDay{Date: day, Revenue: t.Revenue, Provisional: t.Provisional, Missing: !ok}
		i := len(days)
		days = append(days, cd)
		if !ok {
			missing++
			continue
		}
		total += t.Revenue
		if hi < 0 || t.Revenue > days[hi].Revenue {
			hi = i
		}
		if lo < 0 || t.Revenue < days[lo].Revenue {
			lo = i
		}
	}
	var avg float64
	if prevDays > 0 {
		avg = prevSum / float64(prevDays)
	}
	b, err := revenuePNG(days, avg, prevDays > 0)
	if err != nil {
		return nil, nil, err
	}
	money := func(v float64) string { return formatMoney(v, currency) }
	var parts []string
	if hi >= 0 {
		parts = append(parts, m.msg("digest_chart_alt", wc.From.Format(dateLayout), wc.To.Format(dateLayout), money(total),
			money(days[hi].Revenue), days[hi].Date.Format(dateLayout), money(days[lo].Revenue), days[lo].Date.Format(dateLayout)))
	}
	if prevDays > 0 {
		parts = append(parts, m.msg("digest_chart_avg", money(avg)))
	}
	if missing > 0 {
		parts = append(parts, m.msg("digest_chart_missing", missing))
	}
	if d.ProvisionalFrom.Valid && !d.ProvisionalFrom.Time.After(wc.To) {
		parts = append(parts, m.msg("digest_chart_prov", d.ProvisionalFrom.Time.Format(dateLayout)))
	}
	for i := 0; i < len(days); i += 5 {
		var row []string
		for _, cd := range days[i:min(i+5, len(days))] {
			v := money(cd.Revenue)
			if cd.Missing {
				v = "–"
			} else if cd.Provisional {
				v += "*"
			}
			row = append(row, cd.Date.Format("01-02")+" "+v)
		}
		lines = append(lines, strings.Join(row, " · "))
	}
	return &DigestImage{
		CID:  "revenue-" + wc.To.Format("20060102") + "@pacer",
		Name: "revenue-" + wc.To.Format(dateLayout) + ".png",
		Alt:  strings.Join(parts, m.msg("digest_sep")),
		PNG:  b,
	}, lines, nil
}
