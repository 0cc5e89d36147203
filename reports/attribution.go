package reports

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strconv"
)

// csvAttribution is the bundle path of the attribution section's CSV.
const csvAttribution = "data/attribution.csv"

// attributionRow is one model × channel of the period shown.
type attributionRow struct {
	Model, Channel            string
	Conversions, Value, Spend float64
	ROAS                      sql.NullFloat64
}

type attributionData struct {
	Built  bool
	Period string
	Rows   []attributionRow
}

const (
	// The latest month with conversions: the one the nightly run changes.
	qAttribution = `
WITH latest AS (
    SELECT max(period) AS period FROM marts.attribution_by_channel WHERE period <> 'all' AND period_conversions > 0
)
SELECT a.period, a.model, a.channel, a.conversions, a.value, a.spend, a.roas
FROM marts.attribution_by_channel a, latest
WHERE a.period = latest.period
ORDER BY a.model, a.channel`
)

func loadAttribution(ctx context.Context, db *sql.DB, have map[string]bool) (attributionData, error) {
	var d attributionData
	if !have["marts.attribution_by_channel"] {
		return d, nil
	}
	d.Built = true
	err := queryRows(ctx, db, qAttribution, nil, "marts.attribution_by_channel", func(rows *sql.Rows) error {
		var r attributionRow
		if err := rows.Scan(&d.Period, &r.Model, &r.Channel, &r.Conversions, &r.Value, &r.Spend, &r.ROAS); err != nil {
			return err
		}
		d.Rows = append(d.Rows, r)
		return nil
	})
	return d, err
}

// attributionView is the models side by side: a row per channel, a column
// per model, credited conversions (and ROAS where the channel spends).
type attributionView struct {
	Built  bool
	Period string
	Models []string
	Rows   []attributionViewRow
	CSV    string
	// Chart is the credited conversions per channel, one bar per model.
	Chart chartView
}

type attributionViewRow struct {
	Channel string
	Cells   []attributionCell
}

type attributionCell struct{ Conversions, ROAS string }

// modelOrder puts the rule-based models first, data-driven last.
var modelOrder = []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley"}

func attributionOf(d attributionData, o Options, m catalog, files []bundleFile) (attributionView, []bundleFile) {
	v := attributionView{Built: d.Built, Period: d.Period, CSV: csvAttribution}
	t := newCSV("period", "model", "channel", "conversions", "value", "spend", "roas")
	byChannel := map[string]map[string]attributionRow{}
	models := map[string]bool{}
	for _, r := range d.Rows {
		roas := ""
		if r.ROAS.Valid {
			roas = csvFloat(r.ROAS)
		}
		t.row(csvText(d.Period), csvText(r.Model), csvText(r.Channel), strconv.FormatFloat(r.Conversions, 'f', -1, 64),
			csvMoney(r.Value), csvMoney(r.Spend), roas)
		if byChannel[r.Channel] == nil {
			byChannel[r.Channel] = map[string]attributionRow{}
		}
		byChannel[r.Channel][r.Model] = r
		models[r.Model] = true
	}
	for _, m := range modelOrder {
		if models[m] {
			v.Models = append(v.Models, m)
			delete(models, m)
		}
	}
	rest := make([]string, 0, len(models))
	for m := range models {
		rest = append(rest, m)
	}
	sort.Strings(rest)
	v.Models = append(v.Models, rest...)
	channels := make([]string, 0, len(byChannel))
	for ch := range byChannel {
		channels = append(channels, ch)
	}
	// Most conversions under last touch first.
	sort.Slice(channels, func(i, j int) bool {
		a, b := byChannel[channels[i]]["last_touch"].Conversions, byChannel[channels[j]]["last_touch"].Conversions
		if a != b {
			return a > b
		}
		return channels[i] < channels[j]
	})
	for _, ch := range channels {
		row := attributionViewRow{Channel: ch}
		for _, m := range v.Models {
			r, ok := byChannel[ch][m]
			c := attributionCell{Conversions: missing}
			if ok {
				c.Conversions = formatCount1(r.Conversions)
				if r.ROAS.Valid {
					c.ROAS = formatRatio(r.ROAS)
				}
			}
			row.Cells = append(row.Cells, c)
		}
		v.Rows = append(v.Rows, row)
	}
	if !slices.Contains(v.Models, "last_touch") && len(v.Rows) > 0 {
		sort.Slice(v.Rows, func(i, j int) bool { return v.Rows[i].Channel < v.Rows[j].Channel })
	}
	if len(v.Rows) > 0 {
		v.Chart = attributionChart(v, byChannel, m)
	}
	return v, append(files, t.file(csvAttribution))
}

// formatCount1 prints a credited count with one decimal (models split
// conversions), grouped.
func formatCount1(x float64) string { return formatNumber(x, 1) }
