package goals

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// casesFile is testdata/pacing_cases.yaml: hand-computed cases.
type casesFile struct {
	Cases []struct {
		Name        string               `yaml:"name"`
		Metric      string               `yaml:"metric"`
		Period      string               `yaml:"period"`
		Value       float64              `yaml:"value"`
		Seasonality string               `yaml:"seasonality"`
		AsOf        string               `yaml:"as_of"`
		Coverage    string               `yaml:"coverage"`
		Days        []dayRun             `yaml:"days"`
		Want        map[string]yaml.Node `yaml:"want"`
	} `yaml:"cases"`
	Budgets []struct {
		Name    string               `yaml:"name"`
		Channel string               `yaml:"channel"`
		Period  string               `yaml:"period"`
		Amount  float64              `yaml:"amount"`
		AsOf    string               `yaml:"as_of"`
		Days    []dayRun             `yaml:"days"`
		Want    map[string]yaml.Node `yaml:"want"`
	} `yaml:"budgets"`
	Payouts []struct {
		Rule       string  `yaml:"rule"`
		Base       float64 `yaml:"base"`
		Threshold  float64 `yaml:"threshold"`
		Cap        float64 `yaml:"cap"`
		Attainment float64 `yaml:"attainment"`
		Want       float64 `yaml:"want"`
	} `yaml:"payouts"`
}

type dayRun struct {
	From        string   `yaml:"from"`
	To          string   `yaml:"to"`
	Numerator   float64  `yaml:"numerator"`
	Denominator *float64 `yaml:"denominator"`
}

func loadCases(t *testing.T) casesFile {
	t.Helper()
	b, err := os.ReadFile("testdata/pacing_cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f casesFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// seriesOf expands runs of days; coverage defaults to the first day.
func seriesOf(t *testing.T, runs []dayRun, coverage string) Series {
	s := Series{Days: map[time.Time]Day{}}
	for _, r := range runs {
		den := 1.0
		if r.Denominator != nil {
			den = *r.Denominator
		}
		for d := mustDay(t, r.From); !d.After(mustDay(t, r.To)); d = d.AddDate(0, 0, 1) {
			s.Days[d] = Day{Date: d, Numerator: r.Numerator, Denominator: den}
			if s.Coverage.IsZero() || d.Before(s.Coverage) {
				s.Coverage = d
			}
		}
	}
	if coverage != "" {
		s.Coverage = mustDay(t, coverage)
	}
	return s
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want))
}

func TestPaceHandComputedCases(t *testing.T) {
	f := loadCases(t)
	if len(f.Cases) < 6 {
		t.Fatalf("only %d cases", len(f.Cases))
	}
	th := Thresholds{OnTrack: 0.95, AtRisk: 0.85}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			m, ok := LookupMetric(c.Metric)
			if !ok {
				t.Fatalf("metric %s", c.Metric)
			}
			p, err := ParsePeriod(c.Period)
			if err != nil {
				t.Fatal(err)
			}
			asOf := mustDay(t, c.AsOf)
			s := seriesOf(t, c.Days, c.Coverage)
			curve := BuildCurve(c.Seasonality, m, p, s, asOf)
			days := Pace(m, c.Value, p, curve, s, asOf, th)
			if len(days) != p.Days() {
				t.Fatalf("%d days for a %d-day period", len(days), p.Days())
			}
			tp := TargetPace{Target: Target{Range: p}, Days: days}
			d := tp.Latest(asOf)
			got := map[string]float64{
				"actual_to_date": d.ActualToDate, "expected_to_date": d.ExpectedToDate, "attainment": d.Attainment,
				"pace_index": d.PaceIndex, "forecast_linear": d.ForecastLinear, "forecast": d.Forecast,
				"forecast_low": d.ForecastLow, "forecast_high": d.ForecastHigh, "projected_attainment": d.ProjectedAttainment,
				"required_daily": d.RequiredDaily, "days_left": float64(d.DaysLeft),
				"numerator_to_date": d.Numerator, "denominator_to_date": d.Denominator,
			}
			for k, node := range c.Want {
				switch k {
				case "status":
					if d.Status != node.Value {
						t.Errorf("status = %s, want %s", d.Status, node.Value)
					}
				case "curve":
					if curve.Used != node.Value {
						t.Errorf("curve = %s (%s), want %s", curve.Used, curve.Note, node.Value)
					}
				default:
					g, ok := got[k]
					if !ok {
						t.Fatalf("unknown field %s", k)
					}
					var w float64
					if err := node.Decode(&w); err != nil {
						t.Fatal(err)
					}
					if !near(g, w) {
						t.Errorf("%s = %.10g, want %.10g", k, g, w)
					}
				}
			}
		})
	}
}

func TestPaceBudgetHandComputed(t *testing.T) {
	for _, c := range loadCases(t).Budgets {
		t.Run(c.Name, func(t *testing.T) {
			p, err := ParsePeriod(c.Period)
			if err != nil {
				t.Fatal(err)
			}
			bp := PaceBudget(Budget{Channel: c.Channel, Period: c.Period, Amount: c.Amount, Range: p}, seriesOf(t, c.Days, ""), mustDay(t, c.AsOf))
			got := map[string]float64{"actual": bp.Actual, "expected": bp.Expected, "pace_index": bp.PaceIndex,
				"projected": bp.Projected, "required_daily": bp.RequiredDaily}
			for k, node := range c.Want {
				if k == "status" {
					if bp.Status != node.Value {
						t.Errorf("status = %s, want %s", bp.Status, node.Value)
					}
					continue
				}
				var w float64
				if err := node.Decode(&w); err != nil {
					t.Fatal(err)
				}
				if g, ok := got[k]; !ok || !near(g, w) {
					t.Errorf("%s = %.10g, want %.10g", k, g, w)
				}
			}
		})
	}
}

func TestPayoutHandComputed(t *testing.T) {
	money := func(v float64) string { return FormatMoney("CNY", v) }
	cases := loadCases(t).Payouts
	if len(cases) < 9 {
		t.Fatalf("only %d payout cases", len(cases))
	}
	for _, c := range cases {
		in := Incentive{Team: "t", Base: c.Base, Rule: c.Rule, Threshold: c.Threshold, Cap: c.Cap}
		got, why := Payout(in, c.Attainment, money)
		if !near(got, c.Want) {
			t.Errorf("%s at %.2f: %v, want %v (%s)", c.Rule, c.Attainment, got, c.Want, why)
		}
		if why == "" || (got > 0 && !strings.Contains(why, money(got))) {
			t.Errorf("%s at %.2f: the explanation %q does not show the amount %s", c.Rule, c.Attainment, why, money(got))
		}
	}
}

func TestCurvesFallBackToLinearWithANote(t *testing.T) {
	m, _ := LookupMetric("revenue")
	roas, _ := LookupMetric("roas")
	p, _ := ParsePeriod("2026-11")
	asOf := mustDay(t, "2026-11-20")
	empty := Series{Days: map[time.Time]Day{}, Coverage: mustDay(t, "2026-10-15")}
	tests := []struct {
		name, kind string
		m          Metric
		note       string
	}{
		{"last year outside the data", "last_year", m, "is not in the data"},
		{"weekly with less than 8 weeks of data", "weekly", m, "fewer than 8 weeks"},
		{"a ratio is flat", "last_year", roas, "is a ratio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := BuildCurve(tt.kind, tt.m, p, empty, asOf)
			if c.Used != "linear" || !strings.Contains(c.Note, tt.note) {
				t.Errorf("curve %s, note %q; want linear with %q", c.Used, c.Note, tt.note)
			}
		})
	}
}

func TestFormatMoney(t *testing.T) {
	for v, want := range map[float64]string{0: "CNY 0.00", 1234567.4: "CNY 1,234,567", 999: "CNY 999", -20000: "−CNY 20,000", 12.5: "CNY 12.50"} {
		if got := FormatMoney("CNY", v); got != want {
			t.Errorf("FormatMoney(%v) = %q, want %q", v, got, want)
		}
	}
}
