package reports

import (
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bundle paths of the CSV files, one per table or chart on the page.
const (
	csvDaily      = "data/kpi_daily_by_channel.csv"
	csvChannels   = "data/channels_last_30_days.csv"
	csvKPIs       = "data/kpis_last_30_days.csv"
	csvChecks     = "data/data_checks.csv"
	csvFreshness  = "data/stream_freshness.csv"
	csvQuarantine = "data/quarantine_by_stream.csv"
)

// maxDetailRunes caps a check's detail on the page; the full text stays in
// meta.check_results and data/data_checks.csv.
const maxDetailRunes = 400

// pageData is what templates/index.html.tmpl shows. Every field is plain
// text or a number already formatted in Go; html/template escapes them all.
type pageData struct {
	Lang      string
	Company   string
	Currency  string
	Period    string
	RunID     string
	Generated string
	HasData   bool

	Window        string // the KPI windows
	ChannelWindow string // the channel table's window
	HasPrev       bool
	Cards         []card
	KPIsCSV       string
	Provisional   string // the provisional note, empty when no day is provisional
	// WindowProvisional is set when the last 30 days include provisional days.
	WindowProvisional bool

	Trend        chartView
	ChannelChart chartView
	Channels     []channelRow
	ChannelTotal channelRow
	ChannelsCSV  string
	// Campaigns are the largest campaigns of the last 30 days (the CSV
	// has all); CampaignsMore says how many more there are.
	Campaigns     []campaignRow
	CampaignsMore string
	CampaignsCSV  string

	// Changes is "what changed since the last run" on the index page;
	// snap is this run's headline, stored after the bundle is written.
	Changes changesView
	snap    *snapshot

	Goals targetsView
	// Findings lead the page: what to look at first.
	Findings findingsView
	// Attribution shows the models side by side for the latest month.
	Attribution attributionView
	// Evaluation is the funnel, channel economics and reconciliation.
	Evaluation evaluationView

	Checks checksView
	// ProvisionalDays lists the provisional days of marts.kpi_daily for
	// the data quality page ("" when none).
	ProvisionalDays string
	Streams         []streamRow
	StreamsCSV      string
	// StreamsChart is the days behind per source stream.
	StreamsChart chartView
	Quarantine   quarantineView
}

// card is one headline KPI.
type card struct {
	Label  string
	Value  string
	Prev   string
	Change string
	Arrow  string // ▲ up, ▼ down, empty when flat or unknown
	Tone   string // good, bad or empty (neutral)
	// ToneText says good or bad in words, for readers without colour.
	ToneText string
	// Target is the company-wide target of the card's metric, nil when
	// none.
	Target *cardTarget
}

// changeTone is how a change is shown: ▲ or ▼ (empty when the change is
// flat or unknown), and whether it is good or bad news — tone "good" or
// "bad" with its words — given better (+1 when higher is better, -1 when
// lower is, 0 when neither).
func changeTone(ch sql.NullFloat64, better int, m catalog) (arrow, tone, toneText string) {
	if !ch.Valid || ch.Float64 == 0 {
		return "", "", ""
	}
	arrow, dir := "▲", 1
	if ch.Float64 < 0 {
		arrow, dir = "▼", -1
	}
	switch dir * better {
	case 1:
		tone, toneText = "good", m.msg("better")
	case -1:
		tone, toneText = "bad", m.msg("worse")
	}
	return arrow, tone, toneText
}

// cardTarget is a headline KPI's target: the company-wide target of the
// same metric that is running (the shortest period when several are), else
// the shortest one not running.
type cardTarget struct {
	Label, Value, Attainment, Pace, Forecast string
	Status                                   badge
}

// campaignRow is one row of the campaigns table.
type campaignRow struct {
	Campaign, ID, Channel, Platform, Spend, Revenue, ROAS, Orders, CAC, ConversionRate string
	Provisional                                                                        bool
}

// channelRow is one row of the channel table.
type channelRow struct {
	Channel, Spend, Revenue, ROAS, Orders, CAC, Sessions, ConversionRate string
}

// checksView is the data quality summary of the run's checks.
type checksView struct {
	State    string // fail, warn, ok or none
	Headline string
	Summary  string
	Rows     []checkRow // checks that did not pass, errors first
	CSV      string
	// Failing names the first checks of severity error that did not pass,
	// for the banner of every page.
	Failing string
}

// checkRow is one check that did not pass.
type checkRow struct {
	Name, Where, Kind, Severity, Status, StatusClass, Icon, FailingRows, Detail string
}

// streamRow is the freshness of one source stream.
type streamRow struct {
	Source, Stream, Canonical, SyncedThrough, DaysBehind, ProvisionalFrom, UpdatedAt string
}

// quarantineView counts quarantined rows.
type quarantineView struct {
	Summary string
	Rows    []quarantineRow
	CSV     string
}

// quarantineRow is the quarantined rows of one source stream.
type quarantineRow struct{ Source, Stream, ThisRun, Total string }

// metric is one headline KPI: how to compute, show and judge it.
type metric struct {
	key    string // CSV name
	label  string // message key
	value  func(totals) sql.NullFloat64
	format func(v sql.NullFloat64, currency string) string
	csv    func(sql.NullFloat64) string
	better int // +1 higher is better, -1 lower is better, 0 neither
}

// money, count, ratio and percent are the metric formats.
func moneyFmt(v sql.NullFloat64, cur string) string { return formatMoneyN(v, cur) }
func countFmt(v sql.NullFloat64, _ string) string {
	if !v.Valid {
		return missing
	}
	return formatInt(int64(v.Float64))
}
func ratioFmt(v sql.NullFloat64, _ string) string   { return formatRatio(v) }
func percentFmt(v sql.NullFloat64, _ string) string { return formatPercent(v) }
func csvMoneyN(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	return csvMoney(v.Float64)
}
func csvCount(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	return strconv.FormatInt(int64(v.Float64), 10)
}

// metrics are the headline KPI cards, in page order.
var metrics = []metric{
	{"spend", "kpi_spend", func(t totals) sql.NullFloat64 { return valid(t.Spend) }, moneyFmt, csvMoneyN, 0},
	{"revenue", "kpi_revenue", func(t totals) sql.NullFloat64 { return valid(t.Revenue) }, moneyFmt, csvMoneyN, +1},
	{"roas", "kpi_roas", totals.ROAS, ratioFmt, csvFloat, +1},
	{"orders", "kpi_orders", func(t totals) sql.NullFloat64 { return valid(float64(t.Orders)) }, countFmt, csvCount, +1},
	{"cac", "kpi_cac", totals.CAC, moneyFmt, csvFloat, -1},
	{"aov", "kpi_aov", totals.AOV, moneyFmt, csvFloat, +1},
	{"new_customers", "kpi_new_customers", func(t totals) sql.NullFloat64 { return valid(float64(t.NewCustomers)) }, countFmt, csvCount, +1},
	{"conversion_rate", "kpi_conv_rate", totals.ConversionRate, percentFmt, csvFloat, +1},
}

// channelName shows a channel; a NULL channel is named as such.
func channelName(ch sql.NullString, m catalog) string {
	if !ch.Valid {
		return m.msg("no_channel")
	}
	return ch.String
}

// build turns the data into the page and the CSV files of the bundle.
func build(d *reportData, o Options, m catalog) (*pageData, []bundleFile) {
	p := &pageData{
		Lang:      o.Language,
		Company:   o.Company,
		Currency:  o.Currency,
		Period:    missing,
		RunID:     strconv.FormatInt(o.RunID, 10),
		Generated: formatInstant(o.Now),
		HasData:   d.To.Valid,
	}
	var files []bundleFile
	cur := o.Currency

	// Headline KPIs and the channel table.
	if p.HasData {
		p.Period = d.From.Time.Format(dateLayout) + " – " + d.To.Time.Format(dateLayout)
		wc, wp := d.windows()
		p.Window = m.msg("kpis_window", wc.From.Format(dateLayout), wc.To.Format(dateLayout),
			wp.From.Format(dateLayout), wp.To.Format(dateLayout))
		p.ChannelWindow = m.msg("window", wc.From.Format(dateLayout), wc.To.Format(dateLayout))
		tc, tp := d.sumWindow(wc), d.sumWindow(wp)
		p.HasPrev = tp.Rows > 0
		kpiCSV := newCSV("metric", "last_30_days", "previous_30_days", "change", "window_from", "window_to", "previous_from", "previous_to")
		for _, mt := range metrics {
			vc := mt.value(tc)
			vp := sql.NullFloat64{}
			if p.HasPrev {
				vp = mt.value(tp)
			}
			ch := change(vc, vp)
			c := card{Label: m.msg(mt.label), Value: mt.format(vc, cur), Change: formatChange(ch)}
			if p.HasPrev {
				c.Prev = m.msg("prev", mt.format(vp, cur))
			} else {
				c.Prev = m.msg("no_prev")
			}
			c.Arrow, c.Tone, c.ToneText = changeTone(ch, mt.better, m)
			p.Cards = append(p.Cards, c)
			kpiCSV.row(mt.key, mt.csv(vc), mt.csv(vp), csvFloat(ch),
				wc.From.Format(dateLayout), wc.To.Format(dateLayout), wp.From.Format(dateLayout), wp.To.Format(dateLayout))
		}
		p.KPIsCSV = csvKPIs
		files = append(files, kpiCSV.file(csvKPIs))

		if d.ProvisionalFrom.Valid {
			p.Provisional = m.msg("provisional_note", d.ProvisionalFrom.Time.Format(dateLayout))
			p.WindowProvisional = !d.ProvisionalFrom.Time.After(wc.To)
		}

		chans := d.byChannel(wc)
		chCSV := newCSV("channel", "spend", "revenue", "roas", "orders", "cac", "sessions", "conversion_rate",
			"new_customers", "gross_revenue", "refunds", "conversions", "window_from", "window_to")
		var total totals
		for _, c := range chans {
			total.add(c.totals)
			p.Channels = append(p.Channels, channelRowOf(channelName(c.Channel, m), c.totals, cur))
			chCSV.row(csvText(c.Channel.String), csvMoney(c.Spend), csvMoney(c.Revenue), csvFloat(c.ROAS()),
				strconv.FormatInt(c.Orders, 10), csvFloat(c.CAC()), strconv.FormatInt(c.Sessions, 10),
				csvFloat(c.ConversionRate()), strconv.FormatInt(c.NewCustomers, 10), csvMoney(c.GrossRevenue),
				csvMoney(c.Refunds), strconv.FormatInt(c.Conversions, 10),
				wc.From.Format(dateLayout), wc.To.Format(dateLayout))
		}
		p.ChannelTotal = channelRowOf(m.msg("total"), total, cur)
		p.ChannelsCSV = csvChannels
		files = append(files, chCSV.file(csvChannels))

		var provFrom *time.Time
		if d.ProvisionalFrom.Valid {
			provFrom = &d.ProvisionalFrom.Time
		}
		p.Trend = trendChart(d.daily(), d.From.Time, d.To.Time, provFrom, m)
		p.ChannelChart = channelChart(chans, m)
		if d.ProvisionalFrom.Valid {
			days := int(d.To.Time.Sub(d.ProvisionalFrom.Time).Hours()/24) + 1
			p.ProvisionalDays = m.msg("provisional_days", d.ProvisionalFrom.Time.Format(dateLayout), d.To.Time.Format(dateLayout), days)
		}
	}
	p.Campaigns, p.CampaignsMore, files = campaignsOf(d.Campaigns, d, o, m, files)
	p.CampaignsCSV = csvCampaigns

	// The daily rows behind the trend chart, written even when empty so the
	// bundle always has the same files.
	dayCSV := newCSV("date", "channel", "spend", "revenue", "orders", "roas", "cac", "aov", "sessions",
		"conversions", "conversion_rate", "impressions", "clicks", "gross_revenue", "refunds",
		"new_customers", "returning_customers", "provisional", "kpi_daily_rows")
	for _, r := range d.Days {
		dayCSV.row(r.Date.Format(dateLayout), csvText(r.Channel.String), csvMoney(r.Spend), csvMoney(r.Revenue),
			strconv.FormatInt(r.Orders, 10), csvFloat(r.ROAS()), csvFloat(r.CAC()), csvFloat(r.AOV()),
			strconv.FormatInt(r.Sessions, 10), strconv.FormatInt(r.Conversions, 10), csvFloat(r.ConversionRate()),
			strconv.FormatInt(r.Impressions, 10), strconv.FormatInt(r.Clicks, 10), csvMoney(r.GrossRevenue),
			csvMoney(r.Refunds), strconv.FormatInt(r.NewCustomers, 10), strconv.FormatInt(r.ReturningCustomers, 10),
			strconv.FormatBool(r.Provisional), strconv.FormatInt(r.Rows, 10))
	}
	files = append(files, dayCSV.file(csvDaily))
	if !p.HasData {
		files = append(files,
			newCSV("metric", "last_30_days", "previous_30_days", "change", "window_from", "window_to", "previous_from", "previous_to").file(csvKPIs),
			newCSV("channel", "spend", "revenue", "roas", "orders", "cac", "sessions", "conversion_rate",
				"new_customers", "gross_revenue", "refunds", "conversions", "window_from", "window_to").file(csvChannels))
	}

	p.Findings, files = findingsOf(d.Findings, d.FindingsBuilt, o, m, files)
	p.Goals, files = targetsOf(d.Goals, o, m, files)
	p.Attribution, files = attributionOf(d.Attribution, o, m, files)
	p.Evaluation, files = evaluationOf(d.Evaluation, o, m, files)
	p.Checks, files = checksOf(d, o, m, files)
	var behind []sql.NullFloat64
	p.Streams, behind, files = streamsOf(d, o, files)
	if len(p.Streams) > 0 {
		p.StreamsChart = freshnessChart(p.Streams, behind, m)
	}
	p.StreamsCSV = csvFreshness
	p.Quarantine, files = quarantineOf(d, m, files)
	p.snap = snapshotOf(d, o)
	p.Changes, files = changesOf(d, p.snap, o, m, files)
	for i, mt := range metrics {
		if i < len(p.Cards) {
			p.Cards[i].Target = cardTargetOf(d.Goals.Targets, mt.key, cur, m)
		}
	}
	return p, files
}

// cardTargetOf finds the company-wide target of metric for its KPI card.
func cardTargetOf(ts []targetStanding, metric, cur string, m catalog) *cardTarget {
	var best *targetStanding
	running := func(t *targetStanding) bool {
		return t.Status.String != "not_started" && t.DaysLeft.Valid && t.DaysLeft.Int64 > 0
	}
	length := func(t *targetStanding) time.Duration { return t.PeriodEnd.Time.Sub(t.PeriodStart.Time) }
	for i := range ts {
		t := &ts[i]
		if t.Metric != metric || t.Scope != "company" {
			continue
		}
		switch {
		case best == nil:
			best = t
		case running(t) != running(best):
			if running(t) {
				best = t
			}
		case length(t) < length(best):
			best = t
		}
	}
	if best == nil {
		return nil
	}
	return &cardTarget{
		Label:      best.Label,
		Value:      formatValue(best.Value, best.Unit, cur),
		Attainment: formatPercent(best.Attainment),
		Pace:       formatRatio(best.Pace),
		Forecast:   formatValue(best.Forecast, best.Unit, cur),
		Status:     statusBadge(best.Status, m),
	}
}

// campaignsShown is how many campaigns the channels page lists.
const campaignsShown = 50

// csvCampaigns is the bundle path of the campaigns table.
const csvCampaigns = "data/campaigns.csv"

// campaignsOf formats the campaigns of the last 30 days.
func campaignsOf(cs []campaignTotals, d *reportData, o Options, m catalog, files []bundleFile) ([]campaignRow, string, []bundleFile) {
	out := newCSV("channel", "platform", "campaign_id", "campaign_name", "spend", "revenue", "roas", "orders", "cac",
		"sessions", "conversion_rate", "new_customers", "gross_revenue", "refunds", "conversions", "impressions", "clicks",
		"provisional", "window_from", "window_to")
	var from, to string
	if d.To.Valid {
		wc, _ := d.windows()
		from, to = wc.From.Format(dateLayout), wc.To.Format(dateLayout)
	}
	var rows []campaignRow
	for _, c := range cs {
		out.row(csvText(c.Channel.String), csvText(c.Platform), csvText(c.ID), csvText(c.Name), csvMoney(c.Spend), csvMoney(c.Revenue),
			csvFloat(c.ROAS()), strconv.FormatInt(c.Orders, 10), csvFloat(c.CAC()), strconv.FormatInt(c.Sessions, 10),
			csvFloat(c.ConversionRate()), strconv.FormatInt(c.NewCustomers, 10), csvMoney(c.GrossRevenue), csvMoney(c.Refunds),
			strconv.FormatInt(c.Conversions, 10), strconv.FormatInt(c.Impressions, 10), strconv.FormatInt(c.Clicks, 10),
			strconv.FormatBool(c.Provisional), from, to)
		if len(rows) == campaignsShown {
			continue
		}
		name := c.Name
		if name == "" {
			name = missing
		}
		platform := c.Platform
		if platform == "" {
			platform = missing
		}
		rows = append(rows, campaignRow{
			Campaign: name, ID: c.ID, Channel: channelName(c.Channel, m), Platform: platform,
			Spend: formatMoney(c.Spend, o.Currency), Revenue: formatMoney(c.Revenue, o.Currency), ROAS: formatRatio(c.ROAS()),
			Orders: formatInt(c.Orders), CAC: formatMoneyN(c.CAC(), o.Currency), ConversionRate: formatPercent(c.ConversionRate()),
			Provisional: c.Provisional,
		})
	}
	more := ""
	if n := len(cs) - len(rows); n > 0 {
		more = m.msg("more_campaigns", formatInt(int64(n)))
	}
	return rows, more, append(files, out.file(csvCampaigns))
}

// channelRowOf formats one channel's (or the total's) totals.
func channelRowOf(name string, t totals, cur string) channelRow {
	return channelRow{
		Channel:        name,
		Spend:          formatMoney(t.Spend, cur),
		Revenue:        formatMoney(t.Revenue, cur),
		ROAS:           formatRatio(t.ROAS()),
		Orders:         formatInt(t.Orders),
		CAC:            formatMoneyN(t.CAC(), cur),
		Sessions:       formatInt(t.Sessions),
		ConversionRate: formatPercent(t.ConversionRate()),
	}
}

// mergeScripts joins script lists, keeping the first occurrence of each.
func mergeScripts(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// checksOf summarises meta.check_results of the run.
func checksOf(d *reportData, o Options, m catalog, files []bundleFile) (checksView, []bundleFile) {
	v := checksView{CSV: csvChecks}
	out := newCSV("check_name", "model", "column_name", "kind", "severity", "status", "failing_rows", "detail")
	var failed, warned, passed int
	var errs, warns []checkRow
	for _, c := range d.Checks {
		rows := ""
		if c.FailingRows.Valid {
			rows = strconv.FormatInt(c.FailingRows.Int64, 10)
		}
		out.row(csvText(c.Name), csvText(c.Model), csvText(c.Column), csvText(c.Kind), csvText(c.Severity),
			csvText(c.Status), rows, csvText(c.Detail))
		if !c.failed() {
			passed++
			continue
		}
		r := checkRow{
			Name:        c.Name,
			Where:       c.Model,
			Kind:        c.Kind,
			FailingRows: missing,
			Detail:      truncate(c.Detail, maxDetailRunes),
		}
		if c.Column != "" {
			r.Where += "." + c.Column
		}
		if c.FailingRows.Valid {
			r.FailingRows = formatInt(c.FailingRows.Int64)
		}
		switch {
		case c.Status == "error":
			r.Status, r.Icon = m.msg("status_error"), "!"
		case c.Severity == "warn":
			r.Status, r.Icon = m.msg("status_warn"), "⚠"
		default:
			r.Status, r.Icon = m.msg("status_fail"), "✗"
		}
		if c.Severity == "warn" {
			r.Severity, r.StatusClass = m.msg("severity_warn"), "warn"
			warned++
			warns = append(warns, r)
		} else {
			r.Severity, r.StatusClass = m.msg("severity_error"), "fail"
			failed++
			errs = append(errs, r)
		}
	}
	v.Rows = append(errs, warns...)
	var names []string
	for i, r := range errs {
		if i == 3 {
			names = append(names, m.msg("and_more", len(errs)-3))
			break
		}
		names = append(names, r.Name)
	}
	v.Failing = strings.Join(names, m.msg("list_sep"))
	total := len(d.Checks)
	n := func(i int) string { return formatInt(int64(i)) }
	switch {
	case total == 0:
		v.State, v.Headline = "none", m.msg("checks_none", strconv.FormatInt(o.RunID, 10))
	case failed == 1:
		v.State, v.Headline = "fail", m.msg("checks_failed_1")
	case failed > 1:
		v.State, v.Headline = "fail", m.msg("checks_failed_n", n(failed))
	case warned > 0:
		v.State, v.Headline = "warn", m.msg("checks_warn_only", n(warned))
	default:
		v.State, v.Headline = "ok", m.msg("checks_passed", n(total))
	}
	if total > 0 {
		v.Summary = m.msg("checks_summary", n(total), strconv.FormatInt(o.RunID, 10), n(passed), n(failed), n(warned))
	}
	return v, append(files, out.file(csvChecks))
}

// truncate shortens s to at most n runes, ending with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// streamsOf lists the freshness of every source stream. Days behind counts
// from synced_through to the report's day (Options.Now, in UTC).
func streamsOf(d *reportData, o Options, files []bundleFile) ([]streamRow, []sql.NullFloat64, []bundleFile) {
	today := o.Now.UTC().Truncate(24 * time.Hour)
	out := newCSV("source", "stream", "canonical", "synced_through", "days_behind", "provisional_from", "updated_at")
	var rows []streamRow
	var days []sql.NullFloat64
	for _, s := range d.Streams {
		behind, behindCSV := missing, ""
		var n64 sql.NullFloat64
		if s.SyncedThrough.Valid {
			st := s.SyncedThrough.Time
			day := time.Date(st.Year(), st.Month(), st.Day(), 0, 0, 0, 0, time.UTC)
			n := int64(today.Sub(day).Hours() / 24)
			behind, behindCSV = formatInt(n), strconv.FormatInt(n, 10)
			n64 = valid(float64(n))
		}
		days = append(days, n64)
		rows = append(rows, streamRow{
			Source:          s.Source,
			Stream:          s.Stream,
			Canonical:       s.Canonical,
			SyncedThrough:   formatDate(s.SyncedThrough),
			DaysBehind:      behind,
			ProvisionalFrom: formatDate(s.ProvisionalFrom),
			UpdatedAt:       formatInstant(s.UpdatedAt),
		})
		out.row(csvText(s.Source), csvText(s.Stream), csvText(s.Canonical), csvDate(s.SyncedThrough), behindCSV,
			csvDate(s.ProvisionalFrom), s.UpdatedAt.UTC().Format(time.RFC3339))
	}
	return rows, days, append(files, out.file(csvFreshness))
}

// quarantineOf counts quarantined rows per source stream.
func quarantineOf(d *reportData, m catalog, files []bundleFile) (quarantineView, []bundleFile) {
	v := quarantineView{CSV: csvQuarantine}
	out := newCSV("source", "stream", "this_run", "total")
	var run, total int64
	for _, q := range d.Quarantine {
		run += q.ThisRun
		total += q.Total
		v.Rows = append(v.Rows, quarantineRow{q.Source, q.Stream, formatInt(q.ThisRun), formatInt(q.Total)})
		out.row(csvText(q.Source), csvText(q.Stream), strconv.FormatInt(q.ThisRun, 10), strconv.FormatInt(q.Total, 10))
	}
	if total == 0 {
		v.Summary = m.msg("quarantine_none")
	} else {
		v.Summary = m.msg("quarantine_sum", formatInt(run), formatInt(total))
	}
	return v, append(files, out.file(csvQuarantine))
}
