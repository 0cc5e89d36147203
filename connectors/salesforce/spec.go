package salesforce

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "salesforce"

// Defaults.
const (
	DefaultLoginURL   = "https://login.salesforce.com"
	DefaultAPIVersion = "v68.0"
	DefaultTokenURL   = DefaultLoginURL + "/services/oauth2/token"
	DefaultWindowDays = 31
	DefaultBatchSize  = 2000
	// Overlap is how far before the cursor each scan starts.
	Overlap = 10 * time.Minute
)

// DefaultStageMap maps Salesforce's standard Opportunity stages.
var DefaultStageMap = map[string]string{
	"Prospecting":          "lead",
	"Qualification":        "qualified",
	"Needs Analysis":       "qualified",
	"Value Proposition":    "proposal",
	"Id. Decision Makers":  "proposal",
	"Perception Analysis":  "proposal",
	"Proposal/Price Quote": "proposal",
	"Negotiation/Review":   "proposal",
	"Closed Won":           "won",
	"Closed Lost":          "lost",
}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Salesforce Opportunities (REST " + DefaultAPIVersion + " SOQL queryAll, incremental on SystemModstamp, upserted by Id, deletions dropped) onto crm_deals.",
		Fields: []connectors.Field{
			{Name: "client_id", Description: "connected app consumer key", Example: "3MVG9…", Required: true},
			{Name: "client_secret", Description: "connected app consumer secret", Example: "${SALESFORCE_CLIENT_SECRET}", Secret: true, Required: true},
			{Name: "refresh_token", Description: "OAuth refresh token of the integration user", Example: "${SALESFORCE_REFRESH_TOKEN}", Secret: true, Required: true},
			{Name: "multi_currency", Description: "the org has multi-currency on: read CurrencyIsoCode (INVALID_FIELD otherwise)", Example: "true", Default: "false"},
			{Name: "currency", Description: "ISO 4217 currency of every amount when multi_currency is off", Example: "USD"},
			{Name: "stage_map", Description: "StageName → lead, qualified, proposal, won or lost; replaces the standard-stage map; unmapped stages are quarantined", Example: `{"Closed Won": won, "Discovery": qualified}`, Default: "Salesforce's standard stages"},
			{Name: "team_map", Description: "OwnerId → team name; owner is Owner.Name", Example: `{"005Hs00000AbCdE": EMEA}`},
			{Name: "window_days", Description: "most CreatedDate days reloaded per query and checkpoint", Example: "31", Default: strconv.Itoa(DefaultWindowDays)},
			{Name: "batch_size", Description: "records per page (Sforce-Query-Options batchSize, 200 to 2000)", Example: "2000", Default: strconv.Itoa(DefaultBatchSize)},
			{Name: "api_version", Description: "REST API version in /services/data/<version>/", Example: DefaultAPIVersion, Default: DefaultAPIVersion},
			{Name: "base_url", Description: "where every data request goes instead of the token's instance_url (tests, proxies)", Example: "http://127.0.0.1:9000/salesforce", Default: "the instance_url of the token answer"},
			{Name: "token_url", Description: "OAuth token endpoint (login, test or My Domain)", Example: "https://acme.my.salesforce.com/services/oauth2/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

type options struct {
	ClientID      string            `yaml:"client_id"`
	ClientSecret  httpkit.Secret    `yaml:"client_secret"`
	RefreshToken  httpkit.Secret    `yaml:"refresh_token"`
	MultiCurrency bool              `yaml:"multi_currency"`
	Currency      string            `yaml:"currency"`
	StageMap      map[string]string `yaml:"stage_map"`
	TeamMap       map[string]string `yaml:"team_map"`
	WindowDays    int               `yaml:"window_days"`
	BatchSize     int               `yaml:"batch_size"`
	APIVersion    string            `yaml:"api_version"`
	BaseURL       string            `yaml:"base_url"`
	TokenURL      string            `yaml:"token_url"`
}

var (
	reVersion  = regexp.MustCompile(`^v\d+\.\d$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	stages     = map[string]bool{"lead": true, "qualified": true, "proposal": true, "won": true, "lost": true}
)

// New builds a salesforce source, validating every key offline.
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if o.ClientID == "" || o.ClientSecret == "" || o.RefreshToken == "" {
		bad("client_id, client_secret and refresh_token are required (write the secrets as ${SALESFORCE_CLIENT_SECRET} and ${SALESFORCE_REFRESH_TOKEN})")
	}
	switch {
	case o.MultiCurrency && o.Currency != "":
		bad("set multi_currency or currency, not both")
	case !o.MultiCurrency && !reCurrency.MatchString(o.Currency):
		bad("currency %q must be an ISO 4217 code such as USD (or set multi_currency: true)", o.Currency)
	}
	stageMap := o.StageMap
	if len(stageMap) == 0 {
		stageMap = DefaultStageMap
	}
	for k, v := range stageMap {
		if !stages[v] {
			bad("stage_map: %s → %q must be lead, qualified, proposal, won or lost", k, v)
		}
	}
	if o.WindowDays == 0 {
		o.WindowDays = DefaultWindowDays
	}
	if o.WindowDays < 1 || o.WindowDays > 3660 {
		bad("window_days %d must be between 1 and 3660", o.WindowDays)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchSize < 200 || o.BatchSize > 2000 {
		bad("batch_size %d must be between 200 and 2000 (Salesforce's bounds)", o.BatchSize)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if !reVersion.MatchString(o.APIVersion) {
		bad("api_version %q must look like %s", o.APIVersion, DefaultAPIVersion)
	}
	if o.TokenURL == "" {
		o.TokenURL = DefaultTokenURL
	}
	for _, u := range []string{o.TokenURL, o.BaseURL} {
		if pu, err := url.Parse(u); u != "" && (err != nil || pu.Scheme == "" || pu.Host == "") {
			bad("%q must be an absolute URL", u)
		}
	}
	if cfg.LookbackDays < 0 {
		bad("lookback_days must not be negative")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", cfg.Name, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a := &auth{tokenURL: o.TokenURL, clientID: o.ClientID, secret: o.ClientSecret, refresh: o.RefreshToken}
	base := o.BaseURL
	if base == "" {
		// Data requests go to the token's instance_url (absolute); the
		// client's base is the token endpoint's origin.
		tu, _ := url.Parse(o.TokenURL)
		base = tu.Scheme + "://" + tu.Host
	}
	client, err := httpkit.New(httpkit.Config{
		Platform: Type, BaseURL: base, DefaultBaseURL: DefaultLoginURL,
		Classify: classify, Auth: a,
		Secrets: []string{o.ClientSecret.Reveal(), o.RefreshToken.Reveal()},
		Timeout: 5 * time.Minute, Logger: log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	a.c = client
	s := &Source{
		name: cfg.Name, version: o.APIVersion, multiCurrency: o.MultiCurrency, currency: o.Currency,
		stageMap: stageMap, teamMap: o.TeamMap, windowDays: o.WindowDays, batchSize: o.BatchSize,
		useBase: o.BaseURL != "", start: cfg.StartDate, lookback: cfg.LookbackDays, client: client, auth: a, log: log,
	}
	s.schema = Schema()
	return s, nil
}
