package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Seven findings: the page lists the first five in rank order, says two
// more are in the CSV, escapes every value and labels each kind in words.
func TestRenderLeadsWithFindings(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`CREATE TABLE marts.findings AS SELECT * FROM (VALUES
		(1, 'conversion_rate_drop', 'execution', 'channel=paid_social', 'paid_social turns 44% fewer of its sessions into orders', 'orders per session 3.0% vs 5.4%', 26732.4),
		(2, 'target_gap_driver', 'strategy', 'revenue · 2026-11', '<script>alert(1)</script> plan', 'detail', 24213.0),
		(3, 'target_off_track', 'monitoring', 'cac', 'cac off track', 'd', NULL),
		(4, 'roas_falling', 'execution', 'channel=display', 'display ROAS fell', 'd', 10.0),
		(5, 'budget_pacing', 'execution', 'channel=email', 'email overspending', 'd', 5.0),
		(6, 'target_off_track', 'monitoring', 'x', 'six', 'd', NULL),
		(7, 'target_off_track', 'monitoring', 'y', 'seven', 'd', NULL)
	) AS t(rank, rule, kind, scope, title, detail, impact)`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if _, err := Render(t.Context(), db, testOptions(dir, "en")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	first := strings.Index(page, "paid_social turns 44% fewer")
	second := strings.Index(page, "&lt;script&gt;alert(1)&lt;/script&gt; plan")
	kpis := strings.Index(page, `id="kpis"`)
	if first < 0 || second < first || kpis < second {
		t.Errorf("findings are not listed first and in rank order (%d, %d, kpis at %d)", first, second, kpis)
	}
	for _, want := range []string{`<span class="badge kind-execution">execution</span>`, `<span class="badge kind-strategy">strategy</span>`,
		"at stake: ¥26,732.40", "2 more in the CSV.", "(rule: conversion_rate_drop)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "six") || strings.Contains(page, "<script>alert(1)") {
		t.Error("page shows a sixth finding, or an unescaped one")
	}
	csv := readFile(t, dir, csvFindings)
	if n := strings.Count(csv, "\n"); n != 8 || !strings.Contains(csv, "2,target_gap_driver,strategy,revenue · 2026-11,<script>alert(1)</script> plan,detail,24213.00") {
		t.Errorf("%s (%d lines):\n%s", csvFindings, n, csv)
	}
}
