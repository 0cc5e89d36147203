package goals

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Plan is targets.yaml: goals, budgets, incentive rules and the thresholds
// that judge them.
type Plan struct {
	Targets    []Target    `yaml:"targets"`
	Budgets    []Budget    `yaml:"budgets"`
	Incentives []Incentive `yaml:"incentives"`
	Status     Thresholds  `yaml:"status"`
	Lint       LintRules   `yaml:"lint"`

	// File is where the plan was read from, for messages.
	File string `yaml:"-"`
}

// Target is one SMART goal: a metric's value for a period and scope.
type Target struct {
	Metric      string            `yaml:"metric"`
	Period      string            `yaml:"period"`
	Scope       map[string]string `yaml:"scope"`
	Value       float64           `yaml:"value"`
	Owner       string            `yaml:"owner"`
	Team        string            `yaml:"team"`
	Seasonality string            `yaml:"seasonality"`
	// Weight is the target's share in its owner's and team's scorecard
	// (default 1).
	Weight float64 `yaml:"weight"`
	// Note is free text shown with the target.
	Note string `yaml:"note"`

	// ID is the target's position in the file, from 1; Line its line.
	ID    int    `yaml:"-"`
	Line  int    `yaml:"-"`
	Range Period `yaml:"-"`
}

// Budget is planned spend for a channel and period.
type Budget struct {
	Channel string  `yaml:"channel"`
	Period  string  `yaml:"period"`
	Amount  float64 `yaml:"amount"`

	ID    int    `yaml:"-"`
	Line  int    `yaml:"-"`
	Range Period `yaml:"-"`
}

// Incentive is a team's payout rule; see Payout.
type Incentive struct {
	Team      string  `yaml:"team"`
	Base      float64 `yaml:"base"`
	Rule      string  `yaml:"rule"`
	Threshold float64 `yaml:"threshold"`
	Cap       float64 `yaml:"cap"`

	Line int `yaml:"-"`
}

// Thresholds turn a pace index into a status: at or above OnTrack is on
// track, at or above AtRisk at risk, below it off track.
type Thresholds struct {
	OnTrack float64 `yaml:"on_track"`
	AtRisk  float64 `yaml:"at_risk"`
}

// LintRules tune the SMART lint of pacer validate.
type LintRules struct {
	// MaxStretch flags a target more than this many times the best
	// comparable period (default 3).
	MaxStretch float64 `yaml:"max_stretch"`
	// MaxROASStretch flags a planned ROAS (revenue target ÷ budget) more
	// than this many times the channel's best comparable ROAS (default 1.5).
	MaxROASStretch float64 `yaml:"max_roas_stretch"`
	// Tolerance is the relative gap child targets may leave against their
	// parent before it is flagged (default 0.02).
	Tolerance float64 `yaml:"tolerance"`
}

// Defaults fills unset thresholds and weights.
func (p *Plan) Defaults() {
	if p.Status.OnTrack == 0 {
		p.Status.OnTrack = 0.95
	}
	if p.Status.AtRisk == 0 {
		p.Status.AtRisk = 0.85
	}
	if p.Lint.MaxStretch == 0 {
		p.Lint.MaxStretch = 3
	}
	if p.Lint.MaxROASStretch == 0 {
		p.Lint.MaxROASStretch = 1.5
	}
	if p.Lint.Tolerance == 0 {
		p.Lint.Tolerance = 0.02
	}
	for i := range p.Targets {
		if p.Targets[i].Weight == 0 {
			p.Targets[i].Weight = 1
		}
		if p.Targets[i].Seasonality == "" {
			p.Targets[i].Seasonality = "linear"
		}
	}
}

// Label names a target for people: "revenue · channel=paid_search · 2026-11".
func (t Target) Label() string {
	return t.Metric + " · " + t.ScopeString() + " · " + t.Period
}

// ScopeString is "company" or the scope as k=v pairs, sorted by key.
func (t Target) ScopeString() string {
	if len(t.Scope) == 0 {
		return "company"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(t.Scope)) {
		parts = append(parts, k+"="+t.Scope[k])
	}
	return strings.Join(parts, ", ")
}

// Check validates the plan without data: known metrics and scope keys,
// parseable periods, positive values, known rules, no duplicates. It sets
// each target's ID and Range. Every problem is reported, each with the
// file and line.
func (p *Plan) Check() error {
	var errs []error
	at := func(line int) string { return fmt.Sprintf("%s:%d", p.File, line) }
	seen := map[string]int{}
	for i := range p.Targets {
		t := &p.Targets[i]
		t.ID = i + 1
		where := fmt.Sprintf("%s: target %d (%s %s)", at(t.Line), t.ID, t.Metric, t.Period)
		m, ok := LookupMetric(t.Metric)
		if !ok {
			msg := fmt.Sprintf("%s: metric %q is not a metric pacer measures", where, t.Metric)
			if s := Suggest(t.Metric, MetricNames()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			errs = append(errs, errors.New(msg+" (known: "+strings.Join(MetricNames(), ", ")+")"))
		}
		r, err := ParsePeriod(t.Period)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		t.Range = r
		if t.Value <= 0 && !(ok && m.Name == "nps") {
			errs = append(errs, fmt.Errorf("%s: value %v: a target must be a positive number", where, t.Value))
		}
		if t.Weight < 0 {
			errs = append(errs, fmt.Errorf("%s: weight %v must not be negative", where, t.Weight))
		}
		for _, k := range slices.Sorted(maps.Keys(t.Scope)) {
			if !slices.Contains(ScopeKeys, k) {
				errs = append(errs, fmt.Errorf("%s: scope key %q: use %s", where, k, strings.Join(ScopeKeys, ", ")))
			} else if ok && m.ScopeColumn(k) == "" {
				errs = append(errs, fmt.Errorf("%s: %s comes from %s, which has no %s: scope it by %s", where, t.Metric, m.Source, k, orNone(m.scopeKeysFor())))
			}
			if strings.TrimSpace(t.Scope[k]) == "" {
				errs = append(errs, fmt.Errorf("%s: scope %s is empty", where, k))
			}
		}
		switch t.Seasonality {
		case "", "linear", "last_year", "weekly":
		default:
			errs = append(errs, fmt.Errorf("%s: seasonality %q: use linear, last_year or weekly", where, t.Seasonality))
		}
		key := t.Metric + "|" + t.ScopeString() + "|" + t.Period
		if first, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: target %d repeats target %d (line %d): the same metric, scope and period", where, t.ID, first, p.Targets[first-1].Line))
		} else {
			seen[key] = t.ID
		}
	}
	seenBudget := map[string]int{}
	for i := range p.Budgets {
		b := &p.Budgets[i]
		b.ID = i + 1
		where := fmt.Sprintf("%s: budget %d (%s %s)", at(b.Line), b.ID, b.Channel, b.Period)
		r, err := ParsePeriod(b.Period)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		b.Range = r
		if b.Channel == "" {
			errs = append(errs, fmt.Errorf("%s: a budget needs a channel", where))
		}
		if b.Amount <= 0 {
			errs = append(errs, fmt.Errorf("%s: amount %v: a budget must be a positive number", where, b.Amount))
		}
		key := b.Channel + "|" + b.Period
		if first, dup := seenBudget[key]; dup {
			errs = append(errs, fmt.Errorf("%s: repeats budget %d (line %d)", where, first, p.Budgets[first-1].Line))
		} else {
			seenBudget[key] = b.ID
		}
	}
	teams := map[string]bool{}
	for i, in := range p.Incentives {
		where := fmt.Sprintf("%s: incentive %d (%s)", at(in.Line), i+1, in.Team)
		if in.Team == "" {
			errs = append(errs, fmt.Errorf("%s: an incentive needs a team", where))
		}
		if teams[in.Team] {
			errs = append(errs, fmt.Errorf("%s: team %s already has an incentive rule", where, in.Team))
		}
		teams[in.Team] = true
		switch in.Rule {
		case "linear", "step", "capped":
		default:
			errs = append(errs, fmt.Errorf("%s: rule %q: use linear, step or capped", where, in.Rule))
		}
		if in.Base <= 0 {
			errs = append(errs, fmt.Errorf("%s: base %v must be a positive amount", where, in.Base))
		}
		if in.Threshold < 0 || in.Threshold >= 1 && in.Rule == "capped" {
			errs = append(errs, fmt.Errorf("%s: threshold %v must be ≥ 0 (and below 1 for the capped rule)", where, in.Threshold))
		}
		if in.Cap != 0 && in.Cap < in.Threshold {
			errs = append(errs, fmt.Errorf("%s: cap %v is below the threshold %v", where, in.Cap, in.Threshold))
		}
		if in.Rule == "capped" && in.Cap == 0 {
			errs = append(errs, fmt.Errorf("%s: the capped rule needs a cap", where))
		}
	}
	if p.Status.AtRisk < 0 || p.Status.OnTrack < p.Status.AtRisk {
		errs = append(errs, fmt.Errorf("%s: status thresholds: on_track (%v) must be ≥ at_risk (%v) ≥ 0", p.File, p.Status.OnTrack, p.Status.AtRisk))
	}
	return errors.Join(errs...)
}

// Suggest returns the candidate closest to s when it is close enough to be
// a typo (edit distance at most a third of its length, at least 1).
func Suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(s), strings.ToLower(c))
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := max(1, len([]rune(s))/3)
	if bestD > limit || bestD == 0 {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
