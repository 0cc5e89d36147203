package stripe

import (
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
const Type = "stripe"

// Defaults.
const (
	DefaultBaseURL = "https://api.stripe.com"
	// DefaultAPIVersion is the Stripe-Version pin (CONNECTORS.md §8; the
	// newer 2026-09-30.endive is unverified, so the pin is the one before it).
	DefaultAPIVersion   = "2026-06-24.dahlia"
	DefaultLookbackDays = 30
	// DefaultWindowDays is how many days of created objects one window
	// reads; each window is committed with the cursor.
	DefaultWindowDays = 7
	// DefaultPageSize is Stripe's largest list limit.
	DefaultPageSize = 100
	// DefaultOrderIDKey is the charge metadata key holding the shop's order id.
	DefaultOrderIDKey = "order_id"
)

// Objects a source can read, and what each becomes on the orders stream.
const (
	// ObjectCharges: GET /v1/charges, one row per charge: succeeded+paid+captured → paid,
	// failed → cancelled, pending (or authorized, not captured) → pending.
	ObjectCharges = "charges"
	// ObjectRefunds: GET /v1/refunds (expand data.charge), one row per
	// succeeded or pending refund: status refunded, the refunded amount
	// (positive), the refund's own created time and the refunded charge's
	// order id. Failed and canceled refunds are not emitted.
	ObjectRefunds = "refunds"
)

func init() {
	connectors.Register(connectors.Spec{
		Type: Type,
		Summary: "Stripe charges and refunds (GET /v1/charges, /v1/refunds) as orders: one row per charge and one per refund on its own date, " +
			"exact amounts from minor units by the currency's exponent, incremental by created with a 30-day re-read for refunds and status changes.",
		Fields: []connectors.Field{
			{Name: "api_key", Description: "Stripe secret (sk_…) or, better, restricted read key (rk_… with charge and refund read), sent as Authorization: Bearer; keys cannot be refreshed, a rejected key stops the read", Example: "${STRIPE_API_KEY}", Required: true, Secret: true},
			{Name: "stripe_account", Description: "connected account id (acct_…) sent as the Stripe-Account header, to read a Connect account with the platform's key", Example: "acct_1Hh1Z2abcDEF345"},
			{Name: "api_version", Description: "Stripe-Version header pinning the API version", Example: DefaultAPIVersion, Default: DefaultAPIVersion},
			{Name: "base_url", Description: "API base URL; point it at a local fake or stripe-mock for tests and the demo", Example: "http://127.0.0.1:12111", Default: DefaultBaseURL},
			{Name: "objects", Description: "objects to read: charges (one order row per charge: paid, cancelled for failed, pending) and refunds (one refunded row per refund, positive amount, on the refund's date, with the charge's order id)", Example: "[charges, refunds]", Default: "[charges, refunds]"},
			{Name: "order_id_metadata_key", Description: "charge metadata key holding the shop's order id; without it the order id is the charge's payment intent id, else the charge id", Example: "order_id", Default: DefaultOrderIDKey},
			{Name: "user_id_metadata_key", Description: "charge metadata key holding the web user id (user_id column); unset leaves user_id NULL", Example: "user_id"},
			{Name: "window_days", Description: "days of created objects per window; each window is replaced and committed with the cursor", Example: "7", Default: strconv.Itoa(DefaultWindowDays)},
			{Name: "page_size", Description: "objects per list page (limit), 1 to 100", Example: "100", Default: strconv.Itoa(DefaultPageSize)},
			{Name: "throttle_wait", Description: "wait after a 429, which Stripe sends without Retry-After; unset uses full-jitter exponential backoff", Example: "2s"},
			{Name: "currency_exponents", Description: "overrides of a currency's decimal exponent (lower-case ISO code to 0, 2 or 3), for currencies whose minor units Stripe treats specially (isk, huf, twd)", Example: "{isk: 0}"},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a stripe source. start_date and
// lookback_days (default 30) are common keys, in connectors.Config.
type options struct {
	APIKey             httpkit.Secret `yaml:"api_key"`
	StripeAccount      string         `yaml:"stripe_account"`
	APIVersion         string         `yaml:"api_version"`
	BaseURL            string         `yaml:"base_url"`
	Objects            []string       `yaml:"objects"`
	OrderIDMetadataKey string         `yaml:"order_id_metadata_key"`
	UserIDMetadataKey  string         `yaml:"user_id_metadata_key"`
	WindowDays         int            `yaml:"window_days"`
	PageSize           int            `yaml:"page_size"`
	ThrottleWait       string         `yaml:"throttle_wait"`
	CurrencyExponents  map[string]int `yaml:"currency_exponents"`
}

var (
	reKey      = regexp.MustCompile(`^(sk|rk)_(live|test)_[A-Za-z0-9]+$`)
	reAccount  = regexp.MustCompile(`^acct_[A-Za-z0-9]+$`)
	reVersion  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)
	reCurrency = regexp.MustCompile(`^[a-z]{3}$`)
)

// New builds a stripe source from cfg, validating every key offline and
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
	switch {
	case o.APIKey == "":
		bad("api_key is required; write it as ${STRIPE_API_KEY} and set the variable to a restricted key (rk_…)")
	case !reKey.MatchString(o.APIKey.Reveal()):
		// Never echo the value: it may be a real key with a typo.
		bad("api_key must be a Stripe secret or restricted key (sk_live_…, rk_live_…, or _test_)")
	}
	if o.StripeAccount != "" && !reAccount.MatchString(o.StripeAccount) {
		bad("stripe_account %q must be a connected account id such as acct_1Hh1Z2abcDEF345", o.StripeAccount)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if !reVersion.MatchString(o.APIVersion) {
		bad("api_version %q must be a Stripe version such as %s", o.APIVersion, DefaultAPIVersion)
	}
	if len(o.Objects) == 0 {
		o.Objects = []string{ObjectCharges, ObjectRefunds}
	}
	var objects []string
	for _, ob := range o.Objects {
		switch ob {
		case ObjectCharges, ObjectRefunds:
			if slices.Contains(objects, ob) {
				bad("objects: %s is listed twice", ob)
			}
			objects = append(objects, ob)
		default:
			bad("objects: %q is not supported (charges, refunds)", ob)
		}
	}
	if o.OrderIDMetadataKey == "" {
		o.OrderIDMetadataKey = DefaultOrderIDKey
	}
	if o.WindowDays == 0 {
		o.WindowDays = DefaultWindowDays
	}
	if o.WindowDays < 1 || o.WindowDays > 366 {
		bad("window_days %d must be between 1 and 366", o.WindowDays)
	}
	if o.PageSize == 0 {
		o.PageSize = DefaultPageSize
	}
	if o.PageSize < 1 || o.PageSize > 100 {
		bad("page_size %d must be between 1 and 100 (Stripe's limit)", o.PageSize)
	}
	var throttle time.Duration
	if o.ThrottleWait != "" {
		d, err := time.ParseDuration(o.ThrottleWait)
		if err != nil || d <= 0 || d > 15*time.Minute {
			bad("throttle_wait %q must be a duration such as 2s, at most 15m", o.ThrottleWait)
		}
		throttle = d
	}
	exps := map[string]int32{}
	for cur, e := range o.CurrencyExponents {
		if !reCurrency.MatchString(cur) {
			bad("currency_exponents: %q must be a lower-case ISO 4217 code such as isk", cur)
		}
		if e != 0 && e != 2 && e != 3 {
			bad("currency_exponents: %s: exponent %d must be 0, 2 or 3", cur, e)
		}
		exps[cur] = int32(e)
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
	hdr := http.Header{"Stripe-Version": {o.APIVersion}}
	if o.StripeAccount != "" {
		hdr.Set("Stripe-Account", o.StripeAccount)
	}
	cl := &classifier{throttleWait: throttle}
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       cl.classify,
		Auth:           httpkit.StaticToken(o.APIKey),
		Header:         hdr,
		Secrets:        []string{o.APIKey.Reveal()},
		// Stripe allows 100 requests/s live but 25/s in a sandbox and 25/s
		// per endpoint: stay under the smallest.
		RequestsPerSecond: 20,
		Burst:             20,
		Timeout:           2 * time.Minute,
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
		name: cfg.Name, account: o.StripeAccount, objects: objects,
		orderKey: o.OrderIDMetadataKey, userKey: o.UserIDMetadataKey,
		windowDays: o.WindowDays, pageSize: o.PageSize, start: cfg.StartDate, lookback: lookback,
		exponents: exps, client: client, log: log, schema: Schema(),
	}
	return s, nil
}

// lower returns s in lower case (currencies arrive lower-case).
func lower(s string) string { return strings.ToLower(s) }
