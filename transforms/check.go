package transforms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// Check statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusError = "error"
)

// Check kinds, as stored in meta.check_results.kind.
const (
	KindNotNull        = "not_null"
	KindUnique         = "unique"
	KindAcceptedValues = "accepted_values"
	KindRowCount       = "row_count"
	KindFreshness      = "freshness"
	KindFXMissing      = "fx_missing"
	KindSQL            = "sql"
)

// CheckResult is the outcome of one data check; Check stores each as a row
// of meta.check_results.
type CheckResult struct {
	// Name is unique per run, e.g. "not_null:marts.kpi_daily.date".
	Name string
	// Model is the table or view looked at (a check file's first model
	// reference, or "checks.<name>" when it has none).
	Model string
	// Column is the column looked at, "" when none (comma-separated for
	// unique_combination).
	Column string
	// Kind is one of the Kind constants.
	Kind string
	// Severity is SeverityError or SeverityWarn.
	Severity string
	// Status is StatusPass, StatusFail or StatusError (the check could not run).
	Status string
	// FailingRows counts the rows that broke the rule (for row_count, the
	// shortfall; for freshness, 1 when stale).
	FailingRows int64
	// Detail says what was checked and, on failure, gives up to 3 examples.
	Detail string
	// Duration is how long the check took.
	Duration time.Duration
}

// Failed returns the results that should fail a run: severity error with
// status fail or error (a check that cannot run proves nothing). The caller
// exits 3 when it is not empty.
func Failed(results []CheckResult) []CheckResult {
	var out []CheckResult
	for _, c := range results {
		if c.Severity == SeverityError && c.Status != StatusPass {
			out = append(out, c)
		}
	}
	return out
}

// check is one query to run.
type check struct {
	res CheckResult
	// query returns the failing rows.
	query string
	// countQuery, when set, returns the number of failing rows directly
	// (used where one failing row stands for many).
	countQuery string
	// eval, when set, replaces the failing-rows logic (row_count, freshness).
	eval func(ctx context.Context, conn *sql.Conn, c *CheckResult) error
}

// Check runs every test of the models' .yml files, every sql/checks file
// and the built-in checks (meta.fx_missing is empty, when that model
// exists), stores one row per check in meta.check_results with run id
// runID, and returns the results in the order run. A check that cannot run
// is recorded with status error and does not stop the others; Check returns
// an error only when ctx is done or the results cannot be stored.
func (r *Runner) Check(ctx context.Context, conn *sql.Conn, runID int64) ([]CheckResult, error) {
	if err := r.vars.Validate(); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	now := r.Now()
	var today time.Time
	todayQuery := fmt.Sprintf("SELECT CAST(TIMESTAMPTZ %s AT TIME ZONE %s AS DATE)",
		quoteString(now.UTC().Format("2006-01-02 15:04:05.999999Z07:00")), quoteString(r.vars.Timezone))
	if err := conn.QueryRowContext(ctx, todayQuery).Scan(&today); err != nil {
		return nil, fmt.Errorf("check: today in %s: %w", r.vars.Timezone, err)
	}
	checks, err := r.checkList(today)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	results := make([]CheckResult, 0, len(checks))
	for i := range checks {
		c := &checks[i]
		start := time.Now()
		err := r.runCheck(ctx, conn, c)
		if ctx.Err() != nil {
			return results, fmt.Errorf("check %s: %w", c.res.Name, ctx.Err())
		}
		if err != nil {
			c.res.Status = StatusError
			c.res.Detail = truncate(c.res.Detail+" Could not run: "+err.Error(), 2000)
		}
		c.res.Duration = time.Since(start)
		level := slogLevel(c.res)
		r.log.Log(ctx, level, "check", "check", c.res.Name, "status", c.res.Status, "severity", c.res.Severity,
			"failing_rows", c.res.FailingRows, "duration_ms", c.res.Duration.Milliseconds())
		results = append(results, c.res)
	}
	if err := storeResults(ctx, conn, runID, now, results); err != nil {
		return results, fmt.Errorf("check: store results: %w", err)
	}
	return results, nil
}

// runCheck runs c and fills c.res.Status, FailingRows and Detail.
func (r *Runner) runCheck(ctx context.Context, conn *sql.Conn, c *check) error {
	if c.eval != nil {
		return c.eval(ctx, conn, &c.res)
	}
	countQuery := c.countQuery
	if countQuery == "" {
		countQuery = "SELECT count(*) FROM (\n" + c.query + "\n) AS failing"
	}
	var n sql.NullInt64
	if err := conn.QueryRowContext(ctx, countQuery).Scan(&n); err != nil {
		return err
	}
	c.res.FailingRows = n.Int64
	if n.Int64 == 0 {
		c.res.Status = StatusPass
		return nil
	}
	c.res.Status = StatusFail
	ex, err := examples(ctx, conn, c.query)
	if err != nil {
		return err
	}
	c.res.Detail = truncate(fmt.Sprintf("%s Failing: %d, e.g. %s.", c.res.Detail, n.Int64, ex), 2000)
	return nil
}

// examples formats up to 3 rows of query as "(col=value, ...); (...)".
func examples(ctx context.Context, conn *sql.Conn, query string) (string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT * FROM (\n"+query+"\n) AS failing LIMIT 3")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = cols[i] + "=" + formatValue(v)
		}
		out = append(out, "("+strings.Join(parts, ", ")+")")
	}
	return strings.Join(out, "; "), rows.Err()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// checkList turns every test and check file into checks.
func (r *Runner) checkList(today time.Time) ([]check, error) {
	var out []check
	for i := range r.models {
		m := &r.models[i]
		q := m.QualifiedName()
		keys := exampleKeys(m)
		for _, col := range m.Columns {
			qc := quoteIdent(col.Name)
			for _, t := range col.Tests {
				base := CheckResult{Model: q, Column: col.Name, Severity: SeverityError}
				switch t.Kind {
				case TestNotNull:
					base.Name, base.Kind = "not_null:"+q+"."+col.Name, KindNotNull
					base.Detail = fmt.Sprintf("%s.%s is never NULL.", q, col.Name)
					out = append(out, check{res: base, query: fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NULL", selectList(keys, col.Name), q, qc)})
				case TestUnique:
					base.Name, base.Kind = "unique:"+q+"."+col.Name, KindUnique
					base.Detail = fmt.Sprintf("%s.%s is unique.", q, col.Name)
					out = append(out, check{res: base, query: fmt.Sprintf("SELECT %s, count(*) AS n FROM %s WHERE %s IS NOT NULL GROUP BY %s HAVING count(*) > 1", qc, q, qc, qc)})
				case TestAcceptedValues:
					vals := make([]string, len(t.Values))
					for i, v := range t.Values {
						vals[i] = quoteString(v)
					}
					base.Name, base.Kind = "accepted_values:"+q+"."+col.Name, KindAcceptedValues
					base.Detail = fmt.Sprintf("%s.%s is one of %s.", q, col.Name, strings.Join(t.Values, ", "))
					out = append(out, check{res: base, query: fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL AND CAST(%s AS VARCHAR) NOT IN (%s)",
						selectList(keys, col.Name), q, qc, qc, strings.Join(vals, ", "))})
				}
			}
		}
		if cols := m.Tests.UniqueCombination; len(cols) > 0 {
			qcols := make([]string, len(cols))
			for i, c := range cols {
				qcols[i] = quoteIdent(c)
			}
			list := strings.Join(qcols, ", ")
			out = append(out, check{
				res: CheckResult{Name: "unique_combination:" + q + "." + strings.Join(cols, "+"), Model: q, Column: strings.Join(cols, ","),
					Kind: KindUnique, Severity: SeverityError, Detail: fmt.Sprintf("(%s) identifies a row of %s.", strings.Join(cols, ", "), q)},
				query: fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY %s HAVING count(*) > 1", list, q, list),
			})
		}
		if min := m.Tests.RowCountMin; min != nil {
			want := *min
			out = append(out, check{
				res: CheckResult{Name: "row_count_min:" + q, Model: q, Kind: KindRowCount, Severity: SeverityError,
					Detail: fmt.Sprintf("%s has at least %d rows.", q, want)},
				eval: func(ctx context.Context, conn *sql.Conn, c *CheckResult) error {
					var n int64
					if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+q).Scan(&n); err != nil {
						return err
					}
					c.Status = StatusPass
					if n < want {
						c.Status, c.FailingRows = StatusFail, want-n
					}
					c.Detail = fmt.Sprintf("%s has at least %d rows; it has %d.", q, want, n)
					return nil
				},
			})
		}
		if f := m.Tests.Freshness; f != nil {
			fr := *f
			oldest := today.AddDate(0, 0, -fr.MaxDays)
			out = append(out, check{
				res: CheckResult{Name: "freshness:" + q + "." + fr.Column, Model: q, Column: fr.Column, Kind: KindFreshness, Severity: fr.Severity},
				eval: func(ctx context.Context, conn *sql.Conn, c *CheckResult) error {
					var latest sql.NullTime
					if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT CAST(max(%s) AS DATE) FROM %s", quoteIdent(fr.Column), q)).Scan(&latest); err != nil {
						return err
					}
					got := "no rows"
					if latest.Valid {
						got = latest.Time.Format(time.DateOnly)
					}
					c.Detail = fmt.Sprintf("The latest %s.%s is at most %d days before %s (not before %s); it is %s.",
						q, fr.Column, fr.MaxDays, today.Format(time.DateOnly), oldest.Format(time.DateOnly), got)
					c.Status = StatusPass
					if !latest.Valid || latest.Time.Before(oldest) {
						c.Status, c.FailingRows = StatusFail, 1
					}
					return nil
				},
			})
		}
	}
	if _, ok := r.byName["meta.fx_missing"]; ok {
		out = append(out, check{
			res: CheckResult{Name: "fx_missing:meta.fx_missing", Model: "meta.fx_missing", Kind: KindFXMissing, Severity: SeverityError,
				Detail: "Every money amount in staging found an exchange rate to " + r.vars.Currency + " (at most 7 days old)."},
			query:      "SELECT currency, date, source, stream, rows_affected FROM meta.fx_missing ORDER BY rows_affected DESC, date, currency",
			countQuery: "SELECT coalesce(sum(rows_affected), 0) FROM meta.fx_missing",
		})
	}
	data := checkData{Vars: r.vars, Today: today.Format(time.DateOnly)}
	for i := range r.checks {
		m := &r.checks[i]
		model := m.QualifiedName()
		if len(m.Deps) > 0 {
			model = m.Deps[0]
		} else if len(m.Inputs) > 0 {
			model = m.Inputs[0]
		}
		c := check{res: CheckResult{Name: "sql:" + m.Name, Model: model, Kind: KindSQL, Severity: m.Severity,
			Detail: m.Comment + " (sql/" + m.Path + ")"}}
		q, err := render(m, data)
		if err != nil {
			c.eval = func(context.Context, *sql.Conn, *CheckResult) error { return err }
		}
		c.query = q
		out = append(out, c)
	}
	return out, nil
}

// exampleKeys are the columns shown for a failing row of m: its
// unique_combination, else its unique columns, else its first two columns.
func exampleKeys(m *Model) []string {
	if len(m.Tests.UniqueCombination) > 0 {
		return m.Tests.UniqueCombination
	}
	var keys []string
	for _, c := range m.Columns {
		for _, t := range c.Tests {
			if t.Kind == TestUnique {
				keys = append(keys, c.Name)
			}
		}
	}
	if len(keys) == 0 {
		for i := 0; i < len(m.Columns) && i < 2; i++ {
			keys = append(keys, m.Columns[i].Name)
		}
	}
	return keys
}

// selectList quotes keys plus col (once).
func selectList(keys []string, col string) string {
	var out []string
	seen := false
	for _, k := range keys {
		out = append(out, quoteIdent(k))
		seen = seen || k == col
	}
	if !seen {
		out = append(out, quoteIdent(col))
	}
	return strings.Join(out, ", ")
}

// storeResults inserts results into meta.check_results in one transaction.
func storeResults(ctx context.Context, conn *sql.Conn, runID int64, at time.Time, results []CheckResult) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO meta.check_results
		(run_id, checked_at, check_name, model, column_name, kind, severity, status, failing_rows, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range results {
		var col any
		if c.Column != "" {
			col = c.Column
		}
		if _, err := stmt.ExecContext(ctx, runID, at.UTC(), c.Name, c.Model, col, c.Kind, c.Severity, c.Status, c.FailingRows, c.Detail); err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// truncate shortens s to at most n bytes without splitting a UTF-8 rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// slogLevel logs passing checks at info and the others at warn.
func slogLevel(c CheckResult) slog.Level {
	if c.Status == StatusPass {
		return slog.LevelInfo
	}
	return slog.LevelWarn
}
