package reports

import (
	"context"
	"encoding/json"
	"flag"
	"html"
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

// chromium runs headless Chromium with no network (every host name fails
// to resolve and every connection goes to a closed proxy), no network
// features and a private profile, with extra arguments, and returns its
// stdout and stderr. Console messages of the page are logged to stderr.
func chromium(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-dev-shm-usage", "--hide-scrollbars",
		"--proxy-server=socks5://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--enable-logging=stderr", "--v=0",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=5000",
	}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errOut.String())
	}
	return string(out), errOut.String()
}

// probeHead is put first in a probe copy of a page: it records script
// errors, console errors and warnings, and resources that failed to load
// (error events of elements, seen in the capture phase). probeTail, at the
// end of the body, adds after the load: any resource fetched from outside
// the bundle, and whether each chart's canvas holds a painted pixel; then
// writes it all as JSON into <pre id="probe">, which --dump-dom prints.
const (
	probeHead = `<script>
window.__probe = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  if (t && t !== window && (t.src || t.href)) { __probe.push("failed to load " + (t.src || t.href)); }
  else { __probe.push("error: " + e.message); }
}, true);
["error", "warn"].forEach(function (level) {
  var orig = console[level];
  console[level] = function () { __probe.push("console." + level + ": " + Array.prototype.join.call(arguments, " ")); orig.apply(console, arguments); };
});
</script>`
	probeTail = `<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    performance.getEntriesByType("resource").forEach(function (r) {
      if (r.name.indexOf("file:") !== 0) { __probe.push("request " + r.name); }
    });
    var charts = [];
    document.querySelectorAll("figure .chart div.item[id]").forEach(function (el) {
      var c = el.querySelector("canvas"), drawn = false;
      if (c && c.width > 0 && c.height > 0) {
        var px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { drawn = true; break; } }
      }
      charts.push(el.id + (drawn ? ":drawn" : ":blank"));
    });
    var pre = document.createElement("pre");
    pre.id = "probe";
    var wrap = document.querySelector(".wrap");
    var css = { background: getComputedStyle(document.body).backgroundColor, wrapPadding: wrap ? getComputedStyle(wrap).paddingLeft : "" };
    pre.textContent = JSON.stringify({ problems: __probe, charts: charts, css: css });
    document.body.appendChild(pre);
  }, 300);
});
</script>`
)

// probeResult is what probeTail writes.
type probeResult struct {
	Problems []string `json:"problems"`
	Charts   []string `json:"charts"`
	// CSS is what assets/pacer.css did to the page: the body's background
	// and the page padding (20px on a wide screen, 12px on a phone).
	CSS struct {
		Background  string `json:"background"`
		WrapPadding string `json:"wrapPadding"`
	} `json:"css"`
}

var probeRE = regexp.MustCompile(`<pre id="probe">([^<]*)</pre>`)

// Every page of the bundle (all marts present) opens from file:// with
// the network disabled: no console message, no script error, no failed or
// outside request, and every chart drawn (its canvas painted). Probe copies
// also show each chart's tooltip on the hostile channels: ECharts puts
// tooltips in the DOM as HTML, so they must hold the names as text, not
// elements. A screenshot of index.html is saved as the test's artifact.
func TestChromiumRendersChartsOffline(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s: %v", chromiumPath, err)
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
			probe := strings.Replace(page, "<head>", "<head>\n"+probeHead, 1)
			tail := probeTail
			if js, ok := tips[name]; ok {
				tail += "<script>" + js + "</script>"
			}
			probe = strings.Replace(probe, "</body>", tail+"\n</body>", 1)
			probePath := filepath.Join(dir, name+".probe.html")
			if err := os.WriteFile(probePath, []byte(probe), 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(probePath)
			dom, stderr := chromium(t, "--dump-dom", "file://"+filepath.ToSlash(probePath))
			for _, line := range strings.Split(stderr, "\n") {
				if strings.Contains(line, ":CONSOLE") {
					t.Errorf("console message: %s", line)
				}
			}
			m := probeRE.FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("the probe did not run:\n%s", clip(dom))
			}
			var res probeResult
			if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &res); err != nil {
				t.Fatalf("probe result %q: %v", m[1], err)
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
		probePath := filepath.Join(dir, "index.phone.probe.html")
		probe := strings.Replace(strings.Replace(pages["index"], "<head>", "<head>\n"+probeHead, 1), "</body>", probeTail+"\n</body>", 1)
		if err := os.WriteFile(probePath, []byte(probe), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(probePath)
		dom, _ := chromium(t, "--window-size=390,844", "--dump-dom", "file://"+filepath.ToSlash(probePath))
		m := probeRE.FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("the probe did not run:\n%s", clip(dom))
		}
		var res probeResult
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &res); err != nil {
			t.Fatalf("probe result %q: %v", m[1], err)
		}
		if res.CSS.Background != "rgb(244, 246, 249)" || res.CSS.WrapPadding != "12px" {
			t.Errorf("phone layout of assets/pacer.css not applied: %+v", res.CSS)
		}
	})

	png, err := filepath.Abs(screenshotPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(png), 0o755); err != nil {
		t.Fatal(err)
	}
	chromium(t, "--screenshot="+png, "--window-size=1280,1600", "file://"+filepath.ToSlash(filepath.Join(dir, "index.html")))
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", png, err)
	}
	t.Logf("screenshot: %s", png)
}
