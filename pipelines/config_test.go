package pipelines

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/connectors"
)

// fakeOptions is the type-specific config of the "fake" connector used by
// these tests.
type fakeOptions struct {
	Path   string `yaml:"path"`
	Token  Secret `yaml:"token"`
	Nested struct {
		Depth int `yaml:"depth"`
	} `yaml:"nested"`
}

type fakeSource struct{ opts fakeOptions }

func (fakeSource) Streams() []connectors.Stream { return nil }
func (fakeSource) Read(context.Context, connectors.ReadRequest, connectors.Emitter) error {
	return nil
}
func (fakeSource) Close() error { return nil }

func init() {
	connectors.Register(connectors.Spec{Type: "fake", Summary: "test", New: func(cfg connectors.Config) (connectors.Source, error) {
		var o fakeOptions
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
		return fakeSource{o}, nil
	}})
}

const validConfig = `version: 1
company: Example Co
timezone: Asia/Shanghai
currency: CNY
sources:
  - name: shop
    type: fake
    path: data/x.csv
    token: ${SHOP_TOKEN}
    start_date: 2026-01-01
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "pacer.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	t.Setenv("SHOP_TOKEN", "s3cret-canary")
	tests := []struct {
		name    string
		body    string
		wantErr []string // substrings, all must appear
	}{
		{name: "a valid config loads", body: validConfig},
		{name: "an unknown top-level key names file, line and key",
			body:    validConfig + "warehous:\n  path: x.duckdb\n",
			wantErr: []string{"pacer.yaml:11: unknown key \"warehous\"", "known: attribution"}},
		{name: "an unknown nested key names its path",
			body:    strings.Replace(validConfig, "currency: CNY\n", "currency: CNY\nreport:\n  langauge: en\n", 1),
			wantErr: []string{"pacer.yaml:6: unknown key \"langauge\" in report"}},
		{name: "an unknown connector key is found by the connector's strict decode",
			body:    validConfig + "    colums: {a: b}\n",
			wantErr: []string{"pacer.yaml:11: unknown key \"colums\""}},
		{name: "a missing environment variable is named with its line",
			body:    strings.Replace(validConfig, "${SHOP_TOKEN}", "${MISSING_TOKEN}", 1),
			wantErr: []string{"pacer.yaml:9: environment variable MISSING_TOKEN is not set"}},
		{name: "a bad time zone is explained",
			body:    strings.Replace(validConfig, "Asia/Shanghai", "China", 1),
			wantErr: []string{"timezone \"China\" is not an IANA time zone"}},
		{name: "a bad currency is explained",
			body:    strings.Replace(validConfig, "CNY", "yuan", 1),
			wantErr: []string{"currency \"yuan\" must be an ISO 4217 code"}},
		{name: "an unknown connector type lists the known ones",
			body:    strings.Replace(validConfig, "type: fake", "type: gogle_ads", 1),
			wantErr: []string{"unknown connector type \"gogle_ads\"", "fake", "forgotten import"}},
		{name: "duplicate source names are rejected",
			body:    validConfig + "  - name: shop\n    type: fake\n    token: x\n",
			wantErr: []string{"source name \"shop\" is already used on line 6"}},
		{name: "a bad start date is explained",
			body:    strings.Replace(validConfig, "2026-01-01", "01/01/2026", 1),
			wantErr: []string{"start_date \"01/01/2026\" must be YYYY-MM-DD"}},
		{name: "a bad cron schedule is explained",
			body:    validConfig + "schedule: \"every morning\"\n",
			wantErr: []string{"schedule \"every morning\" is not a cron expression"}},
		{name: "several problems are reported at once",
			body:    strings.Replace(strings.Replace(validConfig, "CNY", "yuan", 1), "Asia/Shanghai", "Mars", 1),
			wantErr: []string{"currency", "timezone"}},
		{name: "a second YAML document is rejected",
			body:    validConfig + "---\nversion: 1\n",
			wantErr: []string{"more than one YAML document"}},
		{name: "a wrong value type names the line",
			body:    strings.Replace(validConfig, "version: 1", "version: one", 1),
			wantErr: []string{"pacer.yaml:1:"}},
		{name: "fx rates from an API load",
			body: validConfig + "fx:\n  url: https://api.frankfurter.dev/v1\n  currencies: [usd, EUR]\n  start_date: 2025-01-01\n"},
		{name: "fx rates from a file and an API at once are rejected",
			body:    validConfig + "fx:\n  path: fx.csv\n  url: https://api.frankfurter.dev/v1\n  currencies: [USD]\n",
			wantErr: []string{"fx: set path or url, not both"}},
		{name: "fx rates from an API need currencies, not the reporting one",
			body:    validConfig + "fx:\n  url: ftp://rates\n  currencies: [CNY, dollars]\n  start_date: 2025\n",
			wantErr: []string{"fx: url \"ftp://rates\" is not an http(s) URL", "currency CNY is the reporting currency", "currency \"dollars\" must be an ISO 4217 code", "start_date \"2025\" must be YYYY-MM-DD"}},
		{name: "price tiers load", body: validConfig + "evaluation:\n  price_tiers: [150, 400, 1000]\n"},
		{name: "price tiers must ascend",
			body:    validConfig + "evaluation:\n  price_tiers: [400, 150]\n",
			wantErr: []string{"evaluation.price_tiers", "ascending"}},
		{name: "evaluation settings load",
			body: validConfig + "evaluation:\n  price_tiers: [50, 200, 800]\n  reconciliation_tolerance_pct: 12.5\n"},
		{name: "a bad reconciliation tolerance is explained",
			body:    validConfig + "evaluation:\n  reconciliation_tolerance_pct: -3\n",
			wantErr: []string{"evaluation.reconciliation_tolerance_pct: reconciliation tolerance -3%"}},
		{name: "a bad sync.parallel is explained",
			body:    validConfig + "sync:\n  parallel: 100\n",
			wantErr: []string{"sync.parallel 100: sync between 1 and 32 sources at once"}},
		{name: "no sources is explained",
			body:    "version: 1\ncompany: X\ncurrency: CNY\n",
			wantErr: []string{"no sources"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.body)
			cfg, err := LoadConfig(p)
			if err == nil && len(tt.wantErr) == 0 {
				if _, err := cfg.OpenSources(discardLogger()); err != nil {
					t.Fatalf("OpenSources: %v", err)
				}
				return
			}
			if err == nil {
				_, err = cfg.OpenSources(discardLogger())
			}
			if len(tt.wantErr) == 0 {
				t.Fatalf("unexpected error: %v", err)
			}
			if err == nil {
				t.Fatalf("want error containing %q, got none", tt.wantErr)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret-canary") {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestLoadConfigReadsDotEnvAndKeepsSecretsOutOfFormatting(t *testing.T) {
	p := writeConfig(t, validConfig)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), ".env"), []byte("# comment\nexport SHOP_TOKEN=\"from-dotenv\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := cfg.OpenSources(discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	opts := srcs[0].Source.(fakeSource).opts
	if opts.Token.Reveal() != "from-dotenv" {
		t.Errorf("token = %q, want the .env value", opts.Token.Reveal())
	}
	if s := opts.Token.String(); s != "[redacted]" {
		t.Errorf("Secret.String() = %q", s)
	}
	if cfg.WarehousePath() != filepath.Join(filepath.Dir(p), "pacer.duckdb") {
		t.Errorf("warehouse path not relative to the config: %s", cfg.WarehousePath())
	}
}

func TestLoadConfigEnvironmentWinsOverDotEnv(t *testing.T) {
	t.Setenv("SHOP_TOKEN", "from-env")
	p := writeConfig(t, validConfig)
	os.WriteFile(filepath.Join(filepath.Dir(p), ".env"), []byte("SHOP_TOKEN=from-dotenv\n"), 0o600)
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ := cfg.OpenSources(discardLogger())
	if got := srcs[0].Source.(fakeSource).opts.Token.Reveal(); got != "from-env" {
		t.Errorf("token = %q, want from-env", got)
	}
}

func TestExitCodeTakesTheMostUrgentOfJoinedErrors(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil is success", nil, 0},
		{"a plain error is a runtime failure", boom, 1},
		{"invalid config", fmt.Errorf("load: %w", ErrInvalid), 2},
		{"invalid input file from a connector", fmt.Errorf("sync: %w", connectors.ErrInvalidInput), 2},
		{"checks alone", ErrChecksFailed, 3},
		{"checks and invalid input: invalid wins", errors.Join(fmt.Errorf("sync: %w", connectors.ErrInvalidInput), ErrChecksFailed), 2},
		{"checks and a runtime failure: failure wins", errors.Join(fmt.Errorf("sync: %w", boom), ErrChecksFailed), 1},
		{"a held lock wins over everything", errors.Join(boom, fmt.Errorf("x: %w", ErrLocked)), 75},
		{"nested joins", fmt.Errorf("sync: %w", errors.Join(fmt.Errorf("a: %w", connectors.ErrInvalidInput), errors.New("b"))), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSelectSourcesRejectsUnknownNames(t *testing.T) {
	all := []OpenedSource{{Config: SourceConfig{Name: "shop"}, Source: fakeSource{}}, {Config: SourceConfig{Name: "ads"}, Source: fakeSource{}}}
	got, err := selectSources(all, []string{"ads"})
	if err != nil || len(got) != 1 || got[0].Config.Name != "ads" {
		t.Fatalf("select ads: %v, %v", got, err)
	}
	_, err = selectSources(all, []string{"ads", "adz"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "adz") || !strings.Contains(err.Error(), "configured: shop, ads") {
		t.Errorf("unknown name: %v", err)
	}
}
