package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lintLine is one finding as validate prints it: file:line: [code] message.
var lintLine = regexp.MustCompile(`^  (.+):(\d+): \[([a-z_]+)\] (.+)$`)

// lintFindings splits validate's output into the findings of each
// severity section ("errors", "warnings", "info", or their Chinese names).
func lintFindings(t *testing.T, out string) map[string][]string {
	t.Helper()
	sections := map[string]string{"errors": "error", "warnings": "warning", "info": "info", "错误": "error", "警告": "warning", "提示": "info"}
	got := map[string][]string{}
	current := ""
	for _, line := range strings.Split(out, "\n") {
		for name, sev := range sections {
			if strings.HasPrefix(line, name+" (") || strings.HasPrefix(line, name+"（") {
				current = sev
			}
		}
		if m := lintLine.FindStringSubmatch(line); m != nil {
			if current == "" {
				t.Fatalf("finding outside a severity section: %q", line)
			}
			got[current] = append(got[current], m[3]+": "+m[4])
		}
	}
	return got
}

func TestValidateLintsTheDemoTargets(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")

	t.Run("the demo's three deliberate mistakes are the only warnings", func(t *testing.T) {
		r := pacer(t, nil, "-c", cfg, "validate")
		if r.code != 0 {
			t.Fatalf("exit %d, want 0 (warnings do not fail validate)\n%s%s", r.code, r.stdout, r.stderr)
		}
		// The demo's data ends on demoDay, before yesterday: the lint runs
		// as of the last day of data and says so.
		if !strings.Contains(r.stdout, "as of "+demoDay+", the last day in marts.kpi_daily") {
			t.Errorf("validate does not say it linted as of the last day of data:\n%s", r.stdout)
		}
		f := lintFindings(t, r.stdout)
		if len(f["error"]) != 0 {
			t.Errorf("errors on the demo:\n%s", strings.Join(f["error"], "\n"))
		}
		want := map[string]string{
			"unattainable":           "× the best comparable quarter",
			"sandbagged":             "below the same month last year",
			"children_exceed_parent": "the channel targets of the same period add up to",
		}
		if len(f["warning"]) != len(want) {
			t.Errorf("%d warnings, want exactly the %d deliberate ones:\n%s", len(f["warning"]), len(want), strings.Join(f["warning"], "\n"))
		}
		for _, w := range f["warning"] {
			code, msg, _ := strings.Cut(w, ": ")
			phrase, ok := want[code]
			if !ok {
				t.Errorf("unexpected warning: %s", w)
				continue
			}
			if !strings.Contains(msg, phrase) {
				t.Errorf("%s does not say %q: %s", code, phrase, msg)
			}
			delete(want, code)
		}
		for code := range want {
			t.Errorf("no %s warning:\n%s", code, r.stdout)
		}
		if len(f["info"]) > 2 {
			t.Errorf("%d info findings; keep them few:\n%s", len(f["info"]), strings.Join(f["info"], "\n"))
		}
		if !strings.Contains(r.stdout, "is valid: 1 sources (8 streams), 13 targets") {
			t.Errorf("no summary line:\n%s", r.stdout)
		}
		// Each finding points at targets.yaml and the target's line.
		if !strings.Contains(r.stdout, filepath.Join(dir, "targets.yaml")+":") {
			t.Errorf("findings do not name targets.yaml:\n%s", r.stdout)
		}
	})

	t.Run("--lang zh-CN prints the findings in Chinese", func(t *testing.T) {
		r := pacer(t, nil, "-c", cfg, "validate", "--lang", "zh-CN")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		f := lintFindings(t, r.stdout)
		if len(f["warning"]) != 3 || !strings.Contains(r.stdout, "警告（3）：") {
			t.Errorf("want the 3 warnings under 警告:\n%s", r.stdout)
		}
		for _, phrase := range []string{"倍；超过 3 倍的目标很少能达成", "低于去年同月", "同期各渠道目标合计"} {
			if !strings.Contains(r.stdout, phrase) {
				t.Errorf("the Chinese output lacks %q:\n%s", phrase, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "rarely attainable") {
			t.Errorf("English in the Chinese output:\n%s", r.stdout)
		}
		if r := pacer(t, nil, "-c", cfg, "validate", "--lang", "fr"); r.code != 2 || !strings.Contains(r.stderr, "en or zh-CN") {
			t.Errorf("--lang fr: exit %d %s", r.code, r.stderr)
		}
	})

	t.Run("a typo in a channel exits 2 with did you mean", func(t *testing.T) {
		path := filepath.Join(dir, "targets.yaml")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(path, orig, 0o644) })
		typo := strings.Replace(string(orig), "scope: {channel: paid_search}", "scope: {channel: paid_serch}", 1)
		if typo == string(orig) {
			t.Fatal("the demo's targets.yaml has no paid_search target")
		}
		if err := os.WriteFile(path, []byte(typo), 0o644); err != nil {
			t.Fatal(err)
		}
		r := pacer(t, nil, "-c", cfg, "validate")
		if r.code != 2 {
			t.Fatalf("exit %d, want 2\n%s%s", r.code, r.stdout, r.stderr)
		}
		f := lintFindings(t, r.stdout)
		if len(f["error"]) != 1 || !strings.Contains(f["error"][0], `unknown_scope: target 3 (revenue · channel=paid_serch`) ||
			!strings.Contains(f["error"][0], `did you mean "paid_search"?`) {
			t.Errorf("want one unknown_scope error with did you mean:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, "SMART lint found 1 error") || strings.Contains(r.stdout, "is valid") {
			t.Errorf("an error must not be reported as valid:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		}
	})
}

func TestValidateWithoutAWarehouseSkipsTheDataChecks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	mustPacer(t, "init", dir)
	r := mustPacer(t, "-c", filepath.Join(dir, "pacer.yaml"), "validate")
	if n := strings.Count(r.stdout, "data checks skipped"); n != 1 || !strings.Contains(r.stdout, "no warehouse at") {
		t.Errorf("want one line saying the data checks were skipped and why:\n%s", r.stdout)
	}
}
