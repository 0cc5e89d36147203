package goals

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Source is where a metric's daily figures come from.
type Source string

// The sources of metrics.
const (
	KPIDaily         Source = "marts.kpi_daily"
	CRMDeals         Source = "staging.crm_deals"
	SurveyMetrics    Source = "staging.survey_metrics"
	MarketBenchmarks Source = "staging.market_benchmarks"
)

// Role says how the lint reads a target on the metric.
type Role int

const (
	// Outcome metrics are results: more (or, when LowerIsBetter, less) is
	// better, a target below last year's actual is sandbagging.
	Outcome Role = iota
	// Input metrics are what the plan decides to buy (spend): neither
	// sandbagging nor attainability applies, only parent/child consistency.
	Input
)

// Metric is one KPI a target can name. Its value over a set of days is
// sum(Numerator) / sum(Denominator) × Scale, or sum(Numerator) when
// Denominator is empty (an additive metric, which accumulates over a
// period and is paced along a curve; a ratio is not).
type Metric struct {
	Name string
	// Source is the relation the daily figures come from.
	Source Source
	// Date, Numerator and Denominator are SQL expressions over Source.
	Date, Numerator, Denominator string
	// Filter is an SQL condition on Source rows ("" = all).
	Filter string
	Scale  float64
	// LowerIsBetter marks costs (CAC, CPA, CPC, CPM, refunds): a target is
	// a ceiling, and attainment and pace are target ÷ actual.
	LowerIsBetter bool
	Role          Role
	// Unit is money, count, ratio, share or score, for display.
	Unit        string
	Description string
}

// Additive reports whether the metric accumulates over days.
func (m Metric) Additive() bool { return m.Denominator == "" }

// Direction is "higher" or "lower": which way is better.
func (m Metric) Direction() string {
	if m.LowerIsBetter {
		return "lower"
	}
	return "higher"
}

// Formula describes how the metric is computed, for meta.metrics.
func (m Metric) Formula() string {
	f := "sum(" + m.Numerator + ")"
	if !m.Additive() {
		f += " / sum(" + m.Denominator + ")"
		if m.Scale != 1 {
			f += fmt.Sprintf(" × %g", m.Scale)
		}
	}
	f += " from " + string(m.Source)
	if m.Filter != "" {
		f += " where " + m.Filter
	}
	return f + ", per " + m.Date
}

func kpi(name, num, den string, unit, desc string) Metric {
	return Metric{Name: name, Source: KPIDaily, Date: "date", Numerator: num, Denominator: den, Scale: 1, Unit: unit, Description: desc}
}

func lower(m Metric) Metric { m.LowerIsBetter = true; return m }

func input(m Metric) Metric { m.Role = Input; return m }

func scaled(m Metric, s float64) Metric { m.Scale = s; return m }

func crm(name, date, num, den, filter, unit, desc string) Metric {
	return Metric{Name: name, Source: CRMDeals, Date: date, Numerator: num, Denominator: den, Filter: filter, Scale: 1, Unit: unit, Description: desc}
}

func survey(name, desc string) Metric {
	return Metric{Name: name, Source: SurveyMetrics, Date: "period end", Numerator: "value × sample_size", Denominator: "sample_size",
		Filter: "metric = '" + name + "'", Scale: 1, Unit: "score", Description: desc}
}

// Metrics is the catalogue of metric names targets can use.
var Metrics = []Metric{
	input(kpi("spend", "spend", "", "money", "Ad spend in the reporting currency.")),
	input(kpi("impressions", "impressions", "", "count", "Ad impressions.")),
	kpi("clicks", "clicks", "", "count", "Ad clicks."),
	kpi("ctr", "clicks", "impressions", "ratio", "Click-through rate: clicks ÷ impressions."),
	lower(kpi("cpc", "spend", "clicks", "money", "Cost per click: spend ÷ clicks.")),
	lower(scaled(kpi("cpm", "spend", "impressions", "money", "Cost per thousand impressions: spend × 1000 ÷ impressions."), 1000)),
	lower(kpi("cpa", "spend", "conversions", "money", "Cost per acquisition: spend ÷ conversions (last touch).")),
	kpi("platform_conversions", "platform_conversions", "", "count", "Conversions the ad platforms claim."),
	kpi("platform_conversion_value", "platform_conversion_value", "", "money", "Conversion value the ad platforms claim."),
	kpi("sessions", "sessions", "", "count", "Web analytics sessions."),
	kpi("users", "users", "", "count", "Web analytics users."),
	kpi("conversions", "conversions", "", "count", "Conversion events, attributed last touch."),
	kpi("conversion_rate", "conversions", "sessions", "ratio", "Conversions ÷ sessions."),
	kpi("orders", "orders", "", "count", "Paid orders, attributed last touch."),
	kpi("gross_revenue", "gross_revenue", "", "money", "Paid order amounts before refunds."),
	lower(kpi("refunds", "refunds", "", "money", "Refunded amounts.")),
	kpi("revenue", "revenue", "", "money", "Net revenue: gross revenue − refunds."),
	kpi("roas", "revenue", "spend", "ratio", "Return on ad spend: revenue ÷ spend."),
	kpi("new_customers", "new_customers", "", "count", "Customers with their first paid order."),
	kpi("returning_customers", "returning_customers", "", "count", "Customers with a repeat paid order (distinct per day)."),
	lower(kpi("cac", "spend", "new_customers", "money", "Customer acquisition cost: spend ÷ new customers.")),
	kpi("aov", "gross_revenue", "orders", "money", "Average order value: gross revenue ÷ paid orders."),
	kpi("repeat_rate", "returning_customers", "new_customers + returning_customers", "share",
		"Repeat purchase rate: returning ÷ (new + returning) buying customers."),
	crm("leads", "date", "1", "", "", "count", "CRM leads created."),
	crm("won_deals", "closed_date", "1", "", "is_won", "count", "CRM deals won, on their close day."),
	crm("won_revenue", "closed_date", "amount", "", "is_won", "money", "Amount of CRM deals won, on their close day."),
	crm("win_rate", "closed_date", "CASE WHEN is_won THEN 1 ELSE 0 END", "1", "closed_date IS NOT NULL", "share",
		"Won ÷ closed CRM deals, on their close day."),
	survey("brand_awareness", "Aided brand awareness from surveys (share 0..1), weighted by sample size."),
	survey("nps", "Net promoter score from surveys (−100..100), weighted by sample size."),
	survey("loyalty", "Loyalty (share of repeat buyers) from surveys, weighted by sample size."),
	{Name: "market_share", Source: MarketBenchmarks, Date: "date", Numerator: "revenue", Denominator: "market_revenue", Scale: 1, Unit: "share",
		Description: "Revenue ÷ market revenue (market_benchmarks), over the days of the benchmark periods."},
	{Name: "share_of_voice", Source: MarketBenchmarks, Date: "date", Numerator: "spend", Denominator: "spend + competitor_spend", Scale: 1, Unit: "share",
		Description: "Ad spend ÷ (ad spend + competitor spend from market_benchmarks), over the days of the benchmark periods."},
}

var metricByName = func() map[string]Metric {
	m := map[string]Metric{}
	for _, x := range Metrics {
		m[x.Name] = x
	}
	return m
}()

// LookupMetric returns the metric called name.
func LookupMetric(name string) (Metric, bool) {
	m, ok := metricByName[name]
	return m, ok
}

// MetricNames lists the catalogue's names, sorted.
func MetricNames() []string {
	out := make([]string, 0, len(Metrics))
	for _, m := range Metrics {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// ScopeKeys are the keys a target's scope may use. Which apply depends on
// the metric's source: see ScopeColumn.
var ScopeKeys = []string{"channel", "campaign", "campaign_id", "platform", "owner", "team"}

// ScopeColumn is the column of the metric's source that scope key k
// filters, or "" when the source has no such dimension.
func (m Metric) ScopeColumn(k string) string {
	switch m.Source {
	case KPIDaily, MarketBenchmarks:
		return map[string]string{"channel": "channel", "campaign": "campaign_name", "campaign_id": "campaign_id", "platform": "platform"}[k]
	case CRMDeals:
		return map[string]string{"channel": "lead_source", "campaign_id": "campaign_id", "owner": "owner", "team": "team"}[k]
	}
	return ""
}

// scopeKeysFor lists the scope keys m supports.
func (m Metric) scopeKeysFor() []string {
	var out []string
	for _, k := range ScopeKeys {
		if m.ScopeColumn(k) != "" {
			out = append(out, k)
		}
	}
	return out
}

// periodEndSQL is the last day of a survey or benchmark period string
// (YYYY, YYYY-Qn or YYYY-MM); periodStartSQL its first day.
const (
	periodStartSQL = `CASE
        WHEN regexp_matches(period, '^\d{4}-Q[1-4]$') THEN make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:7] AS INTEGER) - 2, 1)
        WHEN regexp_matches(period, '^\d{4}-\d{2}$') THEN make_date(CAST(period[1:4] AS INTEGER), CAST(period[6:7] AS INTEGER), 1)
        WHEN regexp_matches(period, '^\d{4}$') THEN make_date(CAST(period AS INTEGER), 1, 1)
    END`
	periodEndSQL = `CASE
        WHEN regexp_matches(period, '^\d{4}-Q[1-4]$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:7] AS INTEGER), 1))
        WHEN regexp_matches(period, '^\d{4}-\d{2}$') THEN last_day(make_date(CAST(period[1:4] AS INTEGER), CAST(period[6:7] AS INTEGER), 1))
        WHEN regexp_matches(period, '^\d{4}$') THEN make_date(CAST(period AS INTEGER), 12, 31)
    END`
)

// SeriesQuery returns the SQL (and its arguments) giving one row per day
// with figures for the metric in the scope: date, numerator, denominator
// (1 for additive metrics), ordered by date. Scope values are arguments,
// never spliced into the SQL.
func (m Metric) SeriesQuery(scope map[string]string) (string, []any, error) {
	var where []string
	var args []any
	for _, k := range slices.Sorted(maps.Keys(scope)) {
		col := m.ScopeColumn(k)
		if col == "" {
			return "", nil, fmt.Errorf("metric %s (from %s) has no %s dimension: scope it by %s", m.Name, m.Source, k, orNone(m.scopeKeysFor()))
		}
		where = append(where, col+" = ?")
		args = append(args, scope[k])
	}
	cond := func(extra ...string) string {
		c := append(append([]string{}, extra...), where...)
		if len(c) == 0 {
			return ""
		}
		return "\nWHERE " + strings.Join(c, " AND ")
	}
	den := m.Denominator
	if den == "" {
		den = "1"
	}
	switch m.Source {
	case KPIDaily:
		return fmt.Sprintf(`SELECT date, CAST(sum(%s) AS DOUBLE) AS numerator, CAST(sum(%s) AS DOUBLE) AS denominator
FROM marts.kpi_daily%s
GROUP BY date ORDER BY date`, m.Numerator, den, cond()), args, nil
	case CRMDeals:
		var extra []string
		if m.Filter != "" {
			extra = append(extra, m.Filter)
		}
		extra = append(extra, m.Date+" IS NOT NULL")
		return fmt.Sprintf(`SELECT %s AS date, CAST(sum(%s) AS DOUBLE) AS numerator, CAST(sum(%s) AS DOUBLE) AS denominator
FROM staging.crm_deals%s
GROUP BY 1 ORDER BY 1`, m.Date, m.Numerator, den, cond(extra...)), args, nil
	case SurveyMetrics:
		return fmt.Sprintf(`SELECT %s AS date,
    sum(value * coalesce(sample_size, 1)) AS numerator, CAST(sum(coalesce(sample_size, 1)) AS DOUBLE) AS denominator
FROM staging.survey_metrics
WHERE metric = '%s'
GROUP BY 1 HAVING date IS NOT NULL ORDER BY 1`, periodEndSQL, m.Name), nil, nil
	case MarketBenchmarks:
		// Benchmarks are per period; spread evenly over its days and
		// matched with the company's own figures of each day.
		bench := map[string]string{"market_share": "market_revenue", "share_of_voice": "competitor_spend"}[m.Name]
		ours := map[string]string{"market_share": "revenue", "share_of_voice": "spend"}[m.Name]
		denExpr := "bench.daily_value"
		if m.Name == "share_of_voice" {
			denExpr = "coalesce(ours.value, 0) + bench.daily_value"
		}
		return fmt.Sprintf(`WITH periods AS (
    SELECT %s AS period_start, %s AS period_end, sum(value) AS value
    FROM staging.market_benchmarks
    WHERE metric = '%s'
    GROUP BY ALL
),
bench AS (
    SELECT CAST(day AS DATE) AS date, value / (datediff('day', period_start, period_end) + 1) AS daily_value
    FROM periods, range(period_start, period_end + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(day)
    WHERE period_start IS NOT NULL
),
ours AS (
    SELECT date, CAST(sum(%s) AS DOUBLE) AS value
    FROM marts.kpi_daily%s
    GROUP BY date
)
SELECT bench.date, coalesce(ours.value, 0) AS numerator, %s AS denominator
FROM bench LEFT JOIN ours USING (date)
ORDER BY bench.date`, periodStartSQL, periodEndSQL, bench, ours, cond(), denExpr), args, nil
	}
	return "", nil, fmt.Errorf("metric %s: unknown source %s", m.Name, m.Source)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nothing (company-wide only)"
	}
	return strings.Join(s, ", ")
}
