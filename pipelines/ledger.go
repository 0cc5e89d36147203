package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/pacerhq/pacer/warehouse"
)

// Run statuses recorded in meta.runs.
const (
	StatusRunning      = "running"
	StatusOK           = "ok"
	StatusChecksFailed = "checks_failed"
	StatusFailed       = "failed"
	StatusCrashed      = "crashed"
)

// Ledger records runs in meta.runs and streams in meta.stream_runs.
type Ledger struct {
	db *warehouse.DB
}

// StartRun inserts a "running" row and returns its id. Rows left "running"
// by earlier processes are marked crashed first: the caller holds the lock,
// so nobody else can be running. It returns how many were marked.
func (l Ledger) StartRun(ctx context.Context, command string, runDate time.Time, version string) (id int64, crashed int64, err error) {
	err = l.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE meta.runs SET status = 'crashed', error = 'process ended without finishing (killed or crashed); its partial work was rolled back'
			WHERE status = 'running'`)
		if err != nil {
			return err
		}
		crashed, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `UPDATE meta.stream_runs SET status = 'crashed' WHERE status = 'running'`); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(run_id), 0) + 1 FROM meta.runs").Scan(&id); err != nil {
			return err
		}
		host, _ := os.Hostname()
		var rd any
		if !runDate.IsZero() {
			rd = runDate.Format(time.DateOnly)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta.runs (run_id, command, run_date, started_at, status, pid, host, version)
			VALUES (?, ?, ?::DATE, now(), 'running', ?, ?, ?)`, id, command, rd, os.Getpid(), host, version)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("record run start: %w", err)
	}
	return id, crashed, nil
}

// FinishRun records how a run ended.
func (l Ledger) FinishRun(ctx context.Context, id int64, status string, exitCode int, runErr error) error {
	var msg any
	if runErr != nil {
		msg = runErr.Error()
	}
	_, err := l.db.SQL().ExecContext(context.WithoutCancel(ctx),
		`UPDATE meta.runs SET status = ?, exit_code = ?, error = ?, finished_at = now() WHERE run_id = ?`,
		status, exitCode, msg, id)
	return err
}

// StartStream records that a stream began syncing.
func (l Ledger) StartStream(ctx context.Context, runID int64, source, stream string) error {
	_, err := l.db.SQL().ExecContext(ctx, `INSERT OR REPLACE INTO meta.stream_runs (run_id, source, stream, started_at, status)
		VALUES (?, ?, ?, now(), 'running')`, runID, source, stream)
	return err
}

// FinishStream records how a stream's sync ended.
func (l Ledger) FinishStream(ctx context.Context, runID int64, source, stream string, rows, quarantined int64, streamErr error) error {
	status := StatusOK
	var msg any
	if streamErr != nil {
		status, msg = StatusFailed, streamErr.Error()
	}
	_, err := l.db.SQL().ExecContext(context.WithoutCancel(ctx), `UPDATE meta.stream_runs
		SET status = ?, rows = ?, quarantined = ?, error = ?, finished_at = now()
		WHERE run_id = ? AND source = ? AND stream = ?`, status, rows, quarantined, msg, runID, source, stream)
	return err
}
