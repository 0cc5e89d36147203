// Package goals is the management loop of pacer: the targets, budgets and
// incentive rules of targets.yaml, checked against history (the SMART lint
// of pacer validate), paced day by day against actuals, forecast to the end
// of their period, and rolled up into team scorecards and incentive payouts.
//
// It is a Go model of the transform step: Build reads the daily series of
// each target's metric from the warehouse (marts.kpi_daily, staging.crm_deals,
// staging.survey_metrics, staging.market_benchmarks) inside the transform's
// transaction and writes
//
//	meta.targets               the targets as pacer read them
//	meta.metrics               the metric catalogue: what each KPI name means
//	marts.targets_vs_actuals   one row per target and day of its period
//	marts.budget_pacing        one row per budget: planned vs actual spend
//	marts.team_scorecard       one row per team and per owner, with payouts
//
// The arithmetic lives in plain functions (Pace, Payout) over plain values,
// so the hand-computed cases in testdata check it without a database.
package goals
