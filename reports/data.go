package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// windowDays is the length of the headline window and of the window it is
// compared with.
const windowDays = 30

// dayChannel is one row of marts.kpi_daily summed over platforms and
// campaigns: one day and one channel.
type dayChannel struct {
	Date        time.Time
	Channel     sql.NullString
	Provisional bool
	totals
}

// totals are the additive measures of marts.kpi_daily. Ratios are never
// summed: they are derived from totals (see the methods), so a total's ROAS
// is total revenue over total spend, not an average of daily ROAS.
type totals struct {
	Rows               int64
	Spend              float64
	Impressions        int64
	Clicks             int64
	Sessions           int64
	Conversions        int64
	Orders             int64
	GrossRevenue       float64
	Refunds            float64
	Revenue            float64
	NewCustomers       int64
	ReturningCustomers int64
}

// add accumulates o into t.
func (t *totals) add(o totals) {
	t.Rows += o.Rows
	t.Spend += o.Spend
	t.Impressions += o.Impressions
	t.Clicks += o.Clicks
	t.Sessions += o.Sessions
	t.Conversions += o.Conversions
	t.Orders += o.Orders
	t.GrossRevenue += o.GrossRevenue
	t.Refunds += o.Refunds
	t.Revenue += o.Revenue
	t.NewCustomers += o.NewCustomers
	t.ReturningCustomers += o.ReturningCustomers
}

// scanDest are pointers to t's fields for rows.Scan, in the order of
// count(*) followed by sumTotals.
func (t *totals) scanDest() []any {
	return []any{&t.Rows, &t.Spend, &t.Impressions, &t.Clicks, &t.Sessions, &t.Conversions, &t.Orders,
		&t.GrossRevenue, &t.Refunds, &t.Revenue, &t.NewCustomers, &t.ReturningCustomers}
}

// ROAS is revenue (net of refunds) over spend; NULL without spend.
func (t totals) ROAS() sql.NullFloat64 { return div(t.Revenue, t.Spend) }

// CAC is spend over new customers; NULL without spend or new customers (a
// channel nobody pays for has no acquisition cost to show).
func (t totals) CAC() sql.NullFloat64 {
	if t.Spend == 0 {
		return sql.NullFloat64{}
	}
	return div(t.Spend, float64(t.NewCustomers))
}

// AOV is gross revenue (order amounts before refunds) over orders; NULL
// without orders.
func (t totals) AOV() sql.NullFloat64 { return div(t.GrossRevenue, float64(t.Orders)) }

// ConversionRate is conversions over sessions; NULL without sessions.
func (t totals) ConversionRate() sql.NullFloat64 {
	return div(float64(t.Conversions), float64(t.Sessions))
}

// checkResult is one row of meta.check_results.
type checkResult struct {
	Name        string
	Model       string
	Column      string
	Kind        string
	Severity    string
	Status      string
	FailingRows sql.NullInt64
	Detail      string
}

// failed reports whether the check did not pass (failed or could not run).
func (c checkResult) failed() bool { return c.Status != "pass" }

// streamState is one row of meta.stream_state.
type streamState struct {
	Source          string
	Stream          string
	Canonical       string
	SyncedThrough   sql.NullTime
	ProvisionalFrom sql.NullTime
	UpdatedAt       time.Time
}

// quarantineCount is the quarantined rows of one source stream.
type quarantineCount struct {
	Source  string
	Stream  string
	ThisRun int64
	Total   int64
}

// reportData is everything the bundle shows, read in one pass.
type reportData struct {
	// From and To are the first and last day of marts.kpi_daily; invalid
	// when the table is empty.
	From, To sql.NullTime
	// ProvisionalFrom is the first provisional day of marts.kpi_daily.
	ProvisionalFrom sql.NullTime
	Days            []dayChannel // sorted by date, then channel (NULL first)
	// Campaigns are the last 30 days of marts.kpi_daily per channel,
	// platform and campaign, largest spend first.
	Campaigns  []campaignTotals
	Checks     []checkResult
	Streams    []streamState
	Quarantine []quarantineCount
	// Goals is what the goals model wrote: targets, budgets, scorecard.
	Goals goalsData
	// Findings are marts.findings, ranked; FindingsBuilt says the table
	// exists.
	Findings      []finding
	FindingsBuilt bool
	// Attribution is the latest month of marts.attribution_by_channel.
	Attribution attributionData
	// Evaluation is reconciliation, funnel and channel economics.
	Evaluation evaluationData
	// Prev is the headline of the last report run before this one (nil
	// for the first); SnapshotsBuilt says meta.report_snapshots exists.
	Prev           *snapshot
	SnapshotsBuilt bool
}

// Queries. Sums of BIGINT are HUGEINT in DuckDB and sums of DECIMAL(18,2)
// are DECIMAL(38,2): both are cast so database/sql scans them into int64
// and float64. Money sums stay exact in SQL and become float64 only at the
// end, where a DECIMAL with 2 decimals round-trips exactly below 2^53 cents.
const (
	// sumTotals are the sums of marts.kpi_daily's additive measures, in
	// the order of totals' fields after Rows (see totals.scanDest).
	sumTotals = `       coalesce(sum(spend), 0)::DOUBLE,
       coalesce(sum(impressions), 0)::BIGINT,
       coalesce(sum(clicks), 0)::BIGINT,
       coalesce(sum(sessions), 0)::BIGINT,
       coalesce(sum(conversions), 0)::BIGINT,
       coalesce(sum(orders), 0)::BIGINT,
       coalesce(sum(gross_revenue), 0)::DOUBLE,
       coalesce(sum(refunds), 0)::DOUBLE,
       coalesce(sum(revenue), 0)::DOUBLE,
       coalesce(sum(new_customers), 0)::BIGINT,
       coalesce(sum(returning_customers), 0)::BIGINT`

	qPeriod = `
SELECT min(date), max(date), min(date) FILTER (WHERE provisional)
FROM marts.kpi_daily`

	qDays = `
SELECT date, channel, bool_or(coalesce(provisional, false)), count(*)::BIGINT,
` + sumTotals + `
FROM marts.kpi_daily
WHERE date IS NOT NULL
GROUP BY date, channel
ORDER BY date, channel NULLS FIRST`

	// qCampaigns totals the window per campaign; every grouping column is
	// in the ORDER BY, so equal spends keep a stable order.
	qCampaigns = `
SELECT channel, coalesce(platform, ''), coalesce(campaign_id, ''), coalesce(campaign_name, ''),
       bool_or(coalesce(provisional, false)), count(*)::BIGINT,
` + sumTotals + `
FROM marts.kpi_daily
WHERE date BETWEEN ? AND ?
GROUP BY ALL
ORDER BY 7 DESC, 15 DESC, 1 NULLS FIRST, 2, 3, 4`

	qChecks = `
SELECT check_name, coalesce(model, ''), coalesce(column_name, ''), kind, severity, status,
       failing_rows, coalesce(detail, '')
FROM meta.check_results
WHERE run_id = ?
ORDER BY check_name, checked_at, kind, coalesce(detail, '')`

	qStreams = `
SELECT source, stream, canonical, synced_through, provisional_from, updated_at
FROM meta.stream_state
ORDER BY source, stream`

	qQuarantine = `
SELECT source, stream, count(*) FILTER (WHERE run_id = ?)::BIGINT, count(*)::BIGINT
FROM meta.quarantine
GROUP BY source, stream
ORDER BY source, stream`
)

// load reads what the report shows from marts.kpi_daily, the goals,
// findings, attribution and evaluation marts that exist, and the meta
// tables. After the period and the list of tables, the reads are
// independent and run concurrently, each into its own fields of the data.
func load(ctx context.Context, db *sql.DB, runID int64) (*reportData, error) {
	d := &reportData{}
	if err := db.QueryRowContext(ctx, qPeriod).Scan(&d.From, &d.To, &d.ProvisionalFrom); err != nil {
		return nil, fmt.Errorf("reports: read period of marts.kpi_daily: %w", err)
	}
	have, err := existingTables(ctx, db)
	if err != nil {
		return nil, err
	}
	err = concurrently(
		func() error {
			return queryRows(ctx, db, qDays, nil, "marts.kpi_daily", func(rows *sql.Rows) error {
				var r dayChannel
				if err := rows.Scan(append([]any{&r.Date, &r.Channel, &r.Provisional}, r.scanDest()...)...); err != nil {
					return err
				}
				d.Days = append(d.Days, r)
				return nil
			})
		},
		func() error {
			if !d.To.Valid {
				return nil
			}
			wc, _ := d.windows()
			return queryRows(ctx, db, qCampaigns, []any{wc.From, wc.To}, "marts.kpi_daily", func(rows *sql.Rows) error {
				var r campaignTotals
				if err := rows.Scan(append([]any{&r.Channel, &r.Platform, &r.ID, &r.Name, &r.Provisional}, r.scanDest()...)...); err != nil {
					return err
				}
				d.Campaigns = append(d.Campaigns, r)
				return nil
			})
		},
		func() error { return loadMeta(ctx, db, runID, d) },
		func() (err error) {
			if d.Prev, d.SnapshotsBuilt, err = loadPreviousSnapshot(ctx, db, runID, have); err != nil {
				return fmt.Errorf("reports: read meta.report_snapshots: %w", err)
			}
			return nil
		},
		func() (err error) {
			d.Goals, err = loadGoals(ctx, db, have)
			return err
		},
		func() (err error) {
			if d.Findings, d.FindingsBuilt, err = loadFindings(ctx, db, have); err != nil {
				return fmt.Errorf("reports: read marts.findings: %w", err)
			}
			if d.Attribution, err = loadAttribution(ctx, db, have); err != nil {
				return fmt.Errorf("reports: read marts.attribution_by_channel: %w", err)
			}
			return nil
		},
		func() (err error) {
			d.Evaluation, err = loadEvaluation(ctx, db, have)
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// loadMeta reads the run's checks, the freshness of every stream and the
// quarantined rows.
func loadMeta(ctx context.Context, db *sql.DB, runID int64, d *reportData) error {
	if err := queryRows(ctx, db, qChecks, []any{runID}, "meta.check_results", func(rows *sql.Rows) error {
		var c checkResult
		if err := rows.Scan(&c.Name, &c.Model, &c.Column, &c.Kind, &c.Severity, &c.Status,
			&c.FailingRows, &c.Detail); err != nil {
			return err
		}
		d.Checks = append(d.Checks, c)
		return nil
	}); err != nil {
		return err
	}
	if err := queryRows(ctx, db, qStreams, nil, "meta.stream_state", func(rows *sql.Rows) error {
		var s streamState
		if err := rows.Scan(&s.Source, &s.Stream, &s.Canonical, &s.SyncedThrough,
			&s.ProvisionalFrom, &s.UpdatedAt); err != nil {
			return err
		}
		d.Streams = append(d.Streams, s)
		return nil
	}); err != nil {
		return err
	}
	return queryRows(ctx, db, qQuarantine, []any{runID}, "meta.quarantine", func(rows *sql.Rows) error {
		var q quarantineCount
		if err := rows.Scan(&q.Source, &q.Stream, &q.ThisRun, &q.Total); err != nil {
			return err
		}
		d.Quarantine = append(d.Quarantine, q)
		return nil
	})
}

// concurrently runs fns at once and returns their errors joined, in the
// order of fns.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// qTables lists the tables of the marts and meta schemas, read once per
// render: which sections exist depends on them.
const qTables = `
SELECT schema_name || '.' || table_name
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name IN ('marts', 'meta')`

// existingTables returns the marts and meta tables of db, by qualified
// name.
func existingTables(ctx context.Context, db *sql.DB) (map[string]bool, error) {
	have := map[string]bool{}
	err := queryRows(ctx, db, qTables, nil, "duckdb_tables()", func(rows *sql.Rows) error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		have[name] = true
		return nil
	})
	return have, err
}

// queryRows runs query and calls scan for every row; table names what was
// read, for the error.
func queryRows(ctx context.Context, db *sql.DB, query string, args []any, table string, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reports: read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("reports: read %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: read %s: %w", table, err)
	}
	return nil
}

// window is an inclusive range of days.
type window struct{ From, To time.Time }

// contains reports whether day t lies in w.
func (w window) contains(t time.Time) bool { return !t.Before(w.From) && !t.After(w.To) }

// windows returns the last windowDays days of the data (ending on its last
// day, not on the clock: a late sync shows as stale in the freshness block
// instead of as a drop in the KPIs) and the windowDays days before them.
func (d *reportData) windows() (cur, prev window) {
	to := d.To.Time
	cur = window{From: to.AddDate(0, 0, -(windowDays - 1)), To: to}
	prev = window{From: to.AddDate(0, 0, -(2*windowDays - 1)), To: to.AddDate(0, 0, -windowDays)}
	return cur, prev
}

// sumWindow totals all channels over w.
func (d *reportData) sumWindow(w window) totals {
	var t totals
	for _, r := range d.Days {
		if w.contains(r.Date) {
			t.add(r.totals)
		}
	}
	return t
}

// channelTotals is one channel's totals over a window.
type channelTotals struct {
	Channel sql.NullString
	totals
}

// byChannel totals each channel over w, sorted by spend (largest first),
// then by channel name, so equal spends keep a stable order.
func (d *reportData) byChannel(w window) []channelTotals {
	idx := map[sql.NullString]int{}
	var out []channelTotals
	for _, r := range d.Days {
		if !w.contains(r.Date) {
			continue
		}
		i, ok := idx[r.Channel]
		if !ok {
			i = len(out)
			idx[r.Channel] = i
			out = append(out, channelTotals{Channel: r.Channel})
		}
		out[i].add(r.totals)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Spend != b.Spend {
			return a.Spend > b.Spend
		}
		if a.Revenue != b.Revenue {
			return a.Revenue > b.Revenue
		}
		if a.Channel.Valid != b.Channel.Valid {
			return a.Channel.Valid
		}
		return a.Channel.String < b.Channel.String
	})
	return out
}

// campaignTotals is one campaign's totals over the last 30 days.
type campaignTotals struct {
	Channel            sql.NullString
	Platform, ID, Name string
	Provisional        bool
	totals
}

// dailyTotal is all channels' totals on one day.
type dailyTotal struct {
	Date        time.Time
	Provisional bool
	totals
}

// daily totals all channels per day, in date order (Days is sorted by date).
func (d *reportData) daily() []dailyTotal {
	var out []dailyTotal
	for _, r := range d.Days {
		if n := len(out); n > 0 && out[n-1].Date.Equal(r.Date) {
			out[n-1].add(r.totals)
			out[n-1].Provisional = out[n-1].Provisional || r.Provisional
			continue
		}
		out = append(out, dailyTotal{Date: r.Date, Provisional: r.Provisional, totals: r.totals})
	}
	return out
}
