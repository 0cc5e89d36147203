package attribution

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestEmptyInputGivesZeroCredit(t *testing.T) {
	j, err := ParsePaths(strings.NewReader("path,total_conversions,total_conversion_value,total_null\n"), PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []*Journeys{j, {}} {
		rs, err := Run(context.Background(), in, allSpecs())
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(allSpecs()) {
			t.Fatalf("%d results", len(rs))
		}
		for _, r := range rs {
			if len(r.Conversions) != 0 || r.TotalConversions != 0 {
				t.Errorf("%s: %+v", r.Model, r)
			}
		}
	}
}

func TestOneChannelPathGetsEverything(t *testing.T) {
	j := build(t, row{"a", 3, 30, 1})
	for name, r := range runAll(t, j, allSpecs()...) {
		if r.Conversions[0] != 3 || r.Value[0] != 30 {
			t.Errorf("%s: %v, %v", name, r.Conversions, r.Value)
		}
	}
}

func TestAllNullInputCreditsNothing(t *testing.T) {
	j := build(t, row{"a > b", 0, 0, 5}, row{"b", 0, 0, 2}, row{"c > a > c", 0, 0, 1})
	for name, r := range runAll(t, j, allSpecs()...) {
		for i, c := range r.Conversions {
			if c != 0 || r.Value[i] != 0 || math.IsNaN(c) {
				t.Errorf("%s: %s gets %v, %v", name, j.Channels[i], c, r.Value[i])
			}
		}
		if r.Markov != nil && r.Markov.ConversionProbability != 0 {
			t.Errorf("%s: P(conv) %v", name, r.Markov.ConversionProbability)
		}
	}
}

func TestChannelOnlyInNullPaths(t *testing.T) {
	// z alone never converts: no model credits it.
	j := build(t, row{"a > b", 2, 20, 1}, row{"b", 1, 5, 1}, row{"z", 0, 0, 7})
	for name, r := range runAll(t, j, allSpecs()...) {
		if c, v := r.Credit("z"); c != 0 || v != 0 {
			t.Errorf("%s credits z, seen only alone in null paths: %v, %v", name, c, v)
		}
	}
	// y leads into a converting channel in a null path: the heuristics and
	// Shapley still give it nothing, but the first-order chain sees
	// y -> a -> b, so removing y loses conversions and it gets credit.
	// Higher orders keep (y,a) apart from ((start),a), and (y,a) never
	// converts: no credit.
	j = build(t, row{"a > b", 2, 20, 1}, row{"b", 1, 5, 1}, row{"y > a", 0, 0, 3})
	for name, r := range runAll(t, j, allSpecs()...) {
		c, _ := r.Credit("y")
		if name == "markov" {
			if !(c > 0) {
				t.Errorf("%s: y gets %v, want > 0", name, c)
			}
		} else if c != 0 {
			t.Errorf("%s credits y: %v", name, c)
		}
	}
}

func TestVeryLongPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "c", "d", "e"}
	b := NewBuilder()
	for k := 0; k < 20; k++ {
		p := make([]string, 1000)
		for i := range p {
			p[i] = names[rng.IntN(len(names))]
		}
		if err := b.AddNames(p, nil, float64(k%3), float64(k)*1.5, 1); err != nil {
			t.Fatal(err)
		}
	}
	// A 1,000-touch cycle a > b > a > b ...: near-certain continuation.
	cyc := make([]string, 1000)
	for i := range cyc {
		cyc[i] = names[i%2]
	}
	if err := b.AddNames(cyc, nil, 1, 2, 1); err != nil {
		t.Fatal(err)
	}
	j := b.Journeys()
	specs := allSpecs()
	specs = append(specs, Spec{Model: TimeDecay, HalfLifeTouches: 0.1, Name: "steep"})
	rs := runAll(t, j, specs...)
	for name, r := range rs {
		for i, c := range r.Conversions {
			if math.IsNaN(c) || c < 0 {
				t.Errorf("%s: %s gets %v", name, j.Channels[i], c)
			}
		}
	}
	// Gauss–Seidel through the long cycle agrees with dense LU.
	withSolver(0, func() {
		gs := runAll(t, j, Spec{Model: Markov}, Spec{Model: Markov, Order: 2})
		for _, m := range []string{"markov", "markov_2"} {
			for i := range j.Channels {
				if !near(gs[m].Conversions[i], rs[m].Conversions[i], 1e-10) {
					t.Errorf("%s %s: Gauss-Seidel %v, dense %v", m, j.Channels[i], gs[m].Conversions[i], rs[m].Conversions[i])
				}
			}
		}
	})
}

func TestLastNonDirect(t *testing.T) {
	j := build(t, row{"a > direct", 1, 10, 0}, row{"direct > direct", 2, 20, 0}, row{"direct > b > direct", 4, 40, 0}, row{"b", 8, 80, 0})
	r := runAll(t, j, Spec{Model: LastNonDirect})["last_non_direct"]
	for ch, want := range map[string]float64{"a": 1, "direct": 2, "b": 12} {
		if c, v := r.Credit(ch); c != want || v != 10*want {
			t.Errorf("%s: %v, %v; want %v", ch, c, v, want)
		}
	}
	r = runAll(t, j, Spec{Model: LastNonDirect, Direct: "b"})["last_non_direct"]
	if c, _ := r.Credit("direct"); c != 7 {
		t.Errorf("with b as direct, direct gets %v, want 7", c)
	}
}

func TestTimeDecayInDays(t *testing.T) {
	b := NewBuilder()
	ids := []int32{b.Channel("a"), b.Channel("b"), b.Channel("c")}
	// 14, 7 and 0 days before conversion, half-life 7 days: weights 1/4, 1/2, 1.
	if err := b.Add(ids, []float64{14, 7, 0}, 7, 70, 0); err != nil {
		t.Fatal(err)
	}
	// Shifted by 1000 days, the same shares (no underflow).
	if err := b.Add(ids, []float64{1014, 1007, 1000}, 7, 0, 3); err != nil {
		t.Fatal(err)
	}
	j := b.Journeys()
	r := runAll(t, j, Spec{Model: TimeDecay, HalfLifeDays: 7})["time_decay"]
	for i, want := range []float64{2, 4, 8} {
		if !near(r.Conversions[i], want, 1e-12) || !near(r.Value[i], 5*want, 1e-12) {
			t.Errorf("%s: %v, %v; want %v", j.Channels[i], r.Conversions[i], r.Value[i], want)
		}
	}
	// Half-life in touches ignores times: 2 touches of half-life 2.
	r = runAll(t, build(t, row{"a > b", 1, 0, 0}), Spec{Model: TimeDecay, HalfLifeTouches: 2})["time_decay"]
	w := math.Sqrt(0.5)
	if !near(r.Conversions[0], w/(1+w), 1e-12) {
		t.Errorf("half-life 2 touches: a gets %v, want %v", r.Conversions[0], w/(1+w))
	}
	// Days without times is an error.
	_, err := Run(context.Background(), build(t, row{"a", 1, 0, 0}), []Spec{{Model: TimeDecay, HalfLifeDays: 7}})
	if err == nil || !strings.Contains(err.Error(), "no touch times") {
		t.Errorf("time decay in days without times: %v", err)
	}
}

func TestPositionBasedWeights(t *testing.T) {
	j := build(t, row{"a > b", 1, 0, 0}, row{"a > b > c > d", 1, 0, 0})
	r := runAll(t, j, Spec{Model: PositionBased, Positions: [3]float64{0.3, 0.6, 0.1}})["position_based"]
	want := []float64{0.75 + 0.3, 0.25 + 0.3, 0.3, 0.1}
	for i := range want {
		if !near(r.Conversions[i], want[i], 1e-12) {
			t.Errorf("%s: %v, want %v", j.Channels[i], r.Conversions[i], want[i])
		}
	}
}

func TestCollapseMergesRepeats(t *testing.T) {
	j := build(t, row{"a > a > b", 3, 0, 1}, row{"a > b > b", 1, 0, 0})
	r := runAll(t, j, Spec{Model: Linear, Collapse: true}, Spec{Model: Linear})
	if c, _ := r["linear_collapsed"].Credit("a"); c != 2 {
		t.Errorf("collapsed linear: a gets %v, want 2", c)
	}
	if c, _ := r["linear"].Credit("a"); !near(c, 2+1.0/3, 1e-12) {
		t.Errorf("linear: a gets %v, want 7/3", c)
	}
	cj := j.Collapse()
	if len(cj.Paths) != 1 || cj.Paths[0].Conversions != 4 || cj.Paths[0].Nulls != 1 {
		t.Errorf("collapsed paths %+v, want one a > b with 4 and 1", cj.Paths)
	}
	// A merged touch keeps the time of its last touch.
	b := NewBuilder()
	a, bb := b.Channel("a"), b.Channel("b")
	if err := b.Add([]int32{a, a, bb}, []float64{9, 4, 1}, 1, 0, 0); err != nil {
		t.Fatal(err)
	}
	cj = b.Journeys().Collapse()
	if got := cj.Paths[0].Times; len(got) != 2 || got[0] != 4 || got[1] != 1 {
		t.Errorf("collapsed times %v, want [4 1]", got)
	}
}

func TestMarkovOrder2SeesWhereAChannelLeads(t *testing.T) {
	// Both paths pass through b; only a > b converts. Order 1 cannot tell
	// and splits: a 1/4, b 1/2, c 1/4. Order 2 sees (a,b) convert and
	// (c,b) not: removing c changes nothing, so c gets 0.
	j := build(t, row{"a > b", 1, 0, 0}, row{"c > b", 0, 0, 1})
	rs := runAll(t, j, Spec{Model: Markov}, Spec{Model: Markov, Order: 2})
	for _, tc := range []struct {
		model string
		want  []float64
	}{{"markov", []float64{0.25, 0.5, 0.25}}, {"markov_2", []float64{0.5, 0.5, 0}}} {
		for i, w := range tc.want {
			if !near(rs[tc.model].Conversions[i], w, 1e-12) {
				t.Errorf("%s %s: %v, want %v", tc.model, j.Channels[i], rs[tc.model].Conversions[i], w)
			}
		}
	}
	ch, err := NewChain(j, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range ch.Transitions() {
		got = append(got, tr.From+" -> "+tr.To)
	}
	want := "(start) -> (start),a|(start) -> (start),c|(start),a -> a,b|(start),c -> c,b|a,b -> (conversion)|c,b -> (null)"
	if strings.Join(got, "|") != want {
		t.Errorf("transitions\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestMarkovGaussSeidelMatchesDenseOnRandomJourneys(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	b := NewBuilder()
	names := []string{"a", "b", "c", "d", "e", "f"}
	for k := 0; k < 400; k++ {
		p := make([]string, 1+rng.IntN(8))
		for i := range p {
			p[i] = names[rng.IntN(len(names))]
		}
		conv := float64(rng.IntN(3))
		if err := b.AddNames(p, nil, conv, conv*rng.Float64()*100, float64(rng.IntN(4))); err != nil {
			t.Fatal(err)
		}
	}
	j := b.Journeys()
	ctx := context.Background()
	for order := 1; order <= MaxMarkovOrder; order++ {
		ch, err := NewChain(j, order)
		if err != nil {
			t.Fatal(err)
		}
		dense, gs := solveBoth(t, ctx, ch)
		t.Logf("order %d: %d states, %s and %s (%d sweeps)", order, ch.States(), dense.Solver, gs.Solver, gs.Sweeps)
		if !near(gs.ConversionProbability, dense.ConversionProbability, 1e-13) {
			t.Errorf("order %d: P(conv) %v vs %v", order, gs.ConversionProbability, dense.ConversionProbability)
		}
		for c := range names {
			if !near(gs.RemovalEffects[c], dense.RemovalEffects[c], 1e-12) {
				t.Errorf("order %d %s: %v vs %v", order, names[c], gs.RemovalEffects[c], dense.RemovalEffects[c])
			}
		}
		// A first-order chain fitted to whole walks conserves flow, so
		// P(conv) is the share of converting journeys at every order.
		conv, _, nulls := j.Totals()
		if !near(dense.ConversionProbability, conv/(conv+nulls), 1e-12) {
			t.Errorf("order %d: P(conv) %v, conversion rate %v", order, dense.ConversionProbability, conv/(conv+nulls))
		}
	}
}

func TestRunRejectsBadSpecsAndJourneys(t *testing.T) {
	j := build(t, row{"a > b", 1, 1, 0})
	bad := []struct {
		name  string
		specs []Spec
		want  string
	}{
		{"unknown model", []Spec{{Model: "last_click"}}, `unknown attribution model "last_click"`},
		{"markov order 5", []Spec{{Model: Markov, Order: 5}}, "markov order 5"},
		{"two labels alike", []Spec{{Model: Linear}, {Model: Linear}}, `both labelled "linear"`},
		{"both half-lives", []Spec{{Model: TimeDecay, HalfLifeDays: 7, HalfLifeTouches: 1}}, "set one"},
		{"negative half-life", []Spec{{Model: TimeDecay, HalfLifeDays: -1}}, "half-life of -1 days"},
		{"positions not summing to 1", []Spec{{Model: PositionBased, Positions: [3]float64{0.5, 0.5, 0.5}}}, "sum to 1.5"},
	}
	for _, tt := range bad {
		if _, err := Run(context.Background(), j, tt.specs); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	broken := []*Journeys{
		{Channels: []string{"a"}, Paths: []Path{{Channels: []int32{1}, Conversions: 1}}},
		{Channels: []string{"a"}, Paths: []Path{{Channels: []int32{0}, Conversions: -1}}},
		{Channels: []string{"a"}, Paths: []Path{{Channels: []int32{0}, Times: []float64{1, 2}}}},
		{Channels: []string{"a"}, Paths: []Path{{}}},
		{Channels: []string{"a", "a"}},
		{Channels: []string{""}},
	}
	for i, bj := range broken {
		if _, err := Run(context.Background(), bj, allSpecs()); err == nil || !strings.Contains(err.Error(), "invalid journeys") {
			t.Errorf("broken journeys %d: %v", i, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, j, allSpecs()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestBalanceCheckReportsMismatch(t *testing.T) {
	err := balanced("conversions", []float64{1, 2}, 3.0001, 3.0001)
	if !errors.Is(err, ErrUnbalanced) {
		t.Errorf("3 vs 3.0001: %v", err)
	}
	if err := balanced("value", []float64{1, 2}, 3*(1+1e-12), 3); err != nil {
		t.Errorf("within tolerance: %v", err)
	}
	if err := balanced("value", []float64{math.NaN()}, 0, 0); !errors.Is(err, ErrUnbalanced) {
		t.Errorf("NaN: %v", err)
	}
}

func TestBuilderAggregatesAndChecks(t *testing.T) {
	b := NewBuilder()
	if err := b.AddNames([]string{"a", "b"}, nil, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := b.AddNames([]string{"a", "b"}, nil, 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := b.AddNames([]string{"a", "b"}, []float64{2, 1}, 1, 0, 0); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		b.Add(nil, nil, 1, 0, 0),
		b.Add([]int32{5}, nil, 1, 0, 0),
		b.Add([]int32{0}, []float64{-1}, 1, 0, 0),
		b.Add([]int32{0}, nil, math.NaN(), 0, 0),
		b.Add([]int32{0}, nil, 1, math.Inf(1), 0),
		b.AddNames([]string{" "}, nil, 1, 0, 0),
	} {
		if err == nil {
			t.Error("bad path accepted")
		}
	}
	if b.Len() != 2 {
		t.Errorf("%d distinct paths, want 2 (times make a path distinct)", b.Len())
	}
	j := b.Journeys()
	if p := j.Paths[0]; p.Conversions != 2 || p.Value != 4 || p.Nulls != 6 {
		t.Errorf("aggregated %+v", p)
	}
	if j.Count() != 9 {
		t.Errorf("count %v, want 9", j.Count())
	}
}

func TestManyChannels(t *testing.T) {
	// 150 channels: Markov keeps successors in a map instead of a slice,
	// Shapley stays exact (closed form), every model balances.
	rng := rand.New(rand.NewPCG(5, 6))
	b := NewBuilder()
	for k := 0; k < 3000; k++ {
		p := make([]string, 1+rng.IntN(6))
		for i := range p {
			p[i] = "ch" + strconv.Itoa(rng.IntN(150))
		}
		if err := b.AddNames(p, nil, float64(rng.IntN(2)), float64(rng.IntN(100)), float64(rng.IntN(3))); err != nil {
			t.Fatal(err)
		}
	}
	j := b.Journeys()
	if len(j.Channels) != 150 {
		t.Fatalf("%d channels", len(j.Channels))
	}
	specs := allSpecs()
	rs := runAll(t, j, specs...)
	old := denseSuccessors
	denseSuccessors = 1 << 20
	defer func() { denseSuccessors = old }()
	slice := runAll(t, j, Spec{Model: Markov}, Spec{Model: Markov, Order: 3})
	for _, m := range []string{"markov", "markov_3"} {
		for i := range j.Channels {
			if slice[m].Conversions[i] != rs[m].Conversions[i] {
				t.Errorf("%s %s: %v with a slice, %v with a map", m, j.Channels[i], slice[m].Conversions[i], rs[m].Conversions[i])
			}
		}
	}
}
