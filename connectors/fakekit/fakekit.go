package fakekit

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// RandomHex returns n random bytes in hex: the random part of a fake's
// canary secrets and of the tokens it issues, so that a leak in a log or
// an error is recognisable.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Faults counts the requests a fake answers and holds the faults injected
// for them by request number. Its zero value is ready; it is safe for
// concurrent use.
//
// The fake's handler calls Count for each request that counts, then
// Fault for the fault to answer it with.
type Faults struct {
	mu     sync.Mutex
	n      int
	inject map[int]string
}

// Inject makes the nth counted request from now (1 = the next) answer
// with the fault kind. Each injection fires once.
func (f *Faults) Inject(n int, kind string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inject == nil {
		f.inject = map[int]string{}
	}
	f.inject[f.n+n] = kind
}

// Count counts a request and returns its number (1 for the first).
func (f *Faults) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return f.n
}

// Fault returns the fault injected for the request last counted, or ""
// for none, and clears it.
func (f *Faults) Fault() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	kind := f.inject[f.n]
	delete(f.inject, f.n)
	return kind
}

// Requests returns how many requests were counted.
func (f *Faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
