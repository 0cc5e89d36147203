-- Incremental transforms: which days changed since the last transform, and
-- how each incremental model was last built.

CREATE TABLE meta.dirty_days (
    source     VARCHAR NOT NULL,
    stream     VARCHAR NOT NULL,
    relation   VARCHAR NOT NULL,
    dirty_from DATE NOT NULL,
    reason     VARCHAR NOT NULL,
    run_id     BIGINT NOT NULL,
    noted_at   TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE meta.dirty_days IS 'Days whose raw data changed since the last transform: a sync or an exchange-rate load notes the earliest day it wrote, replaced or moved out of the restatement window; the next transform rebuilds each incremental model from the earliest day noted for the relations it reads (one day earlier, for time zones) and clears the table in its own transaction.';
COMMENT ON COLUMN meta.dirty_days.source IS 'Source name from pacer.yaml, or fx for exchange rates.';
COMMENT ON COLUMN meta.dirty_days.stream IS 'Stream of the source (fx_rates for exchange rates).';
COMMENT ON COLUMN meta.dirty_days.relation IS 'Relation the models read that changed: staging.src_<canonical stream>, or raw.fx_rates.';
COMMENT ON COLUMN meta.dirty_days.dirty_from IS 'Earliest day (the stream''s date column, UTC days for timestamps) that changed.';
COMMENT ON COLUMN meta.dirty_days.reason IS 'rows written, days replaced, left the restatement window, full refresh or rates changed.';
COMMENT ON COLUMN meta.dirty_days.run_id IS 'Run that changed the data.';
COMMENT ON COLUMN meta.dirty_days.noted_at IS 'When it was noted.';

CREATE TABLE meta.model_state (
    model        VARCHAR PRIMARY KEY,
    sql_hash     VARCHAR NOT NULL,
    built_at     TIMESTAMPTZ NOT NULL,
    full_at      TIMESTAMPTZ NOT NULL,
    rebuilt_from DATE
);
COMMENT ON TABLE meta.model_state IS 'How each incremental model was last built. A model whose SQL (rendered with the current settings) no longer matches sql_hash is rebuilt in full.';
COMMENT ON COLUMN meta.model_state.model IS 'Qualified model name, e.g. marts.kpi_daily.';
COMMENT ON COLUMN meta.model_state.sql_hash IS 'SHA-256 of the model''s full-rebuild SQL when it was last built.';
COMMENT ON COLUMN meta.model_state.built_at IS 'When it was last built, in full or incrementally.';
COMMENT ON COLUMN meta.model_state.full_at IS 'When it was last rebuilt in full.';
COMMENT ON COLUMN meta.model_state.rebuilt_from IS 'First day the last build rewrote; NULL when it was a full rebuild.';
