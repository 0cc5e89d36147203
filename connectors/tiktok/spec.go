package tiktok

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
const Type = "tiktok"

// Defaults.
const (
	DefaultBaseURL    = "https://business-api.tiktok.com"
	DefaultAPIVersion = "v1.3"
	// DefaultTokenPath is the refresh endpoint under base_url (unverified for
	// advertiser tokens, which TikTok documents as long-lived).
	DefaultTokenPath      = "/open_api/" + DefaultAPIVersion + "/oauth2/refresh_token/"
	DefaultLookbackDays   = 7
	DefaultDaysPerRequest = 30 // TikTok's limit per request (unverified)
	DefaultPageSize       = 1000
	DefaultChannel        = "short_video"
	// DefaultConversionValueMetric is the metric read into conversion_value
	// (TikTok's "total complete payment value"; unverified).
	DefaultConversionValueMetric = "total_complete_payment_rate"
	DefaultConversionMetric      = "conversion"
	// DefaultThrottleWait is the wait after a 40100 answer, which carries no
	// hint of its own (unverified: TikTok's limits are per second, minute and day).
	DefaultThrottleWait = 10 * time.Second
)

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "TikTok API for Business daily spend, impressions, clicks and conversions per campaign, ad group or ad (integrated report " + DefaultAPIVersion + ", report_type BASIC), in each advertiser's currency and time zone.",
		Fields: []connectors.Field{
			{Name: "advertiser_ids", Description: "TikTok advertiser ids to read", Example: `["7000000000000000001"]`, Required: true},
			{Name: "access_token", Description: "advertiser access token, sent as the Access-Token header (without Bearer); optional when refresh_token is set", Example: "${TIKTOK_ACCESS_TOKEN}", Secret: true},
			{Name: "app_id", Description: "developer app id; needed only with refresh_token", Example: `"7100000000000000000"`},
			{Name: "secret", Description: "developer app secret; needed only with refresh_token", Example: "${TIKTOK_APP_SECRET}", Secret: true},
			{Name: "refresh_token", Description: "refresh token for apps whose access tokens expire (unverified for advertiser tokens); without it a rejected token (40105) is fatal", Example: "${TIKTOK_REFRESH_TOKEN}", Secret: true},
			{Name: "level", Description: "grain of the rows: campaign, adgroup or ad", Example: "adgroup", Default: "campaign"},
			{Name: "channel", Description: "pacer channel of every row", Example: "short_video", Default: DefaultChannel},
			{Name: "conversion_metric", Description: "TikTok metric read into conversions", Example: "conversion", Default: DefaultConversionMetric},
			{Name: "conversion_value_metric", Description: "TikTok metric read into conversion_value, in the advertiser's currency (unverified name)", Example: "total_complete_payment_rate", Default: DefaultConversionValueMetric},
			{Name: "currency", Description: "ISO 4217 currency of every advertiser, instead of asking advertiser/info (set it with timezone)", Example: "USD"},
			{Name: "timezone", Description: "IANA time zone of every advertiser, instead of asking advertiser/info (set it with currency)", Example: "America/Los_Angeles"},
			{Name: "days_per_request", Description: "days per report request (TikTok allows 30, unverified); each window is committed with the cursor", Example: "7", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "page_size", Description: "rows per page, 1 to 1000", Example: "1000", Default: strconv.Itoa(DefaultPageSize)},
			{Name: "throttle_wait", Description: "wait after a 40100 rate-limit answer, which gives no wait of its own", Example: "30s", Default: DefaultThrottleWait.String()},
			{Name: "api_version", Description: "API version in the path", Example: "v1.3", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/tiktok", Default: DefaultBaseURL},
			{Name: "token_url", Description: "refresh endpoint (JSON app_id, secret, grant_type, refresh_token)", Example: "http://127.0.0.1:9000/tiktok/open_api/v1.3/oauth2/refresh_token/", Default: DefaultBaseURL + DefaultTokenPath},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a tiktok source. start_date and
// lookback_days (default 7) are common keys, in connectors.Config.
type options struct {
	AdvertiserIDs         []string       `yaml:"advertiser_ids"`
	AccessToken           httpkit.Secret `yaml:"access_token"`
	AppID                 string         `yaml:"app_id"`
	Secret                httpkit.Secret `yaml:"secret"`
	RefreshToken          httpkit.Secret `yaml:"refresh_token"`
	Level                 string         `yaml:"level"`
	Channel               string         `yaml:"channel"`
	ConversionMetric      string         `yaml:"conversion_metric"`
	ConversionValueMetric string         `yaml:"conversion_value_metric"`
	Currency              string         `yaml:"currency"`
	Timezone              string         `yaml:"timezone"`
	DaysPerRequest        int            `yaml:"days_per_request"`
	PageSize              int            `yaml:"page_size"`
	ThrottleWait          string         `yaml:"throttle_wait"`
	APIVersion            string         `yaml:"api_version"`
	BaseURL               string         `yaml:"base_url"`
	TokenURL              string         `yaml:"token_url"`
}

var (
	reID       = regexp.MustCompile(`^\d{1,20}$`)
	reVersion  = regexp.MustCompile(`^v\d+\.\d+$`)
	reChannel  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reMetric   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
)

// New builds a tiktok source from cfg, validating every key offline and
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
	if len(o.AdvertiserIDs) == 0 {
		bad(`advertiser_ids is required: the TikTok advertiser ids to read, e.g. ["7000000000000000001"]`)
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
	refresh := o.RefreshToken
	if cfg.Tokens != nil {
		// A refresh token the platform rotated on an earlier run wins.
		if saved, ok, err := cfg.Tokens.Load("refresh_token"); err != nil {
			bad("reading the saved refresh token: %v", err)
		} else if ok && saved != "" {
			refresh = saved
		}
	}
	switch {
	case o.AccessToken == "" && refresh == "":
		bad("access_token is required; write it as ${TIKTOK_ACCESS_TOKEN} and set the variable")
	case refresh != "" && (o.AppID == "" || o.Secret == ""):
		bad("refresh_token needs app_id and secret (write the secret as ${TIKTOK_APP_SECRET})")
	}
	if o.Level == "" {
		o.Level = "campaign"
	}
	lv, ok := levels[o.Level]
	if !ok {
		bad("level %q must be campaign, adgroup or ad", o.Level)
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reChannel.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as short_video", o.Channel)
	}
	if o.ConversionMetric == "" {
		o.ConversionMetric = DefaultConversionMetric
	}
	if o.ConversionValueMetric == "" {
		o.ConversionValueMetric = DefaultConversionValueMetric
	}
	for _, m := range []string{o.ConversionMetric, o.ConversionValueMetric} {
		if !reMetric.MatchString(m) {
			bad("metric %q must be a TikTok metric name such as conversion", m)
		}
	}
	var loc *time.Location
	switch {
	case (o.Currency == "") != (o.Timezone == ""):
		bad("set currency and timezone together (or neither, to ask advertiser/info)")
	case o.Currency != "":
		if !reCurrency.MatchString(o.Currency) {
			bad("currency %q must be an ISO 4217 code such as USD", o.Currency)
		}
		var err error
		if loc, err = time.LoadLocation(o.Timezone); err != nil {
			bad("timezone %q is not an IANA time zone such as America/Los_Angeles", o.Timezone)
		}
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
		o.TokenURL = base + "/open_api/" + o.APIVersion + "/oauth2/refresh_token/"
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
		Store: cfg.Tokens, RetryCodes: []int64{CodeRateLimited, CodeSystemError}}, o.AccessToken, refresh)
	cl := &classifier{throttleWait: throttle}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       cl.classify,
		Auth:           auth,
		Authorize:      func(req *http.Request, tok string) { req.Header.Set("Access-Token", tok) },
		Secrets:        []string{o.AccessToken.Reveal(), o.Secret.Reveal(), refresh.Reveal()},
		// TikTok's report endpoint allows about 10 QPS per app (unverified).
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
		name: cfg.Name, advertisers: ids, level: lv, version: o.APIVersion, channel: o.Channel,
		convMetric: o.ConversionMetric, valueMetric: o.ConversionValueMetric,
		currency: o.Currency, timezone: o.Timezone, loc: loc,
		daysPerRequest: o.DaysPerRequest, pageSize: o.PageSize, start: cfg.StartDate, lookback: lookback,
		client: client, classify: cl, log: log,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}
