package microsoftads

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
const Type = "microsoft_ads"

// Defaults.
const (
	DefaultBaseURL        = "https://reporting.api.bingads.microsoft.com"
	DefaultTokenURL       = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
	DefaultScope          = "https://ads.microsoft.com/msads.manage offline_access"
	DefaultAPIVersion     = "v13"
	DefaultLookbackDays   = 30
	DefaultDaysPerRequest = 7
	DefaultChannel        = "paid_search"
	DefaultTimeZone       = "America/Los_Angeles"
	// DefaultThrottleWait is how long a CallRateExceeded (117) answer is
	// waited out: Microsoft counts calls per minute and sends no hint
	// (unverified).
	DefaultThrottleWait = time.Minute
	// DefaultPollInterval is the first wait between PollGenerateReport calls.
	DefaultPollInterval = 5 * time.Second
	// DefaultJobTimeout bounds one report job.
	DefaultJobTimeout = time.Hour
)

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Microsoft Advertising (Bing) daily spend, impressions, clicks, conversions and revenue per campaign, from the Reporting API " + DefaultAPIVersion + " (CampaignPerformanceReportRequest, submit, poll and download of a zipped CSV), in each account's currency and time zone.",
		Fields: []connectors.Field{
			{Name: "account_ids", Description: "Microsoft Advertising account ids (numeric AccountId, not the account number) to read", Example: `[180000001, 180000002]`, Required: true},
			{Name: "customer_id", Description: "customer (manager) id the accounts belong to, sent as the CustomerId header", Example: `"250000001"`, Required: true},
			{Name: "developer_token", Description: "developer token of the Microsoft Advertising developer account, sent as the DeveloperToken header", Example: "${MICROSOFT_ADS_DEVELOPER_TOKEN}", Required: true, Secret: true},
			{Name: "client_id", Description: "application (client) id registered in Microsoft Entra", Example: "00000000-0000-0000-0000-000000000000", Required: true},
			{Name: "client_secret", Description: "client secret of a web application; leave unset for a public (desktop) client", Example: "${MICROSOFT_ADS_CLIENT_SECRET}", Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token with the msads.manage scope; Microsoft rotates it on every refresh (the new one is kept for the run; the configured one keeps working until it expires, unverified)", Example: "${MICROSOFT_ADS_REFRESH_TOKEN}", Required: true, Secret: true},
			{Name: "scope", Description: "OAuth scope of the refresh", Example: DefaultScope, Default: DefaultScope},
			{Name: "time_zone", Description: "IANA time zone of the accounts (the zone Microsoft reports days in); time_zones overrides it per account", Example: "Europe/Berlin", Default: DefaultTimeZone},
			{Name: "time_zones", Description: "IANA time zone per account id, over time_zone", Example: `{"180000002": "Asia/Shanghai"}`},
			{Name: "report_time_zone", Description: "Microsoft ReportTimeZone value sent with each report (e.g. BrusselsCopenhagenMadridParis); unset leaves it out so that the account's own zone applies (unverified)", Example: "PacificTimeUSCanadaTijuana"},
			{Name: "channel", Description: "pacer channel of the rows", Example: "paid_search", Default: DefaultChannel},
			{Name: "days_per_request", Description: "days per report job; each is committed with the cursor, so a failure repeats at most one", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "report_header_footer", Description: "ask for Microsoft's report header and copyright footer around the CSV (ExcludeReportHeader/Footer false); both forms are parsed", Example: "true", Default: "false"},
			{Name: "poll_interval", Description: "first wait between PollGenerateReport calls; it doubles up to a minute", Example: "10s", Default: DefaultPollInterval.String()},
			{Name: "job_timeout", Description: "longest a report job may stay Pending", Example: "30m", Default: DefaultJobTimeout.String()},
			{Name: "throttle_wait", Description: "wait after CallRateExceeded (code 117), which carries no hint", Example: "2m", Default: DefaultThrottleWait.String()},
			{Name: "api_version", Description: "Reporting API version", Example: "v13", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "Reporting API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/msads", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint", Example: "http://127.0.0.1:9000/msads/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a microsoft_ads source. start_date
// and lookback_days (default 30) are common keys, in connectors.Config.
type options struct {
	AccountIDs         []string          `yaml:"account_ids"`
	CustomerID         string            `yaml:"customer_id"`
	DeveloperToken     httpkit.Secret    `yaml:"developer_token"`
	ClientID           string            `yaml:"client_id"`
	ClientSecret       httpkit.Secret    `yaml:"client_secret"`
	RefreshToken       httpkit.Secret    `yaml:"refresh_token"`
	Scope              string            `yaml:"scope"`
	TimeZone           string            `yaml:"time_zone"`
	TimeZones          map[string]string `yaml:"time_zones"`
	ReportTimeZone     string            `yaml:"report_time_zone"`
	Channel            string            `yaml:"channel"`
	DaysPerRequest     int               `yaml:"days_per_request"`
	ReportHeaderFooter bool              `yaml:"report_header_footer"`
	PollInterval       string            `yaml:"poll_interval"`
	JobTimeout         string            `yaml:"job_timeout"`
	ThrottleWait       string            `yaml:"throttle_wait"`
	APIVersion         string            `yaml:"api_version"`
	BaseURL            string            `yaml:"base_url"`
	TokenURL           string            `yaml:"token_url"`
}

var (
	reDigits  = regexp.MustCompile(`^[0-9]{1,19}$`)
	reVersion = regexp.MustCompile(`^v\d+$`)
	reChannel = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reTZEnum  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)
)

// New builds a microsoft_ads source from cfg, validating every key offline
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
		bad("account_ids is required: the Microsoft Advertising account ids to read, e.g. [180000001]")
	}
	var accounts []account
	for _, id := range o.AccountIDs {
		id = strings.TrimSpace(id)
		if !reDigits.MatchString(id) {
			bad("account_ids: %q is not an account id (digits, the AccountId rather than the account number such as F12345AB)", id)
			continue
		}
		if slices.ContainsFunc(accounts, func(a account) bool { return a.id == id }) {
			bad("account_ids: %s is listed twice", id)
			continue
		}
		accounts = append(accounts, account{id: id})
	}
	if o.CustomerID == "" {
		bad("customer_id is required (the CustomerId the accounts belong to)")
	} else if !reDigits.MatchString(o.CustomerID) {
		bad("customer_id %q must be digits", o.CustomerID)
	}
	if o.DeveloperToken == "" {
		bad("developer_token is required; write it as ${MICROSOFT_ADS_DEVELOPER_TOKEN} and set the variable")
	}
	if o.ClientID == "" {
		bad("client_id is required (the application id registered in Microsoft Entra)")
	}
	if o.RefreshToken == "" {
		bad("refresh_token is required; write it as ${MICROSOFT_ADS_REFRESH_TOKEN} and set the variable")
	}
	if o.Scope == "" {
		o.Scope = DefaultScope
	}
	if o.TimeZone == "" {
		o.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		bad("time_zone %q is not an IANA time zone such as Europe/Berlin", o.TimeZone)
	}
	for id, tz := range o.TimeZones {
		if !slices.ContainsFunc(accounts, func(a account) bool { return a.id == id }) {
			bad("time_zones: account %s is not in account_ids", id)
		}
		if _, err := time.LoadLocation(tz); err != nil {
			bad("time_zones: %s: %q is not an IANA time zone such as Europe/Berlin", id, tz)
		}
	}
	for i := range accounts {
		a := &accounts[i]
		a.timeZone = o.TimeZone
		if tz, ok := o.TimeZones[a.id]; ok {
			a.timeZone = tz
		}
		a.loc, _ = time.LoadLocation(a.timeZone)
		if a.loc == nil {
			a.loc = time.UTC
		}
	}
	if o.ReportTimeZone != "" && !reTZEnum.MatchString(o.ReportTimeZone) {
		bad("report_time_zone %q must be a Microsoft ReportTimeZone value such as PacificTimeUSCanadaTijuana", o.ReportTimeZone)
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reChannel.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as paid_search", o.Channel)
	}
	if o.DaysPerRequest == 0 {
		o.DaysPerRequest = DefaultDaysPerRequest
	}
	if o.DaysPerRequest < 1 || o.DaysPerRequest > 366 {
		bad("days_per_request %d must be between 1 and 366", o.DaysPerRequest)
	}
	dur := func(key, s string, def time.Duration) time.Duration {
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			bad("%s %q must be a positive duration such as 30s or 5m", key, s)
			return def
		}
		return d
	}
	poll := dur("poll_interval", o.PollInterval, DefaultPollInterval)
	jobTimeout := dur("job_timeout", o.JobTimeout, DefaultJobTimeout)
	throttleWait := dur("throttle_wait", o.ThrottleWait, DefaultThrottleWait)
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
	auth := httpkit.NewOAuth2(httpkit.OAuth2{
		TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		Scope: o.Scope,
		// Microsoft rotates refresh tokens; the token source keeps the new
		// one for the rest of the run (pacer has no place to store it yet).
		OnRotate: func(httpkit.Secret) {},
	})
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       classifier(throttleWait),
		Auth:           auth,
		Secrets:        []string{o.DeveloperToken.Reveal()},
		// Microsoft counts calls per minute per user (unverified figures);
		// a report costs one submit, a few polls and one download.
		RequestsPerSecond: 2,
		Burst:             4,
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
		name: cfg.Name, accounts: accounts, customerID: o.CustomerID, version: o.APIVersion,
		channel: o.Channel, daysPerRequest: o.DaysPerRequest, reportTimeZone: o.ReportTimeZone,
		headerFooter: o.ReportHeaderFooter, pollInterval: poll, jobTimeout: jobTimeout,
		start: cfg.StartDate, lookback: lookback, client: client, auth: auth, log: log,
		developerToken: o.DeveloperToken,
	}
	s.schema = connectors.Canonical["ad_performance"].ArrowSchema()
	return s, nil
}
