package ga4bigquery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Type is the connector type name in pacer.yaml.
const Type = "ga4_bigquery"

// Defaults.
const (
	DefaultBaseURL      = "https://bigquery.googleapis.com"
	DefaultAPIVersion   = "v2"
	DefaultTokenURL     = "https://oauth2.googleapis.com/token"
	DefaultLookbackDays = 4 // CONNECTORS.md: events up to 72 h late; re-read 4 days
	DefaultDaysPerQuery = 7
	// CredentialsEnv is read when credentials_json is not configured: the
	// path of a service account key file, as Google's tools expect it.
	CredentialsEnv = "GOOGLE_APPLICATION_CREDENTIALS"
)

// DefaultConversionEvents are the events read into conversions.
var DefaultConversionEvents = []string{"purchase", "generate_lead"}

func init() {
	connectors.Register(connectors.Spec{
		Type:    Type,
		Summary: "Google Analytics 4 BigQuery export (events_YYYYMMDD and events_intraday_YYYYMMDD): conversions and session touchpoints rebuilt from raw events, read with BigQuery query jobs.",
		Fields: []connectors.Field{
			{Name: "project", Description: "Google Cloud project holding the GA4 export dataset", Example: "my-analytics-project", Required: true},
			{Name: "dataset", Description: "export dataset, analytics_<property id>", Example: "analytics_123456789", Required: true},
			{Name: "billing_project", Description: "project the query jobs run (and are billed) in", Example: "my-billing-project", Default: "project"},
			{Name: "location", Description: "BigQuery location of the dataset, when not US/EU auto-detected", Example: "EU"},
			{Name: "credentials_json", Description: "service account key (JSON) with BigQuery Data Viewer on the dataset and Job User on the billing project; when unset, the key file named by " + CredentialsEnv + " is read", Example: "${GA4_BQ_CREDENTIALS_JSON}", Secret: true},
			{Name: "currency", Description: "ISO 4217 currency of the property (the export's ecommerce values are in it)", Example: "EUR", Required: true},
			{Name: "timezone", Description: "IANA time zone of the property: event_date and the export's daily tables are in it", Example: "Europe/Berlin", Default: "UTC"},
			{Name: "conversion_events", Description: "event names read into conversions (purchase uses ecommerce.transaction_id and purchase_revenue; others their value/currency parameters)", Example: "[purchase, generate_lead, sign_up]", Default: strings.Join(DefaultConversionEvents, ", ")},
			{Name: "user_id", Description: "which id is the user: user_pseudo_id (the GA4 cookie) or user_id (your own id, falling back to user_pseudo_id when unset)", Example: "user_id", Default: "user_pseudo_id"},
			{Name: "intraday", Description: "read events_intraday_YYYYMMDD for days whose daily table is not there yet (never both for one day)", Example: "false", Default: "true"},
			{Name: "days_per_query", Description: "days per query job; each window is committed with the cursor, so a failure repeats at most one", Example: "14", Default: strconv.Itoa(DefaultDaysPerQuery)},
			{Name: "max_bytes_billed", Description: "fail a query job that would bill more bytes than this (0: no limit)", Example: "10000000000", Default: "0"},
			{Name: "api_version", Description: "BigQuery REST API version", Example: "v2", Default: DefaultAPIVersion},
			{Name: "base_url", Description: "BigQuery REST base URL; point it at a local fake (connectors/ga4bigquery/bqtest) for tests and the demo", Example: "http://127.0.0.1:9000/bq", Default: DefaultBaseURL},
			{Name: "token_url", Description: "OAuth token endpoint for the service account's JWT grant; default: the key's token_uri", Example: "http://127.0.0.1:9000/bq/token", Default: DefaultTokenURL},
		},
		New: func(cfg connectors.Config) (connectors.Source, error) { return New(cfg) },
	})
}

// options are the type-specific keys of a ga4_bigquery source. start_date
// and lookback_days (default 4) are common keys, in connectors.Config.
type options struct {
	Project          string         `yaml:"project"`
	Dataset          string         `yaml:"dataset"`
	BillingProject   string         `yaml:"billing_project"`
	Location         string         `yaml:"location"`
	CredentialsJSON  httpkit.Secret `yaml:"credentials_json"`
	Currency         string         `yaml:"currency"`
	Timezone         string         `yaml:"timezone"`
	ConversionEvents []string       `yaml:"conversion_events"`
	UserID           string         `yaml:"user_id"`
	Intraday         *bool          `yaml:"intraday"`
	DaysPerQuery     int            `yaml:"days_per_query"`
	MaxBytesBilled   int64          `yaml:"max_bytes_billed"`
	APIVersion       string         `yaml:"api_version"`
	BaseURL          string         `yaml:"base_url"`
	TokenURL         string         `yaml:"token_url"`
}

var (
	reProject  = regexp.MustCompile(`^[a-z][a-z0-9.:-]{4,61}[a-z0-9]$`)
	reDataset  = regexp.MustCompile(`^analytics_\d{1,20}$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	reEvent    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)
	reVersion  = regexp.MustCompile(`^v\d+(alpha|beta)?\d*$`)
)

// New builds a ga4_bigquery source from cfg, validating every key offline
// and reporting all problems at once. opts reach the HTTP client that
// carries the BigQuery client's requests (tests pass a fake clock and the
// loopback guard).
func New(cfg connectors.Config, opts ...httpkit.Option) (*Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if o.Project == "" {
		bad("project is required: the Google Cloud project of the export dataset")
	} else if !reProject.MatchString(o.Project) {
		bad("project %q is not a Google Cloud project id", o.Project)
	}
	if o.BillingProject == "" {
		o.BillingProject = o.Project
	} else if !reProject.MatchString(o.BillingProject) {
		bad("billing_project %q is not a Google Cloud project id", o.BillingProject)
	}
	if !reDataset.MatchString(o.Dataset) {
		bad("dataset %q must be the GA4 export dataset, analytics_<property id>", o.Dataset)
	}
	if !reCurrency.MatchString(o.Currency) {
		bad("currency %q must be the property's ISO 4217 code, e.g. EUR", o.Currency)
	}
	if o.Timezone == "" {
		o.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(o.Timezone)
	if err != nil {
		bad("timezone %q: %v", o.Timezone, err)
	}
	if len(o.ConversionEvents) == 0 {
		o.ConversionEvents = DefaultConversionEvents
	}
	for _, e := range o.ConversionEvents {
		if !reEvent.MatchString(e) {
			bad("conversion_events: %q is not a GA4 event name", e)
		}
	}
	switch o.UserID {
	case "":
		o.UserID = "user_pseudo_id"
	case "user_pseudo_id", "user_id":
	default:
		bad("user_id %q must be user_pseudo_id or user_id", o.UserID)
	}
	if o.DaysPerQuery == 0 {
		o.DaysPerQuery = DefaultDaysPerQuery
	}
	if o.DaysPerQuery < 1 || o.DaysPerQuery > 366 {
		bad("days_per_query %d must be between 1 and 366", o.DaysPerQuery)
	}
	if o.MaxBytesBilled < 0 {
		bad("max_bytes_billed must not be negative")
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if !reVersion.MatchString(o.APIVersion) {
		bad("api_version %q must look like %s", o.APIVersion, DefaultAPIVersion)
	}
	if cfg.LookbackDays < 0 {
		bad("lookback_days must not be negative")
	}
	key, kerr := loadKey(o.CredentialsJSON)
	if kerr != nil {
		errs = append(errs, kerr)
	}
	if o.TokenURL == "" && key != nil {
		o.TokenURL = key.TokenURI
	}
	if o.TokenURL == "" {
		o.TokenURL = DefaultTokenURL
	}
	if u, err := url.Parse(o.TokenURL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("token_url %q must be an absolute URL", o.TokenURL)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Source{
		name: cfg.Name, project: o.Project, billing: o.BillingProject, dataset: o.Dataset, location: o.Location,
		currency: o.Currency, tz: o.Timezone, loc: loc, events: o.ConversionEvents, useUserID: o.UserID == "user_id",
		intraday: o.Intraday == nil || *o.Intraday, daysPerQuery: o.DaysPerQuery, maxBytes: o.MaxBytesBilled,
		start: cfg.StartDate, lookback: DefaultLookbackDays, log: log,
	}
	if cfg.LookbackDays > 0 {
		s.lookback = cfg.LookbackDays
	}
	ts := &jwtSource{key: key, tokenURL: o.TokenURL}
	secrets := []string{o.CredentialsJSON.Reveal(), key.PrivateKey, key.PrivateKeyID}
	secrets = append(secrets, strings.Split(key.PrivateKey, "\n")...) // each PEM line (short ones are ignored)
	client, err := httpkit.New(httpkit.Config{
		Platform:       Type,
		BaseURL:        o.BaseURL,
		DefaultBaseURL: DefaultBaseURL,
		Classify:       s.classify,
		Auth:           ts,
		Secrets:        secrets,
		// 100 concurrent API requests per user; this connector sends one at a time.
		RequestsPerSecond: 10,
		Burst:             10,
		// getQueryResults long-polls for up to 10 s; a page can be large.
		Timeout: 10 * time.Minute,
		Logger:  log,
	}, opts...)
	if err != nil {
		return nil, err
	}
	ts.c = client
	s.client = client
	s.endpoint = strings.TrimRight(client.BaseURL().String(), "/") + "/bigquery/" + o.APIVersion + "/"
	s.compile()
	return s, nil
}

// newBQ builds a BigQuery client whose every request goes through c (the
// Read's httpkit client): credentials, retries on the injected clock,
// redaction and the loopback guard are httpkit's, not the Google
// library's. Its own transport retries then see no retryable error.
func (s *Source) newBQ(ctx context.Context, c *httpkit.Client) (*bigquery.Client, error) {
	hc := &http.Client{Transport: &transport{c: c}}
	bq, err := bigquery.NewClient(ctx, s.billing,
		option.WithHTTPClient(hc), option.WithEndpoint(s.endpoint))
	if err != nil {
		return nil, fmt.Errorf("ga4_bigquery: %w", err)
	}
	if s.location != "" {
		bq.Location = s.location
	}
	return bq, nil
}

// loadKey reads the service account key from credentials_json, else from
// the file GOOGLE_APPLICATION_CREDENTIALS names. Only the environment holds
// credentials: the config names a variable.
func loadKey(inline httpkit.Secret) (*serviceAccount, error) {
	raw := []byte(inline.Reveal())
	from := "credentials_json"
	if len(raw) == 0 {
		path := os.Getenv(CredentialsEnv)
		if path == "" {
			return &serviceAccount{}, errors.New("credentials_json is required (write it as ${GA4_BQ_CREDENTIALS_JSON} holding a service account key), or set " + CredentialsEnv + " to a key file")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return &serviceAccount{}, fmt.Errorf("%s: %w", CredentialsEnv, err)
		}
		raw, from = b, CredentialsEnv
	}
	k, err := parseServiceAccount(raw)
	if err != nil {
		return &serviceAccount{}, fmt.Errorf("%s: %w", from, err)
	}
	return k, nil
}

// eventNames is the sorted, de-duplicated list of conversion events.
func eventNames(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
