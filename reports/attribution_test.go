package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The latest month's credits, models side by side, channels by last-touch
// conversions, names escaped.
func TestRenderShowsAttributionModelsSideBySide(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`CREATE TABLE marts.attribution_by_channel AS SELECT * FROM (VALUES
		('last_touch', '2026-10', 'paid_search', 5.0, 500.0, 100.0, 5.0, 10.0),
		('markov', '2026-10', 'paid_search', 4.5, 450.0, 100.0, 4.5, 10.0),
		('last_touch', '2026-11', 'paid_search', 8.0, 800.0, 200.0, 4.0, 10.0),
		('markov', '2026-11', 'paid_search', 6.5, 650.0, 200.0, 3.25, 10.0),
		('last_touch', '2026-11', '<script>alert(1)</script>', 2.0, 200.0, 0.0, NULL, 10.0),
		('markov', '2026-11', '<script>alert(1)</script>', 3.5, 350.0, 0.0, NULL, 10.0),
		('last_touch', 'all', 'paid_search', 13.0, 1300.0, 300.0, 4.33, 15.0)
	) AS t(model, period, channel, conversions, value, spend, roas, period_conversions)`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "report")
	if _, err := Render(t.Context(), db, testOptions(dir, "en")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "attribution.html"))
	page := string(b)
	for _, want := range []string{
		`<th scope="col" class="num">last_touch</th><th scope="col" class="num">markov</th>`,
		`<tr><td class="name">paid_search</td><td class="num">8.0<br><small>ROAS 4.00</small></td><td class="num">6.5<br><small>ROAS 3.25</small></td></tr>`,
		`<td class="name">&lt;script&gt;alert(1)&lt;/script&gt;</td><td class="num">2.0</td><td class="num">3.5</td>`,
		"for 2026-11",
		`id="` + chartAttribution + `"`,
		`"name":"markov","type":"bar"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("an unescaped channel")
	}
	if csv := readFile(t, dir, csvAttribution); strings.Count(csv, "\n") != 5 || strings.Contains(csv, "2026-10") {
		t.Errorf("%s:\n%s", csvAttribution, csv)
	}
}
