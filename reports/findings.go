package reports

import (
	"context"
	"database/sql"
	"strconv"
)

// csvFindings is the bundle path of the findings section's CSV.
const csvFindings = "data/findings.csv"

// finding is one row of marts.findings.
type finding struct {
	Rank                             int64
	Rule, Kind, Scope, Title, Detail string
	Impact                           sql.NullFloat64
}

const (
	qFindings = `
SELECT rank, rule, kind, scope, title, coalesce(detail, ''), impact
FROM marts.findings
ORDER BY rank`
)

// loadFindings reads marts.findings; a warehouse built before the findings
// model has none, and the section then says so.
func loadFindings(ctx context.Context, db *sql.DB, have map[string]bool) ([]finding, bool, error) {
	if !have["marts.findings"] {
		return nil, false, nil
	}
	var out []finding
	err := queryRows(ctx, db, qFindings, nil, "marts.findings", func(rows *sql.Rows) error {
		var f finding
		if err := rows.Scan(&f.Rank, &f.Rule, &f.Kind, &f.Scope, &f.Title, &f.Detail, &f.Impact); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, true, err
}

// findingsView is the report's first section: what to look at first.
type findingsView struct {
	Built bool
	Rows  []findingRow
	// More says how many findings are beyond the ones shown ("" for none).
	More string
	CSV  string
}

type findingRow struct {
	Rank                int64
	Kind, KindText      string
	Title, Detail, Rule string
	Impact              string
}

// findingsShown is how many findings the page lists; the CSV has all.
const findingsShown = 5

func findingsOf(fs []finding, built bool, o Options, m catalog, files []bundleFile) (findingsView, []bundleFile) {
	v := findingsView{Built: built, CSV: csvFindings}
	more := 0
	t := newCSV("rank", "rule", "kind", "scope", "title", "detail", "impact")
	for _, f := range fs {
		impact := ""
		if f.Impact.Valid {
			impact = csvMoney(f.Impact.Float64)
		}
		t.row(strconv.FormatInt(f.Rank, 10), csvText(f.Rule), csvText(f.Kind), csvText(f.Scope), csvText(f.Title), csvText(f.Detail), impact)
		if len(v.Rows) == findingsShown {
			more++
			continue
		}
		r := findingRow{Rank: f.Rank, Kind: f.Kind, KindText: m.msg("kind_" + f.Kind), Title: f.Title, Detail: f.Detail, Rule: f.Rule}
		if f.Impact.Valid {
			r.Impact = formatMoney(f.Impact.Float64, o.Currency)
		}
		v.Rows = append(v.Rows, r)
	}
	if more > 0 {
		v.More = m.msg("more_findings", more)
	}
	return v, append(files, t.file(csvFindings))
}
