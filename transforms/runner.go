package transforms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Vars are what SQL templates see.
type Vars struct {
	// Currency is the ISO 4217 reporting currency every money column is
	// converted to, e.g. "CNY".
	Currency string
	// Timezone is the IANA zone whose calendar days are reporting days, e.g.
	// "Asia/Shanghai".
	Timezone string
	// AttributionLookbackDays is how many days before an order or conversion
	// a touchpoint may be to get the credit (at least 1).
	AttributionLookbackDays int
	// AttributionConversionTypes, when set, makes the conversion events of
	// these types (staging.conversions.type) the conversions that
	// attribution credits, instead of paid orders.
	AttributionConversionTypes []string
	// PriceTierBounds are the upper bounds of the price tiers of an order
	// amount, in the reporting currency, ascending: [100, 300] makes three
	// tiers, below 100, 100 up to 300, and 300 and more. Empty means
	// DefaultPriceTierBounds. marts.sales_mix breaks sales down by them.
	PriceTierBounds []float64
	// ReconciliationTolerancePct is how far, in percent, a source may be
	// from what finance booked before marts.reconciliation flags it; 0
	// means DefaultReconciliationTolerancePct.
	ReconciliationTolerancePct float64
}

// DefaultReconciliationTolerancePct is the reconciliation tolerance when
// none is set: 20 %, about what attribution windows and view-through
// claims make platforms over-claim on a normal day.
const DefaultReconciliationTolerancePct = 20

// ReconciliationTolerance returns the tolerance in percent as a SQL number.
func (v Vars) ReconciliationTolerance() string {
	t := v.ReconciliationTolerancePct
	if t == 0 {
		t = DefaultReconciliationTolerancePct
	}
	return strconv.FormatFloat(t, 'f', -1, 64)
}

// DefaultPriceTierBounds are the price tier bounds when none are set:
// below 100, 100 up to 300, 300 and more (reporting currency).
var DefaultPriceTierBounds = []float64{100, 300}

// PriceTierBand is one price tier as SQL templates see it.
type PriceTierBand struct {
	// Upper is the tier's exclusive upper bound as a SQL number; "" for
	// the last, open tier.
	Upper string
	// Label names the tier, numbered so that it sorts: "1: < 100",
	// "2: 100–300", "3: ≥ 300".
	Label string
}

// PriceTierBands returns the price tiers of PriceTierBounds (or the
// defaults), lowest first.
func (v Vars) PriceTierBands() []PriceTierBand {
	bounds := v.PriceTierBounds
	if len(bounds) == 0 {
		bounds = DefaultPriceTierBounds
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	out := make([]PriceTierBand, 0, len(bounds)+1)
	for i, b := range bounds {
		label := fmt.Sprintf("%d: < %s", i+1, num(b))
		if i > 0 {
			label = fmt.Sprintf("%d: %s–%s", i+1, num(bounds[i-1]), num(b))
		}
		out = append(out, PriceTierBand{Upper: num(b), Label: label})
	}
	out = append(out, PriceTierBand{Label: fmt.Sprintf("%d: ≥ %s", len(bounds)+1, num(bounds[len(bounds)-1]))})
	return out
}

// incrementalData is what incremental models' templates see: Vars plus
// the first day to rebuild, YYYY-MM-DD ("" when rebuilding in full).
type incrementalData struct {
	Vars
	Since string
}

// checkData is what check templates see: Vars plus the current day.
type checkData struct {
	Vars
	// Today is the current day in the reporting time zone, YYYY-MM-DD.
	Today string
}

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	timezoneRE = regexp.MustCompile(`^[A-Za-z0-9_+\-/]+$`)
	// conversionTypeRE keeps conversion types safe to quote in SQL.
	conversionTypeRE = regexp.MustCompile(`^[A-Za-z0-9_\- ]+$`)
)

// Validate checks v offline (the time zone is checked against DuckDB when
// a transform starts): values that templates put into SQL must be safe.
func (v Vars) Validate() error {
	var errs []error
	if !currencyRE.MatchString(v.Currency) {
		errs = append(errs, fmt.Errorf("currency %q is not an ISO 4217 code (three capital letters)", v.Currency))
	}
	if !timezoneRE.MatchString(v.Timezone) {
		errs = append(errs, fmt.Errorf("timezone %q is not an IANA time zone name", v.Timezone))
	}
	for _, t := range v.AttributionConversionTypes {
		if !conversionTypeRE.MatchString(t) {
			errs = append(errs, fmt.Errorf("attribution conversion type %q: use letters, digits, _, - and spaces", t))
		}
	}
	for i, b := range v.PriceTierBounds {
		if math.IsNaN(b) || math.IsInf(b, 0) || b <= 0 || i > 0 && b <= v.PriceTierBounds[i-1] {
			errs = append(errs, fmt.Errorf("price tier bounds %v: use positive numbers in ascending order", v.PriceTierBounds))
			break
		}
	}
	if t := v.ReconciliationTolerancePct; math.IsNaN(t) || t < 0 || t > 1000 {
		errs = append(errs, fmt.Errorf("reconciliation tolerance %v%%: use a percentage above 0 (at most 1000)", t))
	}
	if v.AttributionLookbackDays < 1 {
		errs = append(errs, fmt.Errorf("attribution lookback of %d days: it must be at least 1", v.AttributionLookbackDays))
	}
	return errors.Join(errs...)
}

// RawInput is one raw table the pipeline loaded, feeding a canonical stream.
type RawInput struct {
	// Source is the source's name from pacer.yaml; it becomes _source.
	Source string
	// Stream is the source's stream name; it becomes _stream.
	Stream string
	// Canonical names the canonical stream (connectors.Canonical) it feeds.
	Canonical string
	// Table is the qualified raw table, e.g. "raw.google_ads__ad_performance".
	Table string
}

// Runner builds models and runs checks against a DuckDB connection.
//
// A Runner is safe for concurrent use by several goroutines only if each
// passes its own connection; in practice one pipeline run uses one Runner.
type Runner struct {
	models []Model // buildable models in build order
	checks []Model // sql/checks files, by name
	byName map[string]*Model
	vars   Vars
	log    *slog.Logger
	// goModels run after the SQL models, in order.
	goModels []GoModel

	// Dirty, when not nil, makes the transform incremental: it maps each
	// relation whose data changed since the last transform
	// ("staging.src_orders", "raw.fx_rates", ...) to the first day that
	// changed (meta.dirty_days). An incremental model rewrites its rows
	// from the day before the earliest change among the relations it
	// reads, directly or through other models, and keeps them all when
	// none changed. nil rebuilds every incremental model in full, as does a
	// missing table or SQL that changed since the last build
	// (meta.model_state).
	Dirty map[string]time.Time

	// Now returns the current instant. Checks use it for checked_at, for
	// freshness and for the .Today of check templates. New sets it to
	// time.Now; tests replace it.
	Now func() time.Time
}

// New returns a Runner for models (as returned by LoadModels: models in
// build order, checks after them) with the template variables vars. A nil
// logger discards logs. New keeps models as given; Transform reorders
// nothing, so pass them in build order.
func New(models []Model, vars Vars, logger *slog.Logger) *Runner {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{vars: vars, log: logger, Now: time.Now, byName: map[string]*Model{}}
	for _, m := range models {
		if m.IsCheck() {
			r.checks = append(r.checks, m)
		} else {
			r.models = append(r.models, m)
		}
	}
	for i := range r.models {
		r.byName[r.models[i].QualifiedName()] = &r.models[i]
	}
	return r
}

// Result reports what Transform built.
type Result struct {
	// SourceViews are the generated staging.src_<canonical> views, sorted.
	SourceViews []string
	// Models are the models built, in build order.
	Models []ModelResult
	// Duration is the wall time of the whole transaction, commit included.
	Duration time.Duration
}

// ModelResult is one built model.
type ModelResult struct {
	// Name is the qualified name, e.g. "marts.kpi_daily".
	Name string
	// Path is the model's file, e.g. "marts/kpi_daily.sql".
	Path string
	// Materialized is View, Table or Incremental.
	Materialized string
	// Duration is the time the CREATE statement took.
	Duration time.Duration
	// Rows is the table's row count; -1 for views (not evaluated).
	Rows int64
	// Since is the first day an incremental model rewrote; zero when it
	// was rebuilt in full (and for other models).
	Since time.Time
}

// Transform builds the source views and every model, then writes the
// comments of every view, table and column, all in one transaction on conn:
// readers see the previous models or the new ones, never a mix. On error it
// rolls back (the previous models stay as they were) and returns an error
// naming the model file. inputs are the raw tables loaded for each
// canonical stream; a canonical stream without inputs gets a typed empty
// view. Transform honours ctx: DuckDB is interrupted when it is cancelled.
func (r *Runner) Transform(ctx context.Context, conn *sql.Conn, inputs []RawInput) (Result, error) {
	start := time.Now()
	var res Result
	if err := r.vars.Validate(); err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	if err := checkTimezone(ctx, conn, r.vars.Timezone); err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	rendered := make([]string, len(r.models))
	partial := make([]string, len(r.models)) // incremental models: from since on
	since := make([]sinceDay, len(r.models))
	for i := range r.models {
		m := &r.models[i]
		var data any = r.vars
		if m.Materialized == Incremental {
			data = incrementalData{Vars: r.vars}
		}
		s, err := render(m, data)
		if err != nil {
			return res, fmt.Errorf("transform: %w", err)
		}
		rendered[i] = s
		if m.Materialized == Incremental {
			since[i] = r.since(m)
			if !since[i].day.IsZero() {
				if partial[i], err = render(m, incrementalData{Vars: r.vars, Since: since[i].day.Format(time.DateOnly)}); err != nil {
					return res, fmt.Errorf("transform: %w", err)
				}
			}
		}
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("transform: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The error that made us roll back is the one returned.
			r.rollback(ctx, conn, tx)
		}
	}()

	for _, s := range []string{"staging", "marts", "meta"} {
		if _, err := tx.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+s); err != nil {
			return res, fmt.Errorf("transform: create schema %s: %w", s, err)
		}
	}
	existing, err := existingRelations(ctx, tx)
	if err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	srcs, err := buildSourceViews(ctx, tx, inputs, existing)
	if err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	for _, s := range srcs {
		res.SourceViews = append(res.SourceViews, s.name)
	}

	for i := range r.models {
		m := &r.models[i]
		var mr ModelResult
		if m.Materialized == Incremental {
			mr, err = r.buildIncremental(ctx, tx, m, rendered[i], partial[i], since[i], existing)
		} else {
			mr, err = r.build(ctx, tx, m, rendered[i], existing)
		}
		if err != nil {
			return res, fmt.Errorf("transform: %s (%s): %w", m.Path, m.QualifiedName(), err)
		}
		res.Models = append(res.Models, mr)
	}

	phase := time.Now()
	if err := r.comment(ctx, tx, srcs); err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	r.log.DebugContext(ctx, "comments written", "duration_ms", time.Since(phase).Milliseconds())
	for _, g := range r.goModels {
		phase = time.Now()
		built, err := g.Build(ctx, &Tx{Tx: tx, conn: conn, model: g.Name()})
		if err != nil {
			return res, fmt.Errorf("transform: Go model %s: %w", g.Name(), err)
		}
		res.Models = append(res.Models, built...)
		for _, mr := range built {
			r.log.InfoContext(ctx, "model built", "model", mr.Name, "materialized", "go", "rows", mr.Rows, "duration_ms", mr.Duration.Milliseconds())
		}
	}
	if existing["meta.dirty_days"] == "TABLE" {
		// Every change noted so far is now in the models.
		if _, err := tx.ExecContext(ctx, "DELETE FROM meta.dirty_days"); err != nil {
			return res, fmt.Errorf("transform: clear meta.dirty_days: %w", err)
		}
	}
	phase = time.Now()
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("transform: commit: %w", err)
	}
	committed = true
	r.log.DebugContext(ctx, "committed", "duration_ms", time.Since(phase).Milliseconds())
	res.Duration = time.Since(start)
	r.log.InfoContext(ctx, "transform done", "models", len(res.Models), "source_views", len(res.SourceViews),
		"duration_ms", res.Duration.Milliseconds())
	return res, nil
}

// rollback ends a failed transaction. When ctx was cancelled, database/sql
// rolls the transaction back by itself, but DuckDB may still see the
// interrupt of the cancelled statement and refuse that ROLLBACK, leaving
// the connection in an aborted transaction; so a ROLLBACK is issued again,
// without ctx, and "no transaction is active" is the expected answer.
func (r *Runner) rollback(ctx context.Context, conn *sql.Conn, tx *sql.Tx) {
	err := tx.Rollback()
	if err == nil {
		return
	}
	bg := context.WithoutCancel(ctx)
	for range 3 {
		_, err = conn.ExecContext(bg, "ROLLBACK")
		if err == nil || strings.Contains(err.Error(), "no transaction is active") {
			return
		}
	}
	r.log.WarnContext(ctx, "rollback failed", "error", err)
}

// build creates one model.
func (r *Runner) build(ctx context.Context, tx *sql.Tx, m *Model, query string, existing map[string]string) (ModelResult, error) {
	q := m.QualifiedName()
	mr := ModelResult{Name: q, Path: m.Path, Materialized: m.Materialized, Rows: -1}
	start := time.Now()
	kind := "VIEW"
	if m.Materialized == Table {
		kind = "TABLE"
	}
	// CREATE OR REPLACE cannot turn a view into a table or back.
	if old, ok := existing[q]; ok && old != kind {
		if _, err := tx.ExecContext(ctx, "DROP "+old+" "+q); err != nil {
			return mr, fmt.Errorf("drop the old %s: %w", strings.ToLower(old), err)
		}
	}
	if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE "+kind+" "+q+" AS\n"+query); err != nil {
		return mr, err
	}
	existing[q] = kind
	if m.Materialized == Table {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+q).Scan(&mr.Rows); err != nil {
			return mr, fmt.Errorf("count rows: %w", err)
		}
	}
	mr.Duration = time.Since(start)
	attrs := []any{"model", q, "materialized", m.Materialized, "duration_ms", mr.Duration.Milliseconds()}
	if mr.Rows >= 0 {
		attrs = append(attrs, "rows", mr.Rows)
	}
	r.log.InfoContext(ctx, "model built", attrs...)
	return mr, nil
}

// buildIncremental rewrites an incremental model from r.Since on, or
// rebuilds it in full (full SQL) when r.Since is zero, the table is
// missing, or its full SQL changed since meta.model_state recorded it. It
// records the build in meta.model_state, in the same transaction.
func (r *Runner) buildIncremental(ctx context.Context, tx *sql.Tx, m *Model, full, partial string, sd sinceDay, existing map[string]string) (ModelResult, error) {
	q := m.QualifiedName()
	mr := ModelResult{Name: q, Path: m.Path, Materialized: m.Materialized, Rows: -1}
	start := time.Now()
	sum := sha256.Sum256([]byte(full))
	hash := hex.EncodeToString(sum[:])
	var old sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT max(sql_hash) FROM meta.model_state WHERE model = ?", q).Scan(&old); err != nil {
		return mr, fmt.Errorf("read meta.model_state: %w", err)
	}
	reason := ""
	switch {
	case sd.full:
		reason = "a full rebuild was asked for"
	case existing[q] != "TABLE":
		reason = "no table yet"
	case old.String != hash:
		reason = "its SQL changed"
	case sd.day.IsZero():
		// Nothing it reads changed: its rows stand.
		mr.Duration = time.Since(start)
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+q).Scan(&mr.Rows); err != nil {
			return mr, fmt.Errorf("count rows: %w", err)
		}
		r.log.InfoContext(ctx, "model kept", "model", q, "materialized", m.Materialized, "rows", mr.Rows, "reason", "nothing it reads changed")
		return mr, nil
	}
	var since any
	if reason != "" {
		if existing[q] == "VIEW" {
			if _, err := tx.ExecContext(ctx, "DROP VIEW "+q); err != nil {
				return mr, fmt.Errorf("drop the old view: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE TABLE "+q+" AS\n"+full); err != nil {
			return mr, err
		}
		existing[q] = "TABLE"
	} else {
		since = sd.day.Format(time.DateOnly)
		mr.Since = sd.day
		del := fmt.Sprintf("%s >= DATE '%s'", quoteIdent(m.IncrementalKey), since)
		if t := m.tmpl.Lookup("delete"); t != nil {
			var b bytes.Buffer
			if err := t.Execute(&b, incrementalData{Vars: r.vars, Since: since.(string)}); err != nil {
				return mr, fmt.Errorf("%s: template delete: %w", m.Path, err)
			}
			del = b.String()
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+q+" WHERE "+del); err != nil {
			return mr, fmt.Errorf("delete the rows to rewrite: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+q+" BY NAME\n"+partial); err != nil {
			return mr, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta.model_state (model, sql_hash, built_at, full_at, rebuilt_from)
		VALUES (?, ?, now(), now(), ?::DATE)
		ON CONFLICT (model) DO UPDATE SET sql_hash = excluded.sql_hash, built_at = excluded.built_at,
			full_at = CASE WHEN excluded.rebuilt_from IS NULL THEN excluded.full_at ELSE meta.model_state.full_at END,
			rebuilt_from = excluded.rebuilt_from`, q, hash, since); err != nil {
		return mr, fmt.Errorf("record the build in meta.model_state: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+q).Scan(&mr.Rows); err != nil {
		return mr, fmt.Errorf("count rows: %w", err)
	}
	mr.Duration = time.Since(start)
	attrs := []any{"model", q, "materialized", m.Materialized, "rows", mr.Rows, "duration_ms", mr.Duration.Milliseconds()}
	if reason != "" {
		attrs = append(attrs, "full_rebuild", reason)
	} else {
		attrs = append(attrs, "since", since)
	}
	r.log.InfoContext(ctx, "model built", attrs...)
	return mr, nil
}

// sinceDay is where an incremental model's build starts: full, or from day
// on (zero day: nothing it reads changed).
type sinceDay struct {
	full bool
	day  time.Time
}

// since finds where m's build starts from r.Dirty: the day before the
// earliest change among the relations m reads, directly or through the
// models it reads.
func (r *Runner) since(m *Model) sinceDay {
	if r.Dirty == nil {
		return sinceDay{full: true}
	}
	var first time.Time
	seen := map[string]bool{}
	var walk func(m *Model)
	walk = func(m *Model) {
		for _, in := range m.Inputs {
			if d, ok := r.Dirty[in]; ok && (first.IsZero() || d.Before(first)) {
				first = d
			}
		}
		for _, dep := range m.Deps {
			if !seen[dep] && r.byName[dep] != nil {
				seen[dep] = true
				walk(r.byName[dep])
			}
		}
	}
	walk(m)
	if first.IsZero() {
		return sinceDay{}
	}
	// A day earlier: raw dates are UTC or account-local days, models use
	// reporting days.
	return sinceDay{day: first.AddDate(0, 0, -1)}
}

// existingRelations maps the qualified names of the tables and views in
// staging, marts and meta to "TABLE" or "VIEW".
func existingRelations(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT schema_name || '.' || table_name, 'TABLE' FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name IN ('staging', 'marts', 'meta')
		UNION ALL
		SELECT schema_name || '.' || view_name, 'VIEW' FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name IN ('staging', 'marts', 'meta') AND NOT internal`)
	if err != nil {
		return nil, fmt.Errorf("list relations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var q, kind string
		if err := rows.Scan(&q, &kind); err != nil {
			return nil, err
		}
		out[q] = kind
	}
	return out, rows.Err()
}

// checkTimezone makes sure DuckDB (ICU) knows tz.
func checkTimezone(ctx context.Context, conn *sql.Conn, tz string) error {
	var n int
	err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_timezone_names() WHERE name = ?", tz).Scan(&n)
	if err != nil {
		return fmt.Errorf("list time zones (is the ICU extension available?): %w", err)
	}
	if n == 0 {
		return fmt.Errorf("unknown time zone %q", tz)
	}
	return nil
}

// render executes m's template with data and trims trailing semicolons.
func render(m *Model, data any) (string, error) {
	var buf bytes.Buffer
	if err := m.tmpl.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("%s: template: %w", m.Path, err)
	}
	s := strings.TrimSpace(buf.String())
	for strings.HasSuffix(s, ";") {
		s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	}
	if s == "" {
		return "", fmt.Errorf("%s: no query", m.Path)
	}
	return s, nil
}

// zeroData is the template data used to find dependencies at load time.
func zeroData(m *Model) any {
	switch {
	case m.IsCheck():
		return checkData{}
	case m.Materialized == Incremental:
		return incrementalData{}
	}
	return Vars{}
}

// quoteIdent quotes a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes a SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
