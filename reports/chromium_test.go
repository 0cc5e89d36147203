package reports

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/reports/browsertest"
)

// screenshot is where TestChromiumRendersChartsOffline saves a 1280×1600
// PNG of the page, as the test's artifact: -screenshot, else
// $PACER_TEST_ARTIFACTS/report.png, else report.png in the system's temp
// directory. The test logs the path.
//
//	go test -tags duckdb_arrow ./reports -run Chromium -screenshot /tmp/report.png
var screenshot = flag.String("screenshot", "", "save a screenshot of the fixture report to this PNG")

func screenshotPath() string {
	if *screenshot != "" {
		return *screenshot
	}
	return browsertest.ArtifactPath("report.png")
}

// Every page of the bundle (all marts present) opens from file:// with
// the network disabled: no console message, no script error, no failed or
// outside request, and every chart drawn (its canvas painted). Probe copies
// also show each chart's tooltip on the hostile channels: ECharts puts
// tooltips in the DOM as HTML, so they must hold the names as text, not
// elements. A screenshot of index.html is saved as the test's artifact.
func TestChromiumRendersChartsOffline(t *testing.T) {
	if err := browsertest.Available(); err != nil {
		t.Skipf("no chromium: %v", err)
	}
	dir, man, pages := renderBundle(t, fullFixtureDB(t), testOptions("", "en"))
	if len(man.Pages) != len(bundlePages) {
		t.Fatalf("pages %v", man.Pages)
	}
	// Extra probing per page: show a tooltip on a hostile category.
	tips := map[string]string{
		"index":    `echarts.getInstanceByDom(document.getElementById("` + chartTrend + `")).dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 40 });`,
		"channels": `echarts.getInstanceByDom(document.getElementById("` + chartChannels + `")).dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 2 });`,
	}
	for _, file := range man.Pages {
		name := strings.TrimSuffix(file, ".html")
		t.Run(name, func(t *testing.T) {
			page := pages[name]
			res := browsertest.Probe(t, filepath.Join(dir, file), tips[name])
			dom := res.DOM
			for _, line := range res.Console {
				t.Errorf("console message: %s", line)
			}
			for _, p := range res.Problems {
				t.Errorf("%s", p)
			}
			// The linked stylesheet applied (a wide window: no phone rules).
			if res.CSS.Background != "rgb(244, 246, 249)" || res.CSS.WrapPadding != "20px" {
				t.Errorf("assets/pacer.css not applied: %+v", res.CSS)
			}
			want := strings.Count(page, "echarts.init(")
			if want == 0 || len(res.Charts) != want {
				t.Errorf("charts %v, want %d", res.Charts, want)
			}
			for _, c := range res.Charts {
				if !strings.HasSuffix(c, ":drawn") {
					t.Errorf("chart %s", c)
				}
			}
			if strings.Contains(dom, "<img") || strings.Contains(dom, "<script>alert") {
				t.Error("a hostile name became an element")
			}
			switch name {
			case "channels":
				// The tooltip's title line (ECharts 5.4 markup); the table
				// cell with the same text has no such style.
				if !strings.Contains(dom, `line-height:1;">&lt;script&gt;alert(1)&lt;/script&gt;</div>`) {
					t.Errorf("the channel chart's tooltip does not show the hostile name as text")
				}
			case "index":
				if !strings.Contains(dom, `line-height:1;">2025-03-12</div>`) {
					t.Errorf("the trend chart's tooltip was not shown")
				}
			}
		})
	}

	// On a phone-sized window the stylesheet's phone rules apply.
	t.Run("phone", func(t *testing.T) {
		res := browsertest.Probe(t, filepath.Join(dir, "index.html"), "", "--window-size=390,844")
		if res.CSS.Background != "rgb(244, 246, 249)" || res.CSS.WrapPadding != "12px" {
			t.Errorf("phone layout of assets/pacer.css not applied: %+v", res.CSS)
		}
	})

	png, err := filepath.Abs(screenshotPath())
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, filepath.Join(dir, "index.html"), png, 1280, 1600)
	t.Logf("screenshot: %s", png)
}
