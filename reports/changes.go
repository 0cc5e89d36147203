package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// csvChanges is the bundle path of the "what changed" table.
const csvChanges = "data/changes.csv"

// Snapshot item kinds, as stored in meta.report_snapshots.kind.
const (
	snapKPI     = "kpi"
	snapTarget  = "target"
	snapBudget  = "budget"
	snapFinding = "finding"
)

// snapshot is the headline of one report run: what the next run compares
// itself with. It is stored in meta.report_snapshots (migration
// 0003_report_snapshots.sql), one row per item.
type snapshot struct {
	RunID   int64
	TakenAt time.Time
	// AsOf is the last day of marts.kpi_daily the KPIs end on.
	AsOf  sql.NullTime
	Items []snapItem
}

// snapItem is one KPI (value of the last 30 days), target or budget
// (status, attainment or pace) or finding (title, impact).
type snapItem struct {
	Kind, Key, Label, Status string
	Value                    sql.NullFloat64
}

const (
	// qPrevSnapshot reads the snapshot of the latest report run before
	// the given one: rerunning a report for the same run compares with
	// the run before, never with itself.
	qPrevSnapshot = `
SELECT run_id, taken_at, kind, key, coalesce(label, ''), value, coalesce(status, ''), as_of
FROM meta.report_snapshots
WHERE run_id = (SELECT max(run_id) FROM meta.report_snapshots WHERE run_id < ?)
ORDER BY kind, key`
)

// loadPreviousSnapshot reads the previous run's snapshot; nil when there is
// none. built is false when the warehouse has no meta.report_snapshots (a
// file from before migration 0003 opened read-only).
func loadPreviousSnapshot(ctx context.Context, db *sql.DB, runID int64, have map[string]bool) (prev *snapshot, built bool, err error) {
	if !have["meta.report_snapshots"] {
		return nil, false, nil
	}
	err = queryRows(ctx, db, qPrevSnapshot, []any{runID}, "meta.report_snapshots", func(rows *sql.Rows) error {
		var it snapItem
		var run int64
		var taken time.Time
		var asOf sql.NullTime
		if err := rows.Scan(&run, &taken, &it.Kind, &it.Key, &it.Label, &it.Value, &it.Status, &asOf); err != nil {
			return err
		}
		if prev == nil {
			prev = &snapshot{RunID: run, TakenAt: taken}
		}
		if asOf.Valid {
			prev.AsOf = asOf
		}
		prev.Items = append(prev.Items, it)
		return nil
	})
	return prev, true, err
}

// snapshotOf is the headline of this run: the KPIs of the last 30 days,
// every target's and budget's status, and the findings.
func snapshotOf(d *reportData, o Options) *snapshot {
	s := &snapshot{RunID: o.RunID, TakenAt: o.Now, AsOf: d.To}
	if d.To.Valid {
		wc, _ := d.windows()
		tc := d.sumWindow(wc)
		for _, mt := range metrics {
			s.Items = append(s.Items, snapItem{Kind: snapKPI, Key: mt.key, Value: mt.value(tc)})
		}
	}
	for _, t := range d.Goals.Targets {
		s.Items = append(s.Items, snapItem{Kind: snapTarget, Key: strconv.FormatInt(t.ID, 10), Label: t.Label,
			Status: t.Status.String, Value: t.Attainment})
	}
	for _, b := range d.Goals.Budgets {
		s.Items = append(s.Items, snapItem{Kind: snapBudget, Key: strconv.FormatInt(b.ID, 10), Label: b.Channel + " · " + b.Period,
			Status: b.Status, Value: b.Pace})
	}
	seen := map[string]bool{}
	for _, f := range d.Findings {
		key := f.Rule + "|" + f.Scope
		if seen[key] {
			continue
		}
		seen[key] = true
		s.Items = append(s.Items, snapItem{Kind: snapFinding, Key: key, Label: f.Title, Value: f.Impact})
	}
	return s
}

// saveSnapshot replaces the run's snapshot in meta.report_snapshots, in one
// transaction, so rendering the same run again leaves one snapshot. It does
// nothing when the table does not exist; on a read-only warehouse it
// returns errReadOnly.
func saveSnapshot(ctx context.Context, db *sql.DB, s *snapshot) (err error) {
	if ok, err := tableExists(ctx, db, "meta", "report_snapshots"); err != nil || !ok {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return readOnly(err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(readOnly(err), tx.Rollback())
		}
	}()
	if _, err = tx.ExecContext(ctx, "DELETE FROM meta.report_snapshots WHERE run_id = ?", s.RunID); err != nil {
		return err
	}
	var asOf any
	if s.AsOf.Valid {
		asOf = s.AsOf.Time.Format(dateLayout)
	}
	const cols = 8
	const batch = 200
	for start := 0; start < len(s.Items); start += batch {
		items := s.Items[start:min(start+batch, len(s.Items))]
		var q strings.Builder
		q.WriteString("INSERT INTO meta.report_snapshots (run_id, taken_at, kind, key, label, value, status, as_of) VALUES ")
		args := make([]any, 0, cols*len(items))
		for i, it := range items {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, CAST(? AS DATE))")
			var v, st, label any
			if it.Value.Valid {
				v = it.Value.Float64
			}
			if it.Status != "" {
				st = it.Status
			}
			if it.Label != "" {
				label = it.Label
			}
			args = append(args, s.RunID, s.TakenAt.UTC(), it.Kind, it.Key, label, v, st, asOf)
		}
		if _, err = tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// errReadOnly is returned by saveSnapshot on a warehouse opened read-only.
var errReadOnly = errors.New("the warehouse is open read-only")

func readOnly(err error) error {
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "read-only") {
		return fmt.Errorf("%w: %v", errReadOnly, err)
	}
	return err
}

// changesView is the index page's "what changed since the last run".
type changesView struct {
	// State is first (no earlier run), untracked (no snapshot table),
	// same (nothing moved) or changed.
	State string
	// Since names the run compared with.
	Since string
	// DataMoved says the data now ends on another day, "" when not.
	DataMoved   string
	KPIs        []kpiChange
	Statuses    []statusChange
	NewFindings []string
	Resolved    []string
	CSV         string
}

// kpiChange is a headline KPI whose shown value moved.
type kpiChange struct {
	Label, Before, After, Change, Arrow, Tone, ToneText string
}

// statusChange is a target or budget whose status changed, appeared or
// went away.
type statusChange struct {
	Label         string
	Before, After badge
}

// changesOf compares this run's snapshot with the previous one. A KPI
// moved when its shown value (formatted as on the cards) differs; a target
// or budget when its status does; a finding is keyed by rule and scope.
func changesOf(d *reportData, cur *snapshot, o Options, m catalog, files []bundleFile) (changesView, []bundleFile) {
	v := changesView{CSV: csvChanges}
	out := newCSV("kind", "key", "label", "change", "before_value", "after_value", "before_status", "after_status")
	prev := d.Prev
	switch {
	case !d.SnapshotsBuilt:
		v.State = "untracked"
		return v, append(files, out.file(csvChanges))
	case prev == nil:
		v.State = "first"
		return v, append(files, out.file(csvChanges))
	}
	v.Since = m.msg("changes_since", strconv.FormatInt(prev.RunID, 10), formatInstant(prev.TakenAt))
	if prev.AsOf.Valid && cur.AsOf.Valid && !prev.AsOf.Time.Equal(cur.AsOf.Time) {
		v.DataMoved = m.msg("changes_data_moved", cur.AsOf.Time.Format(dateLayout), prev.AsOf.Time.Format(dateLayout))
	}
	before := map[string]snapItem{}
	for _, it := range prev.Items {
		before[it.Kind+"\x00"+it.Key] = it
	}
	after := map[string]snapItem{}
	for _, it := range cur.Items {
		after[it.Kind+"\x00"+it.Key] = it
	}
	val := func(v sql.NullFloat64) string {
		if !v.Valid {
			return ""
		}
		return strconv.FormatFloat(v.Float64, 'f', -1, 64)
	}
	// KPIs, in card order.
	for _, mt := range metrics {
		a, okA := after[snapKPI+"\x00"+mt.key]
		b, okB := before[snapKPI+"\x00"+mt.key]
		if !okA || !okB {
			continue
		}
		fa, fb := mt.format(a.Value, o.Currency), mt.format(b.Value, o.Currency)
		if fa == fb {
			continue
		}
		ch := change(a.Value, b.Value)
		c := kpiChange{Label: m.msg(mt.label), Before: fb, After: fa, Change: formatChange(ch)}
		c.Arrow, c.Tone, c.ToneText = changeTone(ch, mt.better, m)
		v.KPIs = append(v.KPIs, c)
		out.row(snapKPI, mt.key, "", "moved", val(b.Value), val(a.Value), "", "")
	}
	// Targets, then budgets: changed or new in this run's order, then
	// those gone, by key.
	for _, kind := range []string{snapTarget, snapBudget} {
		label := func(it snapItem) string {
			if kind == snapBudget {
				return m.msg("budget_label", it.Label)
			}
			return it.Label
		}
		for _, a := range cur.Items {
			if a.Kind != kind {
				continue
			}
			b, ok := before[kind+"\x00"+a.Key]
			switch {
			case !ok:
				v.Statuses = append(v.Statuses, statusChange{Label: label(a), Before: badge{"muted", m.msg("chg_new")},
					After: statusBadge(nullString(a.Status), m)})
				out.row(kind, csvText(a.Key), csvText(a.Label), "new", "", val(a.Value), "", csvText(a.Status))
			case b.Status != a.Status:
				v.Statuses = append(v.Statuses, statusChange{Label: label(a), Before: statusBadge(nullString(b.Status), m),
					After: statusBadge(nullString(a.Status), m)})
				out.row(kind, csvText(a.Key), csvText(a.Label), "status", val(b.Value), val(a.Value), csvText(b.Status), csvText(a.Status))
			}
		}
		var gone []snapItem
		for _, b := range prev.Items {
			if _, ok := after[kind+"\x00"+b.Key]; b.Kind == kind && !ok {
				gone = append(gone, b)
			}
		}
		sort.Slice(gone, func(i, j int) bool { return gone[i].Key < gone[j].Key })
		for _, b := range gone {
			v.Statuses = append(v.Statuses, statusChange{Label: label(b), Before: statusBadge(nullString(b.Status), m),
				After: badge{"muted", m.msg("chg_gone")}})
			out.row(kind, csvText(b.Key), csvText(b.Label), "gone", val(b.Value), "", csvText(b.Status), "")
		}
	}
	// Findings: new in rank order, resolved in the previous run's order.
	for _, a := range cur.Items {
		if _, ok := before[snapFinding+"\x00"+a.Key]; a.Kind == snapFinding && !ok {
			v.NewFindings = append(v.NewFindings, a.Label)
			out.row(snapFinding, csvText(a.Key), csvText(a.Label), "new", "", val(a.Value), "", "")
		}
	}
	for _, b := range prev.Items {
		if _, ok := after[snapFinding+"\x00"+b.Key]; b.Kind == snapFinding && !ok {
			v.Resolved = append(v.Resolved, b.Label)
			out.row(snapFinding, csvText(b.Key), csvText(b.Label), "resolved", val(b.Value), "", "", "")
		}
	}
	v.State = "same"
	if len(v.KPIs)+len(v.Statuses)+len(v.NewFindings)+len(v.Resolved) > 0 || v.DataMoved != "" {
		v.State = "changed"
	}
	return v, append(files, out.file(csvChanges))
}

// nullString is s as a nullable string, NULL when empty.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
