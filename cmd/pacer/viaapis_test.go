package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoViaAPIsGivesTheSameNumbers runs the demo twice on the same
// company: once from the demo source, once with ads, orders, CRM deals and
// web traffic synced by the real connectors from fake APIs serving the
// company's rows. Every number that reaches the marts must be the same.
func TestDemoViaAPIsGivesTheSameNumbers(t *testing.T) {
	direct := newDemo(t)
	via := filepath.Join(t.TempDir(), "via")
	res := mustPacer(t, "demo", "--via-apis", "--out", via, "--date", demoDay, "--seed", "7")

	viaCfg, directCfg := filepath.Join(via, "pacer.yaml"), filepath.Join(direct, "pacer.yaml")
	sources := query(t, viaCfg, `SELECT string_agg(DISTINCT _source, ',' ORDER BY _source) FROM staging.ad_performance`)
	if want := "google_ads,meta,ocean_engine,tencent_ads,tiktok"; !strings.Contains(sources, want) {
		t.Fatalf("ad rows came from %s, want %s", sources, want)
	}
	for _, stream := range []string{"orders", "crm_deals", "web_traffic"} {
		got := query(t, viaCfg, `SELECT string_agg(DISTINCT _source, ',') FROM staging.`+stream)
		if strings.Contains(got, "demo") {
			t.Errorf("%s still comes from the demo source: %s", stream, got)
		}
	}

	same := []struct{ name, sql string }{
		{"ad rows by platform, campaign and day", `SELECT platform, date, campaign_id, campaign_name, coalesce(ad_group_id, ''), channel, currency_original,
			sum(impressions), sum(clicks), round(sum(conversions), 6), sum(spend_original), sum(conversion_value_original)
			FROM staging.ad_performance GROUP BY ALL ORDER BY ALL`},
		{"orders by day and status", `SELECT date, status, currency_original, count(*), count(DISTINCT customer_id), count(user_id), sum(amount_original)
			FROM staging.orders GROUP BY ALL ORDER BY ALL`},
		// HubSpot carries times to the millisecond.
		{"CRM deals", `SELECT deal_id, date_trunc('millisecond', created_at), date_trunc('millisecond', closed_at), stage, is_won, amount_original, currency_original, lead_source, campaign_id, owner, team
			FROM staging.crm_deals ORDER BY ALL`},
		{"web traffic", `SELECT date, source, medium, campaign, channel_group, channel, sessions, users, new_users, key_events, revenue_original
			FROM staging.web_traffic ORDER BY ALL`},
		{"KPIs by channel", `SELECT channel, sum(spend), sum(revenue), sum(orders), sum(sessions) FROM marts.kpi_daily GROUP BY ALL ORDER BY ALL`},
		{"attribution", `SELECT model, channel, period, round(conversions, 4), round(value, 2) FROM marts.attribution_by_channel ORDER BY ALL`},
		{"targets", `SELECT target_id, date, actual_to_date, status FROM marts.targets_vs_actuals ORDER BY ALL`},
		{"findings", `SELECT rank, rule, kind, title FROM marts.findings ORDER BY rank`},
	}
	for _, s := range same {
		want, got := query(t, directCfg, s.sql), query(t, viaCfg, s.sql)
		if strings.Count(want, "\n") < 1 {
			t.Errorf("%s: the demo has no rows", s.name)
			continue
		}
		if got != want {
			t.Errorf("%s differ via the APIs:\n%s", s.name, firstDifference(want, got))
		}
	}

	// The fakes' credentials sit in .env for the owner only, and never in
	// the output.
	env, err := os.ReadFile(filepath.Join(via, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(via, ".env")); fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v", fi.Mode().Perm())
	}
	for _, line := range strings.Split(string(env), "\n") {
		_, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || len(v) < 8 {
			continue
		}
		if strings.Contains(res.stdout+res.stderr, v) {
			t.Errorf("a secret of .env appears in the demo's output")
		}
	}
	// Commands that do not sync keep working after the fakes are gone.
	mustPacer(t, "-c", viaCfg, "validate")
	mustPacer(t, "-c", viaCfg, "report")
}

// firstDifference shows the first differing line of two CSV outputs.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d\n  demo:     %s\n  via APIs: %s\n(%d lines vs %d)", i+1, a, b, len(w), len(g))
		}
	}
	return "same lines"
}
