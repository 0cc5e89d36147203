package pipelines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Targets is targets.yaml: goals, budgets and incentive rules.
type Targets struct {
	Targets    []Target    `yaml:"targets"`
	Budgets    []Budget    `yaml:"budgets"`
	Incentives []Incentive `yaml:"incentives"`
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
	Line        int               `yaml:"-"`
	Range       Period            `yaml:"-"`
}

// Budget is planned spend for a channel and period.
type Budget struct {
	Channel string  `yaml:"channel"`
	Period  string  `yaml:"period"`
	Amount  float64 `yaml:"amount"`
	Range   Period  `yaml:"-"`
}

// Incentive is a team's payout rule.
type Incentive struct {
	Team      string  `yaml:"team"`
	Base      float64 `yaml:"base"`
	Rule      string  `yaml:"rule"`
	Threshold float64 `yaml:"threshold"`
	Cap       float64 `yaml:"cap"`
}

// Period is an inclusive range of days.
type Period struct {
	From, To time.Time
}

// KPIs are the metric names a target can use: the measures of marts.kpi_daily.
var KPIs = []string{"spend", "impressions", "clicks", "ctr", "cpc", "cpm", "platform_conversions",
	"platform_conversion_value", "sessions", "users", "conversions", "conversion_rate", "orders",
	"gross_revenue", "refunds", "revenue", "roas", "new_customers", "returning_customers", "cac", "aov",
	"brand_awareness", "nps", "repeat_rate", "market_share"}

var scopeKeys = map[string]bool{"channel": true, "campaign": true, "campaign_id": true, "team": true, "owner": true, "platform": true}

var (
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	reWeek    = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
)

// ParsePeriod reads YYYY, YYYY-Qn, YYYY-MM, YYYY-Www (ISO week) or
// YYYY-MM-DD..YYYY-MM-DD.
func ParsePeriod(s string) (Period, error) {
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	switch {
	case reYear.MatchString(s):
		y := atoi(s)
		return Period{day(y, 1, 1), day(y, 12, 31)}, nil
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		y, q := atoi(m[1]), atoi(m[2])
		from := day(y, 3*(q-1)+1, 1)
		return Period{from, from.AddDate(0, 3, -1)}, nil
	case reMonth.MatchString(s):
		m := reMonth.FindStringSubmatch(s)
		mo := atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: month must be 01..12", s)
		}
		from := day(atoi(m[1]), mo, 1)
		return Period{from, from.AddDate(0, 1, -1)}, nil
	case reWeek.MatchString(s):
		m := reWeek.FindStringSubmatch(s)
		y, w := atoi(m[1]), atoi(m[2])
		// ISO week 1 contains January 4th; weeks start on Monday.
		jan4 := day(y, 1, 4)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		from := monday.AddDate(0, 0, 7*(w-1))
		if wy, wk := from.ISOWeek(); w < 1 || wk != w || wy != y {
			return Period{}, fmt.Errorf("period %q: %d has no ISO week %d", s, y, w)
		}
		return Period{from, from.AddDate(0, 0, 6)}, nil
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(a))
		to, err2 := time.Parse(time.DateOnly, strings.TrimSpace(b))
		if err1 != nil || err2 != nil {
			return Period{}, fmt.Errorf("period %q: a range is YYYY-MM-DD..YYYY-MM-DD", s)
		}
		if to.Before(from) {
			return Period{}, fmt.Errorf("period %q ends before it starts", s)
		}
		return Period{from, to}, nil
	}
	return Period{}, fmt.Errorf("period %q: use YYYY, YYYY-Qn, YYYY-MM, YYYY-Www or YYYY-MM-DD..YYYY-MM-DD", s)
}

// LoadTargets reads and checks targets.yaml. Problems are reported together,
// each with file and line; the error wraps ErrInvalid.
func LoadTargets(path string) (*Targets, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: targets file: %v", ErrInvalid, err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Targets{}, nil
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, yamlErr(path, err))
	}
	t := &Targets{}
	var errs []error
	if err := decodeStrict(path, &doc, t); err != nil {
		errs = append(errs, err)
	}
	lines := itemLines(&doc, "targets")
	for i := range t.Targets {
		tg := &t.Targets[i]
		if i < len(lines) {
			tg.Line = lines[i]
		}
		at := fmt.Sprintf("%s:%d: target %d (%s %s)", path, tg.Line, i+1, tg.Metric, tg.Period)
		if !contains(KPIs, tg.Metric) {
			errs = append(errs, fmt.Errorf("%s: metric %q is not a KPI pacer measures (known: %s)", at, tg.Metric, strings.Join(KPIs, ", ")))
		}
		p, err := ParsePeriod(tg.Period)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", at, err))
		}
		tg.Range = p
		if tg.Value <= 0 {
			errs = append(errs, fmt.Errorf("%s: value must be a positive number", at))
		}
		for k := range tg.Scope {
			if !scopeKeys[k] {
				errs = append(errs, fmt.Errorf("%s: scope key %q: use channel, campaign, team, owner or platform", at, k))
			}
		}
		switch tg.Seasonality {
		case "", "linear", "last_year", "weekly":
		default:
			errs = append(errs, fmt.Errorf("%s: seasonality %q: use linear, last_year or weekly", at, tg.Seasonality))
		}
	}
	for i := range t.Budgets {
		bg := &t.Budgets[i]
		p, err := ParsePeriod(bg.Period)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: budget %d (%s): %w", path, i+1, bg.Channel, err))
		}
		bg.Range = p
		if bg.Channel == "" || bg.Amount <= 0 {
			errs = append(errs, fmt.Errorf("%s: budget %d needs a channel and a positive amount", path, i+1))
		}
	}
	for i, in := range t.Incentives {
		switch in.Rule {
		case "linear", "step", "capped":
		default:
			errs = append(errs, fmt.Errorf("%s: incentive %d (%s): rule %q: use linear, step or capped", path, i+1, in.Team, in.Rule))
		}
		if in.Threshold < 0 || (in.Cap != 0 && in.Cap < in.Threshold) {
			errs = append(errs, fmt.Errorf("%s: incentive %d (%s): threshold must be ≥ 0 and cap ≥ threshold", path, i+1, in.Team))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w:\n%v", ErrInvalid, err)
	}
	return t, nil
}

// itemLines returns the line of each item of the top-level sequence key.
func itemLines(doc *yaml.Node, key string) []int {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			var out []int
			for _, it := range root.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
