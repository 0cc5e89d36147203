package attribution

import (
	"os"
	"testing"
)

// TestWriteBenchFile writes the synthetic 1 M-journey path file of the
// benchmarks to $PACER_BENCH_PATHS (skipped when unset), so that `pacer
// attribute` and other tools can be timed on the same input:
//
//	PACER_BENCH_PATHS=/tmp/paths_1m.csv go test -run WriteBenchFile ./transforms/attribution/
//	/usr/bin/time -v bin/pacer attribute --paths /tmp/paths_1m.csv
func TestWriteBenchFile(t *testing.T) {
	out := os.Getenv("PACER_BENCH_PATHS")
	if out == "" {
		t.Skip("set PACER_BENCH_PATHS to write the file")
	}
	_, file := synthInput(t)
	if err := os.WriteFile(out, file, 0o644); err != nil {
		t.Fatal(err)
	}
}
