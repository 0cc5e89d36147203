package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// incrementalFingerprint hashes the incremental models and the marts that
// read them, order-independently.
func incrementalFingerprint(t *testing.T, cfg string) string {
	t.Helper()
	return query(t, cfg, `SELECT 'events', count(*), bit_xor(hash(e)) FROM staging.int_events__last_touch e
		UNION ALL SELECT 'kpi_daily', count(*), bit_xor(hash(k)) FROM marts.kpi_daily k
		UNION ALL SELECT 'channel_daily', count(*), bit_xor(hash(c)) FROM marts.channel_daily c
		UNION ALL SELECT 'journeys', count(*), bit_xor(hash(j)) FROM staging.int_attribution__journeys j
		UNION ALL SELECT 'attribution', count(*), bit_xor(hash(a)) FROM marts.attribution_by_channel a
		ORDER BY 1`)
}

// The nightly run rewrites only the days that changed, and ends exactly
// where a full rebuild of all history ends: after new days arrive, after
// exchange rates of an old day are corrected, and when nothing changed.
func TestIncrementalTransformEqualsAFullRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	mustPacer(t, "demo", "--out", dir, "--date", "2026-11-20", "--seed", "7")
	cfg := filepath.Join(dir, "pacer.yaml")

	check := func(step string) {
		t.Helper()
		incremental := incrementalFingerprint(t, cfg)
		mustPacer(t, "-c", cfg, "transform", "--full")
		if full := incrementalFingerprint(t, cfg); full != incremental {
			t.Errorf("%s: the incremental build differs from a full rebuild:\nincremental:\n%s\nfull:\n%s", step, incremental, full)
		}
	}

	// Four new days: the models are rewritten from the restatement window.
	r := mustPacer(t, "-c", cfg, "--log-level", "info", "--log-format", "json", "run", "--date", "2026-11-24")
	if !strings.Contains(r.stderr, `"model":"marts.kpi_daily","materialized":"incremental"`) || !strings.Contains(r.stderr, `"since":"2026-11-`) {
		t.Errorf("kpi_daily was not rebuilt incrementally:\n%s", r.stderr)
	}
	if n := query(t, cfg, "SELECT count(*) FROM meta.dirty_days"); n != "count_star()\n0" {
		t.Errorf("the transform left dirty days: %s", n)
	}
	check("new days")

	// A corrected exchange rate of an old day: money from that day on is
	// converted anew.
	fx := filepath.Join(dir, "fx_rates.csv")
	b, err := os.ReadFile(fx)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "2026-03-02,USD,") {
			lines[i] = "2026-03-02,USD,9.0000"
		}
	}
	os.WriteFile(fx, []byte(strings.Join(lines, "\n")), 0o644)
	mustPacer(t, "-c", cfg, "run", "--date", "2026-11-24")
	if got := query(t, cfg, "SELECT min(rebuilt_from) FROM meta.model_state"); !strings.Contains(got, "2026-03-0") {
		t.Errorf("after an fx correction the models were rebuilt from %s, want early March", got)
	}
	check("an old exchange rate corrected")

	// Nothing new: the incremental models keep their rows.
	r = mustPacer(t, "-c", cfg, "--log-level", "info", "--log-format", "json", "transform")
	if !strings.Contains(r.stderr, `"msg":"model kept","model":"marts.kpi_daily"`) {
		t.Errorf("with nothing changed kpi_daily was rebuilt:\n%s", r.stderr)
	}
	check("nothing changed")
}
