package linkedin

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
const Type = "linkedin"

// Defaults.
const (
	DefaultBaseURL  = "https://api.linkedin.com"
	DefaultTokenURL = "https://www.linkedin.com/oauth/v2/accessToken"
	// DefaultAPIVersion is the Linkedin-Version sent. 202607 is documented
	// as current in mid-2026 and lives until mid-2027 (versions live at
	// least 12 months); newer ones exist but were not verified.
	DefaultAPIVersion     = "202607"
	DefaultLookbackDays   = 30
	DefaultDaysPerRequest = 7
	DefaultChannel        = "paid_social"
	DefaultTimeZone       = "UTC"
	DefaultPageSize       = 100
)

var now = time.Now

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "LinkedIn ads daily cost, impressions, clicks and website conversions per campaign (Marketing API adAnalytics, Linkedin-Version " + DefaultAPIVersion + "), in each ad account's currency.",
		Fields: []connectors.Field{
			{Name: "account_ids", Description: "sponsored ad account ids to read (digits, or urn:li:sponsoredAccount:…)", Example: `["508000001"]`, Required: true},
			{Name: "client_id", Description: "OAuth client id of the LinkedIn app", Example: "78abcdefgh1234", Required: true},
			{Name: "client_secret", Description: "OAuth client secret", Example: "${LINKEDIN_CLIENT_SECRET}", Required: true, Secret: true},
			{Name: "refresh_token", Description: "OAuth refresh token of a member with r_ads_reporting and r_ads (for campaign names and account currency)", Example: "${LINKEDIN_REFRESH_TOKEN}", Required: true, Secret: true},
			{Name: "campaign_names", Description: "read campaign names from /rest/adAccounts/{id}/adCampaigns (needs r_ads); false leaves campaign_name empty", Example: "false", Default: "true"},
			{Name: "timezone", Description: "time zone of LinkedIn's reporting days, stored as account_timezone (LinkedIn reports UTC days; unverified)", Example: "UTC", Default: DefaultTimeZone},
			{Name: "channel", Description: "pacer channel of every row", Example: "paid_social", Default: DefaultChannel},
			{Name: "days_per_request", Description: "days per adAnalytics request (an answer holds at most 15,000 elements and has no pages); each window is committed with the cursor", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "api_version", Description: "Linkedin-Version header, YYYYMM; versions are sunset about 12 months after release (202511 on 2026-11-16) and then answer HTTP 426", Example: "202607", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake for tests and the demo", Example: "http://127.0.0.1:9000/linkedin", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint", Example: "http://127.0.0.1:9000/linkedin/oauth/v2/accessToken", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a linkedin source. start_date and
// lookback_days (default 30) are common keys, in connectors.Config.
type options struct {
	AccountIDs     []string       `yaml:"account_ids"`
	ClientID       string         `yaml:"client_id"`
	ClientSecret   httpkit.Secret `yaml:"client_secret"`
	RefreshToken   httpkit.Secret `yaml:"refresh_token"`
	CampaignNames  *bool          `yaml:"campaign_names"`
	TimeZone       string         `yaml:"timezone"`
	Channel        string         `yaml:"channel"`
	DaysPerRequest int            `yaml:"days_per_request"`
	APIVersion     string         `yaml:"api_version"`
	BaseURL        string         `yaml:"base_url"`
	TokenURL       string         `yaml:"token_url"`
}

var (
	reVersion = regexp.MustCompile(`^(\d{4})(\d{2})(?:\.\d{2})?$`)
	reChannel = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reAccount = regexp.MustCompile(`^(?:urn:li:sponsoredAccount:)?(\d{1,20})$`)
)

// sunset returns when a YYYYMM version stops working: the 15th of the
// month a year after its release (202511 on 2026-11-16, 202601 on
// 2027-01-15; the day is approximate).
func sunset(year, month int) time.Time {
	return time.Date(year+1, time.Month(month), 15, 0, 0, 0, 0, time.UTC)
}

// New builds a linkedin source from cfg, validating every key offline and
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
	var accounts []string
	if len(o.AccountIDs) == 0 {
		bad(`account_ids is required: the LinkedIn ad accounts to read, e.g. ["508000001"]`)
	}
	for _, id := range o.AccountIDs {
		m := reAccount.FindStringSubmatch(strings.TrimSpace(id))
		if m == nil {
			bad("account_ids: %q is not a sponsored account id (digits, or urn:li:sponsoredAccount:digits)", id)
			continue
		}
		if slices.Contains(accounts, m[1]) {
			bad("account_ids: %s is listed twice", m[1])
		}
		accounts = append(accounts, m[1])
	}
	if o.ClientID == "" {
		bad("client_id is required (the OAuth client of your LinkedIn app)")
	}
	if o.ClientSecret == "" {
		bad("client_secret is required; write it as ${LINKEDIN_CLIENT_SECRET} and set the variable")
	}
	if o.RefreshToken == "" {
		bad("refresh_token is required; write it as ${LINKEDIN_REFRESH_TOKEN} and set the variable")
	}
	names := o.CampaignNames == nil || *o.CampaignNames
	if o.TimeZone == "" {
		o.TimeZone = DefaultTimeZone
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		bad("timezone %q is not an IANA time zone such as UTC or Europe/Berlin", o.TimeZone)
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if !reChannel.MatchString(o.Channel) {
		bad("channel %q must be a lower-case pacer channel such as paid_social", o.Channel)
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
		bad("api_version %q must be YYYYMM, e.g. %s", o.APIVersion, DefaultAPIVersion)
	} else {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		t := now().UTC()
		switch {
		case mo < 1 || mo > 12:
			bad("api_version %q must be YYYYMM, e.g. %s", o.APIVersion, DefaultAPIVersion)
		case !t.Before(sunset(y, mo)):
			bad("api_version %s is sunset (LinkedIn answers HTTP 426 from about %s); use %s", o.APIVersion, sunset(y, mo).Format(time.DateOnly), DefaultAPIVersion)
		case y*12+mo > t.Year()*12+int(t.Month()):
			bad("api_version %s is in the future; use %s", o.APIVersion, DefaultAPIVersion)
		}
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
	client, err := httpkit.New(httpkit.Config{
		Platform:        Type,
		BaseURL:         o.BaseURL,
		DefaultBaseURL:  DefaultBaseURL,
		ProductionHosts: []string{"api.linkedin.com"},
		Classify:        classify,
		Auth: httpkit.NewOAuth2(httpkit.OAuth2{
			TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		}),
		Header: http.Header{
			"Linkedin-Version":          {o.APIVersion},
			"X-Restli-Protocol-Version": {"2.0.0"},
		},
		// LinkedIn's limits are per application and member per day;
		// stay gentle per account.
		RequestsPerSecond: 5,
		Burst:             5,
		Timeout:           5 * time.Minute,
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
		name: cfg.Name, accounts: accounts, names: names, timeZone: o.TimeZone, loc: loc, channel: o.Channel,
		daysPerRequest: o.DaysPerRequest, start: cfg.StartDate, lookback: lookback, client: client, log: log,
		pageSize: DefaultPageSize, maxElements: MaxElements,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}
