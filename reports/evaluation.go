package reports

import (
	"context"
	"database/sql"
	"strconv"
)

// Bundle paths of the evaluation sections' CSV files.
const (
	csvReconciliation = "data/reconciliation.csv"
	csvFunnel         = "data/funnel.csv"
	csvEconomics      = "data/channel_economics.csv"
	csvSegments       = "data/segments.csv"
)

// evaluationData is what the evaluation marts hold for the page: the last
// 28 days of reconciliation by channel, the latest month of the funnel, and
// each channel's cohorts as they stand.
type evaluationData struct {
	Reconciliation []reconRow
	Funnel         []funnelRow
	Economics      []econRow
	Segments       []segmentRow
	// From and To bound the reconciliation window.
	From, To sql.NullTime
	// Which marts exist (empty or not): each page appears only when its
	// marts do.
	ReconBuilt, FunnelBuilt, EconBuilt, SegmentsBuilt bool
}

// segmentRow is one RFM segment of marts.customer_segment_summary, summed
// over acquisition channels.
type segmentRow struct {
	Segment                                   string
	Customers, Returning                      int64
	Monetary                                  float64
	ShareCustomers, ShareMonetary, AvgRecency sql.NullFloat64
	AvgFrequency, AvgMonetary, ReturningShare sql.NullFloat64
}

type reconRow struct {
	Channel                     string
	Finance, Platform, Web, CRM sql.NullFloat64
	PlatformGap, WebGap         sql.NullFloat64
}

type funnelRow struct {
	Period, Channel                       string
	Impressions, Clicks, Sessions, Orders sql.NullFloat64
	CTR, SessionToOrder                   sql.NullFloat64
	Revenue                               sql.NullFloat64
	DropStage                             sql.NullString
	DropChange                            sql.NullFloat64
}

type econRow struct {
	Channel                        string
	NewCustomers                   sql.NullFloat64
	CAC, LTV, LTVToCAC, RepeatRate sql.NullFloat64
	Payback                        sql.NullInt64
	Cohorts                        int64
}

func tableExists(ctx context.Context, db *sql.DB, schema, table string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
		AND schema_name = ? AND table_name = ?`, schema, table).Scan(&n)
	return n > 0, err
}

const (
	qRecon = `
WITH last AS (SELECT max(date) AS d FROM marts.reconciliation)
SELECT channel,
       CAST(sum(finance_revenue) AS DOUBLE),
       CAST(sum(platform_conversion_value) AS DOUBLE),
       CAST(sum(web_revenue) AS DOUBLE),
       CAST(sum(crm_won_revenue) AS DOUBLE),
       CAST(sum(platform_conversion_value) AS DOUBLE) / nullif(CAST(sum(finance_revenue) AS DOUBLE), 0) - 1,
       CAST(sum(web_revenue) AS DOUBLE) / nullif(CAST(sum(finance_revenue) AS DOUBLE), 0) - 1,
       CAST(any_value(d) - 27 AS DATE), any_value(d)
FROM marts.reconciliation, last
WHERE date > d - 28
GROUP BY channel
ORDER BY sum(finance_revenue) DESC NULLS LAST, channel`

	qFunnel = `
SELECT CAST(period_start AS VARCHAR), channel, impressions, clicks, sessions, orders, click_through_rate, session_to_order_rate,
       revenue, biggest_drop_stage, biggest_drop_change
FROM marts.funnel
WHERE period_type = 'month' AND period_start = (SELECT max(period_start) FROM marts.funnel WHERE period_type = 'month')
ORDER BY revenue DESC NULLS LAST, channel`

	// Per channel: customers acquired in complete months, their CAC, and
	// the cumulative LTV each cohort reached by now, weighted by size.
	qEconomics = `
WITH latest AS (
    SELECT channel, cohort_month, new_customers, spend, cumulative_ltv, repeat_purchase_rate, payback_month
    FROM marts.channel_economics
    QUALIFY row_number() OVER (PARTITION BY channel, cohort_month ORDER BY months_since DESC) = 1
)
SELECT channel,
       CAST(sum(new_customers) AS DOUBLE),
       CAST(sum(spend) AS DOUBLE) / nullif(sum(new_customers), 0),
       sum(cumulative_ltv * new_customers) / nullif(sum(new_customers), 0),
       (sum(cumulative_ltv * new_customers) / nullif(sum(new_customers), 0)) / nullif(CAST(sum(spend) AS DOUBLE) / nullif(sum(new_customers), 0), 0),
       sum(repeat_purchase_rate * new_customers) / nullif(sum(new_customers), 0),
       CAST(median(payback_month) AS BIGINT),
       count(*)
FROM latest
GROUP BY channel
ORDER BY sum(new_customers) DESC, channel`

	// Segments summed over acquisition channels; averages weighted by
	// customers, shares recomputed from the sums.
	qSegments = `
SELECT CAST(segment AS VARCHAR),
       CAST(sum(customers) AS BIGINT),
       CAST(sum(returning_customers) AS BIGINT),
       CAST(sum(monetary) AS DOUBLE),
       CAST(sum(customers) AS DOUBLE) / nullif(CAST((SELECT sum(customers) FROM marts.customer_segment_summary) AS DOUBLE), 0),
       CAST(sum(monetary) AS DOUBLE) / nullif(CAST((SELECT sum(monetary) FROM marts.customer_segment_summary) AS DOUBLE), 0),
       sum(avg_recency_days * customers) / nullif(sum(customers), 0),
       sum(avg_frequency * customers) / nullif(sum(customers), 0),
       CAST(sum(monetary) AS DOUBLE) / nullif(sum(customers), 0),
       CAST(sum(returning_customers) AS DOUBLE) / nullif(sum(customers), 0)
FROM marts.customer_segment_summary
GROUP BY segment
ORDER BY segment`
)

func loadEvaluation(ctx context.Context, db *sql.DB, have map[string]bool) (evaluationData, error) {
	var d evaluationData
	if have["marts.reconciliation"] {
		d.ReconBuilt = true
		if err := queryRows(ctx, db, qRecon, nil, "marts.reconciliation", func(rows *sql.Rows) error {
			var r reconRow
			if err := rows.Scan(&r.Channel, &r.Finance, &r.Platform, &r.Web, &r.CRM, &r.PlatformGap, &r.WebGap, &d.From, &d.To); err != nil {
				return err
			}
			d.Reconciliation = append(d.Reconciliation, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	if have["marts.funnel"] {
		d.FunnelBuilt = true
		if err := queryRows(ctx, db, qFunnel, nil, "marts.funnel", func(rows *sql.Rows) error {
			var r funnelRow
			if err := rows.Scan(&r.Period, &r.Channel, &r.Impressions, &r.Clicks, &r.Sessions, &r.Orders, &r.CTR, &r.SessionToOrder,
				&r.Revenue, &r.DropStage, &r.DropChange); err != nil {
				return err
			}
			d.Funnel = append(d.Funnel, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	if have["marts.channel_economics"] {
		d.EconBuilt = true
		if err := queryRows(ctx, db, qEconomics, nil, "marts.channel_economics", func(rows *sql.Rows) error {
			var r econRow
			if err := rows.Scan(&r.Channel, &r.NewCustomers, &r.CAC, &r.LTV, &r.LTVToCAC, &r.RepeatRate, &r.Payback, &r.Cohorts); err != nil {
				return err
			}
			d.Economics = append(d.Economics, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	if have["marts.customer_segment_summary"] {
		d.SegmentsBuilt = true
		if err := queryRows(ctx, db, qSegments, nil, "marts.customer_segment_summary", func(rows *sql.Rows) error {
			var r segmentRow
			if err := rows.Scan(&r.Segment, &r.Customers, &r.Returning, &r.Monetary, &r.ShareCustomers, &r.ShareMonetary,
				&r.AvgRecency, &r.AvgFrequency, &r.AvgMonetary, &r.ReturningShare); err != nil {
				return err
			}
			d.Segments = append(d.Segments, r)
			return nil
		}); err != nil {
			return d, err
		}
	}
	return d, nil
}

// evaluationView holds the formatted evaluation sections.
type evaluationView struct {
	Window                       string
	Reconciliation               [][]string
	Funnel                       [][]string
	FunnelPeriod                 string
	Economics                    [][]string
	Segments                     [][]string
	ReconCSV, FunnelCSV, EconCSV string
	SegmentsCSV                  string
	// Built flags of the marts, for the pages' empty states.
	ReconBuilt, FunnelBuilt, EconBuilt, SegmentsBuilt bool
	// One chart per page: platform and web gaps per channel, funnel
	// stages per channel, LTV:CAC per channel. Empty (no ID) without rows.
	ReconChart, FunnelChart, EconChart chartView
}

func evaluationOf(d evaluationData, o Options, m catalog, files []bundleFile) (evaluationView, []bundleFile) {
	v := evaluationView{ReconCSV: csvReconciliation, FunnelCSV: csvFunnel, EconCSV: csvEconomics, SegmentsCSV: csvSegments,
		ReconBuilt: d.ReconBuilt, FunnelBuilt: d.FunnelBuilt, EconBuilt: d.EconBuilt, SegmentsBuilt: d.SegmentsBuilt}
	cur := o.Currency
	if d.From.Valid {
		v.Window = m.msg("window", d.From.Time.Format(dateLayout), d.To.Time.Format(dateLayout))
	}
	rc := newCSV("channel", "finance_revenue", "platform_value", "web_revenue", "crm_won_revenue", "platform_gap", "web_gap")
	for _, r := range d.Reconciliation {
		v.Reconciliation = append(v.Reconciliation, []string{r.Channel, formatMoneyN(r.Finance, cur), formatMoneyN(r.Platform, cur),
			formatPercent(r.PlatformGap), formatMoneyN(r.Web, cur), formatPercent(r.WebGap), formatMoneyN(r.CRM, cur)})
		rc.row(csvText(r.Channel), csvMoneyN(r.Finance), csvMoneyN(r.Platform), csvMoneyN(r.Web), csvMoneyN(r.CRM), csvFloat(r.PlatformGap), csvFloat(r.WebGap))
	}
	fc := newCSV("month", "channel", "impressions", "clicks", "sessions", "orders", "ctr", "session_to_order", "revenue", "biggest_drop_stage", "biggest_drop_change")
	for _, r := range d.Funnel {
		v.FunnelPeriod = r.Period
		drop := missing
		if r.DropStage.Valid {
			drop = r.DropStage.String + " " + formatPercent(r.DropChange)
		}
		v.Funnel = append(v.Funnel, []string{r.Channel, countFmt(r.Impressions, cur), countFmt(r.Clicks, cur), countFmt(r.Sessions, cur),
			countFmt(r.Orders, cur), formatPercent(r.CTR), formatPercent(r.SessionToOrder), formatMoneyN(r.Revenue, cur), drop})
		fc.row(csvText(r.Period), csvText(r.Channel), csvCount(r.Impressions), csvCount(r.Clicks), csvCount(r.Sessions), csvCount(r.Orders),
			csvFloat(r.CTR), csvFloat(r.SessionToOrder), csvMoneyN(r.Revenue), csvText(r.DropStage.String), csvFloat(r.DropChange))
	}
	ec := newCSV("channel", "new_customers", "cac", "ltv_to_date", "ltv_to_cac", "repeat_purchase_rate", "median_payback_month", "cohorts")
	for _, r := range d.Economics {
		payback := missing
		if r.Payback.Valid {
			payback = strconv.FormatInt(r.Payback.Int64, 10)
		}
		v.Economics = append(v.Economics, []string{r.Channel, countFmt(r.NewCustomers, cur), formatMoneyN(r.CAC, cur), formatMoneyN(r.LTV, cur),
			formatRatio(r.LTVToCAC), formatPercent(r.RepeatRate), payback})
		pb := ""
		if r.Payback.Valid {
			pb = strconv.FormatInt(r.Payback.Int64, 10)
		}
		ec.row(csvText(r.Channel), csvCount(r.NewCustomers), csvFloat(r.CAC), csvFloat(r.LTV), csvFloat(r.LTVToCAC), csvFloat(r.RepeatRate), pb,
			strconv.FormatInt(r.Cohorts, 10))
	}
	sg := newCSV("segment", "customers", "returning_customers", "returning_share", "share_of_customers", "monetary",
		"share_of_monetary", "avg_monetary", "avg_recency_days", "avg_frequency")
	for _, r := range d.Segments {
		v.Segments = append(v.Segments, []string{r.Segment, formatInt(r.Customers), formatPercent(r.ShareCustomers),
			formatPercent(r.ReturningShare), formatMoney(r.Monetary, cur), formatPercent(r.ShareMonetary),
			formatMoneyN(r.AvgMonetary, cur), formatNumberN(r.AvgRecency, 0), formatNumberN(r.AvgFrequency, 2)})
		sg.row(csvText(r.Segment), strconv.FormatInt(r.Customers, 10), strconv.FormatInt(r.Returning, 10), csvFloat(r.ReturningShare),
			csvFloat(r.ShareCustomers), csvMoney(r.Monetary), csvFloat(r.ShareMonetary), csvFloat(r.AvgMonetary),
			csvFloat(r.AvgRecency), csvFloat(r.AvgFrequency))
	}
	if len(d.Reconciliation) > 0 {
		v.ReconChart = reconChart(d.Reconciliation, m)
	}
	if len(d.Funnel) > 0 {
		v.FunnelChart = funnelChart(d.Funnel, m)
	}
	if len(d.Economics) > 0 {
		v.EconChart = economicsChart(d.Economics, m)
	}
	return v, append(files, rc.file(csvReconciliation), fc.file(csvFunnel), ec.file(csvEconomics), sg.file(csvSegments))
}

// formatNumberN formats a nullable number with the given decimals; NULL is
// "–".
func formatNumberN(v sql.NullFloat64, decimals int) string {
	if !v.Valid {
		return missing
	}
	return formatNumber(v.Float64, decimals)
}
