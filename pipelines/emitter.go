package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/warehouse"
)

// streamEmitter is the connectors.SQLEmitter the pipeline hands a source:
// rows go to the stream's raw table and the cursor to meta.stream_state, in
// one transaction per Checkpoint.
type streamEmitter struct {
	load        *warehouse.Load
	runID       int64
	source      string
	stream      connectors.Stream
	until       time.Time
	rows        int64 // committed
	pending     int64 // emitted since the last checkpoint
	quarantined int64
	onRows      func(n int64)
	// replacedFrom is the earliest day Replace deleted since the last
	// checkpoint (zero: none); replacedAll says the whole table was.
	replacedFrom time.Time
	replacedAll  bool
	// buffered are batches not yet inserted (bufferedRows rows): a page of
	// an API is small, and one INSERT per page costs more than the rows.
	buffered     []arrow.RecordBatch
	bufferedRows int64
}

// flushRows is how many buffered rows trigger an INSERT.
const flushRows = 256 << 10

var _ connectors.SQLEmitter = (*streamEmitter)(nil)

// Batch buffers rec (retained, not copied) and inserts the buffer when it
// holds flushRows rows or the schema changes. Everything that reads or
// changes the table first inserts what is buffered, so the order of
// Batch, Replace and Checkpoint calls means what it says.
func (e *streamEmitter) Batch(ctx context.Context, rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if len(e.buffered) > 0 && !e.buffered[0].Schema().Equal(rec.Schema()) {
		if err := e.flush(ctx); err != nil {
			return err
		}
	}
	rec.Retain()
	e.buffered = append(e.buffered, rec)
	e.bufferedRows += rec.NumRows()
	if e.bufferedRows >= flushRows {
		return e.flush(ctx)
	}
	return nil
}

// flush inserts the buffered batches in one statement.
func (e *streamEmitter) flush(ctx context.Context) error {
	if len(e.buffered) == 0 {
		return nil
	}
	n, err := e.load.AppendArrow(ctx, e.buffered...)
	e.discard()
	e.add(n)
	return err
}

// discard releases the buffered batches without inserting them.
func (e *streamEmitter) discard() {
	for _, r := range e.buffered {
		r.Release()
	}
	e.buffered, e.bufferedRows = nil, 0
}

func (e *streamEmitter) InsertSelect(ctx context.Context, query string, args ...any) (int64, error) {
	if err := e.flush(ctx); err != nil {
		return 0, err
	}
	n, err := e.load.AppendSelect(ctx, query, args...)
	e.add(n)
	return n, err
}

func (e *streamEmitter) add(n int64) {
	e.pending += n
	if e.onRows != nil && n > 0 {
		e.onRows(n)
	}
}

func (e *streamEmitter) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := e.flush(ctx); err != nil {
		return nil, err
	}
	return e.load.Query(ctx, query, args...)
}

// Replace deletes the rows of r's days from the raw table. DATE columns
// compare as dates; timestamp columns by UTC calendar day.
func (e *streamEmitter) Replace(ctx context.Context, r connectors.DateRange) error {
	if err := e.flush(ctx); err != nil {
		return err
	}
	exists, err := e.load.Exists(ctx)
	if err != nil || !exists {
		return err
	}
	if r.IsZero() || e.stream.DateColumn == "" {
		e.replacedAll = true
		_, err := e.load.Exec(ctx, "DELETE FROM "+e.load.Name())
		return err
	}
	if e.replacedFrom.IsZero() || r.From.Before(e.replacedFrom) {
		e.replacedFrom = r.From
	}
	col := warehouse.Quote(e.stream.DateColumn)
	from := r.From.Format(time.DateOnly)
	to := r.To.AddDate(0, 0, 1).Format(time.DateOnly)
	// DuckDB compares a DATE with a TIMESTAMPTZ at midnight in the session
	// time zone, UTC: one predicate serves both kinds of date column.
	_, err = e.load.Exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s >= ?::DATE AND %s < ?::DATE", e.load.Name(), col, col), from, to)
	if err != nil {
		return fmt.Errorf("replace %s of %s: %w", r, e.load.Name(), err)
	}
	return nil
}

// Checkpoint commits the rows so far with the cursor, and notes in
// meta.dirty_days the earliest day they changed.
func (e *streamEmitter) Checkpoint(ctx context.Context, cursor []byte) error {
	if err := e.flush(ctx); err != nil {
		return err
	}
	var provisional any
	if e.stream.LookbackDays > 0 {
		provisional = e.until.AddDate(0, 0, 1-e.stream.LookbackDays).Format(time.DateOnly)
	}
	if err := e.noteDirty(ctx, provisional); err != nil {
		return fmt.Errorf("note changed days: %w", err)
	}
	_, err := e.load.Exec(ctx, `INSERT OR REPLACE INTO meta.stream_state
		(source, stream, canonical, raw_table, cursor, updated_at, run_id, synced_through, provisional_from)
		VALUES (?, ?, ?, ?, ?, now(), ?, ?::DATE, ?::DATE)`,
		e.source, e.stream.Name, e.stream.Canonical, "raw."+rawTable(e.source, e.stream.Name), string(cursor),
		e.runID, e.until.Format(time.DateOnly), provisional)
	if err != nil {
		return fmt.Errorf("save cursor: %w", err)
	}
	if err := e.load.Commit(ctx); err != nil {
		return err
	}
	e.rows += e.pending
	e.pending = 0
	e.replacedFrom, e.replacedAll = time.Time{}, false
	return nil
}

// noteDirty records, in the checkpoint's transaction, the earliest day
// this checkpoint changes for the models: the first day of the rows
// written by this run (zone maps make the _run_id filter cheap: new rows
// are at the end of the table), the first day Replace deleted, and the
// days that leave the restatement window (their provisional flag
// changes). A stream without a date column changes every day.
func (e *streamEmitter) noteDirty(ctx context.Context, provisional any) error {
	type mark struct {
		from   any
		reason string
	}
	var marks []mark
	const allDays = "0001-01-01"
	switch {
	case e.replacedAll:
		marks = append(marks, mark{allDays, "full refresh"})
	case !e.replacedFrom.IsZero():
		marks = append(marks, mark{e.replacedFrom.Format(time.DateOnly), "days replaced"})
	}
	if e.pending > 0 {
		if e.stream.DateColumn == "" {
			marks = append(marks, mark{allDays, "rows written (no date column)"})
		} else {
			var first sql.NullTime
			rows, err := e.load.Query(ctx, fmt.Sprintf("SELECT CAST(min(%s) AS DATE) FROM %s WHERE _run_id = ?",
				warehouse.Quote(e.stream.DateColumn), e.load.Name()), e.runID)
			if err != nil {
				return err
			}
			if rows.Next() {
				err = rows.Scan(&first)
			}
			rows.Close()
			if err != nil {
				return err
			}
			if first.Valid {
				marks = append(marks, mark{first.Time.Format(time.DateOnly), "rows written"})
			}
		}
	}
	if provisional != nil {
		// Days from the old start of the window to the new one become final.
		var old sql.NullTime
		rows, err := e.load.Query(ctx, "SELECT provisional_from FROM meta.stream_state WHERE source = ? AND stream = ?", e.source, e.stream.Name)
		if err != nil {
			return err
		}
		if rows.Next() {
			err = rows.Scan(&old)
		}
		rows.Close()
		if err != nil {
			return err
		}
		if old.Valid && old.Time.Format(time.DateOnly) < provisional.(string) {
			marks = append(marks, mark{old.Time.Format(time.DateOnly), "left the restatement window"})
		}
	}
	for _, m := range marks {
		if _, err := e.load.Exec(ctx, `INSERT INTO meta.dirty_days (source, stream, relation, dirty_from, reason, run_id, noted_at)
			VALUES (?, ?, ?, ?::DATE, ?, ?, now())`, e.source, e.stream.Name, "staging.src_"+e.stream.Canonical, m.from, m.reason, e.runID); err != nil {
			return err
		}
	}
	return nil
}

// Quarantine records rejected rows in meta.quarantine, in the same
// transaction as the stream's rows.
func (e *streamEmitter) Quarantine(ctx context.Context, rows ...connectors.Rejected) error {
	for _, r := range rows {
		raw := r.Raw
		if len(raw) > 1000 {
			raw = raw[:1000] + "…"
		}
		if _, err := e.load.Exec(ctx, `INSERT INTO meta.quarantine (run_id, quarantined_at, source, stream, file, line, field, reason, raw)
			VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?)`, e.runID, e.source, e.stream.Name, r.File, r.Line, r.Field, r.Reason, raw); err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
		e.quarantined++
	}
	return nil
}

// rawTable is the raw table name of a source stream (without schema).
func rawTable(source, stream string) string { return source + "__" + stream }
