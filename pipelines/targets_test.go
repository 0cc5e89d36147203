package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadTargets(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr []string
	}{
		{name: "the documented example loads", body: `targets:
  - metric: revenue
    period: 2026-Q4
    scope: {channel: paid_search}
    value: 1200000
    owner: li.wei
    team: growth
    seasonality: last_year
budgets:
  - {channel: paid_social, period: 2026-11, amount: 300000}
incentives:
  - team: growth
    base: 20000
    rule: linear
    threshold: 0.8
    cap: 1.5
`},
		{name: "an unknown metric names the line and suggests the right one",
			body:    "targets:\n  - metric: revenu\n    period: \"2026\"\n    value: 1\n",
			wantErr: []string{"targets.yaml:2: target 1", `metric "revenu" is not a metric pacer measures; did you mean "revenue"?`}},
		{name: "a typo in a key is an error",
			body:    "targets:\n  - metric: revenue\n    perod: 2026\n    value: 1\n",
			wantErr: []string{`targets.yaml:3: unknown key "perod"`}},
		{name: "a bad period is explained with the line",
			body:    "targets:\n  - metric: revenue\n    period: Q4\n    value: 1\n",
			wantErr: []string{"targets.yaml:2: target 1", "use YYYY, YYYY-Qn"}},
		{name: "a month 13 is a bad period",
			body:    "targets:\n  - metric: orders\n    period: 2026-13\n    value: 10\n",
			wantErr: []string{"targets.yaml:2:", "month must be 01..12"}},
		{name: "a negative value is an error",
			body:    "targets:\n  - metric: revenue\n    period: 2026-11\n    value: 1\n  - metric: orders\n    period: 2026-11\n    value: -5\n",
			wantErr: []string{"targets.yaml:5: target 2 (orders 2026-11): value -5: a target must be a positive number"}},
		{name: "a duplicate target names both lines",
			body:    "targets:\n  - {metric: revenue, period: 2026-11, value: 1}\n  - {metric: orders, period: 2026-11, value: 1}\n  - {metric: revenue, period: 2026-11, value: 2}\n",
			wantErr: []string{"targets.yaml:4: target 3", "repeats target 1 (line 2)"}},
		{name: "a scope the metric's source lacks is explained",
			body:    "targets:\n  - {metric: revenue, period: 2026-11, value: 1, scope: {owner: li.wei}}\n",
			wantErr: []string{"targets.yaml:2:", "revenue comes from marts.kpi_daily, which has no owner: scope it by channel, campaign, campaign_id, platform"}},
		{name: "an unknown scope key is an error",
			body:    "targets:\n  - {metric: revenue, period: 2026-11, value: 1, scope: {chanel: email}}\n",
			wantErr: []string{`scope key "chanel"`}},
		{name: "a bad seasonality is explained",
			body:    "targets:\n  - {metric: revenue, period: 2026-11, value: 1, seasonality: lunar}\n",
			wantErr: []string{`seasonality "lunar": use linear, last_year or weekly`}},
		{name: "a bad incentive rule is explained",
			body:    "incentives:\n  - {team: a, base: 1, rule: exponential}\n",
			wantErr: []string{"targets.yaml:2: incentive 1 (a)", `rule "exponential"`}},
		{name: "a budget without amount is explained",
			body:    "budgets:\n  - {channel: email, period: 2026-11}\n",
			wantErr: []string{"targets.yaml:2: budget 1 (email 2026-11)", "must be a positive number"}},
		{name: "every problem is reported at once",
			body:    "targets:\n  - {metric: revnue, period: 2026-11, value: 1}\n  - {metric: orders, period: 2026-14, value: 1}\n",
			wantErr: []string{"targets.yaml:2:", "targets.yaml:3:"}},
		{name: "status thresholds must be ordered",
			body:    "status: {on_track: 0.8, at_risk: 0.9}\n",
			wantErr: []string{"on_track (0.8) must be ≥ at_risk (0.9)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "targets.yaml")
			if err := os.WriteFile(p, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadTargets(p)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("want error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
