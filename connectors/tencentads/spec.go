package tencentads

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
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "tencent_ads"

// Defaults.
const (
	DefaultBaseURL        = "https://api.e.qq.com"
	DefaultTokenURL       = "https://api.e.qq.com/oauth/token"
	DefaultAPIVersion     = "v3.0"
	DefaultLevel          = "REPORT_LEVEL_ADGROUP"
	DefaultLookbackDays   = 7
	DefaultDaysPerRequest = 7
	DefaultPageSize       = 500
	DefaultChannel        = "display"
	DefaultCurrency       = "CNY"
	DefaultTimeZone       = "Asia/Shanghai"
	// DefaultThrottleWait is how long a rate-limit code is waited out:
	// Tencent sends no hint (unverified).
	DefaultThrottleWait = time.Minute
)

// DefaultThrottleCodes and DefaultAuthCodes are the codes (in a 200 body)
// read as "too many requests" and "access token expired or invalid". Both
// are unverified guesses; messages mentioning 频率/frequency or an expired
// access_token are classified the same way whatever their code.
var (
	DefaultThrottleCodes = []int64{11017}
	DefaultAuthCodes     = []int64{11002}
)

// levels maps a report level to the id and name fields of its rows.
var levels = map[string][2]string{
	"REPORT_LEVEL_ADGROUP":  {"adgroup_id", "adgroup_name"},
	"REPORT_LEVEL_CAMPAIGN": {"campaign_id", "campaign_name"}, // legacy v1.x hierarchy
}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Tencent Ads (腾讯广告: WeChat Moments and Official Accounts, QQ, Tencent News and Video) daily cost, impressions, clicks and conversions per ad group, from Marketing API " + DefaultAPIVersion + " daily_reports/get, cost converted from fen to CNY exactly.",
		Fields: []connectors.Field{
			{Name: "account_ids", Description: "Tencent Ads advertiser account ids to read", Example: "[25610, 25611]", Required: true},
			{Name: "access_token", Description: "OAuth access token sent as the access_token parameter; with refresh_token set it is refreshed when it expires (Tencent tokens last about a day)", Example: "${TENCENT_ADS_ACCESS_TOKEN}", Secret: true},
			{Name: "client_id", Description: "app id of the Tencent Ads developer app (needed to refresh)", Example: "1112223334"},
			{Name: "client_secret", Description: "app secret (needed to refresh)", Example: "${TENCENT_ADS_CLIENT_SECRET}", Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token; set it with client_id and client_secret, or set only access_token", Example: "${TENCENT_ADS_REFRESH_TOKEN}", Secret: true},
			{Name: "level", Description: "report level: REPORT_LEVEL_ADGROUP (v3.0: ad groups are the top delivery unit and fill campaign_id/campaign_name) or REPORT_LEVEL_CAMPAIGN (legacy)", Example: DefaultLevel, Default: DefaultLevel},
			{Name: "ad_group_grain", Description: "with REPORT_LEVEL_ADGROUP, land each ad group in ad_group_id under its campaign (the report's campaign_id and campaign_name fields; the legacy hierarchy, unverified in v3.0) instead of in campaign_id", Example: "true", Default: "false"},
			{Name: "conversion_value_field", Description: "report field holding conversion value in fen (e.g. order_amount, unverified); unset stores 0", Example: "order_amount"},
			{Name: "currency", Description: "ISO 4217 currency of the accounts", Example: "CNY", Default: DefaultCurrency},
			{Name: "time_zone", Description: "IANA time zone report days are in", Example: "Asia/Shanghai", Default: DefaultTimeZone},
			{Name: "channel", Description: "pacer channel of the rows (WeChat Moments and Official Accounts ads are display)", Example: "display", Default: DefaultChannel},
			{Name: "days_per_request", Description: "days per date_range; each window is committed with the cursor", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "page_size", Description: "rows per page (page_size)", Example: "1000", Default: strconv.Itoa(DefaultPageSize)},
			{Name: "throttle_codes", Description: "response codes meaning a rate limit, waited out for throttle_wait (unverified defaults)", Example: "[11017]", Default: "[11017]"},
			{Name: "auth_codes", Description: "response codes meaning an expired or invalid access token, refreshed once (unverified defaults)", Example: "[11002]", Default: "[11002]"},
			{Name: "throttle_wait", Description: "wait after a rate-limit code, which carries no hint", Example: "30s", Default: DefaultThrottleWait.String()},
			{Name: "api_version", Description: "Marketing API version in the path (v3.0; the legacy one is v1.3)", Example: "v3.0", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/tencent", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint (refresh_token grant, unverified shape)", Example: "http://127.0.0.1:9000/tencent/oauth/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a tencent_ads source. start_date
// and lookback_days (default 7) are common keys, in connectors.Config.
type options struct {
	AccountIDs           []string       `yaml:"account_ids"`
	AccessToken          httpkit.Secret `yaml:"access_token"`
	ClientID             string         `yaml:"client_id"`
	ClientSecret         httpkit.Secret `yaml:"client_secret"`
	RefreshToken         httpkit.Secret `yaml:"refresh_token"`
	Level                string         `yaml:"level"`
	AdGroupGrain         bool           `yaml:"ad_group_grain"`
	ConversionValueField string         `yaml:"conversion_value_field"`
	Currency             string         `yaml:"currency"`
	TimeZone             string         `yaml:"time_zone"`
	Channel              string         `yaml:"channel"`
	DaysPerRequest       int            `yaml:"days_per_request"`
	PageSize             int            `yaml:"page_size"`
	ThrottleCodes        []int64        `yaml:"throttle_codes"`
	AuthCodes            []int64        `yaml:"auth_codes"`
	ThrottleWait         string         `yaml:"throttle_wait"`
	APIVersion           string         `yaml:"api_version"`
	BaseURL              string         `yaml:"base_url"`
	TokenURL             string         `yaml:"token_url"`
}

var (
	reDigits   = regexp.MustCompile(`^[0-9]{1,19}$`)
	reVersion  = regexp.MustCompile(`^v\d+\.\d+$`)
	reChannel  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	reField    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// New builds a tencent_ads source from cfg, validating every key offline
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
	if len(o.AccountIDs) == 0 {
		bad("account_ids is required: the Tencent Ads account ids to read, e.g. [25610]")
	}
	var accounts []string
	for _, id := range o.AccountIDs {
		id = strings.TrimSpace(id)
		switch {
		case !reDigits.MatchString(id):
			bad("account_ids: %q is not an account id (digits)", id)
		case slices.Contains(accounts, id):
			bad("account_ids: %s is listed twice", id)
		default:
			accounts = append(accounts, id)
		}
	}
	refreshing := o.RefreshToken != "" || o.ClientID != "" || o.ClientSecret != ""
	switch {
	case refreshing && (o.RefreshToken == "" || o.ClientID == "" || o.ClientSecret == ""):
		bad("to refresh tokens set client_id, client_secret and refresh_token together (write secrets as ${TENCENT_ADS_REFRESH_TOKEN})")
	case !refreshing && o.AccessToken == "":
		bad("access_token is required (or client_id, client_secret and refresh_token); write it as ${TENCENT_ADS_ACCESS_TOKEN} and set the variable")
	}
	if o.Level == "" {
		o.Level = DefaultLevel
	}
	lv, ok := levels[o.Level]
	if !ok {
		bad("level %q must be REPORT_LEVEL_ADGROUP or REPORT_LEVEL_CAMPAIGN", o.Level)
	}
	if o.AdGroupGrain && o.Level != "REPORT_LEVEL_ADGROUP" {
		bad("ad_group_grain needs level REPORT_LEVEL_ADGROUP")
	}
	if o.ConversionValueField != "" && !reField.MatchString(o.ConversionValueField) {
		bad("conversion_value_field %q must be a report field name such as order_amount", o.ConversionValueField)
	}
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	if !reCurrency.MatchString(o.Currency) {
		bad("currency %q must be an ISO 4217 code such as CNY", o.Currency)
	}
	if o.TimeZone == "" {
		o.TimeZone = DefaultTimeZone
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		bad("time_zone %q is not an IANA time zone such as Asia/Shanghai", o.TimeZone)
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reChannel.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as display", o.Channel)
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
	if o.PageSize < 1 || o.PageSize > 10_000 {
		bad("page_size %d must be between 1 and 10000", o.PageSize)
	}
	if o.ThrottleCodes == nil {
		o.ThrottleCodes = DefaultThrottleCodes
	}
	if o.AuthCodes == nil {
		o.AuthCodes = DefaultAuthCodes
	}
	throttleWait := DefaultThrottleWait
	if o.ThrottleWait != "" {
		d, err := time.ParseDuration(o.ThrottleWait)
		if err != nil || d <= 0 {
			bad("throttle_wait %q must be a positive duration such as 30s", o.ThrottleWait)
		}
		throttleWait = d
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
	cl := &classifier{throttle: o.ThrottleCodes, auth: o.AuthCodes, wait: throttleWait}
	ts := &tokenSource{access: o.AccessToken, clientID: o.ClientID, secret: o.ClientSecret, refresh: o.RefreshToken, url: o.TokenURL}
	var client *httpkit.Client
	client, err = httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       cl.classify,
		Auth:           ts,
		// Every request carries access_token, timestamp and a fresh nonce,
		// set per attempt, so that a retry never repeats a nonce.
		Authorize: func(req *http.Request, token string) { sign(req, token, client.Clock().Now()) },
		Secrets:   []string{o.AccessToken.Reveal(), o.ClientSecret.Reveal(), o.RefreshToken.Reveal()},
		// Tencent limits calls per minute per app and account (unverified
		// figures); stay gentle per account.
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           5 * time.Minute,
		Logger:            log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ts.c = client
	lookback := DefaultLookbackDays
	if cfg.LookbackDays > 0 {
		lookback = cfg.LookbackDays
	}
	s := &Source{
		name: cfg.Name, accounts: accounts, level: o.Level, idField: lv[0], nameField: lv[1], adGroupGrain: o.AdGroupGrain,
		valueField: o.ConversionValueField, currency: o.Currency, timeZone: o.TimeZone, loc: loc,
		channel: o.Channel, version: o.APIVersion, daysPerRequest: o.DaysPerRequest, pageSize: o.PageSize,
		start: cfg.StartDate, lookback: lookback, client: client, auth: ts, log: log, cls: cl,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}
