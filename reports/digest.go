package reports

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
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
// clients (tables, CSS inlined, no script, no SVG, no images) and a plain
// text alternative.
type Digest struct {
	Subject, HTML, Text string
}

// digestView is what digest.html.tmpl shows.
type digestView struct {
	Lang, Subject, Company, Period, Headline string
	Findings                                 []findingRow
	Cards                                    []card
	Window                                   string
	Targets                                  []targetRow
	TargetsSummary                           string
	Quality                                  string
	Link                                     template.URL
	RunID, Generated                         string
}

// digestTargets is how many targets the digest lists (off track first).
const digestTargets = 6

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
		for _, t := range p.Goals.Targets {
			if t.Status.Class == class && len(v.Targets) < digestTargets {
				v.Targets = append(v.Targets, t)
			}
		}
	}
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
	return &Digest{Subject: v.Subject, HTML: inlined, Text: digestText(v, m)}, nil
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
