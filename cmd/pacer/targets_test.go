package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

// targetsJSON runs `pacer targets --format json` and returns the rows by
// target_id.
func targetsJSON(t *testing.T, cfg string, args ...string) map[int]map[string]any {
	t.Helper()
	out := mustPacer(t, append([]string{"-c", cfg, "targets", "--format", "json"}, args...)...).stdout
	return jsonLinesByID(t, out)
}

func jsonLinesByID(t *testing.T, out string) map[int]map[string]any {
	t.Helper()
	rows := map[int]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		id, ok := m["target_id"].(float64)
		if !ok {
			t.Fatalf("no target_id in %q", line)
		}
		rows[int(id)] = m
	}
	return rows
}

func TestTargetsCommand(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	labels := strings.Split(query(t, cfg, "SELECT target FROM meta.targets ORDER BY target_id"), "\n")[1:]
	if len(labels) < 5 {
		t.Fatalf("the demo has %d targets: %v", len(labels), labels)
	}
	statuses := regexp.MustCompile(`\s(on_track|at_risk|off_track|achieved|missed|not_started|no_data)$`)

	t.Run("the table lists every target with a status", func(t *testing.T) {
		out := mustPacer(t, "-c", cfg, "targets", "--date", demoDay).stdout
		lines := strings.Split(out, "\n")
		for _, label := range labels {
			found := false
			for _, l := range lines {
				if strings.Contains(l, " "+label+" ") {
					found = true
					if !statuses.MatchString(l) {
						t.Errorf("the line of %q has no status:\n%s", label, l)
					}
				}
			}
			if !found {
				t.Errorf("table lacks target %q:\n%s", label, out)
			}
		}
		for _, want := range []string{"Targets as of " + demoDay, "\nBudgets\n", "paid_search  2026-11", "\nTeam scorecard", "¥"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		summary := regexp.MustCompile(fmt.Sprintf(`(?m)^%d targets: \d+ on track, \d+ at risk, \d+ off track`, len(labels)))
		if !summary.MatchString(out) {
			t.Errorf("no summary line for %d targets:\n%s", len(labels), out)
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("ANSI escape codes although stdout is not a terminal:\n%q", out)
		}
		// Aligned: every row's status starts under the header's.
		head := lines[2]
		at := strings.Index(head, "status")
		if at < 0 {
			t.Fatalf("no header: %q", head)
		}
		col := uniseg.StringWidth(head[:at])
		for _, l := range lines[3 : 3+len(labels)] {
			m := statuses.FindStringIndex(l)
			if m == nil || uniseg.StringWidth(l[:m[0]+1]) != col {
				t.Errorf("row not aligned with the header:\n%s\n%s", head, l)
			}
		}
	})

	t.Run("json attainment equals the mart's current standing", func(t *testing.T) {
		live := targetsJSON(t, cfg, "--date", demoDay)
		mart := jsonLinesByID(t, mustPacer(t, "-c", cfg, "query", "--format", "json",
			"SELECT target_id, attainment, status, days_left FROM marts.targets_vs_actuals WHERE is_latest").stdout)
		if len(live) != len(labels) || len(mart) != len(labels) {
			t.Fatalf("%d live rows, %d mart rows, %d targets", len(live), len(mart), len(labels))
		}
		for id, m := range mart {
			l := live[id]
			if l == nil {
				t.Errorf("target %d missing from targets --format json", id)
				continue
			}
			if l["as_of"] != demoDay {
				t.Errorf("target %d: as_of %v, want %s", id, l["as_of"], demoDay)
			}
			a, b := l["attainment"], m["attainment"]
			if (a == nil) != (b == nil) {
				t.Errorf("target %d: attainment %v live, %v in the mart", id, a, b)
				continue
			}
			if a != nil {
				x, y := a.(float64), b.(float64)
				if math.Abs(x-y) > 1e-12*math.Max(1, math.Abs(y)) {
					t.Errorf("target %d: attainment %v live, %v in the mart", id, x, y)
				}
			}
			if l["status"] != m["status"] || l["days_left"] != m["days_left"] {
				t.Errorf("target %d: status/days_left %v/%v live, %v/%v in the mart", id, l["status"], l["days_left"], m["status"], m["days_left"])
			}
		}
	})

	t.Run("an earlier date paces as of that day", func(t *testing.T) {
		const earlier = "2026-11-14" // demoDay − 10
		now, then := targetsJSON(t, cfg, "--date", demoDay), targetsJSON(t, cfg, "--date", earlier)
		monthly := 0
		for id, n := range now {
			p := then[id]
			if p["as_of"] != earlier {
				t.Errorf("target %d: as_of %v, want %s", id, p["as_of"], earlier)
			}
			if n["period_start"] != "2026-11-01" || n["period_end"] != "2026-11-30" {
				continue
			}
			monthly++
			if p["days_left"].(float64) != n["days_left"].(float64)+10 {
				t.Errorf("monthly target %d: days_left %v on %s, %v on %s: want 10 more", id, p["days_left"], earlier, n["days_left"], demoDay)
			}
			if p["actual_to_date"] == n["actual_to_date"] {
				t.Errorf("monthly target %d: the same actual to date %v ten days apart", id, p["actual_to_date"])
			}
		}
		if monthly == 0 {
			t.Fatal("the demo has no monthly target; the test proves nothing")
		}
	})

	t.Run("csv has the mart's columns and one row per target", func(t *testing.T) {
		out := mustPacer(t, "-c", cfg, "targets", "--format", "csv", "--date", demoDay).stdout
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+len(labels) {
			t.Fatalf("%d records, want header + %d", len(recs), len(labels))
		}
		head := strings.Join(recs[0], ",")
		for _, col := range []string{"target_id", "target", "owner", "team", "target_value", "actual_to_date", "expected_to_date",
			"attainment", "pace_index", "forecast", "forecast_low", "forecast_high", "required_daily", "days_left", "status", "as_of"} {
			if !strings.Contains(","+head+",", ","+col+",") {
				t.Errorf("csv header lacks %s: %s", col, head)
			}
		}
		if recs[1][1] != labels[0] {
			t.Errorf("first row %v, want target %q", recs[1], labels[0])
		}
	})

	t.Run("colour only on a terminal and without NO_COLOR", func(t *testing.T) {
		script, err := exec.LookPath("script")
		if err != nil {
			t.Skip("no script(1) to give pacer a terminal")
		}
		run := func(noColor bool) string {
			var env []string
			for _, e := range os.Environ() {
				if !strings.HasPrefix(e, "NO_COLOR=") && !strings.HasPrefix(e, "TERM=") {
					env = append(env, e)
				}
			}
			env = append(env, "TERM=xterm")
			if noColor {
				env = append(env, "NO_COLOR=1")
			}
			line := fmt.Sprintf("%q -c %q targets --date %s", pacerBin, cfg, demoDay)
			cmd := exec.Command(script, "-qec", line, "/dev/null")
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("script: %v\n%s", err, out.String())
			}
			return out.String()
		}
		if out := run(false); !strings.Contains(out, "\x1b[32mon_track\x1b[0m") && !strings.Contains(out, "\x1b[33mat_risk\x1b[0m") {
			t.Errorf("no coloured status on a terminal:\n%q", out)
		}
		if out := run(true); strings.Contains(out, "\x1b[") {
			t.Errorf("colour despite NO_COLOR:\n%q", out)
		}
	})

	t.Run("the report has a targets section", func(t *testing.T) {
		page, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(page, []byte(`<section class="block" id="targets">`)) {
			t.Fatal("the demo report has no targets section")
		}
		for _, label := range labels {
			if !bytes.Contains(page, []byte(">"+label+"<")) {
				t.Errorf("the report lacks target %q", label)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "report", "data", "targets.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte("\n")); n != 1+len(labels) {
			t.Errorf("data/targets.csv has %d lines, want header + %d", n, len(labels))
		}
	})

	t.Run("invalid input exits 2", func(t *testing.T) {
		for _, args := range [][]string{
			{"targets", "--format", "xml"},
			{"targets", "--date", "24.11.2026"},
			{"targets", "extra"},
		} {
			r := pacer(t, nil, append([]string{"-c", cfg}, args...)...)
			if r.code != 2 {
				t.Errorf("pacer %v: exit %d, want 2\n%s", args, r.code, r.stderr)
			}
		}
		b, _ := os.ReadFile(cfg)
		broken := filepath.Join(dir, "broken.yaml")
		os.WriteFile(broken, bytes.Replace(b, []byte("targets: targets.yaml"), []byte("targets: nope.yaml"), 1), 0o644)
		if r := pacer(t, nil, "-c", broken, "targets"); r.code != 2 || !strings.Contains(r.stderr, "nope.yaml") {
			t.Errorf("a missing targets file: exit %d, want 2 naming it\n%s", r.code, r.stderr)
		}
	})

	t.Run("no targets file configured", func(t *testing.T) {
		b, _ := os.ReadFile(cfg)
		if !bytes.Contains(b, []byte("targets: targets.yaml\n")) {
			t.Fatal("the demo config has no targets line")
		}
		none := filepath.Join(dir, "no-targets.yaml")
		os.WriteFile(none, bytes.Replace(b, []byte("targets: targets.yaml\n"), nil, 1), 0o644)
		r := mustPacer(t, "-c", none, "targets")
		if !strings.Contains(r.stdout, "no targets file is configured") || !strings.Contains(r.stdout, "pacer init") {
			t.Errorf("unhelpful message:\n%s", r.stdout)
		}
		if r := mustPacer(t, "-c", none, "targets", "--format", "json"); r.stdout != "" {
			t.Errorf("json without targets printed %q", r.stdout)
		}
	})
}

// The status column is coloured after padding: without the escape codes
// the coloured table is the plain one.
func TestTextTableColoursAfterPadding(t *testing.T) {
	tt := &textTable{
		head:   []string{"owner", "value", "status", "note"},
		right:  []bool{false, true, false, false},
		status: 2,
	}
	tt.add("王芳", "1,234", "on_track", "x")
	tt.add("li.wei", "5", "off_track", "y")
	var plain, coloured bytes.Buffer
	if err := tt.write(&plain, false); err != nil {
		t.Fatal(err)
	}
	if err := tt.write(&coloured, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(coloured.String(), "\x1b[32mon_track\x1b[0m ") || !strings.Contains(coloured.String(), "\x1b[31moff_track\x1b[0m") {
		t.Errorf("statuses not coloured:\n%q", coloured.String())
	}
	stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(coloured.String(), "")
	if stripped != plain.String() {
		t.Errorf("colour changed the layout:\n%s\nvs\n%s", stripped, plain.String())
	}
	want := "owner   value  status     note\n" +
		"王芳    1,234  on_track   x\n" +
		"li.wei      5  off_track  y\n"
	if plain.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", plain.String(), want)
	}
}

func TestTargetsFormatting(t *testing.T) {
	w := &targetsWriter{currency: "CNY"}
	tests := []struct{ got, want string }{
		{w.value("money", 9970000, true), "¥9,970,000"},
		{w.value("money", 31.584, true), "¥31.58"},
		{w.value("money", -1234.4, true), "-¥1,234"},
		{w.value("money", 9567224.3, false), "9,567,224"},
		{w.value("count", 8880, true), "8,880"},
		{w.value("count", 3.44, true), "3.4"},
		{w.value("ratio", 3.2414, true), "3.24"},
		{w.value("ratio", 0.01234, true), "0.0123"},
		{w.value("share", 0.4567, true), "45.7%"},
		{w.value("money", math.NaN(), true), "–"},
		{percent(0.87179), "87.2%"},
		{fixed2(0.97013), "0.97"},
		{signed2(-0.0011), "0.00"},
		{signed2(0.031), "+0.03"},
		{signedPercent(-0.0493), "-4.9%"},
		{signedPercent(0.0067), "+0.7%"},
		{(&targetsWriter{currency: "GBP"}).money(1500, true), "GBP 1,500"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
