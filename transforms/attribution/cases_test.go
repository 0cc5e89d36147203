package attribution

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"testing"
)

// The hand-checked cases of attribution_cases.json; its method_notes
// state the conventions the package follows.
type answer struct {
	Value float64 `json:"value"`
	Exact string  `json:"exact"`
}

type casesFile struct {
	MethodNotes map[string]string `json:"method_notes"`
	Cases       []struct {
		Name  string `json:"name"`
		Paths []struct {
			Path        []string `json:"path"`
			Conversions float64  `json:"conversions"`
			Nulls       float64  `json:"nulls"`
			Value       *string  `json:"value"`
		} `json:"paths"`
		Channels            []string                     `json:"channels"`
		TotalConversions    float64                      `json:"total_conversions"`
		TotalValue          *string                      `json:"total_value"`
		ExpectedConversions map[string]map[string]answer `json:"expected_conversions"`
		ExpectedValue       map[string]map[string]answer `json:"expected_value"`
		ExpectedMarkov      struct {
			PConversion    answer                        `json:"p_conversion_from_start"`
			RemovalEffects map[string]answer             `json:"removal_effects"`
			Transitions    map[string]map[string]float64 `json:"transition_counts_with_self_loops"`
		} `json:"expected_markov"`
	} `json:"cases"`
}

// caseSpecs maps the answer keys of the file to specs.
var caseSpecs = map[string]Spec{
	"first_touch":             {Model: FirstTouch},
	"last_touch":              {Model: LastTouch},
	"linear":                  {Model: Linear},
	"time_decay_half_life_1":  {Model: TimeDecay, HalfLifeTouches: 1},
	"position_based_40_20_40": {Model: PositionBased, Positions: [3]float64{0.4, 0.2, 0.4}},
	"markov":                  {Model: Markov, Order: 1},
	"markov_scaled":           {Model: Markov, Order: 1},
	"shapley":                 {Model: Shapley},
}

func loadCases(t *testing.T) casesFile {
	t.Helper()
	data, err := os.ReadFile(sharedData(t, "attribution_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f casesFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	return f
}

func TestCasesEveryModelMatchesExactAnswers(t *testing.T) {
	f := loadCases(t)
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			b := NewBuilder()
			for _, p := range c.Paths {
				v := 0.0
				if p.Value != nil {
					v = rat(t, *p.Value)
				}
				if err := b.AddNames(p.Path, nil, p.Conversions, v, p.Nulls); err != nil {
					t.Fatal(err)
				}
			}
			j := b.Journeys()
			conv, val, _ := j.Totals()
			if conv != c.TotalConversions {
				t.Errorf("total conversions %v, file says %v", conv, c.TotalConversions)
			}
			if c.TotalValue != nil && !near(val, rat(t, *c.TotalValue), 1e-12) {
				t.Errorf("total value %v, file says %s", val, *c.TotalValue)
			}
			check := func(kind string, answers map[string]map[string]answer) {
				keys := make([]string, 0, len(answers))
				for k := range answers {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, key := range keys {
					spec, ok := caseSpecs[key]
					if !ok {
						t.Errorf("%s: no spec for answer key %q: map it in caseSpecs", kind, key)
						continue
					}
					// Each model runs with and without the collapse of
					// repeats where the notes say it changes nothing.
					variants := []Spec{spec}
					if spec.Model == Markov {
						sc := spec
						sc.Collapse = true
						variants = append(variants, sc)
					}
					for _, s := range variants {
						for _, dense := range []int{300, 0} {
							if s.Model != Markov && dense == 0 {
								continue
							}
							var r Result
							withSolver(dense, func() { r = runAll(t, j, s)[s.Label()] })
							for ch, want := range answers[key] {
								conv, value := r.Credit(ch)
								got := conv
								if kind == "value" {
									got = value
								}
								if !near(got, rat(t, want.Exact), 1e-9) {
									t.Errorf("%s %s (collapse %v, dense up to %d states) %s: got %.12g, want %s", kind, key, s.Collapse, dense, ch, got, want.Exact)
								}
							}
						}
					}
				}
			}
			check("conversions", c.ExpectedConversions)
			check("value", c.ExpectedValue)

			// Last non-direct is last touch when no channel is direct.
			rs := runAll(t, j, Spec{Model: LastTouch}, Spec{Model: LastNonDirect})
			for i := range j.Channels {
				if rs["last_touch"].Conversions[i] != rs["last_non_direct"].Conversions[i] {
					t.Errorf("last non-direct differs from last touch without direct touches")
				}
			}

			// The chain itself: P(conv), removal effects, transitions.
			em := c.ExpectedMarkov
			for _, dense := range []int{300, 0} {
				withSolver(dense, func() {
					ch, err := NewChain(j, 1)
					if err != nil {
						t.Fatal(err)
					}
					st, err := ch.Solve(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if !near(st.ConversionProbability, rat(t, em.PConversion.Exact), 1e-12) {
						t.Errorf("%s: P(conv) %.15g, want %s", st.Solver, st.ConversionProbability, em.PConversion.Exact)
					}
					for name, want := range em.RemovalEffects {
						id, _ := j.Channel(name)
						if got := st.RemovalEffects[id]; !near(got, rat(t, want.Exact), 1e-12) {
							t.Errorf("%s: removal effect of %s %.15g, want %s", st.Solver, name, got, want.Exact)
						}
					}
					got := map[string]map[string]float64{}
					for _, tr := range ch.Transitions() {
						if got[tr.From] == nil {
							got[tr.From] = map[string]float64{}
						}
						got[tr.From][tr.To] = tr.Weight
					}
					if !sameTransitions(got, em.Transitions) {
						t.Errorf("transitions %v, want %v", got, em.Transitions)
					}
				})
			}
		})
	}
}

func sameTransitions(a, b map[string]map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for from, row := range a {
		if len(row) != len(b[from]) {
			return false
		}
		for to, w := range row {
			if b[from][to] != w {
				return false
			}
		}
	}
	return true
}

func TestCasesShapleyClosedFormEqualsCoalitionSum(t *testing.T) {
	f := loadCases(t)
	for _, c := range f.Cases {
		b := NewBuilder()
		for _, p := range c.Paths {
			if err := b.AddNames(p.Path, nil, p.Conversions, 0, p.Nulls); err != nil {
				t.Fatal(err)
			}
		}
		j := b.Journeys()
		want := shapleyByCoalitions(t, j)
		got := runAll(t, j, Spec{Model: Shapley})["shapley"]
		for i, ch := range j.Channels {
			if !near(got.Conversions[i], want[i], 1e-12) {
				t.Errorf("%s %s: closed form %v, coalition sum %v", c.Name, ch, got.Conversions[i], want[i])
			}
		}
	}
}

// shapleyByCoalitions is the textbook Shapley value of
// v(S) = Σ conversions of paths whose channel set is a subset of S, summed
// over all 2^n coalitions (the empty one included) with bitmasks.
func shapleyByCoalitions(t testing.TB, j *Journeys) []float64 {
	n := len(j.Channels)
	if n > 20 {
		t.Fatalf("%d channels: too many for the coalition sum", n)
	}
	v := make([]float64, 1<<n)
	for _, p := range j.Paths {
		mask := 0
		for _, c := range p.Channels {
			mask |= 1 << c
		}
		v[mask] += p.Conversions
	}
	// v(S) = Σ_{T ⊆ S} w(T): the subset-sum (zeta) transform.
	for i := 0; i < n; i++ {
		for s := range v {
			if s&(1<<i) != 0 {
				v[s] += v[s^(1<<i)]
			}
		}
	}
	// weight[k] = k!(n-k-1)!/n!
	weight := make([]float64, n)
	for k := range weight {
		w := 1.0 / float64(n)
		// k!(n-1-k)!/(n-1)! = 1/C(n-1, k)
		for i := 1; i <= k; i++ {
			w *= float64(i) / float64(n-i)
		}
		weight[k] = w
	}
	phi := make([]float64, n)
	for s := range v {
		k := popcount(s)
		for c := 0; c < n; c++ {
			if s&(1<<c) == 0 {
				phi[c] += weight[k] * (v[s|1<<c] - v[s])
			}
		}
	}
	return phi
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestParseSpecNamesFromConfig(t *testing.T) {
	for _, m := range Models {
		s, err := ParseSpec(string(m))
		if err != nil || s.Model != m || s.Label() != string(m) {
			t.Errorf("ParseSpec(%q) = %+v, %v", m, s, err)
		}
	}
	for k := 1; k <= MaxMarkovOrder; k++ {
		name := "markov_" + strconv.Itoa(k)
		s, err := ParseSpec(name)
		if err != nil || s.Model != Markov || s.Order != k {
			t.Errorf("ParseSpec(%q) = %+v, %v", name, s, err)
		}
	}
	for _, bad := range []string{"markov_0", "markov_5", "markov_01", "Markov", "shap", ""} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
}
