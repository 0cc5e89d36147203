package fakekit

import (
	"sync"
	"testing"
	"time"
)

func TestLedger(t *testing.T) {
	var l Ledger
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	if v := l.Version(day); v != 0 {
		t.Fatalf("Version before Restate = %d, want 0", v)
	}
	l.Restate(day)
	l.Restate(day.Add(13 * time.Hour)) // same day
	if v := l.Version(day); v != 2 {
		t.Errorf("Version after two Restates = %d, want 2", v)
	}
	if v := l.Version(day.AddDate(0, 0, 1)); v != 0 {
		t.Errorf("Version of the next day = %d, want 0", v)
	}
	if l.Pages() != 0 || l.TokenRequests() != 0 {
		t.Fatalf("zero Ledger counts %d pages, %d token requests", l.Pages(), l.TokenRequests())
	}

	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.AddPage()
			l.AddTokenRequest()
			l.Restate(day)
		}()
	}
	wg.Wait()
	l.AddPages(3)
	if got := l.Pages(); got != 53 {
		t.Errorf("Pages = %d, want 53", got)
	}
	if got := l.TokenRequests(); got != 50 {
		t.Errorf("TokenRequests = %d, want 50", got)
	}
	if v := l.Version(day); v != 52 {
		t.Errorf("Version = %d, want 52", v)
	}
}
