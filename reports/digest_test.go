package reports

import (
	"regexp"
	"strings"
	"testing"
)

func TestDigestIsAMailClientPage(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`CREATE TABLE marts.findings AS SELECT * FROM (VALUES
		(1, 'conversion_rate_drop', 'execution', 'channel=paid_social', '<script>alert(1)</script> converts 44% fewer', 'd', 26732.4))
		AS t(rank, rule, kind, scope, title, detail, impact)`); err != nil {
		t.Fatal(err)
	}
	d, err := BuildDigest(t.Context(), db, DigestOptions{RunID: 7, Company: "Example Co", Currency: "CNY", BaseURL: "https://reports.example.com/acme/", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Subject, ": ") || strings.Contains(d.Subject, "[") {
		t.Errorf("subject %q", d.Subject)
	}
	for _, bad := range []string{"<script", "<svg", "javascript:"} {
		if strings.Contains(strings.ToLower(d.HTML), bad) {
			t.Errorf("digest holds %s", bad)
		}
	}
	checkOnlyChartImage(t, d)
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; converts 44% fewer", `href="https://reports.example.com/acme/index.html"`,
		`style="`, "Example Co"} {
		if !strings.Contains(d.HTML, want) {
			t.Errorf("digest lacks %q", want)
		}
	}
	if !strings.Contains(d.Text, "https://reports.example.com/acme/index.html") || !strings.Contains(d.Text, "converts 44% fewer") {
		t.Errorf("text part:\n%s", d.Text)
	}
	if _, err := BuildDigest(t.Context(), db, DigestOptions{BaseURL: "javascript:alert(1)"}); err == nil {
		t.Error("a javascript: base_url was accepted")
	}
	zh, err := BuildDigest(t.Context(), db, DigestOptions{Language: "zh-CN", Currency: "CNY", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(zh.Subject, "：") || !strings.Contains(zh.HTML, "今天先看这些") {
		t.Errorf("Chinese digest: %q", zh.Subject)
	}
}

// The digest draws channels and target attainment as CSS bars (table cells
// with a width, no image) and says what changed since the last report run.
func TestDigestHasCSSBarsAndWhatChanged(t *testing.T) {
	db := fullFixtureDB(t)
	renderBundle(t, db, testOptions("", "en"))
	for _, q := range []string{
		`UPDATE marts.targets_vs_actuals SET status = 'at_risk' WHERE target_id = 1 AND is_latest`,
		`DELETE FROM marts.findings WHERE rank = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	d, err := BuildDigest(t.Context(), db, DigestOptions{RunID: 8, Company: "Example Co", Currency: "CNY", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<svg", "<canvas", hostileScript, hostileImg} {
		if strings.Contains(d.HTML, bad) {
			t.Errorf("digest holds %q", bad)
		}
	}
	checkOnlyChartImage(t, d)
	for _, want := range []string{
		// paid_search: revenue ¥12,000 is the largest amount; spend ¥3,000 a quarter of it.
		`width="25%" bgcolor="#2f6eba"`, `width="100%" bgcolor="#e8772e"`,
		// Target 1: attainment 25%, now at risk.
		`width="25%"`, "background:#b7791f",
		"What changed since the last run", "Compared with run 7",
		"revenue · company · 2025: on track → at risk", "Resolved: display overspends its budget",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(strings.ReplaceAll(d.HTML, "background: ", "background:"), want) {
			t.Errorf("digest lacks %q", want)
		}
	}
	for _, want := range []string{"Resolved: display overspends its budget", "Spend and revenue by channel", "paid_search: Spend ¥3,000.00, Revenue ¥12,000.00"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, d.Text)
		}
	}
}

// checkOnlyChartImage: the digest's one image is its chart, referred to by
// Content-ID with an alt text; HTML, text and the PNG (base64 in the email)
// stay under 100 KB.
func checkOnlyChartImage(t *testing.T, d *Digest) {
	t.Helper()
	if d.Chart == nil {
		t.Fatal("the digest has no chart")
	}
	if size := len(d.HTML) + len(d.Text) + (len(d.Chart.PNG)+2)/3*4; size > 100_000 {
		t.Errorf("digest is %d bytes, over 100 KB", size)
	}
	if n := strings.Count(strings.ToLower(d.HTML), "<img"); n != 1 {
		t.Errorf("digest holds %d <img, want 1 (the chart)", n)
	}
	img := regexp.MustCompile(`<img [^>]*>`).FindString(d.HTML)
	for _, want := range []string{`src="cid:` + d.Chart.CID + `"`, `alt="Revenue per day from `, `width="560"`, `height="160"`} {
		if !strings.Contains(img, want) {
			t.Errorf("the chart's tag %s lacks %s", img, want)
		}
	}
}
