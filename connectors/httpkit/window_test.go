package httpkit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDayPlan(t *testing.T) {
	tests := []struct {
		name string
		plan DayPlan
		want string // "" = nothing to read
	}{
		{"a first sync reads from start", DayPlan{Start: d("2026-01-01"), Until: d("2026-11-07"), Lookback: 30}, "2026-01-01..2026-11-07"},
		{"an incremental sync re-reads the lookback window", DayPlan{Through: d("2026-11-06"), Start: d("2026-01-01"), Until: d("2026-11-07"), Lookback: 30}, "2026-10-09..2026-11-07"},
		{"a long gap reads from the cursor", DayPlan{Through: d("2026-08-01"), Start: d("2026-01-01"), Until: d("2026-11-07"), Lookback: 30}, "2026-08-02..2026-11-07"},
		{"the window never starts before start_date", DayPlan{Through: d("2026-11-06"), Start: d("2026-11-01"), Until: d("2026-11-07"), Lookback: 30}, "2026-11-01..2026-11-07"},
		{"no lookback reads only new days", DayPlan{Through: d("2026-11-06"), Start: d("2026-01-01"), Until: d("2026-11-07")}, "2026-11-07..2026-11-07"},
		{"synced through until, no lookback: nothing", DayPlan{Through: d("2026-11-07"), Start: d("2026-01-01"), Until: d("2026-11-07")}, ""},
		{"a backfill is read exactly", DayPlan{Through: d("2026-11-06"), Start: d("2026-01-01"), Until: d("2026-11-07"), Lookback: 30,
			Backfill: &connectors.DateRange{From: d("2026-03-01"), To: d("2026-03-31")}}, "2026-03-01..2026-03-31"},
		{"a backfill stops at until", DayPlan{Until: d("2026-11-07"), Backfill: &connectors.DateRange{From: d("2026-11-01"), To: d("2026-11-30")}}, "2026-11-01..2026-11-07"},
		{"history the platform dropped is skipped", DayPlan{Start: d("2020-01-01"), Until: d("2026-11-07"), Earliest: d("2023-10-08")}, "2023-10-08..2026-11-07"},
		{"start after until: nothing", DayPlan{Start: d("2026-12-01"), Until: d("2026-11-07")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := tt.plan.Range()
			got := ""
			if ok {
				got = r.String()
			}
			if got != tt.want {
				t.Errorf("Range() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWindowsAndCursor(t *testing.T) {
	var got []string
	for _, w := range Windows(connectors.DateRange{From: d("2026-10-01"), To: d("2026-10-20")}, 7) {
		got = append(got, w.String())
	}
	if want := []string{"2026-10-01..2026-10-07", "2026-10-08..2026-10-14", "2026-10-15..2026-10-20"}; !slices.Equal(got, want) {
		t.Errorf("Windows = %v", got)
	}
	c, err := ParseDayCursor(nil)
	if err != nil || !c.Through.IsZero() || string(c.Bytes()) != `{}` {
		t.Errorf("zero cursor %v %v %s", c, err, c.Bytes())
	}
	c = c.Advance(connectors.DateRange{From: d("2026-10-01"), To: d("2026-10-07")})
	c = c.Advance(connectors.DateRange{From: d("2026-09-01"), To: d("2026-09-07")})
	if string(c.Bytes()) != `{"through":"2026-10-07"}` {
		t.Errorf("cursor %s", c.Bytes())
	}
	back, err := ParseDayCursor(c.Bytes())
	if err != nil || !back.Through.Equal(c.Through) {
		t.Errorf("round trip %v %v", back, err)
	}
	for _, bad := range []string{`{"through":"11/07/2026"}`, `nope`} {
		if _, err := ParseDayCursor([]byte(bad)); err == nil {
			t.Errorf("ParseDayCursor(%s) accepted", bad)
		}
	}
}

func TestAccountUntil(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 8, 3, 0, 0, 0, time.UTC) // 11-07 20:00 in LA, 11-08 11:00 in Shanghai
	until := d("2026-11-07")
	if got := AccountUntil(until, now, la); !got.Equal(d("2026-11-06")) {
		t.Errorf("LA: %s", got.Format(time.DateOnly))
	}
	if got := AccountUntil(until, now, sh); !got.Equal(d("2026-11-07")) {
		t.Errorf("Shanghai: %s", got.Format(time.DateOnly))
	}
}

func TestPagination(t *testing.T) {
	ctx := t.Context()
	// Page tokens.
	var seen []string
	pages := map[string]string{"": "t1", "t1": "t2", "t2": ""}
	if err := PageTokens(ctx, func(_ context.Context, tok string) (string, error) {
		seen = append(seen, tok)
		return pages[tok], nil
	}); err != nil || strings.Join(seen, ",") != ",t1,t2" {
		t.Errorf("PageTokens: %v %q", err, seen)
	}
	// A repeated token is an error, not a loop.
	err := NextURLs(ctx, "/a", func(_ context.Context, u string) (string, error) { return "/a", nil })
	if err == nil || !strings.Contains(err.Error(), "again") {
		t.Errorf("NextURLs loop: %v", err)
	}
	// Offsets stop on a short page or at the total.
	var offs []int
	if err := Offsets(ctx, 100, func(_ context.Context, off int) (int, int, error) {
		offs = append(offs, off)
		return min(100, 250-off), 250, nil
	}); err != nil || !slices.Equal(offs, []int{0, 100, 200}) {
		t.Errorf("Offsets: %v %v", err, offs)
	}
	// Page numbers from page_info.total_page.
	var ps []int
	if err := PageNumbers(ctx, func(_ context.Context, p int) (int, error) { ps = append(ps, p); return 3, nil }); err != nil || !slices.Equal(ps, []int{1, 2, 3}) {
		t.Errorf("PageNumbers: %v %v", err, ps)
	}
	boom := errors.New("boom")
	if err := PageNumbers(ctx, func(_ context.Context, p int) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("errors pass through: %v", err)
	}
}

func TestRunJob(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	c, err := New(Config{BaseURL: "http://127.0.0.1:1/x"}, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	submits, polls := 0, 0
	id, err := c.RunJob(t.Context(), Job{
		Submit: func(context.Context) (string, error) { submits++; return fmt.Sprintf("job-%d", submits), nil },
		Poll: func(_ context.Context, id string) (JobStatus, int, error) {
			polls++
			switch {
			case id == "job-1":
				return JobFailed, -1, nil // "Job Failed": submit again
			case polls < 5:
				return JobRunning, polls * 20, nil
			}
			return JobDone, 100, nil
		},
	})
	if err != nil || id != "job-2" || submits != 2 {
		t.Fatalf("RunJob = %q, %v (submits %d)", id, err, submits)
	}
	want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second}
	if got := clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("poll waits %v, want %v", got, want)
	}
	_, err = c.RunJob(t.Context(), Job{
		Submit:  func(context.Context) (string, error) { return "slow", nil },
		Poll:    func(context.Context, string) (JobStatus, int, error) { return JobRunning, 1, nil },
		Timeout: 3 * time.Minute,
	})
	if !errors.Is(err, ErrJobFailed) {
		t.Errorf("timeout: %v", err)
	}
}
