package googleads

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
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
const Type = "google_ads"

// Defaults.
const (
	DefaultBaseURL        = "https://googleads.googleapis.com"
	DefaultTokenURL       = "https://oauth2.googleapis.com/token"
	DefaultAPIVersion     = "v26"
	DefaultLookbackDays   = 30
	DefaultDaysPerRequest = 7
	DefaultChannel        = "paid_search"
	// oldestVersion is the oldest version not sunset (v20–v22 were, in 2026).
	oldestVersion = 23
)

// DefaultChannels maps advertising_channel_type to pacer channels; a type
// not listed gets the configured channel (default paid_search): SEARCH,
// SHOPPING, PERFORMANCE_MAX, SMART, LOCAL, HOTEL, TRAVEL, MULTI_CHANNEL (app).
// VIDEO is YouTube, which staging files with paid video as short_video.
var DefaultChannels = map[string]string{
	"DISPLAY":    "display",
	"DEMAND_GEN": "display",
	"DISCOVERY":  "display",
	"VIDEO":      "short_video",
}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Google Ads daily cost, impressions, clicks and conversions per campaign, ad group or ad (API " + DefaultAPIVersion + ", googleAds:searchStream), in each account's currency and time zone.",
		Fields: []connectors.Field{
			{Name: "customer_ids", Description: "Google Ads customer ids to read (dashes allowed); or customer_id for one", Example: `["123-456-7890", "987-654-3210"]`, Required: true},
			{Name: "customer_id", Description: "one customer id, instead of customer_ids", Example: `"123-456-7890"`},
			{Name: "login_customer_id", Description: "manager (MCC) account id the accounts are reached through, sent as login-customer-id; required when the OAuth user reaches them through a manager", Example: `"111-222-3333"`},
			{Name: "client_id", Description: "OAuth client id of the Google Cloud project", Example: "1234567890-abc.apps.googleusercontent.com", Required: true},
			{Name: "client_secret", Description: "OAuth client secret", Example: "${GOOGLE_ADS_CLIENT_SECRET}", Required: true, Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token with the https://www.googleapis.com/auth/adwords scope", Example: "${GOOGLE_ADS_REFRESH_TOKEN}", Required: true, Secret: true},
			{Name: "developer_token", Description: "developer token; Google retired it on 2026-09-09 (access now belongs to the Cloud project), so it is sent only when set", Example: "${GOOGLE_ADS_DEVELOPER_TOKEN}", Secret: true},
			{Name: "level", Description: "grain of the rows: campaign, ad_group or ad", Example: "ad_group", Default: "campaign"},
			{Name: "channel", Description: "pacer channel for campaign types without a mapping of their own", Example: "paid_search", Default: DefaultChannel},
			{Name: "channel_map", Description: "channel per advertising_channel_type, over the defaults DISPLAY/DEMAND_GEN/DISCOVERY→display, VIDEO→short_video", Example: "{SHOPPING: paid_shopping, VIDEO: display}"},
			{Name: "days_per_request", Description: "days per searchStream request; each is committed with the cursor, so a failure repeats at most one", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "api_version", Description: "Google Ads API version (four majors a year; v20–v22 are sunset)", Example: "v26", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/googleads", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint", Example: "http://127.0.0.1:9000/googleads/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a google_ads source. start_date and
// lookback_days (default 30) are common keys, in connectors.Config.
type options struct {
	CustomerIDs     []string          `yaml:"customer_ids"`
	CustomerID      string            `yaml:"customer_id"`
	LoginCustomerID string            `yaml:"login_customer_id"`
	ClientID        string            `yaml:"client_id"`
	ClientSecret    httpkit.Secret    `yaml:"client_secret"`
	RefreshToken    httpkit.Secret    `yaml:"refresh_token"`
	DeveloperToken  httpkit.Secret    `yaml:"developer_token"`
	Level           string            `yaml:"level"`
	Channel         string            `yaml:"channel"`
	ChannelMap      map[string]string `yaml:"channel_map"`
	DaysPerRequest  int               `yaml:"days_per_request"`
	APIVersion      string            `yaml:"api_version"`
	BaseURL         string            `yaml:"base_url"`
	TokenURL        string            `yaml:"token_url"`
}

var (
	reVersion = regexp.MustCompile(`^v(\d+)(_\d+)?$`)
	reChannel = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reEnum    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// New builds a google_ads source from cfg, validating every key offline
// and reporting all problems at once. opts reach the HTTP client (tests pass
// a fake clock and the loopback guard).
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	ids := o.CustomerIDs
	switch {
	case o.CustomerID != "" && len(ids) > 0:
		bad("set customer_id or customer_ids, not both")
	case o.CustomerID != "":
		ids = []string{o.CustomerID}
	case len(ids) == 0:
		bad("customer_ids is required: the Google Ads account ids to read, e.g. [\"123-456-7890\"]")
	}
	var customers []string
	for _, id := range ids {
		c, err := customerID(id)
		if err != nil {
			bad("customer_ids: %v", err)
			continue
		}
		if slices.Contains(customers, c) {
			bad("customer_ids: %s is listed twice", c)
		}
		customers = append(customers, c)
	}
	login := ""
	if o.LoginCustomerID != "" {
		var err error
		if login, err = customerID(o.LoginCustomerID); err != nil {
			bad("login_customer_id: %v", err)
		}
	}
	if o.ClientID == "" {
		bad("client_id is required (the OAuth client of your Google Cloud project)")
	}
	if o.ClientSecret == "" {
		bad("client_secret is required; write it as ${GOOGLE_ADS_CLIENT_SECRET} and set the variable")
	}
	if o.RefreshToken == "" {
		bad("refresh_token is required; write it as ${GOOGLE_ADS_REFRESH_TOKEN} and set the variable")
	}
	if o.Level == "" {
		o.Level = "campaign"
	}
	if _, ok := levels[o.Level]; !ok {
		bad("level %q must be campaign, ad_group or ad", o.Level)
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reChannel.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as paid_search", o.Channel)
	}
	channels := maps.Clone(DefaultChannels)
	for _, k := range slices.Sorted(maps.Keys(o.ChannelMap)) {
		v := o.ChannelMap[k]
		if !reEnum.MatchString(k) {
			bad("channel_map: %q is not an advertising_channel_type such as SEARCH, DISPLAY or VIDEO", k)
		}
		if !reChannel.MatchString(v) {
			bad("channel_map: %s: %q must be a lower-case pacer channel such as display", k, v)
		}
		channels[k] = v
	}
	if o.DaysPerRequest == 0 {
		o.DaysPerRequest = DefaultDaysPerRequest
	}
	if o.DaysPerRequest < 1 || o.DaysPerRequest > 366 {
		bad("days_per_request %d must be between 1 and 366", o.DaysPerRequest)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if m := reVersion.FindStringSubmatch(o.APIVersion); m == nil {
		bad("api_version %q must look like %s", o.APIVersion, DefaultAPIVersion)
	} else if v, _ := strconv.Atoi(m[1]); v < oldestVersion {
		bad("api_version %s is sunset (Google answers UNSUPPORTED_VERSION); use %s", o.APIVersion, DefaultAPIVersion)
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
	header := map[string][]string{}
	if login != "" {
		header["Login-Customer-Id"] = []string{login}
	}
	if o.DeveloperToken != "" {
		header["Developer-Token"] = []string{o.DeveloperToken.Reveal()}
	}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       classify,
		Auth: httpkit.NewOAuth2(httpkit.OAuth2{
			TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		}),
		Header:  header,
		Secrets: []string{o.DeveloperToken.Reveal()},
		// Google publishes no per-second limit; stay gentle per account.
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           10 * time.Minute,
		Logger:            log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	lookback := DefaultLookbackDays
	if cfg.LookbackDays > 0 {
		lookback = cfg.LookbackDays
	}
	s := &Source{
		name: cfg.Name, customers: customers, level: levels[o.Level], version: o.APIVersion,
		channel: o.Channel, channels: channels, daysPerRequest: o.DaysPerRequest,
		start: cfg.StartDate, lookback: lookback, client: client, log: log,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}

// customerID strips dashes and spaces from a customer id and checks it has
// ten digits.
func customerID(s string) (string, error) {
	c := strings.NewReplacer("-", "", " ", "").Replace(s)
	if len(c) != 10 || strings.Trim(c, "0123456789") != "" {
		return "", fmt.Errorf("%q is not a customer id (ten digits, as 123-456-7890)", s)
	}
	return c, nil
}
