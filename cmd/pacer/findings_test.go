package main

import (
	"path/filepath"
	"testing"
)

// The demo company plants a problem three weeks before its last day: paid
// social's landing pages break, its spend holds and its orders fall. The
// evaluation must lead with it, labelled execution.
func TestDemoLeadsWithThePlantedProblem(t *testing.T) {
	cfg := filepath.Join(newDemo(t), "pacer.yaml")
	got := query(t, cfg, "SELECT rule || '|' || scope || '|' || kind AS top FROM marts.findings WHERE rank = 1")
	if want := "top\nconversion_rate_drop|channel=paid_social|execution"; got != want {
		t.Errorf("top finding:\n%s\nwant:\n%s", got, want)
	}
}
