package demo_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/transforms/goals"
)

// TestTargetsYAMLLoads checks the generated targets.yaml against the
// product's own targets validation, at both scales.
func TestTargetsYAMLLoads(t *testing.T) {
	end := time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC)
	for _, scale := range []string{"small", "large"} {
		raw, err := demo.TargetsYAMLForScale(scale, demo.DefaultStartDate(), end)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "targets.yaml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		targets, err := pipelines.LoadTargets(path)
		if err != nil {
			t.Fatalf("%s: %v", scale, err)
		}
		for _, tg := range targets.Targets {
			if _, ok := goals.LookupMetric(tg.Metric); !ok {
				t.Errorf("%s: metric %s", scale, tg.Metric)
			}
		}
	}
}
