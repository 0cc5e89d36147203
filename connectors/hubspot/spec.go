package hubspot

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
const Type = "hubspot"

// Defaults.
const (
	DefaultBaseURL    = "https://api.hubapi.com"
	DefaultAPIVersion = "2026-09"
	// DefaultTokenPath is the OAuth refresh endpoint (CONNECTORS.md §6; the
	// legacy one is /oauth/v1/token).
	DefaultTokenPath          = "/oauth/2026-03/token"
	DefaultLeadSourceProperty = "hs_analytics_source"
	DefaultPageSize           = 200
	DefaultMaxResults         = 10000
	DefaultWindowDays         = 31
	// Overlap is how far before the cursor each scan starts: search lags.
	Overlap = 10 * time.Minute
)

// DefaultStageMap maps the stages of HubSpot's default sales pipeline.
var DefaultStageMap = map[string]string{
	"appointmentscheduled":  "lead",
	"qualifiedtobuy":        "qualified",
	"presentationscheduled": "proposal",
	"decisionmakerboughtin": "proposal",
	"contractsent":          "proposal",
	"closedwon":             "won",
	"closedlost":            "lost",
}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "HubSpot CRM deals (CRM search " + DefaultAPIVersion + ", incremental on hs_lastmodifieddate, upserted by deal id) onto crm_deals, amounts as exact decimals in the deal currency.",
		Fields: []connectors.Field{
			{Name: "access_token", Description: "private-app token (pat-…), sent as Bearer; or use client_id, client_secret and refresh_token", Example: "${HUBSPOT_ACCESS_TOKEN}", Secret: true},
			{Name: "client_id", Description: "OAuth app client id (with client_secret and refresh_token)", Example: "5f3c0a1e-0000-4000-8000-000000000001"},
			{Name: "client_secret", Description: "OAuth app client secret", Example: "${HUBSPOT_CLIENT_SECRET}", Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token; access tokens last 30 minutes and are refreshed", Example: "${HUBSPOT_REFRESH_TOKEN}", Secret: true},
			{Name: "portal_id", Description: "HubSpot account (portal) id, used as the rate-limit key and in logs", Example: "12345678", Default: "default"},
			{Name: "currency", Description: "portal currency, for deals whose deal_currency_code is empty (else currency is NULL)", Example: "EUR"},
			{Name: "stage_map", Description: "HubSpot dealstage id → lead, qualified, proposal, won or lost; replaces the default-pipeline map; deals of unmapped stages are quarantined", Example: `{closedwon: won, closedlost: lost, "12345": qualified}`, Default: "the default sales pipeline's stages"},
			{Name: "owner_map", Description: "hubspot_owner_id → owner name; unmapped owners keep their id", Example: `{"1001": "Ana Silva"}`},
			{Name: "team_map", Description: "hubspot_owner_id → team name; unmapped owners have a NULL team", Example: `{"1001": "EMEA"}`},
			{Name: "lead_source_property", Description: "deal property read into lead_source", Example: "hs_analytics_source", Default: DefaultLeadSourceProperty},
			{Name: "campaign_property", Description: "deal property read into campaign_id; empty leaves campaign_id NULL", Example: "hs_campaign"},
			{Name: "window_days", Description: "most created_at days reloaded per search and checkpoint", Example: "31", Default: strconv.Itoa(DefaultWindowDays)},
			{Name: "page_size", Description: "results per search page, 1 to 200", Example: "200", Default: strconv.Itoa(DefaultPageSize)},
			{Name: "max_results_per_search", Description: "HubSpot's cap on results per search; on reaching it the search restarts from the last timestamp", Example: "10000", Default: strconv.Itoa(DefaultMaxResults)},
			{Name: "api_version", Description: "date-based API version in the path (/crm/objects/<version>/deals/search)", Example: "2026-09", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/hubspot", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth refresh endpoint (form grant_type=refresh_token)", Example: "http://127.0.0.1:9000/hubspot/oauth/2026-03/token", Default: DefaultBaseURL + DefaultTokenPath},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

type options struct {
	AccessToken        httpkit.Secret    `yaml:"access_token"`
	ClientID           string            `yaml:"client_id"`
	ClientSecret       httpkit.Secret    `yaml:"client_secret"`
	RefreshToken       httpkit.Secret    `yaml:"refresh_token"`
	PortalID           string            `yaml:"portal_id"`
	Currency           string            `yaml:"currency"`
	StageMap           map[string]string `yaml:"stage_map"`
	OwnerMap           map[string]string `yaml:"owner_map"`
	TeamMap            map[string]string `yaml:"team_map"`
	LeadSourceProperty string            `yaml:"lead_source_property"`
	CampaignProperty   *string           `yaml:"campaign_property"`
	WindowDays         int               `yaml:"window_days"`
	PageSize           int               `yaml:"page_size"`
	MaxResults         int               `yaml:"max_results_per_search"`
	APIVersion         string            `yaml:"api_version"`
	BaseURL            string            `yaml:"base_url"`
	TokenURL           string            `yaml:"token_url"`
}

var (
	reVersion  = regexp.MustCompile(`^(\d{4}-\d{2}|v\d+)$`)
	reProperty = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	stages     = map[string]bool{"lead": true, "qualified": true, "proposal": true, "won": true, "lost": true}
)

// New builds a hubspot source from cfg, validating every key offline and
// reporting all problems at once. opts reach the HTTP client.
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	refresh := o.RefreshToken
	if cfg.Tokens != nil && refresh != "" {
		if saved, ok, err := cfg.Tokens.Load("refresh_token"); err != nil {
			bad("reading the saved refresh token: %v", err)
		} else if ok && saved != "" {
			refresh = httpkit.Secret(saved)
		}
	}
	oauth := o.ClientID != "" || o.ClientSecret != "" || refresh != ""
	switch {
	case o.AccessToken == "" && !oauth:
		bad("access_token is required (a private-app token; write it as ${HUBSPOT_ACCESS_TOKEN}), or client_id, client_secret and refresh_token")
	case o.AccessToken != "" && oauth:
		bad("set access_token or client_id/client_secret/refresh_token, not both")
	case oauth && (o.ClientID == "" || o.ClientSecret == "" || refresh == ""):
		bad("OAuth needs client_id, client_secret and refresh_token together")
	}
	if o.PortalID == "" {
		o.PortalID = "default"
	}
	if o.Currency != "" && !reCurrency.MatchString(o.Currency) {
		bad("currency %q must be an ISO 4217 code such as EUR", o.Currency)
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
	if o.LeadSourceProperty == "" {
		o.LeadSourceProperty = DefaultLeadSourceProperty
	}
	campaign := ""
	if o.CampaignProperty != nil {
		campaign = *o.CampaignProperty
	}
	for _, p := range []string{o.LeadSourceProperty, campaign} {
		if p != "" && !reProperty.MatchString(p) {
			bad("property %q must be a HubSpot internal property name such as hs_analytics_source", p)
		}
	}
	if o.WindowDays == 0 {
		o.WindowDays = DefaultWindowDays
	}
	if o.WindowDays < 1 || o.WindowDays > 3660 {
		bad("window_days %d must be between 1 and 3660", o.WindowDays)
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	if o.PageSize < 1 || o.PageSize > 200 {
		bad("page_size %d must be between 1 and 200", o.PageSize)
	}
	if o.MaxResults == 0 {
		o.MaxResults = DefaultMaxResults
	}
	if o.MaxResults < o.PageSize {
		bad("max_results_per_search %d must be at least page_size %d", o.MaxResults, o.PageSize)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if !reVersion.MatchString(o.APIVersion) {
		bad("api_version %q must look like %s", o.APIVersion, DefaultAPIVersion)
	}
	if o.TokenURL == "" {
		base := o.BaseURL
		if base == "" {
			base = DefaultBaseURL
		}
		o.TokenURL = base + DefaultTokenPath
	}
	if u, err := url.Parse(o.TokenURL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("token_url %q must be an absolute URL", o.TokenURL)
	}
	if cfg.LookbackDays < 0 {
		bad("lookback_days must not be negative")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("hubspot source %s: %w", cfg.Name, err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var auth httpkit.TokenSource
	if oauth {
		store := cfg.Tokens
		auth = httpkit.NewOAuth2(httpkit.OAuth2{
			TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: refresh,
			OnRotate: func(rt httpkit.Secret) {
				if store != nil {
					if err := store.Save("refresh_token", connectors.Secret(rt)); err != nil {
						log.Warn("saving the rotated refresh token failed", "err", err)
					}
				}
			},
		})
	} else {
		auth = httpkit.StaticToken(o.AccessToken)
	}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       classify,
		Auth:           auth,
		Secrets:        []string{o.AccessToken.Reveal(), o.ClientSecret.Reveal(), refresh.Reveal()},
		// CRM search: 5 requests/s per account (CONNECTORS.md §6).
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           2 * time.Minute,
		Logger:            log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	s := &Source{
		name: cfg.Name, portal: o.PortalID, version: o.APIVersion, currency: o.Currency,
		stageMap: stageMap, ownerMap: o.OwnerMap, teamMap: o.TeamMap,
		leadSourceProp: o.LeadSourceProperty, campaignProp: campaign,
		windowDays: o.WindowDays, pageSize: o.PageSize, maxResults: o.MaxResults,
		start: cfg.StartDate, lookback: cfg.LookbackDays, client: client, log: log,
	}
	s.schema = Schema()
	return s, nil
}
