-- Schemas and the meta tables of the run ledger. Every table and column is
-- commented so an analyst can read the file without the code.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS meta;

CREATE TABLE meta.runs (
    run_id      BIGINT PRIMARY KEY,
    command     VARCHAR NOT NULL,
    run_date    DATE,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    exit_code   INTEGER,
    error       VARCHAR,
    pid         INTEGER,
    host        VARCHAR,
    version     VARCHAR
);
COMMENT ON TABLE meta.runs IS 'One row per pacer command that wrote to this file. A row left "running" by a process that died is marked "crashed" by the next run.';
COMMENT ON COLUMN meta.runs.run_id IS 'Run id; raw rows carry it in _run_id.';
COMMENT ON COLUMN meta.runs.command IS 'The command: run, sync, backfill, transform, check, report, demo.';
COMMENT ON COLUMN meta.runs.run_date IS 'The reporting day the run was for (the --date flag; default yesterday in the configured time zone).';
COMMENT ON COLUMN meta.runs.started_at IS 'When the run started (UTC instant).';
COMMENT ON COLUMN meta.runs.finished_at IS 'When the run ended; NULL while running or after a crash.';
COMMENT ON COLUMN meta.runs.status IS 'running, ok, checks_failed, failed or crashed.';
COMMENT ON COLUMN meta.runs.exit_code IS 'Process exit code: 0 ok, 1 runtime failure, 2 invalid input, 3 data checks failed.';
COMMENT ON COLUMN meta.runs.error IS 'The error that ended the run, without secrets.';
COMMENT ON COLUMN meta.runs.pid IS 'Process id of the run.';
COMMENT ON COLUMN meta.runs.host IS 'Host name the run ran on.';
COMMENT ON COLUMN meta.runs.version IS 'pacer version that ran.';

CREATE TABLE meta.stream_runs (
    run_id      BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    stream      VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    rows        BIGINT,
    quarantined BIGINT,
    error       VARCHAR,
    PRIMARY KEY (run_id, source, stream)
);
COMMENT ON TABLE meta.stream_runs IS 'One row per source stream synced by a run: written "running" before the stream and "ok" or "failed" after.';
COMMENT ON COLUMN meta.stream_runs.run_id IS 'The meta.runs row.';
COMMENT ON COLUMN meta.stream_runs.source IS 'Source name from pacer.yaml.';
COMMENT ON COLUMN meta.stream_runs.stream IS 'Stream of the source.';
COMMENT ON COLUMN meta.stream_runs.started_at IS 'When the stream started syncing.';
COMMENT ON COLUMN meta.stream_runs.finished_at IS 'When it finished.';
COMMENT ON COLUMN meta.stream_runs.status IS 'running, ok or failed.';
COMMENT ON COLUMN meta.stream_runs.rows IS 'Rows written to the raw table by this run.';
COMMENT ON COLUMN meta.stream_runs.quarantined IS 'Rows rejected into meta.quarantine by this run.';
COMMENT ON COLUMN meta.stream_runs.error IS 'Why the stream failed, without secrets.';

CREATE TABLE meta.stream_state (
    source           VARCHAR NOT NULL,
    stream           VARCHAR NOT NULL,
    canonical        VARCHAR NOT NULL,
    raw_table        VARCHAR NOT NULL,
    cursor           VARCHAR,
    updated_at       TIMESTAMPTZ NOT NULL,
    run_id           BIGINT NOT NULL,
    synced_through   DATE,
    provisional_from DATE,
    PRIMARY KEY (source, stream)
);
COMMENT ON TABLE meta.stream_state IS 'The cursor of each source stream, committed in the same transaction as its rows.';
COMMENT ON COLUMN meta.stream_state.source IS 'Source name from pacer.yaml.';
COMMENT ON COLUMN meta.stream_state.stream IS 'Stream of the source.';
COMMENT ON COLUMN meta.stream_state.canonical IS 'Canonical stream the rows feed (ad_performance, orders, ...).';
COMMENT ON COLUMN meta.stream_state.raw_table IS 'Raw table holding the rows, e.g. raw.google_ads__ad_performance.';
COMMENT ON COLUMN meta.stream_state.cursor IS 'Opaque cursor the connector reads on the next sync (JSON).';
COMMENT ON COLUMN meta.stream_state.updated_at IS 'When the cursor was last committed.';
COMMENT ON COLUMN meta.stream_state.run_id IS 'Run that committed the cursor.';
COMMENT ON COLUMN meta.stream_state.synced_through IS 'Last reporting day requested from the source (data freshness).';
COMMENT ON COLUMN meta.stream_state.provisional_from IS 'First day inside the source''s restatement window: days from here on may still change.';

CREATE TABLE meta.check_results (
    run_id       BIGINT NOT NULL,
    checked_at   TIMESTAMPTZ NOT NULL,
    check_name   VARCHAR NOT NULL,
    model        VARCHAR,
    column_name  VARCHAR,
    kind         VARCHAR NOT NULL,
    severity     VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    failing_rows BIGINT,
    detail       VARCHAR
);
COMMENT ON TABLE meta.check_results IS 'One row per data check per run. A failing check with severity error makes the run exit 3.';
COMMENT ON COLUMN meta.check_results.run_id IS 'The meta.runs row.';
COMMENT ON COLUMN meta.check_results.checked_at IS 'When the check ran.';
COMMENT ON COLUMN meta.check_results.check_name IS 'Unique name, e.g. not_null:marts.kpi_daily.date.';
COMMENT ON COLUMN meta.check_results.model IS 'Table the check looks at.';
COMMENT ON COLUMN meta.check_results.column_name IS 'Column the check looks at, when one.';
COMMENT ON COLUMN meta.check_results.kind IS 'not_null, unique, accepted_values, row_count, freshness or sql (a file in sql/checks).';
COMMENT ON COLUMN meta.check_results.severity IS 'error (fails the run with exit 3) or warn (reported only).';
COMMENT ON COLUMN meta.check_results.status IS 'pass, fail, or error (the check itself could not run).';
COMMENT ON COLUMN meta.check_results.failing_rows IS 'Rows that broke the rule.';
COMMENT ON COLUMN meta.check_results.detail IS 'What was checked and, on failure, examples.';

CREATE SEQUENCE meta.quarantine_id;
CREATE TABLE meta.quarantine (
    quarantine_id  BIGINT DEFAULT nextval('meta.quarantine_id'),
    run_id         BIGINT NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL,
    source         VARCHAR NOT NULL,
    stream         VARCHAR NOT NULL,
    file           VARCHAR,
    line           BIGINT,
    field          VARCHAR,
    reason         VARCHAR NOT NULL,
    raw            VARCHAR
);
COMMENT ON TABLE meta.quarantine IS 'Rows a source rejected, with where they came from and why. They are not in raw.';
COMMENT ON COLUMN meta.quarantine.quarantine_id IS 'Row id.';
COMMENT ON COLUMN meta.quarantine.run_id IS 'Run that rejected the row.';
COMMENT ON COLUMN meta.quarantine.quarantined_at IS 'When it was rejected.';
COMMENT ON COLUMN meta.quarantine.source IS 'Source name from pacer.yaml.';
COMMENT ON COLUMN meta.quarantine.stream IS 'Stream of the source.';
COMMENT ON COLUMN meta.quarantine.file IS 'File or endpoint the row came from.';
COMMENT ON COLUMN meta.quarantine.line IS '1-based line or record number in the file.';
COMMENT ON COLUMN meta.quarantine.field IS 'Column at fault, when known.';
COMMENT ON COLUMN meta.quarantine.reason IS 'What is wrong with the row.';
COMMENT ON COLUMN meta.quarantine.raw IS 'The offending row as text (truncated).';

CREATE TABLE raw.fx_rates (
    date     DATE NOT NULL,
    currency VARCHAR NOT NULL,
    rate     DECIMAL(38,12) NOT NULL,
    _run_id  BIGINT,
    _synced_at TIMESTAMP
);
COMMENT ON TABLE raw.fx_rates IS 'Daily exchange rates from fx.path: units of the reporting currency for one unit of currency. Replaced whole on every sync.';
COMMENT ON COLUMN raw.fx_rates.date IS 'Day the rate applies to.';
COMMENT ON COLUMN raw.fx_rates.currency IS 'ISO 4217 code converted from.';
COMMENT ON COLUMN raw.fx_rates.rate IS 'Reporting-currency units per one unit of currency.';
COMMENT ON COLUMN raw.fx_rates._run_id IS 'Run that loaded the rate.';
COMMENT ON COLUMN raw.fx_rates._synced_at IS 'When it was loaded.';
