package demo

import (
	"bytes"
	"math"
	"strconv"
	"sync"
	"time"
)

// The CNY/USD rate is a slow, mean-reverting random walk around 7.2 that
// starts on fxEpoch. It does not depend on the demo seed, so that
// FXRatesCSV and every company agree.
var (
	fxEpoch = dateDay(2015, time.January, 1)
	fxMu    sync.Mutex
	fxTable []float64 // rate of fxEpoch+i, rounded to 4 decimals
)

// usdRate returns CNY per USD on day d, rounded to 4 decimals.
func usdRate(d day) float64 {
	if d < fxEpoch {
		d = fxEpoch
	}
	fxMu.Lock()
	defer fxMu.Unlock()
	i := int(d - fxEpoch)
	if i >= len(fxTable) {
		extendFX(i + 366)
	}
	return fxTable[i]
}

// extendFX grows the rate table to n days. The caller holds fxMu.
func extendFX(n int) {
	const mean, low, high = 7.2, 7.08, 7.32
	rate := mean
	if len(fxTable) > 0 {
		rate = fxTable[len(fxTable)-1]
	}
	for i := len(fxTable); i < n; i++ {
		if i > 0 {
			r := newRNG(0x5eed, tagFX, fxEpoch+day(i), 0)
			rate += 0.03*(mean-rate) + 0.012*r.normal()
			if rate < low {
				rate = 2*low - rate
			}
			if rate > high {
				rate = 2*high - rate
			}
		}
		rate = math.Round(rate*10000) / 10000
		fxTable = append(fxTable, rate)
	}
}

// FXRatesCSV returns daily exchange rates to CNY (the demo's reporting
// currency) for every day from start to end inclusive, as the fx.path file of
// pacer.yaml expects: a "date,currency,rate" header, then one USD row (CNY per
// USD, around 7.1–7.3) and one CNY row (rate 1) per day.
func FXRatesCSV(start, end time.Time) []byte {
	var buf bytes.Buffer
	buf.WriteString("date,currency,rate\n")
	for d := dayOf(start); d <= dayOf(end); d++ {
		date := d.String()
		buf.WriteString(date)
		buf.WriteString(",USD,")
		buf.WriteString(strconv.FormatFloat(usdRate(d), 'f', 4, 64))
		buf.WriteString("\n")
		buf.WriteString(date)
		buf.WriteString(",CNY,1\n")
	}
	return buf.Bytes()
}
