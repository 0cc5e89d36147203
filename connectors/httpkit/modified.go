package httpkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// ModifiedCursor is the cursor of a stream of mutable records (CRM deals):
// Modified is the newest last-modified time read (zero until the first load
// completes). During the first load, Started is when it began and Through
// the last creation day loaded.
type ModifiedCursor struct {
	Modified time.Time `json:"modified,omitzero"`
	Started  time.Time `json:"started,omitzero"`
	Through  time.Time `json:"through,omitzero"`
}

// ParseModifiedCursor reads a stored cursor; empty is the zero cursor.
func ParseModifiedCursor(b []byte) (ModifiedCursor, error) {
	var c ModifiedCursor
	if len(bytes.TrimSpace(b)) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("cursor %q: %w", b, err)
	}
	return c, nil
}

// Bytes encodes the cursor.
func (c ModifiedCursor) Bytes() []byte { b, _ := json.Marshal(c); return b }

// ModifiedSync syncs mutable records that a source can list by creation
// day and find by last-modified time. Rows are kept by creation day, so a
// changed record is loaded again by reloading (replacing) its creation day.
//   - Backfill: the asked days are reloaded, window by window; the cursor
//     stays.
//   - First load (no Modified yet): every creation day from Start (or the
//     oldest record) to today, window by window, each committed with its
//     progress in Through; then the cursor becomes the time the load began,
//     so that records changed during it are read by the next run.
//   - Then: the records modified since Modified − Overlap give the creation
//     days to reload, merged into runs of consecutive days; the cursor moves
//     to the newest modification seen (never past the run's start) once all
//     are reloaded.
type ModifiedSync struct {
	Name       string    // "hubspot source crm", for errors
	Start      time.Time // start_date; zero: from the oldest record
	WindowDays int
	Overlap    time.Duration // how far before the cursor a scan starts (search lags)
	Log        *slog.Logger
	// Oldest returns the creation day of the oldest record; ok is false
	// when there is none.
	Oldest func(ctx context.Context) (day time.Time, ok bool, err error)
	// Changed returns the creation days of the records modified at or after
	// since, sorted, and the newest modification time seen.
	Changed func(ctx context.Context, since time.Time) (days []time.Time, newest time.Time, err error)
	// Reload replaces the records created on the days of w.
	Reload func(ctx context.Context, w connectors.DateRange) error
}

// Read runs one sync of req at now.
func (m ModifiedSync) Read(ctx context.Context, req connectors.ReadRequest, now time.Time, out connectors.Emitter) error {
	cur, err := ParseModifiedCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("%s: %w (run with --full-refresh to start over)", m.Name, err)
	}
	if req.Backfill != nil {
		m.Log.InfoContext(ctx, "backfill", "from", req.Backfill.From.Format(time.DateOnly), "to", req.Backfill.To.Format(time.DateOnly))
		for _, w := range Windows(*req.Backfill, m.WindowDays) {
			if err := m.Reload(ctx, w); err != nil {
				return err
			}
			if err := out.Checkpoint(ctx, req.Cursor); err != nil {
				return err
			}
		}
		return nil
	}
	runStart := now.UTC()
	if cur.Modified.IsZero() {
		return m.firstLoad(ctx, cur, runStart, out)
	}
	since := cur.Modified.Add(-m.Overlap)
	days, newest, err := m.Changed(ctx, since)
	if err != nil {
		return err
	}
	if !m.Start.IsZero() {
		days = slices.DeleteFunc(days, func(d time.Time) bool { return d.Before(connectors.Day(m.Start)) })
	}
	ranges := Ranges(days, m.WindowDays)
	m.Log.InfoContext(ctx, "records changed", "since", since.Format(time.RFC3339), "days", len(days), "ranges", len(ranges))
	for _, r := range ranges {
		if err := m.Reload(ctx, r); err != nil {
			return err
		}
		// Commit the range; the cursor moves only when all are done.
		if err := out.Checkpoint(ctx, req.Cursor); err != nil {
			return err
		}
	}
	if newest.After(runStart) {
		newest = runStart
	}
	if newest.After(cur.Modified) {
		cur.Modified = newest
	}
	return out.Checkpoint(ctx, cur.Bytes())
}

func (m ModifiedSync) firstLoad(ctx context.Context, cur ModifiedCursor, runStart time.Time, out connectors.Emitter) error {
	if cur.Started.IsZero() {
		cur.Started = runStart
	}
	from := connectors.Day(m.Start)
	if m.Start.IsZero() {
		oldest, ok, err := m.Oldest(ctx)
		if err != nil {
			return err
		}
		if !ok {
			m.Log.InfoContext(ctx, "no records")
			return out.Checkpoint(ctx, ModifiedCursor{Modified: cur.Started}.Bytes())
		}
		from = oldest
	}
	if !cur.Through.IsZero() {
		from = cur.Through.AddDate(0, 0, 1)
	}
	if today := connectors.Day(runStart); !from.After(today) {
		m.Log.InfoContext(ctx, "first load", "from", from.Format(time.DateOnly), "to", today.Format(time.DateOnly))
		for _, w := range Windows(connectors.DateRange{From: from, To: today}, m.WindowDays) {
			if err := m.Reload(ctx, w); err != nil {
				return err
			}
			cur.Through = w.To
			if err := out.Checkpoint(ctx, cur.Bytes()); err != nil {
				return err
			}
		}
	}
	return out.Checkpoint(ctx, ModifiedCursor{Modified: cur.Started}.Bytes())
}

// Ranges merges sorted days into runs of consecutive days of at most n days.
func Ranges(days []time.Time, n int) []connectors.DateRange {
	var out []connectors.DateRange
	for _, d := range days {
		if k := len(out) - 1; k >= 0 && d.Equal(out[k].To.AddDate(0, 0, 1)) && out[k].Days() < n {
			out[k].To = d
			continue
		}
		out = append(out, connectors.DateRange{From: d, To: d})
	}
	return out
}
