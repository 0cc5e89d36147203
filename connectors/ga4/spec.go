package ga4

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "ga4"

// Defaults.
const (
	DefaultBaseURL            = "https://analyticsdata.googleapis.com"
	DefaultTokenURL           = "https://oauth2.googleapis.com/token"
	DefaultAPIVersion         = "v1beta"
	DefaultLookbackDays       = 4
	DefaultDaysPerRequest     = 7
	DefaultPageLimit          = 100_000
	MaxPageLimit              = 250_000
	DefaultHourlyQuotaReserve = 500
)

// DefaultDimensions and DefaultMetrics are what a runReport asks for.
var (
	DefaultDimensions = []string{"date", "sessionDefaultChannelGroup", "sessionSourceMedium", "sessionCampaignName"}
	DefaultMetrics    = []string{"sessions", "totalUsers", "keyEvents", "purchaseRevenue"}
)

// Roles of dimensions: which web_traffic column a GA4 dimension feeds.
const (
	roleDate        = "date"
	roleChannel     = "channel_group"
	roleSourceMedia = "source_medium" // "google / cpc", split into source and medium
	roleSource      = "source"
	roleMedium      = "medium"
	roleCampaign    = "campaign"
)

// dimensionRoles maps the GA4 dimensions this connector understands.
var dimensionRoles = map[string]string{
	"date":                           roleDate,
	"sessionDefaultChannelGroup":     roleChannel,
	"sessionPrimaryChannelGroup":     roleChannel,
	"firstUserDefaultChannelGroup":   roleChannel,
	"defaultChannelGroup":            roleChannel,
	"sessionSourceMedium":            roleSourceMedia,
	"firstUserSourceMedium":          roleSourceMedia,
	"sourceMedium":                   roleSourceMedia,
	"sessionSource":                  roleSource,
	"firstUserSource":                roleSource,
	"source":                         roleSource,
	"sessionMedium":                  roleMedium,
	"firstUserMedium":                roleMedium,
	"medium":                         roleMedium,
	"sessionCampaignName":            roleCampaign,
	"firstUserCampaignName":          roleCampaign,
	"campaignName":                   roleCampaign,
	"sessionManualCampaignName":      roleCampaign,
	"sessionCampaignId":              roleCampaign,
	"sessionGoogleAdsCampaignName":   roleCampaign,
	"firstUserGoogleAdsCampaignName": roleCampaign,
}

// metricColumns maps the GA4 metrics this connector understands onto
// web_traffic columns.
var metricColumns = map[string]string{
	"sessions":        "sessions",
	"totalUsers":      "users",
	"activeUsers":     "users",
	"newUsers":        "new_users",
	"keyEvents":       "key_events",
	"conversions":     "key_events", // the pre-2024 name of keyEvents
	"purchaseRevenue": "revenue",
	"totalRevenue":    "revenue",
}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Google Analytics 4 daily sessions, users, key events and revenue per channel group, source, medium and campaign (Data API " + DefaultAPIVersion + " runReport), in each property's currency and time zone.",
		Fields: []connectors.Field{
			{Name: "property_ids", Description: "GA4 property ids to read (the numeric id, not the G- measurement id); or property_id for one", Example: `["123456789", "987654321"]`, Required: true},
			{Name: "property_id", Description: "one property id, instead of property_ids", Example: `"123456789"`},
			{Name: "client_id", Description: "OAuth client id of the Google Cloud project", Example: "1234567890-abc.apps.googleusercontent.com", Required: true},
			{Name: "client_secret", Description: "OAuth client secret", Example: "${GA4_CLIENT_SECRET}", Required: true, Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token with the https://www.googleapis.com/auth/analytics.readonly scope", Example: "${GA4_REFRESH_TOKEN}", Required: true, Secret: true},
			{Name: "dimensions", Description: "runReport dimensions: date, a channel group (sessionDefaultChannelGroup...), source and medium (sessionSourceMedium, split on \" / \", or sessionSource and sessionMedium) and a campaign (sessionCampaignName...)", Example: `[date, sessionDefaultChannelGroup, sessionSource, sessionMedium, sessionCampaignName]`, Default: strings.Join(DefaultDimensions, ", ")},
			{Name: "metrics", Description: "runReport metrics: sessions, totalUsers (or activeUsers), keyEvents, purchaseRevenue (or totalRevenue), optionally newUsers", Example: `[sessions, totalUsers, newUsers, keyEvents, totalRevenue]`, Default: strings.Join(DefaultMetrics, ", ")},
			{Name: "days_per_request", Description: "days per runReport date range; each window is committed with the cursor, so a failure repeats at most one", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "page_limit", Description: "rows per runReport page (limit; Google allows at most 250000)", Example: "250000", Default: strconv.Itoa(DefaultPageLimit)},
			{Name: "hourly_quota_reserve", Description: "pause until the next hour when the property's hourly quota tokens remaining (propertyQuota) fall below this; 0 never pauses", Example: "1000", Default: strconv.Itoa(DefaultHourlyQuotaReserve)},
			{Name: "api_version", Description: "Data API version", Example: "v1beta", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "Data API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/ga4", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint", Example: "http://127.0.0.1:9000/ga4/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a ga4 source. start_date and
// lookback_days (default 4) are common keys, in connectors.Config.
type options struct {
	PropertyIDs        []string       `yaml:"property_ids"`
	PropertyID         string         `yaml:"property_id"`
	ClientID           string         `yaml:"client_id"`
	ClientSecret       httpkit.Secret `yaml:"client_secret"`
	RefreshToken       httpkit.Secret `yaml:"refresh_token"`
	Dimensions         []string       `yaml:"dimensions"`
	Metrics            []string       `yaml:"metrics"`
	DaysPerRequest     int            `yaml:"days_per_request"`
	PageLimit          int            `yaml:"page_limit"`
	HourlyQuotaReserve *int           `yaml:"hourly_quota_reserve"`
	APIVersion         string         `yaml:"api_version"`
	BaseURL            string         `yaml:"base_url"`
	TokenURL           string         `yaml:"token_url"`
}

var (
	reVersion  = regexp.MustCompile(`^v\d+(alpha|beta)?\d*$`)
	reProperty = regexp.MustCompile(`^\d{1,20}$`)
)

// New builds a ga4 source from cfg, validating every key offline and
// reporting all problems at once. opts reach the HTTP client (tests pass a
// fake clock and the loopback guard).
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	ids := o.PropertyIDs
	switch {
	case o.PropertyID != "" && len(ids) > 0:
		bad("set property_id or property_ids, not both")
	case o.PropertyID != "":
		ids = []string{o.PropertyID}
	case len(ids) == 0:
		bad("property_ids is required: the numeric GA4 property ids, e.g. [\"123456789\"]")
	}
	var props []string
	for _, id := range ids {
		p := strings.TrimPrefix(strings.TrimSpace(id), "properties/")
		if !reProperty.MatchString(p) {
			bad("property_ids: %q is not a GA4 property id (digits, as 123456789; not a G- measurement id)", id)
			continue
		}
		if slices.Contains(props, p) {
			bad("property_ids: %s is listed twice", p)
		}
		props = append(props, p)
	}
	if o.ClientID == "" {
		bad("client_id is required (the OAuth client of your Google Cloud project)")
	}
	if o.ClientSecret == "" {
		bad("client_secret is required; write it as ${GA4_CLIENT_SECRET} and set the variable")
	}
	if o.RefreshToken == "" {
		bad("refresh_token is required; write it as ${GA4_REFRESH_TOKEN} and set the variable")
	}
	if len(o.Dimensions) == 0 {
		o.Dimensions = DefaultDimensions
	}
	if len(o.Metrics) == 0 {
		o.Metrics = DefaultMetrics
	}
	if err := checkDimensions(o.Dimensions); err != nil {
		errs = append(errs, err)
	}
	if err := checkMetrics(o.Metrics); err != nil {
		errs = append(errs, err)
	}
	if o.DaysPerRequest == 0 {
		o.DaysPerRequest = DefaultDaysPerRequest
	}
	if o.DaysPerRequest < 1 || o.DaysPerRequest > 366 {
		bad("days_per_request %d must be between 1 and 366", o.DaysPerRequest)
	}
	if o.PageLimit == 0 {
		o.PageLimit = DefaultPageLimit
	}
	if o.PageLimit < 1 || o.PageLimit > MaxPageLimit {
		bad("page_limit %d must be between 1 and %d", o.PageLimit, MaxPageLimit)
	}
	minTokens := DefaultHourlyQuotaReserve
	if o.HourlyQuotaReserve != nil {
		minTokens = *o.HourlyQuotaReserve
	}
	if minTokens < 0 {
		bad("hourly_quota_reserve must not be negative")
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
	if u, err := url.Parse(o.TokenURL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("token_url %q must be an absolute URL", o.TokenURL)
	}
	if cfg.LookbackDays < 0 {
		bad("lookback_days must not be negative")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Source{
		name: cfg.Name, properties: props, version: o.APIVersion, dimensions: o.Dimensions, metrics: o.Metrics,
		daysPerRequest: o.DaysPerRequest, limit: o.PageLimit, hourlyQuotaReserve: minTokens,
		start: cfg.StartDate, lookback: DefaultLookbackDays, log: log,
	}
	if cfg.LookbackDays > 0 {
		s.lookback = cfg.LookbackDays
	}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       s.classify,
		Auth: httpkit.NewOAuth2(httpkit.OAuth2{
			TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		}),
		// 10 concurrent requests per property; one at a time here.
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           10 * time.Minute,
		// Hourly token quotas come back at the next hour: accept waiting it.
		MaxWait:    61 * time.Minute,
		WaitBudget: 3 * time.Hour,
		Logger:     log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	s.client = client
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkDimensions checks that dims cover every web_traffic key column once.
func checkDimensions(dims []string) error {
	var errs []error
	seen := map[string]string{}
	for _, d := range dims {
		r, ok := dimensionRoles[d]
		if !ok {
			errs = append(errs, fmt.Errorf("dimensions: %q is not one this connector maps (date, sessionDefaultChannelGroup, sessionSourceMedium, sessionSource, sessionMedium, sessionCampaignName, ...)", d))
			continue
		}
		if prev, dup := seen[r]; dup {
			errs = append(errs, fmt.Errorf("dimensions: %s and %s both give the %s", prev, d, r))
		}
		seen[r] = d
	}
	_, sm := seen[roleSourceMedia]
	_, src := seen[roleSource]
	_, med := seen[roleMedium]
	switch {
	case sm && (src || med):
		errs = append(errs, errors.New("dimensions: take a source/medium dimension or separate source and medium ones, not both"))
	case !sm && !(src && med):
		errs = append(errs, errors.New("dimensions: need sessionSourceMedium, or sessionSource and sessionMedium"))
	}
	for _, r := range []string{roleDate, roleChannel, roleCampaign} {
		if _, ok := seen[r]; !ok {
			errs = append(errs, fmt.Errorf("dimensions: need a %s dimension", r))
		}
	}
	if len(dims) > 9 {
		errs = append(errs, errors.New("dimensions: runReport takes at most 9"))
	}
	return errors.Join(errs...)
}

// checkMetrics checks that metrics cover every required web_traffic metric once.
func checkMetrics(ms []string) error {
	var errs []error
	seen := map[string]string{}
	for _, m := range ms {
		c, ok := metricColumns[m]
		if !ok {
			errs = append(errs, fmt.Errorf("metrics: %q is not one this connector maps (sessions, totalUsers, activeUsers, newUsers, keyEvents, purchaseRevenue, totalRevenue)", m))
			continue
		}
		if prev, dup := seen[c]; dup {
			errs = append(errs, fmt.Errorf("metrics: %s and %s both give %s", prev, m, c))
		}
		seen[c] = m
	}
	for _, c := range []string{"sessions", "users", "key_events", "revenue"} {
		if _, ok := seen[c]; !ok {
			errs = append(errs, fmt.Errorf("metrics: need one giving %s", c))
		}
	}
	return errors.Join(errs...)
}
