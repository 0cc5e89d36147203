package fakekit

import (
	"sync"
	"time"
)

// Ledger is the bookkeeping a fake keeps for its tests: the restatement
// version of each day, the pages it sent and the token requests it
// answered. Its zero value is ready; it is safe for concurrent use.
//
// A fake embeds it, so that its Restate, Pages and TokenRequests are the
// Server's, and its handlers call Version, AddPage and AddTokenRequest.
// Ledger takes only its own mutex: a fake may call it while holding its
// own, and Ledger never calls back into the fake.
type Ledger struct {
	mu       sync.Mutex
	versions map[int64]int // by day since the Unix epoch
	pages    int
	tokenReq int
}

// ledgerDay is the key of day: whole days since the Unix epoch.
func ledgerDay(day time.Time) int64 { return day.Unix() / 86400 }

// Restate bumps the version of day, so that the fake answers that day
// with changed values, as a platform does when it restates.
func (l *Ledger) Restate(day time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.versions == nil {
		l.versions = map[int64]int{}
	}
	l.versions[ledgerDay(day)]++
}

// Version returns how many times day was restated (0 for never).
func (l *Ledger) Version(day time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.versions[ledgerDay(day)]
}

// AddPage counts a page sent.
func (l *Ledger) AddPage() { l.AddPages(1) }

// AddPages counts n pages sent.
func (l *Ledger) AddPages(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pages += n
}

// Pages returns how many pages were counted.
func (l *Ledger) Pages() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pages
}

// AddTokenRequest counts a token request answered.
func (l *Ledger) AddTokenRequest() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokenReq++
}

// TokenRequests returns how many token requests were counted.
func (l *Ledger) TokenRequests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokenReq
}
