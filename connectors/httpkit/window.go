package httpkit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// DayPlan says which reporting days one Read of a daily stream pulls. All
// days are calendar dates at midnight UTC (connectors.Day) read in the
// account's own time zone: the platform's reporting day.
type DayPlan struct {
	// Through is the last day the cursor says was synced; zero on a first
	// or full sync.
	Through time.Time
	// Lookback is the restatement window: the last Lookback days up to Until
	// are pulled again on every incremental sync and replaced.
	Lookback int
	// Start is the first day a first sync reads (start_date); zero means
	// 13 months before Until, enough for a year-on-year comparison.
	Start time.Time
	// Until is the last day to read: ReadRequest.Until, clipped by
	// AccountUntil.
	Until time.Time
	// Backfill, when set, is read exactly (clipped to Earliest and Until),
	// whatever the cursor says; the cursor does not move.
	Backfill *connectors.DateRange
	// Earliest is the oldest day the platform still serves (Google: 37
	// months); zero means no limit.
	Earliest time.Time
}

// Range returns the days to pull and replace, and false when there is
// nothing to read. Incremental: from the earlier of Through+1 and
// Until−Lookback+1 (never before Start) to Until.
func (p DayPlan) Range() (connectors.DateRange, bool) {
	var r connectors.DateRange
	if p.Backfill != nil {
		r = *p.Backfill
	} else {
		start := p.Start
		if start.IsZero() {
			start = p.Until.AddDate(-1, -1, 0)
		}
		r = connectors.DateRange{From: start, To: p.Until}
		if !p.Through.IsZero() {
			from := p.Through.AddDate(0, 0, 1)
			if p.Lookback > 0 {
				if lb := p.Until.AddDate(0, 0, 1-p.Lookback); lb.Before(from) {
					from = lb
				}
			}
			if from.After(r.From) {
				r.From = from
			}
		}
	}
	if !p.Earliest.IsZero() && r.From.Before(p.Earliest) {
		r.From = p.Earliest
	}
	if r.To.After(p.Until) {
		r.To = p.Until
	}
	return r, !r.From.IsZero() && !r.To.Before(r.From)
}

// Windows splits r into consecutive ranges of at most days days, oldest
// first. A connector replaces and re-reads one window, then checkpoints,
// so that a failure repeats at most one window.
func Windows(r connectors.DateRange, days int) []connectors.DateRange {
	if days <= 0 {
		days = 1
	}
	var out []connectors.DateRange
	for from := r.From; !from.After(r.To); from = from.AddDate(0, 0, days) {
		to := from.AddDate(0, 0, days-1)
		if to.After(r.To) {
			to = r.To
		}
		out = append(out, connectors.DateRange{From: from, To: to})
	}
	return out
}

// AccountUntil returns the last complete reporting day of an account in loc
// at now, clipped to until: "yesterday" in the account's time zone. An
// account behind the reporting time zone has not finished the reporting
// zone's yesterday yet.
func AccountUntil(until, now time.Time, loc *time.Location) time.Time {
	y := connectors.Day(now.In(loc)).AddDate(0, 0, -1)
	if until.IsZero() || y.Before(until) {
		return y
	}
	return connectors.Day(until)
}

// DayCursor is the cursor of a daily stream: the last day synced, as JSON
// {"through":"2026-11-07"}, readable in meta.stream_state.
type DayCursor struct {
	Through time.Time
}

type dayCursorJSON struct {
	Through string `json:"through,omitempty"`
}

// ParseDayCursor reads a DayCursor; nil or empty is the zero cursor.
func ParseDayCursor(b []byte) (DayCursor, error) {
	if len(b) == 0 {
		return DayCursor{}, nil
	}
	var j dayCursorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return DayCursor{}, fmt.Errorf("cursor %q: %w", b, err)
	}
	if j.Through == "" {
		return DayCursor{}, nil
	}
	t, err := time.Parse(time.DateOnly, j.Through)
	if err != nil {
		return DayCursor{}, fmt.Errorf("cursor %q: through must be YYYY-MM-DD", b)
	}
	return DayCursor{Through: t}, nil
}

// Bytes returns the cursor's JSON.
func (c DayCursor) Bytes() []byte {
	j := dayCursorJSON{}
	if !c.Through.IsZero() {
		j.Through = c.Through.Format(time.DateOnly)
	}
	b, _ := json.Marshal(j)
	return b
}

// Advance returns the cursor after window w was committed: it moves to w.To
// unless it is already later. Backfills do not advance the cursor.
func (c DayCursor) Advance(w connectors.DateRange) DayCursor {
	if w.To.After(c.Through) {
		return DayCursor{Through: w.To}
	}
	return c
}
