package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const channelAttributionData = "../../../shared/data/channel_attribution/Data.csv"

// attributionRows runs pacer attribute with --format json and returns
// model → channel → row.
func attributionRows(t *testing.T, args ...string) map[string]map[string]map[string]float64 {
	t.Helper()
	r := mustPacer(t, append([]string{"attribute", "--format", "json"}, args...)...)
	out := map[string]map[string]map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var row struct {
			Model, Channel string
			Conversions    float64
			Value          float64
			RemovalEffect  *float64 `json:"removal_effect"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if out[row.Model] == nil {
			out[row.Model] = map[string]map[string]float64{}
		}
		out[row.Model][row.Channel] = map[string]float64{"conversions": row.Conversions, "value": row.Value}
	}
	return out
}

// The published ChannelAttribution 2.2.4 figures on its own Data.csv
// (../shared/data/README.md): first and last touch exactly, Markov order 1
// within a few per cent of the package's simulation.
func TestAttributePathsMatchesChannelAttribution(t *testing.T) {
	if _, err := os.Stat(channelAttributionData); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	rows := attributionRows(t, "--paths", channelAttributionData, "--models", "first_touch,last_touch,markov")
	want := map[string][2]float64{
		"alpha": {6308, 8447}, "iota": {4606, 3355}, "eta": {3164, 4167}, "beta": {2831, 989},
		"theta": {1606, 653}, "lambda": {902, 1207}, "gamma": {165, 92}, "epsilon": {99, 531},
		"kappa": {74, 230}, "zeta": {27, 107}, "mi": {2, 2}, "delta": {1, 5},
	}
	for ch, w := range want {
		if got := rows["first_touch"][ch]["conversions"]; got != w[0] {
			t.Errorf("first touch %s = %v, want %v", ch, got, w[0])
		}
		if got := rows["last_touch"][ch]["conversions"]; got != w[1] {
			t.Errorf("last touch %s = %v, want %v", ch, got, w[1])
		}
	}
	for ch, sim := range map[string]float64{"alpha": 5357, "iota": 3795, "eta": 3346, "beta": 2550} {
		if got := rows["markov"][ch]["conversions"]; math.Abs(got-sim)/sim > 0.05 {
			t.Errorf("markov %s = %.1f, more than 5%% from the package's simulated %v", ch, got, sim)
		}
	}
	for model, chans := range rows {
		var conv, value float64
		for _, r := range chans {
			conv += r["conversions"]
			value += r["value"]
		}
		if math.Abs(conv-19785) > 1e-6 || math.Abs(value-74802.97) > 0.005 {
			t.Errorf("%s credits %v conversions and %v value, want 19,785 and 74,802.97", model, conv, value)
		}
	}
}

func TestAttributeTableAndCSV(t *testing.T) {
	dir := t.TempDir()
	paths := filepath.Join(dir, "paths.csv")
	os.WriteFile(paths, []byte("path,total_conversions,total_conversion_value,total_null\n"+
		"搜索 > 邮件,2,100,1\n邮件,1,50,3\nsocial > 搜索 > 邮件,0,0,4\n"), 0o644)
	r := mustPacer(t, "attribute", "--paths", paths, "--models", "first_touch,last_touch,linear")
	for _, want := range []string{"3 distinct paths, 3 conversions, value 150.00, 8 null journeys", "Credited conversions", "Credited value", "搜索", "total"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	r = mustPacer(t, "attribute", "--paths", paths, "--models", "last_touch", "--format", "csv")
	if want := "model,channel,conversions,value\nlast_touch,搜索,0,0\nlast_touch,邮件,3,150\nlast_touch,social,0,0\n"; r.stdout != want {
		t.Errorf("csv:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestAttributeOtherColumnsAndSeparators(t *testing.T) {
	paths := filepath.Join(t.TempDir(), "paths.tsv")
	os.WriteFile(paths, []byte("journey\tconv\na|b\t3\nb\t1\n"), 0o644)
	rows := attributionRows(t, "--paths", paths, "--delimiter", "tab", "--separator", "|", "--path-column", "journey",
		"--conversions-column", "conv", "--value-column", "-", "--nulls-column", "-", "--models", "first_touch")
	if rows["first_touch"]["a"]["conversions"] != 3 || rows["first_touch"]["b"]["conversions"] != 1 {
		t.Errorf("first touch: %v", rows["first_touch"])
	}
}

// A touchpoint file: journeys are built by DuckDB, touches ordered by ts,
// conversions and value taken from any row of the journey.
func TestAttributeTouchpoints(t *testing.T) {
	touches := filepath.Join(t.TempDir(), "touches.csv")
	os.WriteFile(touches, []byte("user_id,ts,channel,conversions,value\n"+
		"u1,2026-11-01 10:00:00,social,0,0\n"+
		"u1,2026-11-03 10:00:00,search,1,80\n"+
		"u1,2026-11-02 10:00:00,email,0,0\n"+ // out of order on purpose
		"u2,2026-11-05 09:00:00,search,0,0\n"), 0o644)
	rows := attributionRows(t, "--touchpoints", touches, "--journey-column", "user_id", "--models", "first_touch,last_touch,time_decay", "--half-life-days", "1")
	if rows["first_touch"]["social"]["value"] != 80 || rows["last_touch"]["search"]["value"] != 80 {
		t.Errorf("first/last touch: %v / %v", rows["first_touch"], rows["last_touch"])
	}
	// Half-life 1 day: touches 2, 1 and 0 days before weigh 1/4, 1/2, 1.
	if got := rows["time_decay"]["email"]["conversions"]; math.Abs(got-0.5/1.75) > 1e-9 {
		t.Errorf("time decay email = %v, want %v", got, 0.5/1.75)
	}
}

func TestAttributeBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("path,total_conversions,total_conversion_value,total_null\na > b,1,10,0\na > > b,1,1,0\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a malformed line is named", []string{"--paths", bad}, "line 3"},
		{"an unknown model", []string{"--paths", bad, "--models", "markov_9"}, "markov_9"},
		{"no input", nil, "give one of --paths FILE or --touchpoints FILE"},
		{"a missing file", []string{"--paths", filepath.Join(dir, "none.csv")}, "none.csv"},
		{"a missing touchpoint column", []string{"--touchpoints", bad}, `has no column "journey_id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pacer(t, nil, append([]string{"attribute"}, tt.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}
