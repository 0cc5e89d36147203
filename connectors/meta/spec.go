package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "meta"

// Defaults.
const (
	DefaultBaseURL        = "https://graph.facebook.com"
	DefaultAPIVersion     = "v26.0"
	DefaultLookbackDays   = 28
	DefaultDaysPerRequest = 7
	DefaultAsyncAfterDays = 14
	DefaultChannel        = "paid_social"
	DefaultLevel          = "campaign"
	// DefaultPageSize is the limit of each insights page.
	DefaultPageSize = 500
)

// DefaultAttributionWindows are the windows requested and summed into
// conversions and conversion_value: Meta's default setting, 7-day click
// plus 1-day view.
var DefaultAttributionWindows = []string{"7d_click", "1d_view"}

// DefaultConversionActionTypes is the priority list of action types that
// count as a conversion. Meta's purchase types overlap (omni_purchase
// contains the pixel, app and offline purchases that purchase and
// offsite_conversion.fb_pixel_purchase also report), so by default the
// first type a row has is taken, never their sum.
var DefaultConversionActionTypes = []string{"omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"}

// windows Meta accepts in action_attribution_windows. 7d_view and 28d_view
// return nothing since 2026-01-12 and are refused.
var knownWindows = []string{"1d_click", "7d_click", "28d_click", "1d_view", "1d_ev"}

// expiry are the expiry dates of the versions still served; older ones
// (v24.0 and before) have expired.
var expiry = map[int]time.Time{
	25: time.Date(2027, 2, 23, 0, 0, 0, 0, time.UTC),
}

// oldestVersion is the oldest major not yet expired in Nov 2026.
const oldestVersion = 25

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Meta (Facebook and Instagram) ads daily spend, impressions, clicks and purchases per campaign, ad set or ad (Marketing API " + DefaultAPIVersion + " insights, sync or async report runs), in each ad account's currency and time zone.",
		Fields: []connectors.Field{
			{Name: "ad_account_ids", Description: "Meta ad account ids to read; the act_ prefix is optional", Example: `["act_1234567890", "9876543210"]`, Required: true},
			{Name: "access_token", Description: "system-user or 60-day user access token with ads_read; Meta has no refresh tokens, so an expired token (error 190) fails the run", Example: "${META_ACCESS_TOKEN}", Required: true, Secret: true},
			{Name: "app_secret", Description: "app secret; when set, every call carries appsecret_proof (needed when the app requires it)", Example: "${META_APP_SECRET}", Secret: true},
			{Name: "level", Description: "grain of the rows: campaign, adset or ad", Example: "ad", Default: DefaultLevel},
			{Name: "attribution_windows", Description: "action_attribution_windows requested; conversions and conversion_value are their sum, and each window also gets its own columns conversions_<window> and conversion_value_<window> (allowed: " + strings.Join(knownWindows, ", ") + "; 7d_view and 28d_view return nothing since 2026-01-12)", Example: `["7d_click", "1d_view"]`, Default: `["7d_click", "1d_view"]`},
			{Name: "conversion_action_types", Description: "action types that count as a conversion; with conversion_action_mode first (default) the first type present in a row is taken, because Meta's purchase types overlap", Example: `["omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"]`, Default: `["omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"]`},
			{Name: "conversion_action_mode", Description: "first: count the first listed action type a row has (overlapping types such as the purchase family); sum: add every listed type (only for types that do not overlap, such as lead and complete_registration)", Example: "sum", Default: "first"},
			{Name: "action_report_time", Description: "when conversions are dated: impression (Meta's default), conversion or mixed; unset sends nothing", Example: "conversion"},
			{Name: "channel", Description: "pacer channel of every row", Example: "paid_social", Default: DefaultChannel},
			{Name: "days_per_request", Description: "days per insights request; each window is committed with the cursor, so a failure repeats at most one", Example: "14", Default: strconv.Itoa(DefaultDaysPerRequest)},
			{Name: "async_after_days", Description: "windows longer than this many days are read with an async report run (POST insights, poll, download); 0 reads every window async. A synchronous call Meta answers with \"reduce the amount of data\" (code 1), a timeout (100/1504018) or repeated code 1/2 errors is retried as an async run", Example: "0", Default: strconv.Itoa(DefaultAsyncAfterDays)},
			{Name: "api_version", Description: "Graph API version (v24.0 and older have expired; v25.0 expires 2027-02-23)", Example: "v26.0", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "Graph API base URL; point it at a local fake for tests and the demo (paging.next links are rebased onto it)", Example: "http://127.0.0.1:9000/meta", Default: DefaultBaseURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a meta source. start_date and
// lookback_days (default 28) are common keys, in connectors.Config.
type options struct {
	AdAccountIDs          []string       `yaml:"ad_account_ids"`
	AccessToken           httpkit.Secret `yaml:"access_token"`
	AppSecret             httpkit.Secret `yaml:"app_secret"`
	Level                 string         `yaml:"level"`
	AttributionWindows    []string       `yaml:"attribution_windows"`
	ConversionActionTypes []string       `yaml:"conversion_action_types"`
	ConversionActionMode  string         `yaml:"conversion_action_mode"`
	ActionReportTime      string         `yaml:"action_report_time"`
	Channel               string         `yaml:"channel"`
	DaysPerRequest        int            `yaml:"days_per_request"`
	AsyncAfterDays        *int           `yaml:"async_after_days"`
	APIVersion            string         `yaml:"api_version"`
	BaseURL               string         `yaml:"base_url"`
}

var (
	reVersion    = regexp.MustCompile(`^v(\d+)\.(\d+)$`)
	reChannel    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	reActionType = regexp.MustCompile(`^[a-z0-9_.:-]+$`)
	reAccount    = regexp.MustCompile(`^(?:act_)?(\d{1,20})$`)
)

// now is the clock New checks version expiry against.
var now = time.Now

// New builds a meta source from cfg, validating every key offline and
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
	var accounts []string
	if len(o.AdAccountIDs) == 0 {
		bad(`ad_account_ids is required: the Meta ad accounts to read, e.g. ["act_1234567890"]`)
	}
	for _, id := range o.AdAccountIDs {
		m := reAccount.FindStringSubmatch(strings.TrimSpace(id))
		if m == nil {
			bad("ad_account_ids: %q is not an ad account id (digits, with or without act_)", id)
			continue
		}
		if slices.Contains(accounts, m[1]) {
			bad("ad_account_ids: act_%s is listed twice", m[1])
		}
		accounts = append(accounts, m[1])
	}
	if o.AccessToken == "" {
		bad("access_token is required; write it as ${META_ACCESS_TOKEN} and set the variable")
	}
	if o.Level == "" {
		o.Level = DefaultLevel
	}
	lv, ok := levels[o.Level]
	if !ok {
		bad("level %q must be campaign, adset or ad", o.Level)
	}
	if o.AttributionWindows == nil {
		o.AttributionWindows = DefaultAttributionWindows
	}
	if len(o.AttributionWindows) == 0 {
		bad("attribution_windows must list at least one window, e.g. [7d_click, 1d_view]")
	}
	for i, w := range o.AttributionWindows {
		switch {
		case w == "7d_view" || w == "28d_view":
			bad("attribution_windows: %s returns nothing since 2026-01-12; use 1d_view", w)
		case !slices.Contains(knownWindows, w):
			bad("attribution_windows: %q is not one of %s", w, strings.Join(knownWindows, ", "))
		case slices.Contains(o.AttributionWindows[:i], w):
			bad("attribution_windows: %s is listed twice", w)
		}
	}
	if o.ConversionActionTypes == nil {
		o.ConversionActionTypes = DefaultConversionActionTypes
	}
	if len(o.ConversionActionTypes) == 0 {
		bad("conversion_action_types must list at least one action type, e.g. [omni_purchase]")
	}
	for i, a := range o.ConversionActionTypes {
		if !reActionType.MatchString(a) {
			bad("conversion_action_types: %q is not an action type such as purchase or offsite_conversion.fb_pixel_purchase", a)
		} else if slices.Contains(o.ConversionActionTypes[:i], a) {
			bad("conversion_action_types: %s is listed twice", a)
		}
	}
	if o.ConversionActionMode == "" {
		o.ConversionActionMode = "first"
	}
	if o.ConversionActionMode != "first" && o.ConversionActionMode != "sum" {
		bad("conversion_action_mode %q must be first or sum", o.ConversionActionMode)
	}
	switch o.ActionReportTime {
	case "", "impression", "conversion", "mixed":
	default:
		bad("action_report_time %q must be impression, conversion or mixed", o.ActionReportTime)
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
	asyncAfter := DefaultAsyncAfterDays
	if o.AsyncAfterDays != nil {
		asyncAfter = *o.AsyncAfterDays
	}
	if asyncAfter < 0 {
		bad("async_after_days %d must not be negative (0 reads every window async)", asyncAfter)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if m := reVersion.FindStringSubmatch(o.APIVersion); m == nil {
		bad("api_version %q must look like %s", o.APIVersion, DefaultAPIVersion)
	} else {
		v, _ := strconv.Atoi(m[1])
		if exp, ok := expiry[v]; v < oldestVersion || ok && !now().Before(exp) {
			bad("api_version %s has expired (Meta refuses it with error 2635); use %s", o.APIVersion, DefaultAPIVersion)
		}
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
	appSecret := o.AppSecret.Reveal()
	client, err := httpkit.New(httpkit.Config{
		Platform:        Type,
		BaseURL:         o.BaseURL,
		DefaultBaseURL:  DefaultBaseURL,
		ProductionHosts: []string{"graph.facebook.com", "graph.instagram.com", "www.facebook.com"},
		Classify:        classify,
		Auth:            httpkit.StaticToken(o.AccessToken),
		Authorize:       authorize(appSecret),
		Secrets:         []string{appSecret},
		// Meta meters calls by usage headers, not per second; stay gentle.
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
		name: cfg.Name, accounts: accounts, level: lv, version: o.APIVersion,
		windows: slices.Clone(o.AttributionWindows), actionTypes: slices.Clone(o.ConversionActionTypes),
		sumTypes: o.ConversionActionMode == "sum", reportTime: o.ActionReportTime, channel: o.Channel,
		daysPerRequest: o.DaysPerRequest, asyncAfter: asyncAfter, start: cfg.StartDate, lookback: lookback,
		client: client, log: log, pageSize: DefaultPageSize,
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	return s, nil
}

// authorize puts the token in the access_token parameter (replacing the one
// Meta writes into paging.next links), with appsecret_proof when an app
// secret is set.
func authorize(appSecret string) func(*http.Request, string) {
	return func(req *http.Request, tok string) {
		q := req.URL.Query()
		q.Set("access_token", tok)
		if appSecret != "" {
			mac := hmac.New(sha256.New, []byte(appSecret))
			mac.Write([]byte(tok))
			q.Set("appsecret_proof", hex.EncodeToString(mac.Sum(nil)))
		}
		req.URL.RawQuery = q.Encode()
	}
}
