package pipelines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/reports"
	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/attribution"
)

// ErrInvalid is wrapped by every configuration, targets or input error; the
// CLI exits 2 for it.
var ErrInvalid = errors.New("invalid configuration")

// Config is pacer.yaml, decoded strictly and with ${ENV} expanded.
type Config struct {
	Version     int               `yaml:"version"`
	Company     string            `yaml:"company"`
	Timezone    string            `yaml:"timezone"`
	Currency    string            `yaml:"currency"`
	Warehouse   WarehouseConfig   `yaml:"warehouse"`
	FX          FXConfig          `yaml:"fx"`
	Sources     []yaml.Node       `yaml:"sources"`
	Sync        SyncConfig        `yaml:"sync"`
	Targets     string            `yaml:"targets"`
	Attribution AttributionConfig `yaml:"attribution"`
	Evaluation  EvaluationConfig  `yaml:"evaluation"`
	Report      ReportConfig      `yaml:"report"`
	Email       *EmailConfig      `yaml:"email"`
	Schedule    string            `yaml:"schedule"`

	// Path is the config file; Dir its directory (relative paths start there).
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`
	// Location is Timezone loaded.
	Location *time.Location `yaml:"-"`
	// SourceList holds the decoded common part of each source, in file order.
	SourceList []SourceConfig `yaml:"-"`
}

// WarehouseConfig says where the data lives.
type WarehouseConfig struct {
	Engine string `yaml:"engine"` // duckdb (default); bigquery comes later
	Path   string `yaml:"path"`   // DuckDB file, relative to the config
}

// SyncConfig tunes the sync step.
type SyncConfig struct {
	// Parallel is how many sources sync at once (default 4; 1: one after
	// another). A source's streams always sync one after another.
	Parallel int `yaml:"parallel"`
}

// FXConfig says where daily exchange rates to the reporting currency come
// from: a file (date,currency,rate) or an HTTP API (see loadFX).
type FXConfig struct {
	Path string `yaml:"path"`
	// URL is a Frankfurter-compatible rates API (https://api.frankfurter.dev/v1,
	// or a self-hosted one): GET {url}/{from}..{to}?base=C&symbols=R.
	URL string `yaml:"url"`
	// Currencies are the currencies to fetch rates for (with url).
	Currencies []string `yaml:"currencies"`
	// StartDate is the first day to fetch (with url; default: the earliest
	// source start_date, else a year and a month before the run's day).
	StartDate string `yaml:"start_date"`
}

// EvaluationConfig configures the evaluation marts.
type EvaluationConfig struct {
	// PriceTiers are the upper bounds of the price tiers of an order
	// amount in the reporting currency, ascending (default [100, 300]:
	// below 100, 100 up to 300, 300 and more); marts.sales_mix breaks
	// sales down by them.
	PriceTiers []float64 `yaml:"price_tiers"`
	// ReconciliationTolerancePct is how far (in percent) ad platforms, web
	// analytics or the CRM may be from what finance booked before
	// marts.reconciliation flags them (default 20).
	ReconciliationTolerancePct float64 `yaml:"reconciliation_tolerance_pct"`
}

// AttributionConfig configures the attribution models.
type AttributionConfig struct {
	// LookbackDays: touches older than this before a conversion get no
	// credit (default 30).
	LookbackDays int `yaml:"lookback_days"`
	// Models to run (default all): first_touch, last_touch,
	// last_non_direct, linear, time_decay, position_based, markov (order
	// 1) or markov_1..markov_4, shapley.
	Models []string `yaml:"models"`
	// HalfLifeDays is time decay's half-life in days (default 7).
	HalfLifeDays float64 `yaml:"half_life_days"`
	// PositionWeights are position based's first, middle and last weights
	// (default [0.4, 0.2, 0.4]).
	PositionWeights []float64 `yaml:"position_weights"`
	// CollapseRepeats merges consecutive touches of one channel into one.
	CollapseRepeats bool `yaml:"collapse_repeats"`
	// DirectChannel is the channel last non-direct skips (default direct).
	DirectChannel string `yaml:"direct_channel"`
	// ConversionTypes, when set, makes conversion events of these types
	// (the conversions stream's type: lead, signup, purchase, ...) what
	// attribution credits, instead of paid orders: for a business that
	// sells through leads.
	ConversionTypes []string `yaml:"conversion_types"`
}

// DefaultAttributionModels run when attribution.models is not set.
var DefaultAttributionModels = []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley"}

// Specs turns the configuration into the attribution models to run.
func (a AttributionConfig) Specs() ([]attribution.Spec, error) {
	names := a.Models
	if len(names) == 0 {
		names = DefaultAttributionModels
	}
	var specs []attribution.Spec
	var errs []error
	seen := map[string]bool{}
	for _, n := range names {
		s, err := attribution.ParseSpec(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("attribution.models: %w", err))
			continue
		}
		if seen[n] {
			errs = append(errs, fmt.Errorf("attribution.models: %s is listed twice", n))
		}
		seen[n] = true
		s.Collapse = a.CollapseRepeats
		s.Direct = a.DirectChannel
		if s.Model == attribution.TimeDecay {
			s.HalfLifeDays = a.HalfLifeDays
			if s.HalfLifeDays == 0 {
				s.HalfLifeDays = attribution.DefaultHalfLifeDays
			}
		}
		if s.Model == attribution.PositionBased && len(a.PositionWeights) > 0 {
			if len(a.PositionWeights) != 3 {
				errs = append(errs, fmt.Errorf("attribution.position_weights %v: give three weights, first, middle and last, e.g. [0.4, 0.2, 0.4]", a.PositionWeights))
			} else {
				copy(s.Positions[:], a.PositionWeights)
			}
		}
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("attribution: %s: %w", n, err))
		}
		specs = append(specs, s)
	}
	return specs, errors.Join(errs...)
}

// ReportConfig configures the report bundle.
type ReportConfig struct {
	Out      string `yaml:"out"`
	Language string `yaml:"language"`
	BaseURL  string `yaml:"base_url"`
}

// EmailConfig configures delivery of the digest.
type EmailConfig struct {
	From string     `yaml:"from"`
	To   []string   `yaml:"to"`
	SMTP SMTPConfig `yaml:"smtp"`
}

// SMTPConfig is the mail server.
type SMTPConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password Secret `yaml:"password"`
	// TLS is starttls (default), tls (implicit, port 465) or none (a
	// server on this machine only).
	TLS string `yaml:"tls"`
}

// MailOptions are the email settings as reports.Send takes them.
func (e *EmailConfig) MailOptions() reports.MailOptions {
	return reports.MailOptions{From: e.From, To: e.To, Host: e.SMTP.Host, Port: e.SMTP.Port,
		Username: e.SMTP.Username, Password: e.SMTP.Password, TLS: e.SMTP.TLS}
}

// Secret is connectors.Secret: a credential that prints as [redacted].
type Secret = connectors.Secret

// SourceConfig is the part of a source entry every connector type shares.
type SourceConfig struct {
	Name         string `yaml:"name"`
	Type         string `yaml:"type"`
	StartDate    string `yaml:"start_date"`
	LookbackDays int    `yaml:"lookback_days"`
	Disabled     bool   `yaml:"disabled"`

	// Line is where the entry starts in the config file.
	Line int `yaml:"-"`
	// Options holds the type-specific keys, decoded by the connector.
	Options *yaml.Node `yaml:"-"`
	// Start is StartDate parsed (zero when not given).
	Start time.Time `yaml:"-"`
}

var commonSourceKeys = map[string]bool{"name": true, "type": true, "start_date": true, "lookback_days": true, "disabled": true}

var sourceName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// LoadConfig reads, expands and validates the config at path. Every problem
// is reported at once, each naming file and line; the error wraps ErrInvalid.
// Variables come from the environment, then from a .env file beside the config.
func LoadConfig(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s not found (create one with `pacer init`, or try `pacer demo`)", ErrInvalid, path)
		}
		return nil, err
	}
	dir := filepath.Dir(abs)
	dotenv, err := readDotEnv(filepath.Join(dir, ".env"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	lookup := func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		v, ok := dotenv[name]
		return v, ok
	}
	cfg, err := parseConfig(path, b, lookup)
	if err != nil {
		return nil, err
	}
	cfg.Path, cfg.Dir = abs, dir
	return cfg, nil
}

func parseConfig(file string, b []byte, lookup func(string) (string, bool)) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s is empty", ErrInvalid, file)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, yamlErr(file, err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: more than one YAML document (remove the second ---)", ErrInvalid, file)
	}
	var errs []error
	if err := expandEnv(file, &doc, lookup); err != nil {
		errs = append(errs, err)
	}
	cfg := &Config{}
	if err := decodeStrict(file, &doc, cfg); err != nil {
		errs = append(errs, err)
	}
	cfg.setDefaults()
	errs = append(errs, cfg.validate(file)...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w:\n%v", ErrInvalid, err)
	}
	return cfg, nil
}

func (c *Config) setDefaults() {
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.Warehouse.Engine == "" {
		c.Warehouse.Engine = "duckdb"
	}
	if c.Warehouse.Path == "" {
		c.Warehouse.Path = "pacer.duckdb"
	}
	if c.Attribution.LookbackDays == 0 {
		c.Attribution.LookbackDays = 30
	}
	if c.Sync.Parallel == 0 {
		c.Sync.Parallel = 4
	}
	if c.Report.Out == "" {
		c.Report.Out = "report"
	}
	if c.Report.Language == "" {
		c.Report.Language = "en"
	}
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (c *Config) validate(file string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(file+": "+format, a...)) }
	if c.Version != 1 {
		bad("version must be 1 (got %d)", c.Version)
	}
	if strings.TrimSpace(c.Company) == "" {
		bad("company is empty: name the business this report is for")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		bad("timezone %q is not an IANA time zone such as Asia/Shanghai or Europe/Berlin", c.Timezone)
	}
	c.Location = loc
	if !currencyCode.MatchString(c.Currency) {
		bad("currency %q must be an ISO 4217 code such as CNY, USD or EUR (every amount is converted to it)", c.Currency)
	}
	switch c.Warehouse.Engine {
	case "duckdb":
	case "bigquery":
		bad("warehouse.engine bigquery is not available yet; use duckdb")
	default:
		bad("warehouse.engine %q: use duckdb", c.Warehouse.Engine)
	}
	switch c.Report.Language {
	case "en", "zh-CN":
	default:
		bad("report.language %q: use en or zh-CN", c.Report.Language)
	}
	if c.Attribution.LookbackDays < 1 || c.Attribution.LookbackDays > 365 {
		bad("attribution.lookback_days %d must be between 1 and 365", c.Attribution.LookbackDays)
	}
	for _, t := range c.Attribution.ConversionTypes {
		if err := (transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 1, AttributionConversionTypes: []string{t}}).Validate(); err != nil {
			bad("attribution.conversion_types: %v", err)
		}
	}
	if err := (transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 1, PriceTierBounds: c.Evaluation.PriceTiers}).Validate(); err != nil {
		bad("evaluation.price_tiers: %v", err)
	}
	if err := (transforms.Vars{Currency: "USD", Timezone: "UTC", AttributionLookbackDays: 1, ReconciliationTolerancePct: c.Evaluation.ReconciliationTolerancePct}).Validate(); err != nil {
		bad("evaluation.reconciliation_tolerance_pct: %v", err)
	}
	if _, err := c.Attribution.Specs(); err != nil {
		for _, e := range unjoin(err) {
			bad("%v", e)
		}
	}
	errs = append(errs, c.FX.validate(file, c.Currency)...)
	if c.Sync.Parallel < 1 || c.Sync.Parallel > 32 {
		bad("sync.parallel %d: sync between 1 and 32 sources at once", c.Sync.Parallel)
	}
	if c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			bad("schedule %q is not a cron expression (minute hour day month weekday, e.g. \"0 6 * * *\"): %v", c.Schedule, err)
		}
	}
	if c.Email != nil {
		if c.Email.From == "" || len(c.Email.To) == 0 || c.Email.SMTP.Host == "" {
			bad("email needs from, to and smtp.host (or remove the email block)")
		}
	}
	if len(c.Sources) == 0 {
		bad("no sources: add at least one under sources (see `pacer init`)")
	}
	seen := map[string]int{}
	for i := range c.Sources {
		sc, err := decodeSource(file, &c.Sources[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := seen[sc.Name]; dup {
			bad("line %d: source name %q is already used on line %d; names must be unique", sc.Line, sc.Name, prev)
		}
		seen[sc.Name] = sc.Line
		c.SourceList = append(c.SourceList, sc)
	}
	return errs
}

// decodeSource splits a source entry into its common keys and the
// type-specific rest, and checks the common ones.
func decodeSource(file string, n *yaml.Node) (SourceConfig, error) {
	sc := SourceConfig{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return sc, fmt.Errorf("%s:%d: a source must be a mapping with name and type", file, n.Line)
	}
	common := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line}
	rest := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		dst := rest
		if commonSourceKeys[n.Content[i].Value] {
			dst = common
		}
		dst.Content = append(dst.Content, n.Content[i], n.Content[i+1])
	}
	if err := common.Decode(&sc); err != nil {
		return sc, yamlErr(file, err)
	}
	sc.Line, sc.Options = n.Line, rest
	var errs []error
	if !sourceName.MatchString(sc.Name) {
		errs = append(errs, fmt.Errorf("%s:%d: source name %q must be lower case letters, digits and _ (it names raw tables)", file, n.Line, sc.Name))
	}
	if _, err := connectors.Lookup(sc.Type); err != nil {
		errs = append(errs, fmt.Errorf("%s:%d: source %q: %w", file, n.Line, sc.Name, err))
	}
	if sc.StartDate != "" {
		t, err := time.Parse(time.DateOnly, sc.StartDate)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: source %q: start_date %q must be YYYY-MM-DD", file, n.Line, sc.Name, sc.StartDate))
		}
		sc.Start = t
	}
	if sc.LookbackDays < 0 {
		errs = append(errs, fmt.Errorf("%s:%d: source %q: lookback_days must not be negative", file, n.Line, sc.Name))
	}
	return sc, errors.Join(errs...)
}

// Abs resolves p relative to the config file's directory.
func (c *Config) Abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// WarehousePath is the DuckDB file.
func (c *Config) WarehousePath() string { return c.Abs(c.Warehouse.Path) }

// ReportDir is where the bundle is written.
func (c *Config) ReportDir() string { return c.Abs(c.Report.Out) }

// Yesterday is the default run date: the day before now in the reporting time zone.
func (c *Config) Yesterday(now time.Time) time.Time {
	return connectors.Day(now.In(c.Location)).AddDate(0, 0, -1)
}

// OpenSources builds a Source for every enabled source. Each connector
// decodes its own keys strictly; all problems are reported together.
func (c *Config) OpenSources(logger *slog.Logger) ([]OpenedSource, error) {
	var out []OpenedSource
	var errs []error
	for _, sc := range c.SourceList {
		if sc.Disabled {
			continue
		}
		spec, err := connectors.Lookup(sc.Type)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", c.Path, sc.Line, err))
			continue
		}
		opts := sc.Options
		src, err := spec.New(connectors.Config{
			Name:         sc.Name,
			StartDate:    sc.Start,
			LookbackDays: sc.LookbackDays,
			Dir:          c.Dir,
			Decode:       func(v any) error { return decodeStrict(c.Path, opts, v) },
			Logger:       logger.With("source", sc.Name),
			Tokens:       c.tokenStore(sc.Name),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q (%s:%d): %w", sc.Name, c.Path, sc.Line, err))
			continue
		}
		out = append(out, OpenedSource{Config: sc, Source: src})
	}
	if err := errors.Join(errs...); err != nil {
		for _, o := range out {
			o.Source.Close()
		}
		return nil, fmt.Errorf("%w:\n%v", ErrInvalid, err)
	}
	return out, nil
}

// OpenedSource is a configured source and its connector.
type OpenedSource struct {
	Config SourceConfig
	Source connectors.Source
}

// unjoin lists the errors of an errors.Join (or err itself).
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
