package reports

import (
	"strings"
	"testing"
	"time"
)

// Two report runs with different data: the second says what moved, which
// statuses changed and which findings are new or resolved; rendering a run
// again replaces its snapshot and compares with the run before, not itself.
func TestWhatChangedSinceTheLastRun(t *testing.T) {
	db := fullFixtureDB(t)
	count := func(where string) int {
		t.Helper()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM meta.report_snapshots WHERE " + where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	section := func(page string) string {
		i := strings.Index(page, `<section class="block" id="changes">`)
		j := strings.Index(page[i:], "</section>")
		return page[i : i+j]
	}

	// The first run: nothing to compare with. Twice: still one snapshot.
	for i := 0; i < 2; i++ {
		_, _, pages := renderBundle(t, db, testOptions("", "en"))
		if sec := section(pages["index"]); !strings.Contains(sec, "This is the first report run: there is no earlier run to compare with.") {
			t.Fatalf("render %d of run 7:\n%s", i+1, sec)
		}
		// 8 KPIs, 6 targets, 3 budgets, 2 findings.
		if n, all := count("run_id = 7"), count("true"); n != 19 || all != 19 {
			t.Fatalf("after render %d: %d snapshot rows of run 7, %d in all; want 19", i+1, n, all)
		}
	}
	if n := count("run_id = 7 AND kind = 'kpi' AND key = 'revenue' AND value = 15165 AND as_of = DATE '2025-03-31'"); n != 1 {
		t.Error("the revenue KPI of run 7 is not stored")
	}
	if n := count("run_id = 7 AND kind = 'target' AND key = '1' AND status = 'on_track' AND label = 'revenue · company · 2025'"); n != 1 {
		t.Error("target 1 of run 7 is not stored")
	}

	// The next run's data: revenue up 300 over the last 30 days, target 1
	// at risk, budget 3 gone, one finding resolved and a new one.
	for _, q := range []string{
		`UPDATE marts.kpi_daily SET revenue = revenue + 10 WHERE channel = 'paid_search' AND date >= DATE '2025-03-02'`,
		`UPDATE marts.targets_vs_actuals SET status = 'at_risk' WHERE target_id = 1 AND is_latest`,
		`DELETE FROM marts.budget_pacing WHERE budget_id = 3`,
		`DELETE FROM marts.findings WHERE rank = 2`,
		`INSERT INTO marts.findings VALUES (2, 'roas_drop', 'monitoring', 'campaign=` + hostileImg + `', 'ROAS of ` + hostileImg + ` fell', 'd', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions("", "en")
	opts.RunID, opts.Now = 8, fixedNow.Add(24*time.Hour)
	var first string
	for i := 0; i < 2; i++ {
		dir, _, pages := renderBundle(t, db, opts)
		sec := section(pages["index"])
		for _, want := range []string{
			`Compared with run 7, reported 2025-04-01 06:00 UTC.`,
			`<tr><td class="name">Revenue</td><td class="num">¥15,165.00</td><td class="num">¥15,465.00</td><td class="num"><span class="chg good"><span aria-hidden="true">▲</span> &#43;2.0%<span class="sr"> (better)</span></span></td></tr>`,
			`<tr><td class="name">ROAS</td><td class="num">3.37</td><td class="num">3.44</td>`,
			`<li>revenue · company · 2025: <span class="badge good">on track</span> → <span class="badge warn">at risk</span></li>`,
			`<li>budget display · 2025-04: <span class="badge muted">not started</span> → <span class="badge muted">no longer listed</span></li>`,
			"<h3>New findings</h3>\n<ul class=\"changes\">\n<li>ROAS of &#34;&gt;&lt;img src=x onerror=alert(1)&gt; fell</li>",
			"<h3>Findings resolved since then</h3>\n<ul class=\"changes\">\n<li>display overspends its budget</li>",
			`href="data/changes.csv"`,
		} {
			if !strings.Contains(sec, want) {
				t.Errorf("render %d of run 8: what changed lacks %q:\n%s", i+1, want, sec)
			}
		}
		for _, same := range []string{">Spend<", ">Orders<", "achieved", "roas · channel=paid_search"} {
			if strings.Contains(sec, same) {
				t.Errorf("what changed lists %q, which did not change", same)
			}
		}
		csv := readFile(t, dir, csvChanges)
		for _, want := range []string{
			"kind,key,label,change,before_value,after_value,before_status,after_status\n",
			"\nkpi,revenue,,moved,15165,15465,,\n",
			"\ntarget,1,revenue · company · 2025,status,0.25,0.25,on_track,at_risk\n",
			"\nbudget,3,display · 2025-04,gone,,,not_started,\n",
			"\nfinding,budget_overspend|channel=display,display overspends its budget,resolved,500,,,\n",
		} {
			if !strings.Contains(csv, want) {
				t.Errorf("%s lacks %q:\n%s", csvChanges, want, csv)
			}
		}
		if i == 0 {
			first = pages["index"]
		} else if pages["index"] != first {
			t.Error("rendering run 8 again gave another index.html")
		}
		if n, all := count("run_id = 8"), count("true"); n != 18 || all != 19+18 {
			t.Errorf("after render %d of run 8: %d rows of run 8, %d in all; want 18 and 37", i+1, n, all)
		}
	}

	// A third run with the same data: nothing moved.
	opts.RunID = 9
	_, _, pages := renderBundle(t, db, opts)
	if sec := section(pages["index"]); !strings.Contains(sec, "Nothing moved") || !strings.Contains(sec, "Compared with run 8") {
		t.Errorf("run 9:\n%s", sec)
	}
}

// A warehouse without meta.report_snapshots (opened read-only before
// migration 0003) renders, saying that changes are not tracked.
func TestWhatChangedWithoutSnapshotTable(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec("DROP TABLE meta.report_snapshots"); err != nil {
		t.Fatal(err)
	}
	_, _, pages := renderBundle(t, db, testOptions("", "en"))
	if !strings.Contains(pages["index"], "Not tracked: this warehouse has no meta.report_snapshots table") {
		t.Error("index.html does not say that changes are not tracked")
	}
}
