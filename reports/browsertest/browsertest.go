// Package browsertest opens pages of a report bundle in headless Chromium
// (Debian's package) with the network disabled, and reports what a
// reader's browser saw: script errors, console messages, resources that
// failed to load or came from outside the bundle, whether each chart's
// canvas was painted, and whether the bundle's stylesheet applied. The
// report package's tests and the demo's end-to-end test share it.
package browsertest

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ChromiumPath is Debian's chromium (make tools installs it).
const ChromiumPath = "/usr/bin/chromium"

// Available returns nil when Chromium can run; tests skip otherwise.
func Available() error {
	_, err := os.Stat(ChromiumPath)
	return err
}

// Chromium runs headless Chromium with no network (every host name fails
// to resolve and every connection goes to a closed proxy), no network
// features and a private profile, with extra arguments, and returns its
// stdout and stderr. Console messages of the page are logged to stderr.
func Chromium(t testing.TB, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
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
	cmd := exec.CommandContext(ctx, ChromiumPath, append(base, args...)...)
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

// Result is what a page showed in the browser.
type Result struct {
	Problems []string `json:"problems"`
	Charts   []string `json:"charts"`
	// CSS is what assets/pacer.css did to the page: the body's background
	// and the page padding (20px on a wide screen, 12px on a phone).
	CSS struct {
		Background  string `json:"background"`
		WrapPadding string `json:"wrapPadding"`
	} `json:"css"`
	// Console holds the page's console lines from Chromium's log.
	Console []string `json:"-"`
	// DOM is the page after the scripts ran.
	DOM string `json:"-"`
}

var probeRE = regexp.MustCompile(`<pre id="probe">([^<]*)</pre>`)

// Probe opens a probe copy of the bundle page at path (written beside it,
// so that relative links resolve, and removed after) with script appended
// to its body, plus extra Chromium arguments such as a window size.
func Probe(t testing.TB, path, script string, args ...string) Result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tail := probeTail
	if script != "" {
		tail += "<script>" + script + "</script>"
	}
	probe := strings.Replace(strings.Replace(string(b), "<head>", "<head>\n"+probeHead, 1), "</body>", tail+"\n</body>", 1)
	probePath := strings.TrimSuffix(path, ".html") + ".probe.html"
	if err := os.WriteFile(probePath, []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(probePath)
	dom, stderr := Chromium(t, append(args, "--dump-dom", "file://"+filepath.ToSlash(probePath))...)
	m := probeRE.FindStringSubmatch(dom)
	if m == nil {
		if len(dom) > 2000 {
			dom = dom[:2000] + "…"
		}
		t.Fatalf("the probe did not run on %s:\n%s", path, dom)
	}
	var res Result
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &res); err != nil {
		t.Fatalf("probe result %q: %v", m[1], err)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			res.Console = append(res.Console, line)
		}
	}
	res.DOM = dom
	return res
}

// Screenshot saves a PNG of the page at path, of the given window size.
func Screenshot(t testing.TB, path, png string, width, height int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(png), 0o755); err != nil {
		t.Fatal(err)
	}
	Chromium(t, "--screenshot="+png, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "file://"+filepath.ToSlash(path))
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", png, err)
	}
}

// ArtifactPath is where a test saves an artifact: $PACER_TEST_ARTIFACTS,
// else pacer-test-artifacts in the system's temp directory.
func ArtifactPath(name string) string {
	if dir := os.Getenv("PACER_TEST_ARTIFACTS"); dir != "" {
		return filepath.Join(dir, name)
	}
	return filepath.Join(os.TempDir(), "pacer-test-artifacts", name)
}
