package findings

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/pacerhq/pacer/transforms"
)

// conversionRateDrop: a channel's paid orders per session over the last 14
// days fell at least 20% against the 8 weeks before, beyond noise (a
// two-proportion z of −3 or less), while its spend held (daily spend down
// less than 20%). Impact: the orders lost at the old rate × the revenue
// per order of the last 14 days.
func conversionRateDrop(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	rows, err := tx.QueryContext(ctx, `WITH last AS (SELECT max(date) AS d FROM marts.kpi_daily),
		w AS (
			SELECT
				channel,
				sum(sessions) FILTER (WHERE date > d - 14) AS s1,
				sum(orders) FILTER (WHERE date > d - 14) AS o1,
				CAST(sum(spend) FILTER (WHERE date > d - 14) AS DOUBLE) / 14 AS spend1,
				CAST(sum(revenue) FILTER (WHERE date > d - 14) AS DOUBLE) AS rev1,
				sum(sessions) FILTER (WHERE date <= d - 14 AND date > d - 70) AS s0,
				sum(orders) FILTER (WHERE date <= d - 14 AND date > d - 70) AS o0,
				CAST(sum(spend) FILTER (WHERE date <= d - 14 AND date > d - 70) AS DOUBLE) / 56 AS spend0,
				any_value(d) AS d
			FROM marts.kpi_daily, last
			WHERE date > d - 70
			GROUP BY channel
		)
		SELECT channel, s1, o1, spend1, rev1, s0, o0, spend0, d FROM w
		WHERE s1 > 0 AND s0 > 0 AND o0 > 0 AND spend0 > 0
		ORDER BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var ch string
		var s1, o1, s0, o0 int64
		var spend1, rev1, spend0 float64
		var last time.Time
		if err := rows.Scan(&ch, &s1, &o1, &spend1, &rev1, &s0, &o0, &spend0, &last); err != nil {
			return nil, err
		}
		p1, p0 := float64(o1)/float64(s1), float64(o0)/float64(s0)
		p := float64(o1+o0) / float64(s1+s0)
		z := (p1 - p0) / math.Sqrt(p*(1-p)*(1/float64(s1)+1/float64(s0)))
		change, spendChange := p1/p0-1, spend1/spend0-1
		if change > -0.20 || z > -3 || spendChange < -0.20 {
			continue
		}
		lost := (p0 - p1) * float64(s1)
		rpo := math.NaN()
		if o1 > 0 {
			rpo = rev1 / float64(o1)
		}
		out = append(out, Finding{
			Rule: "conversion_rate_drop", Kind: "execution", Class: 1, Scope: "channel=" + ch,
			Title: fmt.Sprintf("%s turns %.0f%% fewer of its sessions into orders than in the 8 weeks before, while its spend held (%s a day)",
				ch, -100*change, pct(spendChange)),
			Detail: fmt.Sprintf("paid orders per session %.2f%% in the last 14 days (%d orders of %d sessions) vs %.2f%% in the 8 weeks before (%d of %d), z = %.1f; spend %s a day vs %s; about %.0f orders lost at the old rate",
				100*p1, o1, s1, 100*p0, o0, s0, z, money(currency, spend1), money(currency, spend0), lost),
			Impact: lost * rpo, Metric: "order_rate", Now: p1, Before: p0, Since: last.AddDate(0, 0, -13),
		})
	}
	return out, rows.Err()
}

// roasFalling: a channel's ROAS fell in each of the last three complete
// weeks (Monday to Sunday). Impact: the last week's spend × the fall in
// ROAS since the week before the fall began.
func roasFalling(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	rows, err := tx.QueryContext(ctx, `WITH last AS (SELECT max(date) AS d FROM marts.kpi_daily),
		-- the last complete week ends on the Sunday on or before the last day
		bounds AS (SELECT CAST(d - CAST(isodow(d) % 7 AS INTEGER) AS DATE) AS sunday FROM last),
		weeks AS (
			SELECT
				channel,
				CAST((bounds.sunday - date) // 7 AS INTEGER) AS ago,
				CAST(sum(spend) AS DOUBLE) AS spend,
				CAST(sum(revenue) AS DOUBLE) AS revenue
			FROM marts.kpi_daily, bounds
			WHERE date <= bounds.sunday AND date > bounds.sunday - 28
			GROUP BY ALL
		)
		SELECT channel, ago, spend, revenue, (SELECT sunday FROM bounds) FROM weeks
		WHERE spend > 0
		ORDER BY channel, ago DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type week struct{ spend, roas float64 }
	by := map[string]map[int]week{}
	var sunday time.Time
	var order []string
	for rows.Next() {
		var ch string
		var ago int
		var spend, revenue float64
		if err := rows.Scan(&ch, &ago, &spend, &revenue, &sunday); err != nil {
			return nil, err
		}
		if by[ch] == nil {
			by[ch] = map[int]week{}
			order = append(order, ch)
		}
		by[ch][ago] = week{spend, revenue / spend}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Finding
	for _, ch := range order {
		w := by[ch]
		if len(w) < 4 {
			continue
		}
		if !(w[3].roas > w[2].roas && w[2].roas > w[1].roas && w[1].roas > w[0].roas) {
			continue
		}
		out = append(out, Finding{
			Rule: "roas_falling", Kind: "execution", Class: 1, Scope: "channel=" + ch,
			Title: fmt.Sprintf("%s ROAS fell three weeks in a row, from %.2f to %.2f", ch, w[3].roas, w[0].roas),
			Detail: fmt.Sprintf("weekly ROAS %.2f → %.2f → %.2f → %.2f (weeks ending %s); spend last week %s",
				w[3].roas, w[2].roas, w[1].roas, w[0].roas, sunday.Format(time.DateOnly), money(currency, w[0].spend)),
			Impact: (w[3].roas - w[0].roas) * w[0].spend, Metric: "roas", Now: w[0].roas, Before: w[3].roas,
			Since: sunday.AddDate(0, 0, -27),
		})
	}
	return out, nil
}

// budgetPacing: a running budget projected more than 5% over or 10% under
// plan (marts.budget_pacing). Impact: the projected variance.
func budgetPacing(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT channel, period, planned, actual_to_date, projected_spend, projected_variance, status, period_start
		FROM marts.budget_pacing WHERE NOT is_final AND status IN ('overspending', 'underspending') ORDER BY budget_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var ch, period, status string
		var planned, actual, projected, variance float64
		var from time.Time
		if err := rows.Scan(&ch, &period, &planned, &actual, &projected, &variance, &status, &from); err != nil {
			return nil, err
		}
		out = append(out, Finding{
			Rule: "budget_pacing", Kind: "execution", Class: 1, Scope: "channel=" + ch,
			Title:  fmt.Sprintf("%s is %s its %s budget: projected %s against %s planned", ch, status, period, money(currency, projected), money(currency, planned)),
			Detail: fmt.Sprintf("spent %s so far; projected variance %s (%s)", money(currency, actual), money(currency, variance), pct(variance/planned)),
			Impact: math.Abs(variance), Metric: "spend", Now: projected, Before: planned, Since: from,
		})
	}
	return out, rows.Err()
}

// targetGapDriver: for each revenue target behind plan, the part of its
// gap that weighs most (marts.target_variance). Impact: that part.
func targetGapDriver(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT target, component, kind, contribution, gap, explanation, as_of
		FROM marts.target_variance
		WHERE gap < 0 AND contribution < 0
		QUALIFY row_number() OVER (PARTITION BY target_id ORDER BY contribution, component) = 1
		ORDER BY target_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var target, component, kind, explanation string
		var contribution, gap float64
		var asOf time.Time
		if err := rows.Scan(&target, &component, &kind, &contribution, &gap, &explanation, &asOf); err != nil {
			return nil, err
		}
		out = append(out, Finding{
			Rule: "target_gap_driver", Kind: kind, Class: 2, Scope: target,
			Title:  fmt.Sprintf("%.0f%% of the shortfall of %s comes from %s (%s)", 100*contribution/gap, target, component, kind),
			Detail: explanation, Impact: -contribution, Metric: "revenue", Now: contribution, Before: gap, Since: asOf,
		})
	}
	return out, rows.Err()
}

// targetOffTrack: a running target off track on the latest day. Newly off
// track (on track or at risk 7 days earlier) comes before long-standing.
// Impact: for money targets the projected shortfall, else none.
func targetOffTrack(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT
			t.target, t.metric, t.direction, t.target_value, t.actual_to_date, t.forecast, t.pace_index, t.date,
			(SELECT m.unit FROM meta.metrics m WHERE m.metric = t.metric) AS unit,
			(SELECT w.status FROM marts.targets_vs_actuals w WHERE w.target_id = t.target_id AND w.date = t.date - 7) AS week_ago
		FROM marts.targets_vs_actuals t
		WHERE t.is_latest AND t.status = 'off_track'
		ORDER BY t.target_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var target, metric, direction, unit string
		var value, actual, forecast, pace float64
		var day time.Time
		var weekAgo sql.NullString
		if err := rows.Scan(&target, &metric, &direction, &value, &actual, &forecast, &pace, &day, &unit, &weekAgo); err != nil {
			return nil, err
		}
		f := Finding{Rule: "target_off_track", Kind: "monitoring", Class: 4, Scope: target, Impact: math.NaN(),
			Metric: metric, Now: forecast, Before: value, Since: day}
		newly := weekAgo.Valid && weekAgo.String != "off_track"
		if newly {
			f.Class = 3
		}
		shortfall := value - forecast
		if direction == "lower" {
			shortfall = forecast - value
		}
		if unit == "money" && direction == "higher" && shortfall > 0 {
			f.Impact = shortfall
		}
		when := "off track"
		if newly {
			when = "turned off track this week"
		}
		f.Title = fmt.Sprintf("%s %s: pace %.2f, forecast %s against %s", target, when, pace, fmtValue(unit, currency, forecast), fmtValue(unit, currency, value))
		f.Detail = fmt.Sprintf("to date %s; pace index %.2f (actual ÷ expected); status a week ago: %s", fmtValue(unit, currency, actual), pace, orNone(weekAgo))
		out = append(out, f)
	}
	return out, rows.Err()
}

func fmtValue(unit, currency string, v float64) string {
	switch unit {
	case "money":
		return money(currency, v)
	case "count":
		return fmt.Sprintf("%.0f", v)
	case "share":
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.2f", v)
}

func orNone(s sql.NullString) string {
	if !s.Valid {
		return "not started"
	}
	return s.String
}

// reconciliationGap: over the last four complete ISO weeks
// (marts.reconciliation_summary, grain week), a channel's ad platforms
// claim a conversion value more than the tolerance away from what finance
// booked for it. Judged on the weeks' sums, not on days: a day's gap is
// noise (an order after midnight, a click credited the next day).
// Platforms over-claim by design (view-through, overlapping windows); the
// finding says by how much, so platform ROAS is read with that discount.
// Impact: the value claimed beyond the booked revenue. Data, not a problem
// to fix this week.
func reconciliationGap(ctx context.Context, tx *transforms.Tx, currency string) ([]Finding, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'reconciliation_summary'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `WITH weeks AS (
			SELECT * FROM marts.reconciliation_summary WHERE grain = 'week' AND is_complete
		),
		last AS (SELECT max(period_start) AS w FROM weeks)
		SELECT channel,
			CAST(sum(platform_conversion_value) AS DOUBLE) AS claimed,
			CAST(sum(finance_revenue) AS DOUBLE) AS booked,
			max(tolerance_pct) AS tolerance,
			count(*) AS weeks,
			count(*) FILTER (WHERE platform_flag) AS flagged,
			min(period_start) AS since,
			max(period_end) AS until
		FROM weeks, last
		WHERE period_start > w - 28 AND platform_conversion_value IS NOT NULL
		GROUP BY channel
		HAVING sum(finance_revenue) > 0
		ORDER BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var ch string
		var claimed, booked, tolerance float64
		var weeks, flagged int
		var since, until time.Time
		if err := rows.Scan(&ch, &claimed, &booked, &tolerance, &weeks, &flagged, &since, &until); err != nil {
			return nil, err
		}
		gap := claimed/booked - 1
		if math.Abs(gap)*100 <= tolerance {
			continue
		}
		verb := "over-claim"
		if gap < 0 {
			verb = "under-report"
		}
		out = append(out, Finding{
			Rule: "reconciliation_gap", Kind: "data", Class: 5, Scope: "channel=" + ch,
			Title: fmt.Sprintf("%s platforms %s conversion value by %s against finance over the last %d complete weeks", ch, verb, pct(gap), weeks),
			Detail: fmt.Sprintf("platforms claim %s, finance booked %s (last-touch), %s to %s; %d of %d weeks beyond the tolerance of %.0f%%",
				money(currency, claimed), money(currency, booked), since.Format(time.DateOnly), until.Format(time.DateOnly), flagged, weeks, tolerance),
			Impact: math.Abs(claimed - booked), Metric: "conversion_value", Now: claimed, Before: booked, Since: since,
		})
	}
	return out, rows.Err()
}
