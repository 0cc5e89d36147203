package reports

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	if dir := os.Getenv("PACER_TEST_ARTIFACTS"); dir != "" {
		return filepath.Join(dir, "report.png")
	}
	return filepath.Join(os.TempDir(), "pacer-test-artifacts", "report.png")
}

// chromiumPath is Debian's chromium; the browser test skips without it.
const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium with no network features and a private
// profile, with extra arguments, and returns its stdout.
func chromium(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=5000",
	}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// The page opens from file:// with no network: ECharts loads from assets/
// and draws into both chart containers. A probe copy of the page also shows
// each chart's tooltip on the hostile channels: ECharts puts tooltips in
// the DOM as HTML, so they must hold the names as text, not elements.
func TestChromiumRendersChartsOffline(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: %v", chromiumPath, err)
	}
	dir, _, page := renderFixture(t, "en")
	url := "file://" + filepath.ToSlash(filepath.Join(dir, "index.html"))

	dom := chromium(t, "--dump-dom", url)
	for _, id := range []string{chartTrend, chartChannels} {
		re := regexp.MustCompile(`id="` + id + `"[^>]*>\s*<div[^>]*>\s*<canvas`)
		if !re.MatchString(dom) {
			t.Errorf("chart %s was not drawn (no canvas in its container)", id)
		}
	}
	if strings.Contains(dom, "<img") {
		t.Error("a hostile name became an <img> element")
	}

	probe := strings.Replace(page, "</body>", `<script>
["`+chartTrend+`", "`+chartChannels+`"].forEach(function (id) {
  var c = echarts.getInstanceByDom(document.getElementById(id));
  c.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: id === "`+chartTrend+`" ? 40 : 2 });
});
</script>
</body>`, 1)
	probePath := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(probePath, []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	dom = chromium(t, "--dump-dom", "file://"+filepath.ToSlash(probePath))
	// The tooltip's title line (ECharts 5.4 markup); the table cell with the
	// same text has no such style.
	if !strings.Contains(dom, `line-height:1;">&lt;script&gt;alert(1)&lt;/script&gt;</div>`) {
		t.Errorf("the channel chart's tooltip does not show the hostile name as text")
	}
	if !strings.Contains(dom, `line-height:1;">2025-03-12</div>`) {
		t.Errorf("the trend chart's tooltip was not shown")
	}
	if strings.Contains(dom, "<img") || strings.Contains(dom, "<script>alert") {
		t.Error("a hostile name became an element in a tooltip")
	}
	if err := os.Remove(probePath); err != nil {
		t.Fatal(err)
	}

	png, err := filepath.Abs(screenshotPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(png), 0o755); err != nil {
		t.Fatal(err)
	}
	chromium(t, "--screenshot="+png, "--window-size=1280,1600", url)
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", png, err)
	}
	t.Logf("screenshot: %s", png)
}
