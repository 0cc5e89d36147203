package pipelines

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/warehouse"
)

// SyncRequest says what to pull.
type SyncRequest struct {
	// Until is the last reporting day to read.
	Until time.Time
	// Sources restricts the sync to these source names (empty: all).
	Sources []string
	// FullRefresh forgets cursors: every stream is re-read from its start.
	FullRefresh bool
	// Backfill re-reads exactly these days.
	Backfill *connectors.DateRange
}

// StreamResult is how one stream's sync ended.
type StreamResult struct {
	Source, Stream string
	Rows           int64
	Quarantined    int64
	Duration       time.Duration
	Err            error
}

// sync pulls every stream of every selected source, Config.Sync.Parallel
// sources at a time (API sources mostly wait on the network); a source's
// streams run one after another. Each stream loads on its own connection
// and commits on its own, so one source's failure or slowness does not
// touch another's rows. A failing stream does not stop the others: its
// error is recorded and returned joined with the rest, after everything
// else has loaded. Results come in source and stream order.
func (j *Job) sync(ctx context.Context, runID int64, sources []OpenedSource, req SyncRequest) ([]StreamResult, error) {
	perSource := make([][]StreamResult, len(sources))
	parallel := max(1, j.Config.Sync.Parallel)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, st := range src.Source.Streams() {
				if ctx.Err() != nil {
					return
				}
				if src.Config.LookbackDays > 0 {
					st.LookbackDays = src.Config.LookbackDays
				}
				perSource[i] = append(perSource[i], j.syncStream(ctx, runID, src, st, req))
			}
		}()
	}
	wg.Wait()
	var results []StreamResult
	var errs []error
	for _, rs := range perSource {
		for _, res := range rs {
			results = append(results, res)
			if res.Err != nil {
				errs = append(errs, fmt.Errorf("%s.%s: %w", res.Source, res.Stream, res.Err))
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return results, err
	}
	return results, errors.Join(errs...)
}

func (j *Job) syncStream(ctx context.Context, runID int64, src OpenedSource, st connectors.Stream, req SyncRequest) StreamResult {
	start := time.Now()
	res := StreamResult{Source: src.Config.Name, Stream: st.Name}
	log := j.Logger.With("run_id", runID, "source", res.Source, "stream", res.Stream)
	ledger := Ledger{j.DB}
	if err := ledger.StartStream(ctx, runID, res.Source, res.Stream); err != nil {
		res.Err = err
		return res
	}
	res.Rows, res.Quarantined, res.Err = j.readStream(ctx, runID, src, st, req, log)
	res.Duration = time.Since(start)
	if err := ledger.FinishStream(ctx, runID, res.Source, res.Stream, res.Rows, res.Quarantined, res.Err); err != nil && res.Err == nil {
		res.Err = err
	}
	if res.Err != nil {
		log.ErrorContext(ctx, "stream failed", "error", res.Err, "rows", res.Rows, "duration_ms", res.Duration.Milliseconds())
	} else {
		log.InfoContext(ctx, "stream synced", "rows", res.Rows, "quarantined", res.Quarantined, "duration_ms", res.Duration.Milliseconds())
	}
	return res
}

func (j *Job) readStream(ctx context.Context, runID int64, src OpenedSource, st connectors.Stream, req SyncRequest, log *slog.Logger) (rows, quarantined int64, err error) {
	cursor, err := j.cursor(ctx, src.Config.Name, st.Name)
	if err != nil {
		return 0, 0, err
	}
	if req.FullRefresh {
		cursor = nil
	}
	load, err := j.DB.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: rawTable(src.Config.Name, st.Name), RunID: runID, SyncedAt: time.Now()})
	if err != nil {
		return 0, 0, err
	}
	defer load.Close(ctx)
	em := &streamEmitter{load: load, runID: runID, source: src.Config.Name, stream: st, until: req.Until}
	defer em.discard()
	if j.Progress != nil {
		em.onRows = j.Progress.Rows(src.Config.Name + "." + st.Name)
	}
	if req.FullRefresh {
		if err := em.Replace(ctx, connectors.DateRange{}); err != nil {
			return 0, 0, err
		}
	}
	err = src.Source.Read(ctx, connectors.ReadRequest{
		Stream: st.Name, Cursor: cursor, Until: req.Until, Backfill: req.Backfill, Logger: log,
	}, em)
	if err != nil {
		// Rows after the last checkpoint are rolled back by Close; committed
		// pages stay, and the cursor says where the next run resumes.
		return em.rows, em.quarantined, err
	}
	if em.pending > 0 || em.bufferedRows > 0 {
		return em.rows, em.quarantined, fmt.Errorf("connector returned without a final checkpoint; %d rows discarded", em.pending+em.bufferedRows)
	}
	return em.rows, em.quarantined, nil
}

func (j *Job) cursor(ctx context.Context, source, stream string) ([]byte, error) {
	var c *string
	err := j.DB.SQL().QueryRowContext(ctx, "SELECT cursor FROM meta.stream_state WHERE source = ? AND stream = ?", source, stream).Scan(&c)
	if err != nil {
		if errors.Is(err, errNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("read cursor: %w", err)
	}
	if c == nil {
		return nil, nil
	}
	return []byte(*c), nil
}
