package reports

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/vanng822/go-premailer/premailer"
)

// DigestOptions say what the emailed digest is about.
type DigestOptions struct {
	RunID             int64
	Company, Currency string
	// Language is en (default) or zh-CN.
	Language string
	// BaseURL is where the bundle is served; the digest links to its
	// index.html. Empty: no link.
	BaseURL string
	Now     time.Time
}

// Digest is the morning email: a subject with the headline, HTML for mail
// clients (tables, CSS inlined, no script, no SVG) and a plain text
// alternative. It leads with the findings, then the KPIs, the revenue per
// day of the last 30 days (Chart, one small PNG the HTML shows inline by
// Content-ID, with its numbers in the alt text and the text part), what
// changed since the last run (read from meta.report_snapshots: the run
// before RunID), spend and revenue by channel and the targets, both as CSS
// bars (table cells whose width is the value).
type Digest struct {
	Subject, HTML, Text string
	// Chart is the PNG the HTML refers to as cid:Chart.CID; [Send]
	// embeds it. nil when marts.kpi_daily is empty.
	Chart *DigestImage
}

// digestView is what digest.html.tmpl shows.
type digestView struct {
	Lang, Subject, Company, Period, Headline string
	Findings                                 []findingRow
	Cards                                    []card
	Window                                   string
	// Chart is the revenue chart (nil without data), ChartSrc its cid:
	// URL and ChartLines its numbers, five days a line.
	Chart          *DigestImage
	ChartSrc       template.URL
	ChartLines     []string
	Targets        []digestTarget
	TargetsSummary string
	// Channels are the largest channels of the last 30 days as CSS bars.
	Channels []digestChannel
	// Changes are what changed since the last run, one line each;
	// ChangesNote is the run compared with, or that there is none.
	Changes          []string
	ChangesNote      string
	Quality          string
	Link             template.URL
	RunID, Generated string
}

// digestTargets is how many targets the digest lists (off track first),
// digestChannels how many channels it draws, digestChangeLines how many changes
// it lists; the bundle has all.
const (
	digestTargets     = 6
	digestChannels    = 6
	digestChangeLines = 6
)

// digestTarget is a target of the digest with its attainment as a bar:
// Width is the bar's share of the cell in percent (attainment, capped at
// 100), 0 without attainment.
type digestTarget struct {
	targetRow
	Width int
}

// digestChannel is one channel's spend and revenue as two bars, each as a
// percent of the largest amount of the chart.
type digestChannel struct {
	Channel, Spend, Revenue string
	SpendW, RevenueW        int
}

// barWidth is v as a whole percent of max, between 0 and 100; a value
// that is not 0 is at least 1 so it stays visible.
func barWidth(v, max float64) int {
	if max <= 0 || v <= 0 {
		return 0
	}
	w := int(math.Round(100 * v / max))
	return min(100, max2(w, 1))
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

var digestPages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range Languages {
		m := catalogs[lang]
		t := template.New("digest.html.tmpl").Funcs(template.FuncMap{
			"t": func(key string) (string, error) {
				s, ok := m[key]
				if !ok {
					return "", fmt.Errorf("no message %q", key)
				}
				return s, nil
			},
		})
		out[lang] = template.Must(t.ParseFS(embedded, "templates/digest.html.tmpl"))
	}
	return out
}()

// BuildDigest reads the same marts as Render and writes the digest. It
// only reads db.
func BuildDigest(ctx context.Context, db *sql.DB, o DigestOptions) (*Digest, error) {
	if o.Language == "" {
		o.Language = "en"
	}
	m, ok := catalogs[o.Language]
	if !ok {
		return nil, fmt.Errorf("reports: language %q: use %s", o.Language, languageList())
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	d, err := load(ctx, db, o.RunID)
	if err != nil {
		return nil, err
	}
	p, _ := build(d, Options{RunID: o.RunID, Company: o.Company, Currency: o.Currency, Language: o.Language, Now: o.Now}, m)
	v := digestView{Lang: o.Language, Company: o.Company, Period: p.Period, Cards: p.Cards, Window: p.Window,
		RunID: p.RunID, Generated: p.Generated, TargetsSummary: p.Goals.Summary}
	v.Findings = p.Findings.Rows
	if len(v.Findings) > 3 {
		v.Findings = v.Findings[:3]
	}
	for _, class := range []string{"bad", "warn", "good", "muted"} {
		for i, t := range p.Goals.Targets {
			if t.Status.Class == class && len(v.Targets) < digestTargets {
				w := 0
				if a := d.Goals.Targets[i].Attainment; a.Valid && a.Float64 > 0 {
					w = barWidth(math.Min(a.Float64, 1), 1)
				}
				v.Targets = append(v.Targets, digestTarget{targetRow: t, Width: w})
			}
		}
	}
	if d.To.Valid {
		wc, _ := d.windows()
		chans := d.byChannel(wc)
		if len(chans) > digestChannels {
			chans = chans[:digestChannels]
		}
		var top float64
		for _, c := range chans {
			top = math.Max(top, math.Max(c.Spend, c.Revenue))
		}
		for _, c := range chans {
			v.Channels = append(v.Channels, digestChannel{Channel: channelName(c.Channel, m),
				Spend: formatMoney(c.Spend, o.Currency), Revenue: formatMoney(c.Revenue, o.Currency),
				SpendW: barWidth(c.Spend, top), RevenueW: barWidth(c.Revenue, top)})
		}
	}
	if v.Chart, v.ChartLines, err = revenueChart(d, m, o.Currency); err != nil {
		return nil, err
	}
	if v.Chart != nil {
		v.ChartSrc = template.URL("cid:" + v.Chart.CID)
	}
	v.ChangesNote, v.Changes = digestChanges(p.Changes, m)
	if p.Checks.State == "fail" || p.Checks.State == "warn" {
		v.Quality = p.Checks.Headline
	}
	if o.BaseURL != "" {
		u, err := url.Parse(strings.TrimRight(o.BaseURL, "/") + "/index.html")
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("reports: report.base_url %q is not an http(s) URL", o.BaseURL)
		}
		v.Link = template.URL(u.String())
	}
	v.Headline = headline(d, p, m)
	day := o.Now
	if d.To.Valid {
		day = d.To.Time
	}
	v.Subject = m.msg("digest_subject", day.Format(m.msg("digest_date")), v.Headline)

	var html bytes.Buffer
	if err := digestPages[o.Language].Execute(&html, v); err != nil {
		return nil, fmt.Errorf("reports: render the digest: %w", err)
	}
	pm, err := premailer.NewPremailerFromString(html.String(), premailer.NewOptions())
	if err != nil {
		return nil, fmt.Errorf("reports: inline the digest's CSS: %w", err)
	}
	inlined, err := pm.Transform()
	if err != nil {
		return nil, fmt.Errorf("reports: inline the digest's CSS: %w", err)
	}
	return &Digest{Subject: v.Subject, HTML: inlined, Text: digestText(v, m), Chart: v.Chart}, nil
}

// headline is the subject's summary: the company revenue target's pace
// (the shortest running one) and how many targets are off track, or
// without targets the last 30 days' revenue and its change.
func headline(d *reportData, p *pageData, m catalog) string {
	var parts []string
	var best *targetStanding
	for i := range d.Goals.Targets {
		t := &d.Goals.Targets[i]
		if t.Metric != "revenue" || t.Scope != "company" || !t.Pace.Valid || t.DaysLeft.Int64 <= 0 {
			continue
		}
		if best == nil || t.PeriodEnd.Time.Sub(t.PeriodStart.Time) < best.PeriodEnd.Time.Sub(best.PeriodStart.Time) {
			best = t
		}
	}
	if best != nil {
		parts = append(parts, m.msg("digest_pace", 100*best.Pace.Float64))
	} else {
		for _, c := range p.Cards {
			if c.Label == m.msg("kpi_revenue") {
				parts = append(parts, m.msg("digest_revenue", c.Value, c.Change))
			}
		}
	}
	off := 0
	for _, t := range d.Goals.Targets {
		if t.Status.String == "off_track" {
			off++
		}
	}
	if off > 0 {
		parts = append(parts, m.msg("digest_off_track", off))
	}
	if len(parts) == 0 {
		return m.msg("digest_no_news")
	}
	return strings.Join(parts, m.msg("digest_sep"))
}

// digestChanges turns "what changed" into short lines: KPIs that moved,
// statuses that changed, findings new and resolved.
func digestChanges(c changesView, m catalog) (string, []string) {
	switch c.State {
	case "first":
		return m.msg("changes_first"), nil
	case "untracked", "":
		return "", nil
	case "same":
		return m.msg("changes_none"), nil
	}
	var lines []string
	for _, k := range c.KPIs {
		lines = append(lines, m.msg("digest_kpi_moved", k.Label, k.Before, k.After, k.Change))
	}
	for _, s := range c.Statuses {
		lines = append(lines, m.msg("digest_status", s.Label, s.Before.Text, s.After.Text))
	}
	for _, f := range c.NewFindings {
		lines = append(lines, m.msg("digest_new", f))
	}
	for _, f := range c.Resolved {
		lines = append(lines, m.msg("digest_resolved", f))
	}
	if len(lines) > digestChangeLines {
		more := len(lines) - digestChangeLines
		lines = append(lines[:digestChangeLines], m.msg("and_more", more))
	}
	return c.Since, lines
}

func digestText(v digestView, m catalog) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n%s\n", v.Company, v.Period, v.Headline)
	if len(v.Findings) > 0 {
		fmt.Fprintf(&b, "\n%s\n", m.msg("findings"))
		for _, f := range v.Findings {
			fmt.Fprintf(&b, "- [%s] %s", f.KindText, f.Title)
			if f.Impact != "" {
				fmt.Fprintf(&b, " (%s %s)", m.msg("impact"), f.Impact)
			}
			b.WriteString("\n")
		}
	}
	if len(v.Cards) > 0 {
		fmt.Fprintf(&b, "\n%s (%s)\n", m.msg("kpis"), v.Window)
		for _, c := range v.Cards {
			fmt.Fprintf(&b, "- %s: %s %s\n", c.Label, c.Value, c.Change)
		}
	}
	if v.Chart != nil {
		fmt.Fprintf(&b, "\n%s\n%s\n", m.msg("digest_chart"), v.Chart.Alt)
		for _, l := range v.ChartLines {
			fmt.Fprintf(&b, "%s\n", l)
		}
	}
	if v.ChangesNote != "" || len(v.Changes) > 0 {
		fmt.Fprintf(&b, "\n%s\n", m.msg("changes"))
		if v.ChangesNote != "" {
			fmt.Fprintf(&b, "%s\n", v.ChangesNote)
		}
		for _, c := range v.Changes {
			fmt.Fprintf(&b, "- %s\n", c)
		}
	}
	if len(v.Channels) > 0 {
		fmt.Fprintf(&b, "\n%s\n", m.msg("channels_bar"))
		for _, c := range v.Channels {
			fmt.Fprintf(&b, "- %s: %s %s, %s %s\n", c.Channel, m.msg("kpi_spend"), c.Spend, m.msg("kpi_revenue"), c.Revenue)
		}
	}
	if len(v.Targets) > 0 {
		fmt.Fprintf(&b, "\n%s: %s\n", m.msg("targets"), v.TargetsSummary)
		for _, t := range v.Targets {
			fmt.Fprintf(&b, "- %s: %s %s, %s %s (%s)\n", t.Label, m.msg("pace_index"), t.Pace, m.msg("forecast"), t.Forecast, t.Status.Text)
		}
	}
	if v.Quality != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Quality)
	}
	if v.Link != "" {
		fmt.Fprintf(&b, "\n%s: %s\n", m.msg("open_report"), string(v.Link))
	}
	return b.String()
}
