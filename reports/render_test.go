package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// Use go test -tags duckdb_arrow ./reports -update to rewrite the golden files.
var update = flag.Bool("update", false, "update golden files")

// Every page of the full fixture (all marts present) against
// testdata/<page>.golden.html, and two pages in Chinese against
// testdata/<page>.zh-CN.golden.html.
func TestRenderMatchesGoldenPages(t *testing.T) {
	for _, lang := range Languages {
		_, man, pages := renderBundle(t, fullFixtureDB(t), testOptions("", lang))
		if len(man.Pages) != len(bundlePages) {
			t.Fatalf("pages %v, want all %d", man.Pages, len(bundlePages))
		}
		suffix := ".golden.html"
		names := man.Pages
		if lang != "en" {
			suffix = "." + lang + ".golden.html"
			names = []string{"index.html", "targets.html"}
		}
		for _, name := range names {
			page := pages[strings.TrimSuffix(name, ".html")]
			golden := filepath.Join("testdata", strings.TrimSuffix(name, ".html")+suffix)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(page), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if page != string(want) {
				t.Errorf("%s differs from %s (review, then go test -update):\n%s", name, golden, firstDiff(string(want), page))
			}
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\nwant: " + clip(w) + "\ngot:  " + clip(g)
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestRenderIsDeterministic(t *testing.T) {
	db := fixtureDB(t)
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, dir := range []string{a, b} {
		if _, err := Render(t.Context(), db, testOptions(dir, "en")); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb := walk(t, a), walk(t, b)
	if strings.Join(fa, ",") != strings.Join(fb, ",") {
		t.Fatalf("different file sets: %v vs %v", fa, fb)
	}
	for _, f := range fa {
		if readFile(t, a, f) != readFile(t, b, f) {
			t.Errorf("%s differs between two renders of the same data", f)
		}
	}
}

// walk lists the files of a bundle, slash-separated and sorted.
func walk(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// The fixture's numbers, computed by hand in fixture_test.go (fixtureRows).
func TestRenderShowsHandComputedNumbers(t *testing.T) {
	dir, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	page := pages["index"] + pages["channels"]
	tests := []struct {
		name string
		want string
	}{
		{"spend card: 30×100 + 30×50", `<p class="label">Spend</p>
<p class="value">¥4,500.00</p>`},
		{"revenue card: 12,000 + 2,265 + 900", `<p class="label">Revenue</p>
<p class="value">¥15,165.00</p>`},
		{"ROAS card: 15,165 / 4,500", `<p class="label">ROAS</p>
<p class="value">3.37</p>`},
		{"ROAS change: 3.37 / 4.00 - 1 = -15.75%", `-15.8%`},
		{"orders card", `<p class="value">180</p>`},
		{"CAC card: 4,500 / 90", `<p class="label">CAC</p>
<p class="value">¥50.00</p>`},
		{"AOV card: 15,765 / 180", `<p class="label">AOV</p>
<p class="value">¥87.58</p>`},
		{"AOV before: 12,600 / 120", `before: ¥105.00`},
		{"conversion rate: 210 / 10,500", `<p class="label">Conversion rate</p>
<p class="value">2.0%</p>`},
		{"spend change +50%", `&#43;50.0%`},
		{"windows", `2025-03-02 to 2025-03-31, compared with 2025-01-31 to 2025-03-01`},
		{"period", `<dd>2025-01-31 – 2025-03-31</dd>`},
		{"channel row, largest spend first", `<tbody>
<tr><td class="name">paid_search</td><td class="num">¥3,000.00</td><td class="num">¥12,000.00</td><td class="num">4.00</td><td class="num">120</td><td class="num">¥50.00</td><td class="num">6,000</td><td class="num">2.5%</td></tr>`},
		{"total row", `<tfoot><tr><td class="name">Total</td><td class="num">¥4,500.00</td><td class="num">¥15,165.00</td><td class="num">3.37</td><td class="num">180</td><td class="num">¥50.00</td><td class="num">10,500</td><td class="num">2.0%</td></tr></tfoot>`},
		{"header", `<dt>Run</dt><dd>7</dd>`},
		{"generated", `<dd>2025-04-01 06:00 UTC</dd>`},
		{"company", `<p class="company">Example Co</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(page, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}

	csv := readFile(t, dir, csvChannels)
	for _, want := range []string{
		"channel,spend,revenue,roas,orders,cac,sessions,conversion_rate,",
		"\npaid_search,3000.00,12000.00,4,120,50,6000,0.025,60,12600.00,600.00,150,2025-03-02,2025-03-31\n",
		"\nemail,0.00,0.00,,0,,0,,0,0.00,0.00,0,2025-03-02,2025-03-31\n",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("%s lacks %q:\n%s", csvChannels, want, csv)
		}
	}
	kpis := readFile(t, dir, csvKPIs)
	if !strings.Contains(kpis, "\nroas,3.37,4,-0.1575,") || !strings.Contains(kpis, "\nrevenue,15165.00,12000.00,0.26375,") {
		t.Errorf("%s:\n%s", csvKPIs, kpis)
	}
	daily := readFile(t, dir, csvDaily)
	if n := strings.Count(daily, "\n"); n != 1+60+30+30+1 {
		t.Errorf("%s has %d lines, want header + 121 day×channel rows", csvDaily, n)
	}
	if !strings.Contains(daily, "\n2025-03-31,paid_search,100.00,400.00,4,4,50,105,200,5,0.025,1000,20,420.00,20.00,2,0,true,1\n") {
		t.Errorf("%s lacks the provisional paid_search row of 2025-03-31", csvDaily)
	}
}

func TestRenderShowsMissingRatiosAsDash(t *testing.T) {
	_, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	page := pages["channels"]
	// email: no spend, no sessions; the unpaid channel: no spend.
	for _, want := range []string{
		`<tr><td class="name">email</td><td class="num">¥0.00</td><td class="num">¥0.00</td><td class="num">–</td><td class="num">0</td><td class="num">–</td><td class="num">0</td><td class="num">–</td></tr>`,
		`<td class="num">¥0.00</td><td class="num">¥900.00</td><td class="num">–</td><td class="num">30</td><td class="num">–</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `<td class="num">0.00</td>`) || strings.Contains(page, `<td class="num">0.0%</td>`) {
		t.Error("a missing ratio is shown as 0")
	}
}

func TestRenderEscapesHostileNames(t *testing.T) {
	dir, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	page := pages["channels"]
	// In the tables: as text.
	for _, want := range []string{
		`<td class="name">&lt;script&gt;alert(1)&lt;/script&gt;</td>`,
		`<td class="name">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</td>`,
		// The campaigns table: hostile campaign names.
		`<td class="name">&lt;script&gt;alert(1)&lt;/script&gt;<br><small>`,
		`<td class="name">&#34;&gt;&lt;img src=x onerror=alert(1)&gt;<br><small>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("channels.html lacks escaped %q", want)
		}
	}
	if want := `spend differs by 12.00 on &lt;b&gt;2025-03-30&lt;/b&gt;`; !strings.Contains(pages["quality"], want) {
		t.Errorf("quality.html lacks escaped %q", want)
	}
	// In the chart options: as JSON strings that cannot close the script.
	for _, want := range []string{
		`"\u003cscript\u003ealert(1)\u003c/script\u003e"`,
		`"\"\u003e\u003cimg src=x onerror=alert(1)\u003e"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("chart options lack escaped %q", want)
		}
	}
	// The CSV keeps the name as it is (quoted where CSV needs it).
	if csv := readFile(t, dir, csvChannels); !strings.Contains(csv, "\n\"\"\"><img src=x onerror=alert(1)>\",") {
		t.Errorf("%s does not hold the raw channel name:\n%s", csvChannels, csv)
	}
	if csv := readFile(t, dir, csvCampaigns); !strings.Contains(csv, ",<script>alert(1)</script>,") {
		t.Errorf("%s does not hold the raw campaign name:\n%s", csvCampaigns, csv)
	}
}

// Every page, in both languages, with every mart holding hostile names:
// names are text everywhere and the only scripts are ours, the library
// and one per chart.
func TestEveryPageEscapesHostileNames(t *testing.T) {
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			_, man, pages := renderBundle(t, fullFixtureDB(t), testOptions("", lang))
			if len(man.Pages) != len(bundlePages) {
				t.Fatalf("pages %v", man.Pages)
			}
			for name, page := range pages {
				for _, bad := range []string{hostileScript, hostileImg, "<img", "<b>"} {
					if strings.Contains(page, bad) {
						t.Errorf("%s.html holds %q unescaped", name, bad)
					}
				}
				if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(page, "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;") {
					t.Errorf("%s.html shows no hostile name as text: the fixture does not reach it", name)
				}
				charts := strings.Count(page, "echarts.init(")
				want := 0
				if charts > 0 {
					want = 1 + charts
				}
				if n := strings.Count(strings.ToLower(page), "<script"); n != want {
					t.Errorf("%s.html has %d <script tags, want %d (library + %d charts)", name, n, want, charts)
				}
				if n := strings.Count(strings.ToLower(page), "</script"); n != want {
					t.Errorf("%s.html has %d </script, want %d", name, n, want)
				}
			}
			// Each section page draws its chart.
			for name, id := range map[string]string{"index": chartTrend, "channels": chartChannels, "targets": chartTargets,
				"attribution": chartAttribution, "funnel": chartFunnel, "economics": chartEconomics,
				"reconciliation": chartReconciliation, "team": chartTeams} {
				if !strings.Contains(pages[name], `id="`+id+`"`) {
					t.Errorf("%s.html lacks chart %s", name, id)
				}
			}
		})
	}
}

// startTag matches a start tag; srcHref its src and href attributes, quoted
// or not. Escaped text (&lt;img src=x) and the escaped chart JSON hold no
// "<", so only real tags match.
var (
	startTag = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	srcHref  = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
)

func TestBundleIsOfflineAndManifestMatches(t *testing.T) {
	dir, man, pages := renderBundle(t, fullFixtureDB(t), testOptions("", "en"))

	var refs [][]string
	for _, page := range pages {
		for _, tag := range startTag.FindAllString(page, -1) {
			refs = append(refs, srcHref.FindAllStringSubmatch(tag, -1)...)
		}
	}
	if len(refs) == 0 {
		t.Fatal("no src or href found: the pattern is wrong")
	}
	files := walk(t, dir)
	inBundle := map[string]bool{}
	for _, f := range files {
		inBundle[f] = true
	}
	for _, m := range refs {
		ref := m[1] + m[2] + m[3]
		lower := strings.ToLower(ref)
		if strings.Contains(lower, "://") || strings.HasPrefix(lower, "//") || strings.HasPrefix(lower, "data:") || strings.HasPrefix(lower, "javascript:") {
			t.Errorf("external or inline reference %q", ref)
			continue
		}
		if strings.HasPrefix(ref, "#") {
			continue
		}
		if !inBundle[ref] {
			t.Errorf("reference %q is not a file of the bundle", ref)
		}
	}
	for name, page := range pages {
		if !strings.Contains(page, `<script src="assets/echarts.min.js"></script>`) {
			t.Errorf("%s.html does not load assets/echarts.min.js relatively", name)
		}
		// One stylesheet for all pages, linked relatively, none inlined.
		if !strings.Contains(page, `<link rel="stylesheet" href="assets/pacer.css">`) {
			t.Errorf("%s.html does not link assets/pacer.css relatively", name)
		}
		if strings.Contains(page, "<style") {
			t.Errorf("%s.html has an inline stylesheet", name)
		}
		// The shared navigation links every page of the bundle.
		for _, p := range man.Pages {
			if !strings.Contains(page, `<a href="`+p+`"`) {
				t.Errorf("%s.html does not link %s", name, p)
			}
		}
	}
	var wantPages []string
	for _, p := range bundlePages {
		wantPages = append(wantPages, p.Name+".html")
	}
	if strings.Join(man.Pages, ",") != strings.Join(wantPages, ",") {
		t.Errorf("manifest pages %v, want %v", man.Pages, wantPages)
	}

	// manifest.json on disk is the returned manifest.
	var disk Manifest
	if err := json.Unmarshal([]byte(readFile(t, dir, "manifest.json")), &disk); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(man)
	got, _ := json.Marshal(&disk)
	if !bytes.Equal(want, got) {
		t.Errorf("manifest.json differs from the returned manifest:\n%s\n%s", got, want)
	}
	var listed []string
	for _, f := range disk.Files {
		listed = append(listed, f.Path)
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Errorf("manifest lists %s: %v", f.Path, err)
			continue
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Size {
			t.Errorf("%s: manifest says %d bytes %s, file has %d bytes %x", f.Path, f.Size, f.SHA256, len(b), sum)
		}
	}
	if !sort.StringsAreSorted(listed) {
		t.Errorf("manifest files not sorted: %v", listed)
	}
	var wantFiles []string
	for _, f := range files {
		if f != "manifest.json" {
			wantFiles = append(wantFiles, f)
		}
	}
	if strings.Join(listed, ",") != strings.Join(wantFiles, ",") {
		t.Errorf("manifest lists %v, bundle has %v", listed, wantFiles)
	}
	for _, f := range []string{"index.html", "targets.html", "channels.html", "attribution.html", "funnel.html", "economics.html",
		"reconciliation.html", "team.html", "quality.html", "assets/echarts.min.js", "assets/LICENSE", "assets/NOTICE", "assets/pacer.css", csvDaily, csvChannels,
		csvCampaigns, csvTargets, csvBudgets, csvScorecard, csvChanges, csvSegments} {
		if !inBundle[f] {
			t.Errorf("bundle lacks %s", f)
		}
	}
	// The stylesheet is the embedded one, with its phone and print rules.
	if css := readFile(t, dir, "assets/pacer.css"); css != string(stylesheet) ||
		!strings.Contains(css, "@media (max-width: 640px)") || !strings.Contains(css, "@media print") {
		t.Errorf("assets/pacer.css is not the stylesheet with phone and print rules (%d bytes)", len(css))
	}
	if disk.RunID != 7 || disk.Period == nil || disk.Period.From != "2025-01-31" || disk.Period.To != "2025-03-31" ||
		disk.ProvisionalFrom != "2025-03-29" || disk.ChecksFailed != 2 || disk.ChecksWarned != 2 ||
		!disk.GeneratedAt.Equal(fixedNow) || disk.Language != "en" || disk.Currency != "CNY" {
		t.Errorf("manifest header: %+v", disk)
	}
	if len(disk.Freshness) != 2 || disk.Freshness[0].Source != "google_ads" || disk.Freshness[0].SyncedThrough != "2025-03-31" ||
		disk.Freshness[1].ProvisionalFrom != "" {
		t.Errorf("manifest freshness: %+v", disk.Freshness)
	}
}

func TestRenderShowsDataQualityAndProvisionalDays(t *testing.T) {
	_, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	// Prominent at the top of every page, naming the checks.
	for name, page := range pages {
		for _, want := range []string{
			`<div class="banner top fail" role="alert">`,
			`<strong>2 data checks failed</strong> <code>sql:spend_matches_platforms, unique:marts.kpi_daily.date_channel_campaign</code>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s.html lacks %q", name, want)
			}
		}
	}
	page := pages["quality"] + pages["index"] + pages["channels"]
	for _, want := range []string{
		`Provisional days</h3>
<p class="sub">2025-03-29 to 2025-03-31 (3 days) may still change`,
		`<code>unique:marts.kpi_daily.date_channel_campaign</code>`,
		`<code>sql:spend_matches_platforms</code>`,
		`duplicate keys, e.g. 2025-03-30 / paid_search / c1`,
		`<span aria-hidden="true">✗</span> Failed</span>`,
		`<span aria-hidden="true">⚠</span> Warning</span>`,
		`<code>freshness:shopify.orders</code>`,
		`Checks of run 7: 4 ran, passed 1, failed 2, warnings 1.`,
		// Freshness per stream.
		`<tr><td class="name">google_ads</td><td class="name">ad_performance</td><td>ad_performance</td><td class="num">2025-03-31</td><td class="num">1</td><td class="num">2025-03-29</td><td class="num">2025-04-01 05:57 UTC</td></tr>`,
		`<tr><td class="name">shopify</td><td class="name">orders</td><td>orders</td><td class="num">2025-03-30</td><td class="num">2</td><td class="num">–</td>`,
		// Quarantine.
		`2 rows quarantined by this run, 3 in total.`,
		// Provisional days.
		`<span class="badge provisional">Provisional</span>`,
		`Numbers from 2025-03-29 on may still change`,
		`<span class="badge provisional">includes provisional days</span>`,
		`{"name":"Provisional","xAxis":"2025-03-29"},{"xAxis":"2025-03-31"}`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "row_count:old_run_only") {
		t.Error("page shows a check of another run")
	}
	if strings.Contains(page, "not_null:marts.kpi_daily.date") {
		t.Error("page lists a passing check among the failures")
	}
}

func TestRenderChinese(t *testing.T) {
	dir, man, pages := renderBundle(t, fixtureDB(t), testOptions("", "zh-CN"))
	page := pages["index"] + pages["channels"] + pages["quality"]
	for _, want := range []string{
		`<html lang="zh-CN">`,
		`<h1>营销报告</h1>`,
		`<p class="label">花费</p>`,
		`<p class="label">收入</p>`,
		`<p class="label">转化率</p>`,
		`<strong>2 项数据检查未通过</strong>`,
		`<th scope="col">渠道</th>`,
		`<td class="name">合计</td>`,
		`下载 CSV`,
		`2025-03-29 起的数字仍可能变动`,
		`"name":"花费"`,
		`¥15,165.00`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("zh-CN page lacks %q", want)
		}
	}
	for _, want := range []string{`<a href="channels.html">渠道</a>`, `<h1>渠道与广告系列</h1>`, `<th scope="col">广告系列</th>`,
		`这是第一次生成报告`, `<h1>数据质量</h1>`, `暂定日期`} {
		if !strings.Contains(page, want) {
			t.Errorf("zh-CN pages lack %q", want)
		}
	}
	for name, page := range pages {
		for _, english := range []string{"Marketing report", "Download CSV", "data checks failed", ">Spend<", "Overview", "What changed", "Campaigns"} {
			if strings.Contains(page, english) {
				t.Errorf("zh-CN %s.html still says %q", name, english)
			}
		}
	}
	if man.Language != "zh-CN" {
		t.Errorf("manifest language %q", man.Language)
	}
	// CSV headers stay machine-readable English.
	if !strings.HasPrefix(readFile(t, dir, csvChannels), "channel,spend,revenue,") {
		t.Error("zh-CN CSV header changed")
	}
}

func TestCatalogsHaveSameKeys(t *testing.T) {
	en := catalogs["en"]
	for _, lang := range Languages {
		c, ok := catalogs[lang]
		if !ok {
			t.Fatalf("no catalog for %s", lang)
		}
		for k, v := range en {
			if strings.TrimSpace(c[k]) == "" {
				t.Errorf("%s: message %q missing", lang, k)
			}
			if strings.Count(c[k], "%") != strings.Count(v, "%") && !strings.Contains(c[k], "%[") {
				t.Errorf("%s: message %q has other verbs than en", lang, k)
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: message %q not in en", lang, k)
			}
		}
	}
}

func TestRenderReplacesThePreviousBundle(t *testing.T) {
	db := fixtureDB(t)
	dir := filepath.Join(t.TempDir(), "report")
	if _, err := Render(t.Context(), db, testOptions(dir, "en")); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "data", "old.csv")
	if err := os.WriteFile(stray, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A leftover of a render killed mid-way (pid 1<<30 does not exist).
	leftover := dir + ".tmp-1073741824"
	if err := os.MkdirAll(leftover, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Render(t.Context(), db, testOptions(dir, "zh-CN")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file of the previous bundle survived: %v", err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale %s not removed: %v", leftover, err)
	}
	if !strings.Contains(readFile(t, dir, "index.html"), `lang="zh-CN"`) {
		t.Error("index.html not replaced")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("temporary folders left next to the bundle: %v", names)
	}
}

func TestRenderRefusesToReplaceAFolderThatIsNotABundle(t *testing.T) {
	db := fixtureDB(t)
	dir := t.TempDir()
	keep := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(keep, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Render(t.Context(), db, testOptions(dir, "en"))
	if err == nil || !strings.Contains(err.Error(), "not a report bundle") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the folder was touched: %v", err)
	}
}

func TestRenderFailsClearlyWithoutTheChartLibrary(t *testing.T) {
	saved := assetsFS
	t.Cleanup(func() { assetsFS = saved })
	assetsFS = fstest.MapFS{"README.md": {Data: []byte("fetch me")}}

	db := fixtureDB(t)
	dir := filepath.Join(t.TempDir(), "report")
	_, err := Render(t.Context(), db, testOptions(dir, "en"))
	if !errors.Is(err, ErrAssetsMissing) {
		t.Fatalf("err = %v, want ErrAssetsMissing", err)
	}
	if !strings.Contains(err.Error(), "reports/assets/echarts.min.js missing: run make assets") {
		t.Errorf("unclear error: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a bundle was written anyway: %v", err)
	}
}

func TestRenderRejectsBadOptions(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"an empty dir is an error", Options{}, "Options.Dir is empty"},
		{"an unknown language lists the known ones", Options{Dir: t.TempDir() + "/r", Language: "fr"}, `unknown language "fr" (known: en, zh-CN)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(t.Context(), db, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRenderEmptyWarehouse(t *testing.T) {
	db := openDB(t)
	dir := filepath.Join(t.TempDir(), "report")
	_, man, pages := renderBundle(t, db, Options{Dir: dir, RunID: 1, Company: "Empty", Currency: "USD", Now: fixedNow})
	page := pages["index"] + pages["quality"] + pages["channels"]
	if len(pages) != 3 {
		t.Errorf("an empty warehouse has pages %v, want index, channels and quality", man.Pages)
	}
	for _, want := range []string{"No data in marts.kpi_daily yet.", "No data checks were recorded for run 1.",
		"No source stream has been synced yet.", "No rows are quarantined.", "<dd>–</dd>", "No targets configured"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("an empty report loads scripts")
	}
	if !strings.Contains(page, "This is the first report run") {
		t.Error("the first run does not say so")
	}
	if man.Period != nil || man.Language != "en" || len(man.Freshness) != 0 {
		t.Errorf("manifest: %+v", man)
	}
	if got := readFile(t, dir, csvChannels); !strings.HasPrefix(got, "channel,") || strings.Count(got, "\n") != 1 {
		t.Errorf("%s of an empty warehouse: %q", csvChannels, got)
	}
}

func TestRenderStopsWhenCancelled(t *testing.T) {
	db := fixtureDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := filepath.Join(t.TempDir(), "report")
	if _, err := Render(ctx, db, testOptions(dir, "en")); err == nil {
		t.Fatal("Render of a cancelled context succeeded")
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cancelled render wrote a bundle: %v", err)
	}
}

// The targets section, from the fixture's goals rows (fixture_test.go).
func TestRenderShowsTargets(t *testing.T) {
	dir, man, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	// The index keeps the headline: each KPI with its company target, and
	// every target's standing, linking to the targets page.
	for _, want := range []string{
		`<a href="targets.html">Targets</a>`,
		`<a href="team.html">Team</a>`,
		`<section class="block" id="targets">`,
		`<p class="goal">Target ¥4,000,000.00 · Attainment 25.0% · Pace 1.01 · Forecast ¥4,055,555.56 <span class="badge good">on track</span></p>`,
		`<p class="goal">Target 0.0250 · Attainment 80.0% · Pace 0.80 · Forecast 0.0200 <span class="badge bad">off track</span></p>`,
		`<tr><td class="name target">revenue · company · 2025</td><td>li.wei</td><td class="num">¥4,000,000.00</td><td class="num">25.0%</td><td class="num">1.01</td><td class="num">¥4,055,555.56</td><td><span class="badge good">on track</span></td></tr>`,
		`<a class="more" href="targets.html">All targets and budget pacing</a>`,
	} {
		if !strings.Contains(pages["index"], want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if i, j, k := strings.Index(pages["index"], `id="findings"`), strings.Index(pages["index"], `id="kpis"`), strings.Index(pages["index"], `id="changes"`); i < 0 || j < i || k < j {
		t.Error("index.html is not findings, then KPIs, then what changed")
	}
	page := pages["targets"] + pages["team"]
	for _, want := range []string{
		`<h1>Targets and pacing</h1>`,
		`<h1>Team scorecards and incentives</h1>`,
		`Standing as of 2025-03-31.`,
		`6 targets: 1 on track, 1 at risk, 1 off track, 1 achieved, 1 missed, 1 not started.`,
		// Money, with the forecast's 90% interval under it.
		`<tr><td class="num">1</td><td class="name target">revenue · company · 2025</td><td><span class="badge good">on track</span></td><td>li.wei<br><small class="range">growth</small></td><td class="num">¥4,000,000.00</td><td class="num">¥1,000,000.00</td><td class="num">¥986,301.37</td><td class="num">25.0%</td><td class="num">1.01</td><td class="num">¥4,055,555.56<br><small class="range">3,900,000.00 – 4,211,111.11</small></td><td class="num">¥10,909.09</td><td class="num">275</td></tr>`,
		// A ratio with 2 decimals; no interval, nothing needed on the last day.
		`<span class="badge good">achieved</span>`, `<td class="num">3.50</td><td class="num">4.00</td><td class="num">3.50</td><td class="num">114.3%</td><td class="num">1.14</td><td class="num">4.00</td><td class="num">–</td><td class="num">0</td></tr>`,
		`<td><span class="badge bad">missed</span></td>`,
		// A count; not started: no actuals.
		`<span class="badge muted">not started</span>`, `<td class="num">9,000</td><td class="num">–</td><td class="num">100</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">89</td></tr>`,
		// A small ratio keeps 4 decimals.
		`<td class="num">0.0250</td><td class="num">0.0200</td><td class="num">0.0250</td><td class="num">80.0%</td><td class="num">0.80</td><td class="num">0.0200<br><small class="range">0.0180 – 0.0220</small></td><td class="num">0.0268</td>`,
		`<span class="badge warn">at risk</span>`,
		`<span class="badge bad">off track</span>`,
		// Budgets.
		`<h3>Budget pacing</h3>`,
		`<tr><td class="name">paid_search</td><td>2025-03</td><td class="num">¥3,000.00</td><td class="num">¥3,100.00</td><td class="num">1.03</td><td class="num">¥3,100.00</td><td class="num">&#43;3.3%</td><td class="num">0</td><td><span class="badge good">on plan</span></td></tr>`,
		`<td class="num">&#43;50.0%</td><td class="num">0</td><td><span class="badge bad">overspending</span></td>`,
		`<tr><td class="name">display</td><td>2025-04</td><td class="num">¥2,000.00</td><td class="num">¥0.00</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">30</td><td><span class="badge muted">not started</span></td></tr>`,
		// Scorecard: team rows first, with payouts and their calculation.
		`<h3>Scorecard and payouts</h3>`,
		`id="` + chartTargets + `"`, `id="` + chartBudgets + `"`, `id="` + chartTeams + `"`,
		`<tr><td>team</td><td class="name">growth</td><td>–</td><td class="num">1</td><td class="num">3</td><td class="num">101.9%</td><td class="num">1.02</td><td class="num">-0.03</td><td class="num">¥20,370.00<br><small>linear</small></td><td>projected</td><td class="detail">attainment 101.9% ≥ threshold 80.0%: base CNY 20,000 × 101.9% = CNY 20,370</td></tr>`,
		`<td class="num">¥0.00<br><small>step</small></td><td>final</td>`,
		`<tr><td>team</td><td class="name">sales</td><td>–</td><td class="num">3</td><td class="num">1</td><td class="num">80.0%</td><td class="num">0.80</td><td class="num">–</td><td class="num">–</td><td>projected</td><td class="detail"></td></tr>`,
		`<tr><td>owner</td><td class="name">growth</td><td>li.wei</td><td class="num">1</td>`,
		`href="data/targets.csv"`, `href="data/budget_pacing.csv"`, `href="data/team_scorecard.csv"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Only the current standing: target 1's row of the day before is not shown.
	if strings.Contains(page, "11.1%") {
		t.Error("page shows a row of targets_vs_actuals that is not is_latest")
	}

	targets := readFile(t, dir, csvTargets)
	for _, want := range []string{
		"target_id,target,metric,unit,scope,period,period_start,period_end,owner,team,direction,curve,target_value,date,days_left,actual_to_date,expected_to_date,attainment,pace_index,forecast,forecast_low,forecast_high,projected_attainment,required_daily,status,as_of\n",
		"\n1,revenue · company · 2025,revenue,money,company,2025,2025-01-01,2025-12-31,li.wei,growth,higher,linear,4000000,2025-03-31,275,1000000,986301.37,0.25,1.0139,4055555.56,3900000,4211111.11,1.0139,10909.09,on_track,2025-03-31\n",
		"\n4,new_customers · company · 2025-Q2,new_customers,count,company,2025-Q2,2025-04-01,2025-06-30,zhang.min,sales,higher,last_year,9000,2025-04-01,89,,100,,,,,,,,not_started,2025-03-31\n",
	} {
		if !strings.Contains(targets, want) {
			t.Errorf("%s lacks %q:\n%s", csvTargets, want, targets)
		}
	}
	if n := strings.Count(targets, "\n"); n != 1+6 {
		t.Errorf("%s has %d lines, want header + 6 targets", csvTargets, n)
	}
	budgets := readFile(t, dir, csvBudgets)
	if !strings.Contains(budgets, "\n3,display,2025-04,2025-04-01,2025-04-30,2000,0,,,,,,2000,66.666667,0,30,not_started,false,2025-03-31\n") {
		t.Errorf("%s:\n%s", csvBudgets, budgets)
	}
	scores := readFile(t, dir, csvScorecard)
	if !strings.HasPrefix(scores, "level,team,owner,rank,") || !strings.Contains(scores, "\nteam,growth,,1,3,2,1,0,1.0186,1.0186,1.05,-0.0314,linear,20370,projected,") {
		t.Errorf("%s:\n%s", csvScorecard, scores)
	}
	listed := map[string]bool{}
	for _, f := range man.Files {
		listed[f.Path] = true
	}
	for _, f := range []string{csvTargets, csvBudgets, csvScorecard} {
		if !listed[f] {
			t.Errorf("manifest does not list %s", f)
		}
	}
}

func TestRenderEscapesHostileTargets(t *testing.T) {
	dir, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "en"))
	page := pages["targets"] + pages["team"]
	for _, want := range []string{
		`<td class="name target">revenue · channel=&lt;script&gt;alert(1)&lt;/script&gt; · 2025</td>`, `<td>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;<br>`,
		`<tr><td class="name">&lt;script&gt;alert(1)&lt;/script&gt;</td><td>2025-03</td>`,
		`<td>owner</td><td class="name">growth</td><td>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks escaped %q", want)
		}
	}
	for _, bad := range []string{hostileScript, hostileImg, "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	// The CSV keeps the label as it is, quoted where CSV needs it.
	if csv := readFile(t, dir, csvTargets); !strings.Contains(csv, "\n5,revenue · channel=<script>alert(1)</script> · 2025,revenue,money,") ||
		!strings.Contains(csv, `,"""><img src=x onerror=alert(1)>",growth,`) {
		t.Errorf("%s does not hold the raw label and owner:\n%s", csvTargets, csv)
	}
}

func TestRenderTargetsChinese(t *testing.T) {
	_, _, pages := renderBundle(t, fixtureDB(t), testOptions("", "zh-CN"))
	page := pages["targets"] + pages["team"]
	for _, want := range []string{
		`<a href="targets.html">目标</a>`,
		`<h1>团队计分卡与激励</h1>`,
		`<h2>目标与进度</h2>`,
		`截至 2025-03-31 的情况。`,
		`共 6 个目标：进度正常 1 个，有风险 1 个，落后 1 个，已达成 1 个，未达成 1 个，未开始 1 个。`,
		`<span class="badge good">进度正常</span>`,
		`<span class="badge bad">超支</span>`,
		`<h3>预算执行进度</h3>`,
		`<h2>团队计分卡</h2>`,
		`<tr><td>团队</td><td class="name">growth</td>`,
		`<td>预计</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("zh-CN page lacks %q", want)
		}
	}
	for _, english := range []string{"Targets and pacing", "on track", "Budget pacing", "No targets configured", "Attainment against pace"} {
		if strings.Contains(page, english) {
			t.Errorf("zh-CN page still says %q", english)
		}
	}
}

// A warehouse whose goals tables are empty (no targets.yaml) or missing
// (built before goals) renders, saying so, with header-only CSVs.
func TestRenderWithoutTargets(t *testing.T) {
	for _, tables := range []bool{false, true} {
		t.Run(map[bool]string{false: "tables missing", true: "tables empty"}[tables], func(t *testing.T) {
			db := openDB(t)
			insertKPI(t, db, fixtureRows())
			if tables {
				addGoals(t, db, false)
			}
			dir, man, pages := renderBundle(t, db, testOptions("", "en"))
			sec := pages["index"][strings.Index(pages["index"], `<section class="block" id="targets">`):strings.Index(pages["index"], `<section class="block" id="changes">`)]
			if !strings.Contains(sec, "No targets configured") || strings.Contains(sec, "<table>") {
				t.Errorf("targets section of index.html:\n%s", sec)
			}
			// The targets and team pages exist when their marts do.
			if _, ok := pages["targets"]; ok != tables {
				t.Errorf("targets.html written: %v, want %v", ok, tables)
			}
			if _, ok := pages["team"]; ok != tables {
				t.Errorf("team.html written: %v, want %v", ok, tables)
			}
			if tables && (!strings.Contains(pages["targets"], "No targets configured") || !strings.Contains(pages["team"], "No team scorecard")) {
				t.Error("the empty targets or team page does not say why")
			}
			if strings.Contains(pages["index"], `href="targets.html"`) != tables {
				t.Error("the navigation does not follow the pages")
			}
			for _, f := range []string{csvTargets, csvBudgets, csvScorecard} {
				if got := readFile(t, dir, f); strings.Count(got, "\n") != 1 {
					t.Errorf("%s: %q, want the header only", f, got)
				}
			}
			if len(man.Files) == 0 {
				t.Error("no files in the manifest")
			}
		})
	}
}
