-- What changed since the last run: each report run stores its headline here,
-- and the next report compares itself with the latest earlier run.

CREATE TABLE meta.report_snapshots (
    run_id   BIGINT NOT NULL,
    taken_at TIMESTAMPTZ NOT NULL,
    kind     VARCHAR NOT NULL,
    key      VARCHAR NOT NULL,
    label    VARCHAR,
    value    DOUBLE,
    status   VARCHAR,
    as_of    DATE
);
COMMENT ON TABLE meta.report_snapshots IS 'The headline of each report run (pacer report, pacer run): KPIs of the last 30 days, the status of every target and budget, and the findings, one row per item. The report''s "what changed since the last run" compares the current run with the latest earlier run_id here. Rendering a run again replaces that run''s rows.';
COMMENT ON COLUMN meta.report_snapshots.run_id IS 'Run (meta.runs) the report was rendered for.';
COMMENT ON COLUMN meta.report_snapshots.taken_at IS 'Generation time of the report.';
COMMENT ON COLUMN meta.report_snapshots.kind IS 'kpi, target, budget or finding.';
COMMENT ON COLUMN meta.report_snapshots.key IS 'kpi: metric (spend, revenue, roas, orders, cac, aov, new_customers, conversion_rate); target: target_id; budget: budget_id; finding: rule|scope of marts.findings.';
COMMENT ON COLUMN meta.report_snapshots.label IS 'target: its label; budget: channel · period; finding: its title; NULL for a kpi.';
COMMENT ON COLUMN meta.report_snapshots.value IS 'kpi: its value over the last 30 days (NULL when missing, e.g. ROAS without spend); target: attainment; budget: pace index; finding: impact in the reporting currency.';
COMMENT ON COLUMN meta.report_snapshots.status IS 'target or budget status from marts.targets_vs_actuals or marts.budget_pacing; NULL otherwise.';
COMMENT ON COLUMN meta.report_snapshots.as_of IS 'Last day of marts.kpi_daily when the report was rendered.';
