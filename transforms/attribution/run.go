package attribution

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Model names an attribution model. The names are those of the
// attribution.models list of pacer.yaml.
type Model string

// The models. See the package documentation for their formulas.
const (
	FirstTouch    Model = "first_touch"
	LastTouch     Model = "last_touch"
	LastNonDirect Model = "last_non_direct"
	Linear        Model = "linear"
	TimeDecay     Model = "time_decay"
	PositionBased Model = "position_based"
	Markov        Model = "markov"
	Shapley       Model = "shapley"
)

// Models lists every model in the order reports show them.
var Models = []Model{FirstTouch, LastTouch, LastNonDirect, Linear, TimeDecay, PositionBased, Markov, Shapley}

// Defaults of the model parameters.
const (
	// DefaultDirect is the channel that last non-direct skips.
	DefaultDirect = "direct"
	// DefaultHalfLifeTouches is time decay's half-life when neither
	// half-life is set: one touch, as in attribution_cases.json.
	DefaultHalfLifeTouches = 1.0
	// DefaultHalfLifeDays is a suggested half-life in days for journeys
	// with touch times (Google Analytics used 7 days). It is not applied
	// by itself: set Spec.HalfLifeDays.
	DefaultHalfLifeDays = 7.0
	// MaxMarkovOrder is the highest Markov order.
	MaxMarkovOrder = 4
)

// DefaultPositions are position based's first, middle and last weights.
var DefaultPositions = [3]float64{0.4, 0.2, 0.4}

// Spec is one model to run and its parameters. The zero value of a
// parameter means its default; parameters of other models are ignored.
type Spec struct {
	Model Model
	// Name labels the result (Result.Model); empty means Label's default.
	// Two specs of one Run need different labels.
	Name string
	// Collapse merges consecutive repeats of a channel into one touch
	// before the model runs (see Journeys.Collapse).
	Collapse bool
	// Direct is the channel last non-direct skips (default "direct").
	Direct string
	// HalfLifeTouches is time decay's half-life counted in touches
	// (default 1); HalfLifeDays, when > 0, replaces it by a half-life in
	// days, which needs Path.Times on every converting path.
	HalfLifeTouches, HalfLifeDays float64
	// Positions are position based's weights of the first touch, of all
	// middle touches together and of the last touch (default 0.4, 0.2,
	// 0.4); they are >= 0 and sum to 1.
	Positions [3]float64
	// Order is the Markov chain's order, 1 to MaxMarkovOrder (default 1).
	Order int
}

// ParseSpec returns the spec of a model name from pacer.yaml: a Model, or
// markov_1 to markov_4 for a Markov chain of that order ("markov" is order
// 1). Parameters keep their defaults.
func ParseSpec(name string) (Spec, error) {
	for _, m := range Models {
		if name == string(m) {
			return Spec{Model: m}, nil
		}
	}
	if rest, ok := strings.CutPrefix(name, "markov_"); ok {
		k, err := strconv.Atoi(rest)
		if err == nil && k >= 1 && k <= MaxMarkovOrder && rest == strconv.Itoa(k) {
			return Spec{Model: Markov, Order: k}, nil
		}
	}
	return Spec{}, fmt.Errorf("unknown attribution model %q (known: %s, markov_1 to markov_%d)", name, modelList(), MaxMarkovOrder)
}

func modelList() string {
	s := make([]string, len(Models))
	for i, m := range Models {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// Label returns s.Name, or when it is empty the model's name, with the
// order for a Markov chain above order 1 (markov_2) and "_collapsed" when
// Collapse is set.
func (s Spec) Label() string {
	if s.Name != "" {
		return s.Name
	}
	l := string(s.Model)
	if s.Model == Markov && s.Order > 1 {
		l += "_" + strconv.Itoa(s.Order)
	}
	if s.Collapse {
		l += "_collapsed"
	}
	return l
}

// withDefaults returns s with its defaults applied, or an error naming a
// bad parameter.
func (s Spec) withDefaults() (Spec, error) {
	switch s.Model {
	case FirstTouch, LastTouch, Linear, Shapley:
	case LastNonDirect:
		if s.Direct == "" {
			s.Direct = DefaultDirect
		}
	case TimeDecay:
		switch {
		case s.HalfLifeDays < 0 || math.IsNaN(s.HalfLifeDays) || math.IsInf(s.HalfLifeDays, 0):
			return s, fmt.Errorf("half-life of %v days: it must be a finite number > 0", s.HalfLifeDays)
		case s.HalfLifeTouches < 0 || math.IsNaN(s.HalfLifeTouches) || math.IsInf(s.HalfLifeTouches, 0):
			return s, fmt.Errorf("half-life of %v touches: it must be a finite number > 0", s.HalfLifeTouches)
		case s.HalfLifeDays > 0 && s.HalfLifeTouches > 0:
			return s, fmt.Errorf("half-life set both in touches (%v) and in days (%v): set one", s.HalfLifeTouches, s.HalfLifeDays)
		case s.HalfLifeDays == 0 && s.HalfLifeTouches == 0:
			s.HalfLifeTouches = DefaultHalfLifeTouches
		}
	case PositionBased:
		if s.Positions == [3]float64{} {
			s.Positions = DefaultPositions
		}
		sum := 0.0
		for _, w := range s.Positions {
			if !(w >= 0) || math.IsInf(w, 0) {
				return s, fmt.Errorf("position weights %v: each must be finite and >= 0", s.Positions)
			}
			sum += w
		}
		if math.Abs(sum-1) > 1e-9 {
			return s, fmt.Errorf("position weights %v sum to %v, not 1", s.Positions, sum)
		}
		for i := range s.Positions {
			s.Positions[i] /= sum // exactly 1, so that credits balance
		}
	case Markov:
		if s.Order == 0 {
			s.Order = 1
		}
		if s.Order < 1 || s.Order > MaxMarkovOrder {
			return s, fmt.Errorf("markov order %d: it must be 1 to %d", s.Order, MaxMarkovOrder)
		}
	default:
		return s, fmt.Errorf("unknown attribution model %q (known: %s)", s.Model, modelList())
	}
	return s, nil
}

// Result is one model's credit per channel.
type Result struct {
	// Model is the spec's label.
	Model string
	// Spec is the spec that ran, with its defaults applied.
	Spec Spec
	// Channels is the channel dictionary (Journeys.Channels); the credit
	// slices are indexed like it.
	Channels []string
	// Conversions and Value are the credited conversions and value of
	// each channel.
	Conversions, Value []float64
	// TotalConversions and TotalValue are the paths' totals, which the
	// credits sum to (checked).
	TotalConversions, TotalValue float64
	// Markov has the chain's figures for a Markov model, else nil.
	Markov *MarkovStats
}

// Credit returns the credited conversions and value of a channel by name
// (zeros for an unknown channel).
func (r Result) Credit(channel string) (conversions, value float64) {
	for i, c := range r.Channels {
		if c == channel {
			return r.Conversions[i], r.Value[i]
		}
	}
	return 0, 0
}

// ErrUnbalanced is returned (wrapped) by [Run] when a model's credits do
// not sum to the paths' conversions or value within 1e-9 relative: a bug,
// never a property of the data.
var ErrUnbalanced = errors.New("credits do not sum to the total")

// Tolerance is the relative tolerance of the balance check.
const Tolerance = 1e-9

// Run runs each spec on j and returns one Result per spec, in order. It
// validates j and the specs first. Every result is checked: its credited
// conversions and value sum to the totals of the paths within Tolerance
// (relative to the sum of absolute path values), else Run returns an
// error wrapping ErrUnbalanced. Run reads j only, so concurrent calls on
// one Journeys are safe. The context cancels the Markov solves.
func Run(ctx context.Context, j *Journeys, specs []Spec) ([]Result, error) {
	if err := j.Validate(); err != nil {
		return nil, fmt.Errorf("invalid journeys: %w", err)
	}
	full := make([]Spec, len(specs))
	labels := make(map[string]int, len(specs))
	for i, s := range specs {
		d, err := s.withDefaults()
		if err != nil {
			return nil, fmt.Errorf("model %d (%s): %w", i+1, s.Label(), err)
		}
		l := d.Label()
		if k, dup := labels[l]; dup {
			return nil, fmt.Errorf("models %d and %d are both labelled %q: give one a Name", k+1, i+1, l)
		}
		labels[l] = i
		full[i] = d
	}
	totConv, totVal, _ := j.Totals()
	var absConv, absVal ksum
	for i := range j.Paths {
		absConv.add(j.Paths[i].Conversions)
		absVal.add(math.Abs(j.Paths[i].Value))
	}
	var collapsed *Journeys
	out := make([]Result, 0, len(full))
	for _, s := range full {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src := j
		if s.Collapse {
			if collapsed == nil {
				collapsed = j.Collapse()
			}
			src = collapsed
		}
		r := Result{
			Model:            s.Label(),
			Spec:             s,
			Channels:         j.Channels,
			Conversions:      make([]float64, len(j.Channels)),
			Value:            make([]float64, len(j.Channels)),
			TotalConversions: totConv,
			TotalValue:       totVal,
		}
		var err error
		switch s.Model {
		case Markov:
			r.Markov, err = markovCredit(ctx, src, s.Order, r.Conversions, r.Value)
		case Shapley:
			shapleyCredit(src, r.Conversions, r.Value)
		default:
			err = ruleCredit(src, s, r.Conversions, r.Value)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Model, err)
		}
		if err := balanced("conversions", r.Conversions, totConv, absConv.sum()); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Model, err)
		}
		if err := balanced("value", r.Value, totVal, absVal.sum()); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Model, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// balanced checks that credit sums to total within Tolerance × scale.
func balanced(what string, credit []float64, total, scale float64) error {
	var s ksum
	for _, c := range credit {
		s.add(c)
	}
	got := s.sum()
	if !(math.Abs(got-total) <= Tolerance*scale) {
		return fmt.Errorf("credited %s %v vs %v in the paths: %w", what, got, total, ErrUnbalanced)
	}
	return nil
}
