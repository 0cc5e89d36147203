package reports

import (
	"bytes"
	"fmt"
	"html/template"
)

// bundlePage is one HTML page of the bundle: its file, the message keys of
// its navigation link and title, and whether the warehouse has the marts it
// shows. index.html and quality.html are always written (marts.kpi_daily
// and the meta tables exist in every warehouse); the others only when their
// marts exist, so a warehouse built before the goals or evaluation models
// has no page that could only say "not built".
type bundlePage struct {
	Name  string // file name without .html, and the template's
	Nav   string // message key of the navigation link
	Title string // message key of the page's heading
	// exists reports whether the page is written.
	exists func(*reportData) bool
}

// bundlePages are the pages in navigation order.
var bundlePages = []bundlePage{
	{"index", "nav_overview", "title", func(*reportData) bool { return true }},
	{"targets", "nav_targets", "targets", func(d *reportData) bool { return d.Goals.TargetsBuilt || d.Goals.BudgetsBuilt }},
	{"channels", "nav_channels", "title_channels", func(*reportData) bool { return true }},
	{"attribution", "nav_attribution", "attribution", func(d *reportData) bool { return d.Attribution.Built }},
	{"funnel", "nav_funnel", "funnel", func(d *reportData) bool { return d.Evaluation.FunnelBuilt }},
	{"economics", "nav_economics", "economics", func(d *reportData) bool {
		return d.Evaluation.EconBuilt || d.Evaluation.SegmentsBuilt
	}},
	{"reconciliation", "nav_reconciliation", "reconciliation", func(d *reportData) bool { return d.Evaluation.ReconBuilt }},
	{"team", "nav_team", "title_team", func(d *reportData) bool { return d.Goals.ScoresBuilt }},
	{"quality", "nav_quality", "quality", func(*reportData) bool { return true }},
}

// navLink is one entry of the navigation shared by every page.
type navLink struct {
	Href, Text string
	Current    bool
}

// pageView is what one page's template executes on: the data of every
// section (most pages show a few of them), plus which page it is, the
// navigation and the page's charts.
type pageView struct {
	*pageData
	Page      string
	PageTitle string
	Nav       []navLink
	// Charts are the page's charts, each drawn by a script at the end.
	Charts  []chartView
	Scripts []string
}

// pageTemplates are the parsed pages: language → page name → template.
// Every page is the "layout" template (layout.html.tmpl: head, styles,
// header, navigation, banners, footer, chart scripts) around the page's
// own "content" (pages/<name>.html.tmpl).
var pageTemplates = func() map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for _, lang := range Languages {
		m := catalogs[lang]
		base := template.Must(template.New("layout").Funcs(template.FuncMap{
			"t": func(key string) (string, error) {
				s, ok := m[key]
				if !ok {
					return "", fmt.Errorf("no message %q", key)
				}
				return s, nil
			},
		}).ParseFS(embedded, "templates/layout.html.tmpl", "templates/partials.html.tmpl"))
		out[lang] = map[string]*template.Template{}
		for _, p := range bundlePages {
			t := template.Must(template.Must(base.Clone()).ParseFS(embedded, "templates/pages/"+p.Name+".html.tmpl"))
			out[lang][p.Name] = t
		}
	}
	return out
}()

// pageCharts are the charts each page draws, from the built page data.
func pageCharts(name string, p *pageData) []chartView {
	var out []chartView
	add := func(cs ...chartView) {
		for _, c := range cs {
			if c.ID != "" {
				out = append(out, c)
			}
		}
	}
	switch name {
	case "index":
		add(p.Trend)
	case "targets":
		add(p.Goals.Chart, p.Goals.BudgetChart)
	case "channels":
		add(p.ChannelChart)
	case "attribution":
		add(p.Attribution.Chart)
	case "funnel":
		add(p.Evaluation.FunnelChart)
	case "economics":
		add(p.Evaluation.EconChart)
	case "reconciliation":
		add(p.Evaluation.ReconChart)
	case "team":
		add(p.Goals.ScoreChart)
	case "quality":
		add(p.StreamsChart)
	}
	return out
}

// renderPages executes every page the data has and returns them as bundle
// files, in navigation order.
func renderPages(d *reportData, p *pageData, m catalog) ([]bundleFile, error) {
	present := presentPages(d)
	var files []bundleFile
	for _, bp := range present {
		b, err := executePage(bp, present, p, m)
		if err != nil {
			return nil, err
		}
		files = append(files, bundleFile{Path: bp.Name + ".html", Data: b})
	}
	return files, nil
}

// presentPages are the pages the data has, in navigation order.
func presentPages(d *reportData) []bundlePage {
	var out []bundlePage
	for _, bp := range bundlePages {
		if bp.exists(d) {
			out = append(out, bp)
		}
	}
	return out
}

// executePage renders one page; present are the pages the navigation
// links.
func executePage(bp bundlePage, present []bundlePage, p *pageData, m catalog) ([]byte, error) {
	v := pageView{pageData: p, Page: bp.Name, PageTitle: m.msg(bp.Title)}
	for _, o := range present {
		v.Nav = append(v.Nav, navLink{Href: o.Name + ".html", Text: m.msg(o.Nav), Current: o.Name == bp.Name})
	}
	v.Charts = pageCharts(bp.Name, p)
	for _, c := range v.Charts {
		v.Scripts = mergeScripts(v.Scripts, c.Scripts)
	}
	var buf bytes.Buffer
	if err := pageTemplates[p.Lang][bp.Name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("reports: render %s.html: %w", bp.Name, err)
	}
	return buf.Bytes(), nil
}
