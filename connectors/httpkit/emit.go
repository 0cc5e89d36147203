package httpkit

import (
	"context"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
)

// Emit hands one response's batches to out and quarantines the rows the
// decoder rejected, each marked with op (the request, as in logs) and with
// its raw text redacted.
func (c *Client) Emit(ctx context.Context, out connectors.Emitter, op string, batches []arrow.RecordBatch, rejected []connectors.Rejected) error {
	for _, b := range batches {
		if err := out.Batch(ctx, b); err != nil {
			return err
		}
	}
	if len(rejected) == 0 {
		return nil
	}
	for i := range rejected {
		rejected[i].File = op
		rejected[i].Raw = c.red.Redact(rejected[i].Raw)
	}
	return out.Quarantine(ctx, rejected...)
}

// ReadWindows reads the days plan asks for, days at a time: each window is
// replaced, read (read returns its row count), and committed with the
// cursor advanced past it; a backfill leaves the cursor where it was. With
// nothing to read, the cursor is committed unchanged. attrs are added to
// the "reading" log line.
func ReadWindows(ctx context.Context, log *slog.Logger, plan DayPlan, cur DayCursor, days int, out connectors.Emitter,
	read func(w connectors.DateRange) (int, error), attrs ...any) error {
	r, ok := plan.Range()
	if !ok {
		log.InfoContext(ctx, "nothing to read", "through", cur.Through.Format(time.DateOnly), "until", plan.Until.Format(time.DateOnly))
		return out.Checkpoint(ctx, cur.Bytes())
	}
	log.InfoContext(ctx, "reading", append([]any{"from", r.From.Format(time.DateOnly), "to", r.To.Format(time.DateOnly),
		"backfill", plan.Backfill != nil}, attrs...)...)
	for _, w := range Windows(r, days) {
		if err := out.Replace(ctx, w); err != nil {
			return err
		}
		rows, err := read(w)
		if err != nil {
			return err
		}
		if plan.Backfill == nil {
			cur = cur.Advance(w)
		}
		if err := out.Checkpoint(ctx, cur.Bytes()); err != nil {
			return err
		}
		log.InfoContext(ctx, "window synced", "from", w.From.Format(time.DateOnly), "to", w.To.Format(time.DateOnly), "rows", rows)
	}
	return nil
}
