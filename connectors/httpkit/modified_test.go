package httpkit

import (
	"fmt"
	"testing"
	"time"
)

func TestRanges(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		days []time.Time
		n    int
		want string
	}{
		{nil, 7, "[]"},
		{[]time.Time{d(1), d(2), d(3), d(5)}, 7, "[2026-11-01..2026-11-03 2026-11-05..2026-11-05]"},
		{[]time.Time{d(1), d(2), d(3), d(4)}, 2, "[2026-11-01..2026-11-02 2026-11-03..2026-11-04]"},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range Ranges(tt.days, tt.n) {
			got = append(got, r.From.Format(time.DateOnly)+".."+r.To.Format(time.DateOnly))
		}
		if s := fmt.Sprint(got); s != tt.want {
			t.Errorf("Ranges(%v, %d) = %s, want %s", tt.days, tt.n, s, tt.want)
		}
	}
	c, err := ParseModifiedCursor([]byte(`{"modified":"2026-11-01T10:00:00Z"}`))
	if err != nil || !c.Modified.Equal(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)) || string(c.Bytes()) != `{"modified":"2026-11-01T10:00:00Z"}` {
		t.Errorf("cursor %+v, %v, %s", c, err, c.Bytes())
	}
	if _, err := ParseModifiedCursor([]byte("nope")); err == nil {
		t.Error("a bad cursor parsed")
	}
}
