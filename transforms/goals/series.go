package goals

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Querier runs queries: a *sql.Tx inside the transform, a *sql.DB for the
// lint.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Loader reads metric series, remembering each source's first day.
type Loader struct {
	Q        Querier
	coverage map[Source]time.Time
}

// coverageQuery returns the first day each source has data.
var coverageQuery = map[Source]string{
	KPIDaily:      "SELECT min(date) FROM marts.kpi_daily",
	CRMDeals:      "SELECT min(date) FROM staging.crm_deals",
	SurveyMetrics: "SELECT min(" + periodStartSQL + ") FROM staging.survey_metrics",
	MarketBenchmarks: "SELECT greatest((SELECT min(" + periodStartSQL + ") FROM staging.market_benchmarks), " +
		"(SELECT min(date) FROM marts.kpi_daily))",
}

// Coverage is the first day src has data (zero when it has none).
func (l *Loader) Coverage(ctx context.Context, src Source) (time.Time, error) {
	if t, ok := l.coverage[src]; ok {
		return t, nil
	}
	if l.coverage == nil {
		l.coverage = map[Source]time.Time{}
	}
	rows, err := l.Q.QueryContext(ctx, coverageQuery[src])
	if err != nil {
		return time.Time{}, fmt.Errorf("first day of %s: %w", src, err)
	}
	defer rows.Close()
	var d sql.NullTime
	if rows.Next() {
		if err := rows.Scan(&d); err != nil {
			return time.Time{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, err
	}
	t := time.Time{}
	if d.Valid {
		t = day(d.Time)
	}
	l.coverage[src] = t
	return t, nil
}

// Load reads the daily series of m in scope.
func (l *Loader) Load(ctx context.Context, m Metric, scope map[string]string) (Series, error) {
	cov, err := l.Coverage(ctx, m.Source)
	if err != nil {
		return Series{}, err
	}
	q, args, err := m.SeriesQuery(scope)
	if err != nil {
		return Series{}, err
	}
	rows, err := l.Q.QueryContext(ctx, q, args...)
	if err != nil {
		return Series{}, fmt.Errorf("%s series: %w", m.Name, err)
	}
	defer rows.Close()
	s := Series{Days: map[time.Time]Day{}, Coverage: cov}
	for rows.Next() {
		var d time.Time
		var num, den sql.NullFloat64
		if err := rows.Scan(&d, &num, &den); err != nil {
			return Series{}, fmt.Errorf("%s series: %w", m.Name, err)
		}
		d = day(d)
		s.Days[d] = Day{Date: d, Numerator: num.Float64, Denominator: den.Float64}
	}
	return s, rows.Err()
}

// day drops the time of t, keeping its calendar day, as UTC midnight.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
