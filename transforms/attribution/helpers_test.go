package attribution

import (
	"context"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData returns the path of a file of the shared test data (outside
// the repository: ../shared/data next to it, or $PACER_SHARED_DATA), and
// skips the test when it is missing.
func sharedData(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("PACER_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s not found (set PACER_SHARED_DATA to the shared/data folder): %v", p, err)
	}
	return p
}

// rat parses an exact answer ("11/6") as a float64.
func rat(t testing.TB, s string) float64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad exact answer %q", s)
	}
	f, _ := r.Float64()
	return f
}

// near reports whether got is within tol of want, relative to max(1, |want|).
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// build makes journeys from "a > b" path strings with conversions, value
// and nulls.
type row struct {
	path               string
	conv, value, nulls float64
}

func build(t testing.TB, rows ...row) *Journeys {
	t.Helper()
	b := NewBuilder()
	for _, r := range rows {
		names := strings.Split(r.path, ">")
		for i := range names {
			names[i] = strings.TrimSpace(names[i])
		}
		if err := b.AddNames(names, nil, r.conv, r.value, r.nulls); err != nil {
			t.Fatalf("%q: %v", r.path, err)
		}
	}
	return b.Journeys()
}

// allSpecs is every model with its defaults, Markov in each order.
func allSpecs() []Spec {
	s := []Spec{{Model: FirstTouch}, {Model: LastTouch}, {Model: LastNonDirect}, {Model: Linear},
		{Model: TimeDecay}, {Model: PositionBased}, {Model: Shapley}}
	for k := 1; k <= MaxMarkovOrder; k++ {
		s = append(s, Spec{Model: Markov, Order: k})
	}
	return s
}

// runAll runs specs and fails the test on error.
func runAll(t testing.TB, j *Journeys, specs ...Spec) map[string]Result {
	t.Helper()
	rs, err := Run(context.Background(), j, specs)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]Result, len(rs))
	for _, r := range rs {
		out[r.Model] = r
	}
	return out
}

// withSolver runs f with chains up to max states solved densely.
func withSolver(max int, f func()) {
	old := denseMax
	denseMax = max
	defer func() { denseMax = old }()
	f()
}

// solveBoth solves ch with the dense solver and with Gauss–Seidel.
func solveBoth(t *testing.T, ctx context.Context, ch *Chain) (dense, gs *MarkovStats) {
	t.Helper()
	var err error
	withSolver(1<<20, func() { dense, err = ch.Solve(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	withSolver(0, func() { gs, err = ch.Solve(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	return dense, gs
}
