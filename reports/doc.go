// Package reports renders pacer's static HTML report bundle from the
// warehouse: marts.kpi_daily for the numbers, the goals marts
// (targets_vs_actuals, budget_pacing, team_scorecard) for targets, the
// findings, attribution and evaluation marts, and the meta tables
// (check_results, stream_state, quarantine) for data quality; and the
// emailed digest ([BuildDigest], [Send]).
//
// [Render] writes one folder that opens from file:// on a plane:
//
//	index.html                 the headline: findings first, then the KPIs (last 30 days
//	                           vs the 30 before) with their company targets (goal,
//	                           attainment, pace, forecast), every target's standing, what
//	                           changed since the last run, daily spend vs revenue
//	targets.html               targets and pacing, budget pacing
//	channels.html              channels and campaigns
//	attribution.html           the attribution models side by side
//	funnel.html                funnel stages per channel
//	economics.html             channel economics (LTV:CAC) and customer segments
//	reconciliation.html        finance vs ad platforms vs web analytics vs CRM
//	team.html                  team scorecards, payouts and their calculation
//	quality.html               check results, provisional days, freshness, quarantine
//	assets/echarts.min.js      Apache ECharts 5.4.3, embedded (see assets/README.md)
//	assets/LICENSE, NOTICE     its license and notice
//	assets/pacer.css           the stylesheet of every page (screen, phone, print),
//	                           linked relatively (styles/pacer.css in this package)
//	data/*.csv                 the rows behind every table and chart of the pages
//	manifest.json              run id, period, freshness, pages, size and SHA-256 per file
//
// A section page is written only when its marts exist (index, channels and
// quality always are); every page shares the navigation to the pages
// written, the stylesheet assets/pacer.css (phone layout, print rules;
// one file, not inlined into each page) and the banners for
// failed checks and provisional days.
//
// # What changed
//
// After the bundle is in place, Render stores the run's headline in
// meta.report_snapshots (see changes.go), replacing that run's rows; the
// next run compares itself with the latest earlier run and lists the KPIs
// that moved, the targets and budgets whose status changed, and the
// findings that are new or resolved. The first run says there is none.
//
// # Numbers
//
// The windows end on the last day in marts.kpi_daily (not on the clock, so a
// late sync shows in the freshness table rather than as a drop): "last 30
// days" is that day and the 29 before it, compared with the 30 days before
// those. Ratios are recomputed from totals, never averaged over rows:
// ROAS = revenue / spend (revenue net of refunds), CAC = spend /
// new_customers (none without spend), AOV = gross_revenue / orders,
// conversion rate = conversions / sessions. A ratio whose denominator is 0
// is missing and shown as "–", never 0. Money is in Options.Currency with 2
// decimals; every number is formatted in Go, not in the browser.
//
// # Targets
//
// The targets section shows what the transform's goals model wrote as of
// the run's day: the is_latest row of marts.targets_vs_actuals per target
// (values formatted by the unit of meta.metrics: money, count, share as a
// percentage, ratios with 2 decimals), marts.budget_pacing and
// marts.team_scorecard, each status as a badge with text (colour is never
// the only signal). data/targets.csv, data/budget_pacing.csv and
// data/team_scorecard.csv hold those rows. When the tables are empty (no
// targets.yaml) or missing (a warehouse built before goals), the section
// says that no targets are configured and the CSVs hold only their header.
//
// # Safety and determinism
//
// The page is an html/template: every value is escaped, and chart options go
// through html/template's JSON encoding (see chartView), so a campaign named
// "</script><script>…" stays text. No page links or loads anything outside
// the bundle. Chart ids are fixed and rows sorted, so the same data and the
// same Options.Now give the same bytes; testdata/index.golden.html pins the
// page (go test -tags duckdb_arrow ./reports -update rewrites it).
//
// All strings shown are in one table (messages.go), in English and
// Simplified Chinese.
package reports
