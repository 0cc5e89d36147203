package goals

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	tests := []struct {
		in       string
		from, to string
		wantErr  bool
	}{
		{in: "2026", from: "2026-01-01", to: "2026-12-31"},
		{in: "2026-Q4", from: "2026-10-01", to: "2026-12-31"},
		{in: "2024-Q1", from: "2024-01-01", to: "2024-03-31"},
		{in: "2024-02", from: "2024-02-01", to: "2024-02-29"},
		{in: "2026-W01", from: "2025-12-29", to: "2026-01-04"},
		{in: "2026-W48", from: "2026-11-23", to: "2026-11-29"},
		{in: "2020-W53", from: "2020-12-28", to: "2021-01-03"},
		{in: "2026-11-01..2026-11-15", from: "2026-11-01", to: "2026-11-15"},
		{in: "2026-W53", from: "2026-12-28", to: "2027-01-03"},
		{in: "2025-W53", wantErr: true},
		{in: "2026-13", wantErr: true},
		{in: "2026-Q5", wantErr: true},
		{in: "2026-11-15..2026-11-01", wantErr: true},
		{in: "next month", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePeriod(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %v", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.From.Equal(d(tt.from)) || !p.To.Equal(d(tt.to)) {
				t.Errorf("got %s..%s, want %s..%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), tt.from, tt.to)
			}
		})
	}
}
