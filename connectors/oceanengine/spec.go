package oceanengine

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "ocean_engine"

// Defaults.
const (
	DefaultBaseURL    = "https://api.oceanengine.com"
	DefaultTokenURL   = "https://ad.oceanengine.com/open_api/oauth2/refresh_token/"
	DefaultAPIVersion = "v3.0"
	// DefaultCampaignDimension is the project id dimension (unverified:
	// check report/custom/config/get/).
	DefaultCampaignDimension     = "cdp_project_id"
	DefaultCampaignNameDimension = "cdp_project_name"
	DefaultLookbackDays          = 7
	DefaultDaysPerRequest        = 30 // unverified limit
	DefaultPageSize              = 100
	DefaultChannel               = "short_video"
	DefaultCurrency              = "CNY"
	DefaultTimezone              = "Asia/Shanghai"
	DefaultThrottleWait          = 10 * time.Second
)

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Ocean Engine (巨量引擎) daily cost (yuan), impressions, clicks and conversions per project from the " + DefaultAPIVersion + " custom report, in CNY on Beijing time unless configured.",
		Fields: []connectors.Field{
			{Name: "advertiser_ids", Description: "Ocean Engine advertiser ids to read", Example: `["1760000000000001"]`, Required: true},
			{Name: "access_token", Description: "access token, sent as the Access-Token header; optional when refresh_token is set (a saved rotated token wins)", Example: "${OCEAN_ENGINE_ACCESS_TOKEN}", Secret: true},
			{Name: "app_id", Description: "developer app id; needed with refresh_token", Example: `"1787000000000000"`},
			{Name: "secret", Description: "developer app secret; needed with refresh_token", Example: "${OCEAN_ENGINE_APP_SECRET}", Secret: true},
			{Name: "refresh_token", Description: "refresh token; a refresh kills the old pair, so the new one is saved in the token store and used from then on", Example: "${OCEAN_ENGINE_REFRESH_TOKEN}", Secret: true},
			{Name: "campaign_dimension", Description: "custom-report dimension holding the campaign (project or promotion) id (unverified name)", Example: "cdp_project_id", Default: DefaultCampaignDimension},
			{Name: "campaign_name_dimension", Description: `dimension holding the campaign name (unverified name); "" leaves names empty`, Example: "cdp_project_name", Default: DefaultCampaignNameDimension},
			{Name: "ad_group_dimension", Description: "dimension holding the ad group id (unverified name), for rows at ad group grain; unset: campaign grain, ad_group_id NULL", Example: "cdp_promotion_id"},
			{Name: "ad_dimension", Description: "dimension holding the ad id (unverified name), for rows at ad grain; set it with ad_group_dimension", Example: "material_id"},
			{Name: "conversion_value_metric", Description: "metric read into conversion_value in yuan; none by default (NULL)", Example: "attribution_convert_amount"},
			{Name: "channel", Description: "pacer channel of every row", Example: "short_video", Default: DefaultChannel},
			{Name: "currency", Description: "ISO 4217 currency of the money columns (the report does not say)", Example: "CNY", Default: DefaultCurrency},
			{Name: "timezone", Description: "IANA time zone of the report's days (Beijing time, unverified)", Example: "Asia/Shanghai", Default: DefaultTimezone},
			{Name: "days_per_request", Description: "days per report request; each window is committed with the cursor", Example: "7", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "page_size", Description: "rows per page, 1 to 1000 (unverified limit)", Example: "100", Default: strconv.Itoa(DefaultPageSize)},
			{Name: "throttle_wait", Description: "wait after a rate-limit code, which gives no wait of its own", Example: "30s", Default: DefaultThrottleWait.String()},
			{Name: "throttle_codes", Description: "codes meaning rate limited (unverified)", Example: "[40100]", Default: "[40100]"},
			{Name: "refresh_codes", Description: "codes meaning the access token expired or is invalid (unverified)", Example: "[40102, 40105]", Default: "[40102, 40105]"},
			{Name: "api_version", Description: "API version in the path", Example: "v3.0", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/oceanengine", Default: DefaultBaseURL},
			{Name: "token_url", Description: "refresh endpoint", Example: "http://127.0.0.1:9000/oceanengine/open_api/oauth2/refresh_token/", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of an ocean_engine source.
type options struct {
	AdvertiserIDs         []string       `yaml:"advertiser_ids"`
	AccessToken           httpkit.Secret `yaml:"access_token"`
	AppID                 string         `yaml:"app_id"`
	Secret                httpkit.Secret `yaml:"secret"`
	RefreshToken          httpkit.Secret `yaml:"refresh_token"`
	CampaignDimension     string         `yaml:"campaign_dimension"`
	CampaignNameDimension *string        `yaml:"campaign_name_dimension"`
	AdGroupDimension      string         `yaml:"ad_group_dimension"`
	AdDimension           string         `yaml:"ad_dimension"`
	ConversionValueMetric string         `yaml:"conversion_value_metric"`
	Channel               string         `yaml:"channel"`
	Currency              string         `yaml:"currency"`
	Timezone              string         `yaml:"timezone"`
	DaysPerRequest        int            `yaml:"days_per_request"`
	PageSize              int            `yaml:"page_size"`
	ThrottleWait          string         `yaml:"throttle_wait"`
	ThrottleCodes         []int64        `yaml:"throttle_codes"`
	RefreshCodes          []int64        `yaml:"refresh_codes"`
	APIVersion            string         `yaml:"api_version"`
	BaseURL               string         `yaml:"base_url"`
	TokenURL              string         `yaml:"token_url"`
}

var (
	reID       = regexp.MustCompile(`^\d{1,20}$`)
	reVersion  = regexp.MustCompile(`^v\d+\.\d+$`)
	reName     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
)

// New builds an ocean_engine source from cfg, validating every key offline
// and reporting all problems at once. opts reach the HTTP client.
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(o.AdvertiserIDs) == 0 {
		bad(`advertiser_ids is required: the Ocean Engine advertiser ids to read, e.g. ["1760000000000001"]`)
	}
	var ids []string
	for _, id := range o.AdvertiserIDs {
		if !reID.MatchString(id) {
			bad("advertiser_ids: %q is not an advertiser id (digits only)", id)
			continue
		}
		if slices.Contains(ids, id) {
			bad("advertiser_ids: %s is listed twice", id)
		}
		ids = append(ids, id)
	}
	access, refresh := o.AccessToken, o.RefreshToken
	if cfg.Tokens != nil {
		// A refresh on an earlier run killed the configured pair: the saved
		// one wins.
		if saved, ok, err := cfg.Tokens.Load("refresh_token"); err != nil {
			bad("reading the saved refresh token: %v", err)
		} else if ok && saved != "" {
			refresh = saved
			access = ""
			if a, ok, err := cfg.Tokens.Load("access_token"); err == nil && ok {
				access = a
			}
		}
	}
	switch {
	case access == "" && refresh == "":
		bad("access_token is required; write it as ${OCEAN_ENGINE_ACCESS_TOKEN} and set the variable")
	case refresh != "" && (o.AppID == "" || o.Secret == ""):
		bad("refresh_token needs app_id and secret (write the secret as ${OCEAN_ENGINE_APP_SECRET})")
	}
	if o.CampaignDimension == "" {
		o.CampaignDimension = DefaultCampaignDimension
	}
	nameDim := DefaultCampaignNameDimension
	if o.CampaignNameDimension != nil {
		nameDim = *o.CampaignNameDimension
	}
	for _, n := range []string{o.CampaignDimension, nameDim, o.AdGroupDimension, o.AdDimension, o.ConversionValueMetric} {
		if n != "" && !reName.MatchString(n) {
			bad("%q is not a custom-report field name such as cdp_project_id", n)
		}
	}
	if o.AdDimension != "" && o.AdGroupDimension == "" {
		bad("ad_dimension needs ad_group_dimension (an ad row has an ad group)")
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reName.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as short_video", o.Channel)
	}
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	if !reCurrency.MatchString(o.Currency) {
		bad("currency %q must be an ISO 4217 code such as CNY", o.Currency)
	}
	if o.Timezone == "" {
		o.Timezone = DefaultTimezone
	}
	loc, err := time.LoadLocation(o.Timezone)
	if err != nil {
		bad("timezone %q is not an IANA time zone such as Asia/Shanghai", o.Timezone)
	}
	if o.DaysPerRequest == 0 {
		o.DaysPerRequest = DefaultDaysPerRequest
	}
	if o.DaysPerRequest < 1 || o.DaysPerRequest > 366 {
		bad("days_per_request %d must be between 1 and 366", o.DaysPerRequest)
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	if o.PageSize < 1 || o.PageSize > 1000 {
		bad("page_size %d must be between 1 and 1000", o.PageSize)
	}
	throttle := DefaultThrottleWait
	if o.ThrottleWait != "" {
		d, err := time.ParseDuration(o.ThrottleWait)
		if err != nil || d <= 0 || d > 15*time.Minute {
			bad("throttle_wait %q must be a duration such as 30s, at most 15m", o.ThrottleWait)
		}
		throttle = d
	}
	if o.ThrottleCodes == nil {
		o.ThrottleCodes = []int64{CodeRateLimited}
	}
	if o.RefreshCodes == nil {
		o.RefreshCodes = []int64{CodeTokenExpired, CodeBadToken}
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
	auth := httpkit.NewEnvelopeToken(httpkit.EnvelopeConfig{Platform: Type, URL: o.TokenURL, AppID: o.AppID, Secret: o.Secret,
		Store: cfg.Tokens, SaveAccessToken: true, RetryCodes: []int64{CodeRateLimited, CodeSystemError}}, access, refresh)
	cl := &classifier{throttleWait: throttle, throttle: o.ThrottleCodes, refresh: o.RefreshCodes, retry: []int64{CodeSystemError}}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       cl.classify,
		Auth:           auth,
		Authorize:      func(req *http.Request, tok string) { req.Header.Set("Access-Token", tok) },
		Secrets:        []string{o.AccessToken.Reveal(), access.Reveal(), o.Secret.Reveal(), o.RefreshToken.Reveal(), refresh.Reveal()},
		// Ocean Engine limits report calls per app and advertiser (unverified numbers).
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           5 * time.Minute,
		Logger:            log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	auth.Bind(client)
	lookback := DefaultLookbackDays
	if cfg.LookbackDays > 0 {
		lookback = cfg.LookbackDays
	}
	s := &Source{
		name: cfg.Name, advertisers: ids, version: o.APIVersion, channel: o.Channel,
		campaignDim: o.CampaignDimension, nameDim: nameDim, adGroupDim: o.AdGroupDimension, adDim: o.AdDimension,
		valueMetric: o.ConversionValueMetric,
		currency:    o.Currency, timezone: o.Timezone, loc: loc,
		daysPerRequest: o.DaysPerRequest, pageSize: o.PageSize, start: cfg.StartDate, lookback: lookback,
		client: client, classify: cl, log: log,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}
