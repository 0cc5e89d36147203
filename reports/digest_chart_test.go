package reports

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"
)

// chartTestDays are 30 days from 2025-03-02: 1,000 (the largest), 250, no
// data, 500 provisional, 0, then 100 a day.
func chartTestDays() []chartDay {
	from := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	var days []chartDay
	for i := range windowDays {
		d := chartDay{Date: from.AddDate(0, 0, i), Revenue: 100}
		switch i {
		case 0:
			d.Revenue = 1000
		case 1:
			d.Revenue = 250
		case 2:
			d.Revenue, d.Missing = 0, true
		case 3:
			d.Revenue, d.Provisional = 500, true
		case 4:
			d.Revenue = 0
		}
		days = append(days, d)
	}
	return days
}

// columnCount counts the pixels of column x whose colour is palette entry
// idx, and returns the topmost such row (-1 when none).
func columnCount(img image.Image, x int, idx int) (n, top int) {
	top = -1
	want := color.RGBAModel.Convert(chartPalette[idx])
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		if color.RGBAModel.Convert(img.At(x, y)) == want {
			if top < 0 {
				top = y
			}
			n++
		}
	}
	return n, top
}

// barX is a column inside day i's bar that the dashed average line (dashes
// of 5 px every 8 px from x = chartLeft) does not cross.
func barX(i int) int {
	for x := chartLeft + i*chartSlot + chartGap; x < chartLeft+i*chartSlot+chartGap+chartBarW; x++ {
		if (x-chartLeft)%8 >= 5 {
			return x
		}
	}
	panic("no free column")
}

func TestRevenuePNG(t *testing.T) {
	days := chartTestDays()
	b, err := revenuePNG(days, 400, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 8<<10 {
		t.Errorf("chart is %d bytes, want a few KB", len(b))
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, 560, 160) {
		t.Errorf("size %v, want 560×160", got)
	}
	// By hand: the plot is 140 px high (y 10 to 149, axis at y 150) and
	// the largest value, 1,000, fills it. 250 → 140·250/1000 = 35 px, rows
	// 115 to 149; 500 (provisional, lighter) → 70 px; 100 → 14 px; the day
	// without data is a pale column over the whole plot; 0 has no bar.
	for _, c := range []struct {
		day, idx, n, top int
	}{
		{0, pxRevenue, 140, 10},
		{1, pxRevenue, 35, 115},
		{2, pxMissing, 140, 10},
		{3, pxProvisional, 70, 80},
		{4, pxRevenue, 0, -1},
		{5, pxRevenue, 14, 136},
	} {
		n, top := columnCount(img, barX(c.day), c.idx)
		if n != c.n || top != c.top {
			t.Errorf("day %d: %d px from row %d, want %d px from row %d", c.day, n, top, c.n, c.top)
		}
	}
	// The axis under every bar, and the dashed average (400 → 56 px above
	// the axis: row 94) across the plot.
	if n, top := columnCount(img, barX(4), pxAxis); n != 1 || top != chartBase {
		t.Errorf("axis: %d px from row %d", n, top)
	}
	if got := color.RGBAModel.Convert(img.At(chartLeft, 94)); got != color.RGBAModel.Convert(chartPalette[pxAverage]) {
		t.Errorf("no average line at row 94: %v", got)
	}
	// Same data, same bytes; other data, other bytes.
	again, err := revenuePNG(chartTestDays(), 400, true)
	if err != nil || !bytes.Equal(b, again) {
		t.Errorf("two charts of the same data differ (%v)", err)
	}
	days[1].Revenue = 260
	if other, _ := revenuePNG(days, 400, true); bytes.Equal(b, other) {
		t.Error("a chart of other data has the same bytes")
	}
}

// The fixture's chart: its alt text holds the hand-computed total of the
// last 30 days (fixture_test.go) and the text part the daily numbers.
func TestDigestRevenueChart(t *testing.T) {
	d, err := BuildDigest(t.Context(), fixtureDB(t), DigestOptions{RunID: 7, Company: "Example Co", Currency: "CNY", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if d.Chart == nil {
		t.Fatal("no chart")
	}
	// Every day of the fixture's window: 400 + 75.50 + 30 = 505.50 (15,165
	// over 30 days); the 30 days before: 12,000 / 30 = 400 a day.
	for _, want := range []string{"from 2025-03-02 to 2025-03-31: total ¥15,165.00, highest ¥505.50 on 2025-03-02",
		"daily average of the 30 days before ¥400.00", "provisional from 2025-03-29"} {
		if !strings.Contains(d.Chart.Alt, want) {
			t.Errorf("alt text lacks %q: %s", want, d.Chart.Alt)
		}
	}
	for _, want := range []string{"Revenue per day, last 30 days\n" + d.Chart.Alt + "\n03-02 ¥505.50 · 03-03 ¥505.50",
		"03-28 ¥505.50 · 03-29 ¥505.50* · 03-30 ¥505.50* · 03-31 ¥505.50*\n"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, d.Text)
		}
	}
	if d.Chart.CID != "revenue-20250331@pacer" || d.Chart.Name != "revenue-2025-03-31.png" {
		t.Errorf("chart %q %q", d.Chart.CID, d.Chart.Name)
	}
	img, err := png.Decode(bytes.NewReader(d.Chart.PNG))
	if err != nil {
		t.Fatal(err)
	}
	// Equal days: every bar fills the plot; the last three are provisional.
	for day, idx := range map[int]int{0: pxRevenue, 26: pxRevenue, 27: pxProvisional, 29: pxProvisional} {
		if n, top := columnCount(img, barX(day), idx); n != chartPlotH || top != chartTop {
			t.Errorf("day %d: %d px from row %d", day, n, top)
		}
	}
}
