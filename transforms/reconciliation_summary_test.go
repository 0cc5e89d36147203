package transforms_test

import (
	"strings"
	"testing"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
)

// A hand-made marts.reconciliation from Monday 2026-03-02 to Sunday
// 2026-03-15 (two complete ISO weeks; March is partial), tolerance 20 %.
//
//   - paid_social, every day 10 claimed conversions and 10 orders. Week 1:
//     the platforms claim 130 on 03-02 and 70 on 03-03 against 100 booked
//     (±30 %: both days flagged), 100 against 100 on the other days; the
//     week sums to 700 against 700, a gap of 0: not flagged. Week 2: 125
//     against 100 every day (+25 %, every day flagged): 875 against 700,
//     +25 %, flagged. The month: 1,575 against 1,400, +12.5 %: not flagged.
//   - email, no ad platform (NULL): web analytics counts a conversion worth
//     40 on 03-02 that finance books on 03-03 (both days flagged daily);
//     the week and the month agree exactly.
const reconciliationDaily = `CREATE TABLE marts.reconciliation AS
WITH days AS (
    SELECT CAST(d AS DATE) AS date FROM range(DATE '2026-03-02', DATE '2026-03-16', INTERVAL 1 DAY) AS t(d)
),
social AS (
    SELECT date, 'paid_social' AS channel, 10.0 AS platform_conversions,
        CAST(CASE WHEN date = DATE '2026-03-02' THEN 130 WHEN date = DATE '2026-03-03' THEN 70
                  WHEN date >= DATE '2026-03-09' THEN 125 ELSE 100 END AS DECIMAL(18,2)) AS platform_conversion_value,
        CAST(NULL AS DOUBLE) AS web_conversions, CAST(NULL AS DECIMAL(18,2)) AS web_revenue,
        CAST(NULL AS BIGINT) AS crm_won_deals, CAST(NULL AS DECIMAL(18,2)) AS crm_won_revenue,
        CAST(10 AS BIGINT) AS finance_orders, CAST(100 AS DECIMAL(18,2)) AS finance_revenue
    FROM days
),
email AS (
    SELECT * FROM (VALUES
        (DATE '2026-03-02', 'email', NULL, NULL, 1.0, CAST(40 AS DECIMAL(18,2)), NULL, NULL, CAST(0 AS BIGINT), CAST(0 AS DECIMAL(18,2))),
        (DATE '2026-03-03', 'email', NULL, NULL, 0.0, 0, NULL, NULL, 1, 40)
    ) AS t(date, channel, platform_conversions, platform_conversion_value, web_conversions, web_revenue, crm_won_deals, crm_won_revenue, finance_orders, finance_revenue)
),
all_days AS (
    SELECT * FROM social UNION ALL BY NAME SELECT * FROM email
)
SELECT
    *,
    CAST(20 AS DOUBLE) AS tolerance_pct,
    coalesce(abs(100 * (CAST(platform_conversion_value AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0)) > 20, false) AS platform_flag,
    coalesce(abs(100 * (CAST(web_revenue AS DOUBLE) - CAST(finance_revenue AS DOUBLE)) / nullif(abs(CAST(finance_revenue AS DOUBLE)), 0)) > 20, false)
        OR coalesce(finance_revenue = 0 AND web_revenue <> 0, false) AS web_flag,
    false AS crm_flag,
    date >= DATE '2026-03-14' AS provisional
FROM all_days`

func TestReconciliationSummaryHandComputed(t *testing.T) {
	_, conn := openDB(t)
	mustExec(t, conn, reconciliationDaily)
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		t.Fatal(err)
	}
	var picked []transforms.Model
	for _, m := range models {
		if m.QualifiedName() == "marts.reconciliation_summary" {
			picked = append(picked, m)
		}
	}
	if len(picked) != 1 {
		t.Fatalf("models: %d", len(picked))
	}
	if _, err := transforms.New(picked, handVars, nil).Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}
	const num = `coalesce(printf('%.6f', %s), 'NULL')`
	n := func(col string) string { return strings.ReplaceAll(num, "%s", col) }
	v := func(col string) string { return "coalesce(CAST(" + col + " AS VARCHAR), 'NULL')" }
	got := queryStrings(t, conn, `SELECT concat_ws('|', grain, period_start, period_end, channel, is_complete, days,
			`+n("platform_conversions")+`, `+v("platform_conversion_value")+`, `+n("web_conversions")+`, `+v("web_revenue")+`,
			finance_orders, finance_revenue,
			`+n("platform_conversions_gap_pct")+`, `+n("platform_revenue_gap_pct")+`, `+n("web_conversions_gap_pct")+`, `+n("web_revenue_gap_pct")+`,
			`+n("crm_revenue_gap_pct")+`, tolerance_pct, platform_flag, web_flag, crm_flag, any_platform_day_flagged, provisional)
		FROM marts.reconciliation_summary ORDER BY grain DESC, period_start, channel`)
	want := []string{
		"week|2026-03-02|2026-03-08|email|true|2|NULL|NULL|1.000000|40.00|1|40.00|NULL|NULL|0.000000|0.000000|NULL|20.0|false|false|false|false|false",
		"week|2026-03-02|2026-03-08|paid_social|true|7|70.000000|700.00|NULL|NULL|70|700.00|0.000000|0.000000|NULL|NULL|NULL|20.0|false|false|false|true|false",
		"week|2026-03-09|2026-03-15|paid_social|true|7|70.000000|875.00|NULL|NULL|70|700.00|0.000000|25.000000|NULL|NULL|NULL|20.0|true|false|false|true|true",
		"month|2026-03-01|2026-03-31|email|false|2|NULL|NULL|1.000000|40.00|1|40.00|NULL|NULL|0.000000|0.000000|NULL|20.0|false|false|false|false|false",
		"month|2026-03-01|2026-03-31|paid_social|false|14|140.000000|1575.00|NULL|NULL|140|1400.00|0.000000|12.500000|NULL|NULL|NULL|20.0|false|false|false|true|true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The daily flags it smooths: paid_social 2 + 7 days, email 2 (web).
	if got := queryStrings(t, conn, `SELECT CAST(count(*) FILTER (WHERE platform_flag OR web_flag) AS VARCHAR) FROM marts.reconciliation`); got[0] != "11" {
		t.Errorf("daily flags: %s, want 11", got[0])
	}
}
