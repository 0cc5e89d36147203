package goals

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/transforms"
)

// LabelVarianceDrivers splits the spend part of marts.variance_drivers'
// revenue = spend × ROAS rows by the budgets of plan, where they cover the
// scope: the SQL model labels every spend part strategy ('no budget set;
// spend change taken as planned'), since only the goals model knows the
// budgets. For each compared span the planned spend P is the scope's
// budget over the span's days (each budget spread evenly over its period;
// where two budgets of a channel cover a day, the one of the shorter
// period; the company's is the sum of its channels', when every channel
// that spent in the span has a budget covering all of it), or the span's
// actual spend S when no budget covers it. With R̄ = (ROAS0 + ROAS1) ÷ 2,
// the spend part ΔS·R̄ becomes
//
//	spend_budget_change  (P1 − P0)·R̄               strategy
//	spend_vs_budget      ((S1 − P1) − (S0 − P0))·R̄  execution
//
// the latter computed as the spend part minus the former, so the parts of
// the decomposition still sum exactly to the change. Scopes without a
// budget on either side keep their single spend row. It returns how many
// spend rows it split.
func LabelVarianceDrivers(ctx context.Context, tx *transforms.Tx, plan *Plan) (int, error) {
	if plan == nil || len(plan.Budgets) == 0 {
		return 0, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE schema_name = 'marts' AND table_name IN ('variance_drivers', 'variance')`).Scan(&n); err != nil || n < 2 {
		return 0, err
	}
	values := budgetDays(plan.Budgets)
	if len(values) == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE pacer_budget_days (channel VARCHAR, date DATE, amount DOUBLE)`); err != nil {
		return 0, err
	}
	defer tx.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS pacer_budget_days`) //nolint:errcheck // a temp table
	for len(values) > 0 {
		chunk := values[:min(len(values), 2000)]
		values = values[len(chunk):]
		if _, err := tx.ExecContext(ctx, "INSERT INTO pacer_budget_days VALUES "+strings.Join(chunk, ", ")); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, splitSpendSQL); err != nil {
		return 0, fmt.Errorf("split spend by budget: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pacer_spend_split`).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM marts.variance_drivers AS d USING pacer_spend_split AS s
			WHERE d.scope = s.scope AND d.scope_value = s.scope_value AND d.month = s.month
			  AND d.comparison = s.comparison AND d.decomposition = s.decomposition AND d.driver = 'spend'`); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, insertSplitSQL); err != nil {
			return 0, err
		}
	}
	_, err := tx.ExecContext(ctx, `DROP TABLE pacer_spend_split`)
	return n, err
}

// budgetDays spreads each budget evenly over its period's days, as SQL
// VALUES rows (channel, date, amount); a channel's day covered by several
// budgets takes the one of the shortest period (then the first listed).
func budgetDays(budgets []Budget) []string {
	type key struct {
		channel string
		day     time.Time
	}
	type pick struct {
		days   int
		amount float64
	}
	chosen := map[key]pick{}
	for _, b := range budgets {
		if b.Range.From.IsZero() || b.Range.To.Before(b.Range.From) {
			continue
		}
		days := b.Range.Days()
		for d := b.Range.From; !d.After(b.Range.To); d = d.AddDate(0, 0, 1) {
			k := key{b.Channel, d}
			if p, ok := chosen[k]; !ok || days < p.days {
				chosen[k] = pick{days, b.Amount / float64(days)}
			}
		}
	}
	out := make([]string, 0, len(chosen))
	for k, p := range chosen {
		out = append(out, fmt.Sprintf("('%s', DATE '%s', %s)", strings.ReplaceAll(k.channel, "'", "''"),
			k.day.Format(time.DateOnly), strconv.FormatFloat(p.amount, 'g', -1, 64)))
	}
	sort.Strings(out)
	return out
}

// splitSpendSQL computes, for every spend × roas spend row, the planned
// spend of both spans (pacer_spend_split), for the rows a budget covers on
// at least one side. The spans are marts.variance's: the month's first
// days_compared days against the same number of days from the start of
// the previous month or of the same month last year (all of it if shorter).
const splitSpendSQL = `CREATE OR REPLACE TEMP TABLE pacer_spend_split AS
WITH days AS (
    SELECT scope, scope_value, month, any_value(days_compared) AS days
    FROM marts.variance
    GROUP BY ALL
),

spend_rows AS (
    SELECT
        d.scope, d.scope_value, d.month, d.comparison, d.decomposition,
        d.baseline AS spend0, d.actual AS spend1, d.contribution,
        (r.baseline + r.actual) / 2 AS roas_mean,
        days.days,
        CASE d.comparison WHEN 'previous_month' THEN CAST(d.month - INTERVAL 1 MONTH AS DATE)
                          ELSE CAST(d.month - INTERVAL 1 YEAR AS DATE) END AS start0
    FROM marts.variance_drivers AS d
    JOIN marts.variance_drivers AS r
        ON r.scope = d.scope AND r.scope_value = d.scope_value AND r.month = d.month
       AND r.comparison = d.comparison AND r.decomposition = d.decomposition AND r.driver = 'roas'
    JOIN days
        ON days.scope = d.scope AND days.scope_value = d.scope_value AND days.month = d.month
    WHERE d.decomposition = 'spend × roas' AND d.driver = 'spend'
),

spans AS (
    SELECT
        *,
        CAST(month + INTERVAL (days - 1) DAY AS DATE) AS end1,
        least(CAST(start0 + INTERVAL (days - 1) DAY AS DATE), last_day(start0)) AS end0
    FROM spend_rows
),

-- Every channel's budget over each span, and whether it covers every day.
channel_sides AS (
    SELECT
        s.scope, s.scope_value, s.month, s.comparison, ch.channel, side.side,
        sum(b.amount) AS budget,
        count(b.date) = datediff('day', side.span_start, side.span_end) + 1 AS covered
    FROM spans AS s
    CROSS JOIN (SELECT DISTINCT channel FROM pacer_budget_days) AS ch
    CROSS JOIN LATERAL (
        SELECT 0 AS side, s.start0 AS span_start, s.end0 AS span_end
        UNION ALL
        SELECT 1, s.month, s.end1
    ) AS side
    LEFT JOIN pacer_budget_days AS b
        ON b.channel = ch.channel AND b.date BETWEEN side.span_start AND side.span_end
    WHERE s.scope = 'company' OR ch.channel = s.scope_value
    GROUP BY s.scope, s.scope_value, s.month, s.comparison, ch.channel, side.side, side.span_start, side.span_end
),

-- Each channel's spend on both sides (the company's budget must cover
-- every channel that spent).
channel_spend AS (
    SELECT
        v.month,
        c.comparison,
        side.side,
        v.scope_value AS channel,
        coalesce(CASE WHEN side.side = 1 THEN v.actual WHEN c.comparison = 'previous_month' THEN v.previous_month ELSE v.last_year END, 0) AS spend
    FROM marts.variance AS v
    CROSS JOIN (VALUES ('previous_month'), ('last_year')) AS c(comparison)
    CROSS JOIN (VALUES (0), (1)) AS side(side)
    WHERE v.scope = 'channel' AND v.metric = 'spend'
),

unbudgeted AS (
    SELECT month, comparison, side, count(*) AS channels
    FROM channel_spend
    WHERE spend > 0 AND channel NOT IN (SELECT channel FROM pacer_budget_days)
    GROUP BY month, comparison, side
),

channel_planned AS (
    SELECT
        scope, scope_value, month, comparison, side,
        CASE WHEN covered THEN budget END AS budget
    FROM channel_sides
    WHERE scope = 'channel'
),

company_sides AS (
    SELECT
        cs.*,
        cs.covered OR coalesce(sp.spend, 0) = 0 AS ok,
        coalesce(u.channels, 0) AS unbudgeted
    FROM channel_sides AS cs
    LEFT JOIN channel_spend AS sp
        ON sp.month = cs.month AND sp.comparison = cs.comparison AND sp.side = cs.side AND sp.channel = cs.channel
    LEFT JOIN unbudgeted AS u
        ON u.month = cs.month AND u.comparison = cs.comparison AND u.side = cs.side
    WHERE cs.scope = 'company'
),

company_planned AS (
    SELECT
        scope, scope_value, month, comparison, side,
        CASE WHEN bool_and(ok) AND bool_or(budget > 0) AND max(unbudgeted) = 0 THEN sum(coalesce(budget, 0)) END AS budget
    FROM company_sides
    GROUP BY scope, scope_value, month, comparison, side
),

planned AS (
    SELECT scope, scope_value, month, comparison,
        max(budget) FILTER (WHERE side = 0) AS budget0,
        max(budget) FILTER (WHERE side = 1) AS budget1
    FROM (SELECT * FROM channel_planned UNION ALL SELECT * FROM company_planned)
    GROUP BY ALL
)

SELECT
    s.scope, s.scope_value, s.month, s.comparison, s.decomposition,
    s.spend0, s.spend1, s.contribution, s.roas_mean,
    p.budget0, p.budget1,
    coalesce(p.budget0, s.spend0) AS planned0,
    coalesce(p.budget1, s.spend1) AS planned1
FROM spans AS s
JOIN planned AS p
    ON p.scope = s.scope AND p.scope_value = s.scope_value AND p.month = s.month AND p.comparison = s.comparison
WHERE p.budget0 IS NOT NULL OR p.budget1 IS NOT NULL`

// insertSplitSQL writes the two parts of each split spend row.
const insertSplitSQL = `INSERT INTO marts.variance_drivers BY NAME
WITH parts AS (
    SELECT
        *,
        (planned1 - planned0) * roas_mean AS strategy_part
    FROM pacer_spend_split
),

m AS (
    SELECT scope, scope_value, month, comparison, metric, decomposition,
        any_value(metric_baseline) AS metric_baseline, any_value(metric_actual) AS metric_actual
    FROM marts.variance_drivers
    GROUP BY ALL
)

SELECT
    p.scope, p.scope_value, p.month, p.comparison, m.metric, p.decomposition,
    'spend_budget_change' AS driver,
    p.planned0 AS baseline,
    p.planned1 AS actual,
    m.metric_baseline, m.metric_actual,
    m.metric_actual - m.metric_baseline AS metric_change,
    p.strategy_part AS contribution,
    p.strategy_part / nullif(m.metric_actual - m.metric_baseline, 0) AS share_of_change,
    'strategy' AS label,
    CASE
        WHEN p.budget0 IS NOT NULL AND p.budget1 IS NOT NULL
            THEN printf('the budget moved from %.2f to %.2f over the compared days: the plan chose that spend', p.budget0, p.budget1)
        WHEN p.budget1 IS NOT NULL
            THEN printf('no budget in the baseline, whose spend (%.2f) is taken as its plan; this month''s budget is %.2f', p.spend0, p.budget1)
        ELSE printf('the baseline''s budget was %.2f; no budget this month, so its spend (%.2f) is taken as planned', p.budget0, p.spend1)
    END AS label_reason,
    p.planned0 AS budget_baseline,
    p.planned1 AS budget_actual
FROM parts AS p
JOIN m USING (scope, scope_value, month, comparison, decomposition)

UNION ALL BY NAME

SELECT
    p.scope, p.scope_value, p.month, p.comparison, m.metric, p.decomposition,
    'spend_vs_budget' AS driver,
    p.spend0 - p.planned0 AS baseline,
    p.spend1 - p.planned1 AS actual,
    m.metric_baseline, m.metric_actual,
    m.metric_actual - m.metric_baseline AS metric_change,
    p.contribution - p.strategy_part AS contribution,
    (p.contribution - p.strategy_part) / nullif(m.metric_actual - m.metric_baseline, 0) AS share_of_change,
    'execution' AS label,
    printf('spend against budget: %.2f in the baseline, %.2f this month (spend − budget; a side without a budget counts 0)',
        p.spend0 - p.planned0, p.spend1 - p.planned1) AS label_reason,
    p.planned0 AS budget_baseline,
    p.planned1 AS budget_actual
FROM parts AS p
JOIN m USING (scope, scope_value, month, comparison, decomposition)`
