package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/reports/browsertest"
)

// TestDemoBundleInABrowser opens every page of the demo's report bundle in
// headless Chromium from file:// with the network disabled: no script
// error, no console message, no failed or outside request, every chart
// painted, the stylesheet applied. A screenshot of the demo's index.html is
// saved as the test's artifact (demo-report.png).
func TestDemoBundleInABrowser(t *testing.T) {
	if err := browsertest.Available(); err != nil {
		t.Skipf("no chromium: %v", err)
	}
	bundle := filepath.Join(newDemo(t), "report")
	b, err := os.ReadFile(filepath.Join(bundle, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var man struct {
		Pages []string `json:"pages"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	// The demo has every mart, so every page is there.
	want := []string{"index.html", "targets.html", "channels.html", "attribution.html", "funnel.html",
		"economics.html", "reconciliation.html", "team.html", "quality.html"}
	if strings.Join(man.Pages, " ") != strings.Join(want, " ") {
		t.Errorf("pages %v, want %v", man.Pages, want)
	}
	for _, file := range man.Pages {
		t.Run(strings.TrimSuffix(file, ".html"), func(t *testing.T) {
			page, err := os.ReadFile(filepath.Join(bundle, file))
			if err != nil {
				t.Fatal(err)
			}
			res := browsertest.Probe(t, filepath.Join(bundle, file), "")
			for _, line := range res.Console {
				t.Errorf("console message: %s", line)
			}
			for _, p := range res.Problems {
				t.Errorf("%s", p)
			}
			if res.CSS.Background == "" || res.CSS.Background == "rgba(0, 0, 0, 0)" {
				t.Errorf("assets/pacer.css not applied: %+v", res.CSS)
			}
			charts := strings.Count(string(page), "echarts.init(")
			if charts == 0 || len(res.Charts) != charts {
				t.Errorf("charts %v, want %d", res.Charts, charts)
			}
			for _, c := range res.Charts {
				if !strings.HasSuffix(c, ":drawn") {
					t.Errorf("chart %s is not drawn", c)
				}
			}
		})
	}
	png := browsertest.ArtifactPath("demo-report.png")
	browsertest.Screenshot(t, filepath.Join(bundle, "index.html"), png, 1280, 2000)
	t.Logf("screenshot: %s", png)
}
