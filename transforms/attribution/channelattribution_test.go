package attribution

import (
	"context"
	"math"
	"os"
	"testing"
)

// Data.csv is the example data of the ChannelAttribution package; the
// published figures of version 2.2.4 are in ../shared/data/README.md.

func loadDataCSV(t testing.TB) *Journeys {
	t.Helper()
	f, err := os.Open(sharedData(t, "channel_attribution/Data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := ParsePaths(f, PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestDataCSVTotals(t *testing.T) {
	j := loadDataCSV(t)
	conv, val, nulls := j.Totals()
	if conv != 19785 || nulls != 68602 || math.Abs(val-74802.97) > 0.005 { // published to the cent
		t.Errorf("totals %v conversions, %v value, %v nulls; want 19785, 74802.97, 68602", conv, val, nulls)
	}
	if len(j.Channels) != 12 {
		t.Errorf("%d channels %v, want 12", len(j.Channels), j.Channels)
	}
}

func TestDataCSVFirstAndLastTouchMatchChannelAttribution(t *testing.T) {
	j := loadDataCSV(t)
	published := map[string][2]float64{ // first touch, last touch
		"alpha": {6308, 8447}, "iota": {4606, 3355}, "eta": {3164, 4167}, "beta": {2831, 989},
		"theta": {1606, 653}, "lambda": {902, 1207}, "gamma": {165, 92}, "epsilon": {99, 531},
		"kappa": {74, 230}, "zeta": {27, 107}, "mi": {2, 2}, "delta": {1, 5},
	}
	rs := runAll(t, j, Spec{Model: FirstTouch}, Spec{Model: LastTouch})
	for ch, want := range published {
		if _, ok := j.Channel(ch); !ok {
			t.Errorf("channel %s missing", ch)
		}
		first, _ := rs["first_touch"].Credit(ch)
		last, _ := rs["last_touch"].Credit(ch)
		if first != want[0] || last != want[1] {
			t.Errorf("%s: first touch %v, last touch %v; published %v, %v", ch, first, last, want[0], want[1])
		}
	}
}

func TestDataCSVMarkovOrder1NearChannelAttributionSimulation(t *testing.T) {
	j := loadDataCSV(t)
	// ChannelAttribution 2.2.4 markov_model(order 1, seed 0), simulated.
	published := map[string]float64{"alpha": 5357, "iota": 3795, "eta": 3346, "beta": 2550}
	r := runAll(t, j, Spec{Model: Markov})["markov"]
	st := r.Markov
	t.Logf("P(conv) %.6f, %d states, %d transitions, %s", st.ConversionProbability, st.States, st.Transitions, st.Solver)
	for _, ch := range []string{"alpha", "iota", "eta", "beta"} {
		got, _ := r.Credit(ch)
		dev := got/published[ch] - 1
		t.Logf("%-6s exact %9.2f  published %6.0f  deviation %+.2f%%", ch, got, published[ch], 100*dev)
		if math.Abs(dev) > 0.05 {
			t.Errorf("%s: %v conversions, %.1f%% from the published %v", ch, got, 100*dev, published[ch])
		}
	}
	for i, ch := range j.Channels {
		t.Logf("%-8s removal effect %.6f credit %9.3f value %9.3f", ch, st.RemovalEffects[i], r.Conversions[i], r.Value[i])
	}

	// Deterministic: the same bits on every run, whichever solver.
	again := runAll(t, j, Spec{Model: Markov})["markov"]
	var gs Result
	withSolver(0, func() { gs = runAll(t, j, Spec{Model: Markov})["markov"] })
	for i := range j.Channels {
		if again.Conversions[i] != r.Conversions[i] || again.Value[i] != r.Value[i] {
			t.Errorf("%s: second run %v, first %v", j.Channels[i], again.Conversions[i], r.Conversions[i])
		}
		if !near(gs.Conversions[i], r.Conversions[i], 1e-11) {
			t.Errorf("%s: Gauss-Seidel %v, dense %v", j.Channels[i], gs.Conversions[i], r.Conversions[i])
		}
	}
	// Dropping self-loops (collapsing repeats) changes nothing at order 1.
	c := runAll(t, j, Spec{Model: Markov, Collapse: true})["markov_collapsed"]
	for i := range j.Channels {
		if !near(c.Conversions[i], r.Conversions[i], 1e-11) {
			t.Errorf("%s: collapsed %v, not %v", j.Channels[i], c.Conversions[i], r.Conversions[i])
		}
	}
}

func TestDataCSVEveryModelBalancesAndShapleyEqualsCoalitionSum(t *testing.T) {
	j := loadDataCSV(t)
	specs := allSpecs()
	for _, s := range allSpecs() {
		s.Collapse = true
		specs = append(specs, s)
	}
	rs, err := Run(context.Background(), j, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Markov != nil {
			t.Logf("%s: %d states, %d transitions, P(conv) %.6f, %s, %d sweeps", r.Model, r.Markov.States, r.Markov.Transitions, r.Markov.ConversionProbability, r.Markov.Solver, r.Markov.Sweeps)
		}
	}
	want := shapleyByCoalitions(t, j)
	var got Result
	for _, r := range rs {
		if r.Model == "shapley" {
			got = r
		}
	}
	for i, ch := range j.Channels {
		if !near(got.Conversions[i], want[i], 1e-9) {
			t.Errorf("%s: closed form %v, coalition sum %v", ch, got.Conversions[i], want[i])
		}
	}
}

func TestDataCSVHigherOrderGaussSeidelMatchesDense(t *testing.T) {
	j := loadDataCSV(t)
	ctx := context.Background()
	for order := 2; order <= 3; order++ {
		ch, err := NewChain(j, order)
		if err != nil {
			t.Fatal(err)
		}
		dense, gs := solveBoth(t, ctx, ch)
		t.Logf("order %d: %d states, P(conv) dense %.15f, Gauss-Seidel %.15f (%d sweeps)", order, ch.States(), dense.ConversionProbability, gs.ConversionProbability, gs.Sweeps)
		if !near(gs.ConversionProbability, dense.ConversionProbability, 1e-13) {
			t.Errorf("order %d: P(conv) %v vs %v", order, gs.ConversionProbability, dense.ConversionProbability)
		}
		for c := range j.Channels {
			if !near(gs.RemovalEffects[c], dense.RemovalEffects[c], 1e-12) {
				t.Errorf("order %d, %s: removal effect %v (Gauss-Seidel) vs %v (dense)", order, j.Channels[c], gs.RemovalEffects[c], dense.RemovalEffects[c])
			}
		}
	}
}
