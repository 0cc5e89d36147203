package fakekit

import "testing"

func TestFaults(t *testing.T) {
	var f Faults
	f.Inject(2, "throttle")
	f.Count()
	if k := f.Fault(); k != "" {
		t.Errorf("request 1: %q", k)
	}
	f.Count()
	if k := f.Fault(); k != "throttle" {
		t.Errorf("request 2: %q", k)
	}
	f.Inject(1, "server_error") // request 3
	if k := f.Fault(); k != "" {
		t.Errorf("request 2 again: %q, want it fired once", k)
	}
	if n := f.Count(); n != 3 || f.Fault() != "server_error" || f.Requests() != 3 {
		t.Errorf("request %d", n)
	}
}

func TestRandomHex(t *testing.T) {
	a, b := RandomHex(8), RandomHex(8)
	if len(a) != 16 || a == b {
		t.Errorf("%s %s", a, b)
	}
}
