// Package bqtest is a fake of the BigQuery REST API (v2) serving a GA4
// export from in-memory events, and of Google's OAuth token endpoint for
// service accounts, for the ga4_bigquery connector's tests and the demo.
// It implements conformance.Fake without importing it.
//
// It speaks the endpoints the Go client (cloud.google.com/go/bigquery)
// calls, at their real paths under a prefix:
//
//	POST {prefix}/token                                    JWT bearer grant (RS256, checked against the key)
//	POST {prefix}/bigquery/v2/projects/{p}/queries         jobs.query (the client's fast path)
//	POST {prefix}/bigquery/v2/projects/{p}/jobs            jobs.insert
//	GET  {prefix}/bigquery/v2/projects/{p}/jobs/{id}       jobs.get
//	GET  {prefix}/bigquery/v2/projects/{p}/queries/{id}    jobs.getQueryResults (maxResults, pageToken, startIndex)
//
// Results carry a schema and rows in BigQuery's f/v encoding, every value
// a string (INTEGER and NUMERIC too) or null; totalRows is a string. A job
// answers jobComplete=false first (Options.IncompletePolls), and pages of
// Options.PageSize rows follow pageToken. Failures come as Google sends
// them: 429 and 403 rateLimitExceeded, 503 backendError, 401
// UNAUTHENTICATED, 403 accessDenied, 403 quotaExceeded, and a 200 cut short.
//
// It has no SQL engine: it recognises the connector's two queries by their
// marker comment and the table they name, and answers them from the
// events, filtering by the @from_day/@to_day/@intraday/@conversion_events
// parameters as the SQL does (daily table first, intraday only for days
// without one). Any other query is a 400 invalidQuery.
package bqtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
)

// Failure kinds for Inject. The first ones match the conformance suite's names.
const (
	// Throttle answers 429 RESOURCE_EXHAUSTED rateLimitExceeded with
	// Retry-After (ThrottleHint).
	Throttle = "throttle"
	// RateLimit403 answers 403 rateLimitExceeded without a hint, as
	// BigQuery does for too many API requests per user: retried with backoff.
	RateLimit403 = "rate_limit_403"
	// ServerError answers 503 backendError.
	ServerError = "server_error"
	// Malformed answers 200 with the JSON cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 401; a new
	// grant then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access token and the key: the grant then
	// fails with invalid_grant.
	Revoked = "revoked"
	// PermissionDenied answers 403 accessDenied with Google's message.
	PermissionDenied = "permission_denied"
	// QuotaExceeded answers 403 quotaExceeded (a daily quota).
	QuotaExceeded = "quota_exceeded"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/bq").
	Prefix string
	// Project and Dataset name the export (default pacer-demo,
	// analytics_123456789).
	Project, Dataset string
	// Currency and TimeZone go into Config (default EUR, Europe/Berlin);
	// event_date is an event's day in TimeZone.
	Currency, TimeZone string
	// Events are served; nil generates a deterministic set (Generate) over
	// From..To (default 2026-10-01..2026-10-14) with Seed (default 1).
	Events   []Event
	From, To time.Time
	Seed     uint64
	// PageSize is the most rows in one answer (default 1000).
	PageSize int
	// IncompletePolls is how many answers say jobComplete=false before a
	// job completes (default 1: the jobs.query answer; negative: none).
	IncompletePolls int
	// DaysPerQuery goes into Config when set.
	DaysPerQuery int
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	// URL is the base_url to configure (prefix included); TokenURL the token_url.
	URL, TokenURL string

	opt     Options
	loc     *time.Location
	srv     *httptest.Server
	key     *rsa.PrivateKey
	email   string
	creds   string
	mu      sync.Mutex
	events  []Event
	tokens  map[string]bool
	issued  []string
	revoked bool
	faults  fakekit.Faults // requests counted, faults injected
	pages   int
	log     []string
	jobs    map[string]*job
	nextJob int
}

type job struct {
	id, project string
	config      json.RawMessage
	schema      []field
	rows        [][]*string
	incomplete  int
}

type field struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Mode string `json:"mode"`
}

var (
	keyOnce sync.Once
	fakeKey *rsa.PrivateKey
)

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/bq"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Project == "" {
		o.Project = "pacer-demo"
	}
	if o.Dataset == "" {
		o.Dataset = "analytics_123456789"
	}
	if o.Currency == "" {
		o.Currency = "EUR"
	}
	if o.TimeZone == "" {
		o.TimeZone = "Europe/Berlin"
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		panic("bqtest: " + err.Error())
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 14, 0, 0, 0, 0, time.UTC)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	if o.IncompletePolls == 0 {
		o.IncompletePolls = 1
	}
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		fakeKey = k
	})
	s := &Server{opt: o, loc: loc, key: fakeKey, tokens: map[string]bool{}, jobs: map[string]*job{}}
	s.events = slices.Clone(o.Events)
	if o.Events == nil {
		s.events = Generate(o.Seed, o.From, o.To, loc)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/token", s.token)
	mux.HandleFunc(o.Prefix+"/bigquery/v2/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/token"
	s.email = "pacer-reader@" + o.Project + ".iam.gserviceaccount.com"
	der, _ := x509.MarshalPKCS8PrivateKey(s.key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	b, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": o.Project, "private_key_id": "fa4e" + fakekit.RandomHex(18),
		"private_key": pemKey, "client_email": s.email, "client_id": "1098765432101234567890",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": s.TokenURL,
	})
	s.creds = string(b)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// CredentialsJSON is the service account key the token endpoint accepts.
func (s *Server) CredentialsJSON() string { return s.creds }

// Config returns the source keys of a ga4_bigquery source pointing at the
// fake (the key as ${GA4_BQ_CREDENTIALS_JSON}) and the environment.
func (s *Server) Config() (string, map[string]string) {
	y := fmt.Sprintf(`project: %s
dataset: %s
currency: %s
timezone: %s
credentials_json: ${GA4_BQ_CREDENTIALS_JSON}
base_url: %s
token_url: %s
`, s.opt.Project, s.opt.Dataset, s.opt.Currency, s.opt.TimeZone, s.URL, s.TokenURL)
	if s.opt.DaysPerQuery > 0 {
		y += fmt.Sprintf("days_per_query: %d\n", s.opt.DaysPerQuery)
	}
	return y, map[string]string{"GA4_BQ_CREDENTIALS_JSON": s.creds}
}

// Secrets returns every credential: the key, its lines, and each access
// token the fake issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{s.creds}
	var k struct {
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
	}
	_ = json.Unmarshal([]byte(s.creds), &k)
	out = append(out, k.PrivateKeyID)
	for _, line := range strings.Split(k.PrivateKey, "\n") {
		if len(line) == 64 {
			out = append(out, line)
		}
	}
	return append(out, s.issued...)
}

// SetPageSize makes answers hold at most n rows.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.PageSize = n
}

// Inject makes the nth data request from now answer with kind.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Restate changes the money of day's conversions, as late processing does.
func (s *Server) Restate(day time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := day.Format("20060102")
	for i, e := range s.events {
		if s.eventDate(e) != d {
			continue
		}
		if e.Revenue != "" {
			s.events[i].Revenue = addText(e.Revenue, "1.25")
		}
		if e.Value != "" {
			s.events[i].Value = addText(e.Value, "1.25")
		}
	}
}

// AddEvents adds late-arriving events.
func (s *Server) AddEvents(ev ...Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev...)
}

// Finalize lands day's daily table, as the export does once the day is
// complete: its intraday events move to events_YYYYMMDD (the intraday
// table is dropped).
func (s *Server) Finalize(day time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := day.Format("20060102")
	var keep []Event
	for _, e := range s.events {
		if s.eventDate(e) == d && e.Intraday {
			if e.TransactionID == "STALE" {
				continue
			}
			e.Intraday = false
		}
		keep = append(keep, e)
	}
	s.events = keep
}

// Events returns the served events.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

func addText(a, b string) string {
	x, _ := new(big.Rat).SetString(a)
	y, _ := new(big.Rat).SetString(b)
	return x.Add(x, y).FloatString(2)
}

// Requests counts the BigQuery API requests (not token requests).
func (s *Server) Requests() int { return s.faults.Requests() }

// Pages counts answers that carried rows.
func (s *Server) Pages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pages
}

// Log returns every request as "METHOD path" (prefix included), with
// maxResults and pageToken when set, oldest first.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ThrottleHint is the Retry-After of the Throttle answer.
func (s *Server) ThrottleHint() time.Duration { return 7 * time.Second }

// PermanentMessage is Google's message in the PermissionDenied answer.
func (s *Server) PermanentMessage() string {
	t := s.opt.Project + ":" + s.opt.Dataset + ".events_*"
	return "Access Denied: Table " + t + ": User does not have permission to query table " + t + ", or perhaps it does not exist."
}

// Days returns the generated days.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

func (s *Server) eventDate(e Event) string { return e.Timestamp.In(s.loc).Format("20060102") }

// DefaultConversionEvents are the events the connector reads by default.
var DefaultConversionEvents = []string{"generate_lead", "purchase"}

// Expected returns the conversions rows the connector must store for the
// days of r with its default settings, as text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	rows, _ := s.conversions(r.From.Format("20060102"), r.To.Format("20060102"), true, DefaultConversionEvents)
	s.mu.Unlock()
	prop := strings.TrimPrefix(s.opt.Dataset, "analytics_")
	var out []map[string]string
	seen := map[string]bool{}
	for _, row := range rows {
		e := row.e
		id := "ga4:" + prop + ":" + e.Name + ":" + e.TransactionID
		if e.TransactionID == "" {
			id = fmt.Sprintf("ga4:%s:%s:%d:%s:%d", prop, e.UserPseudoID, e.Timestamp.UnixMicro(), e.Name, row.dup)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		value, cur := e.Revenue, s.opt.Currency
		if value == "" {
			value = e.Value
			if value != "" && e.Currency != "" {
				cur = strings.ToUpper(e.Currency)
			}
		}
		if value == "" {
			value = "0"
		}
		typ := e.Name
		switch e.Name {
		case "purchase":
			typ = "purchase"
		case "generate_lead":
			typ = "lead"
		}
		d := s.eventDate(e)
		m := map[string]string{
			"conversion_id": id, "user_id": e.UserPseudoID, "type": typ, "value": value, "currency": cur,
			"property_id": prop, "event_date": d[:4] + "-" + d[4:6] + "-" + d[6:], "account_timezone": s.opt.TimeZone,
			"user_pseudo_id": e.UserPseudoID, "event_name": e.Name, "intraday": strconv.FormatBool(e.Intraday),
			"transaction_id": nullable(e.TransactionID), "session_id": "NULL",
		}
		if e.SessionID != 0 {
			m["session_id"] = strconv.FormatInt(e.SessionID, 10)
		}
		out = append(out, m)
	}
	return out
}

func nullable(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

// selected returns the events of from..to (YYYYMMDD) the export's table
// choice yields: daily tables, and intraday ones only for days without a
// daily table.
func (s *Server) selected(from, to string, intraday bool) []Event {
	daily := map[string]bool{}
	for _, e := range s.events {
		if !e.Intraday {
			daily[s.eventDate(e)] = true
		}
	}
	var out []Event
	for _, e := range s.events {
		d := s.eventDate(e)
		if d < from || d > to {
			continue
		}
		if e.Intraday && (!intraday || daily[d]) {
			continue
		}
		out = append(out, e)
	}
	return out
}

type convRow struct {
	e   Event
	dup int
}

// conversions answers the conversions query.
func (s *Server) conversions(from, to string, intraday bool, names []string) ([]convRow, []field) {
	var rows []convRow
	count := map[string]int{}
	for _, e := range s.selected(from, to, intraday) {
		if !slices.Contains(names, e.Name) {
			continue
		}
		k := fmt.Sprintf("%s|%d|%s", e.UserPseudoID, e.Timestamp.UnixMicro(), e.Name)
		rows = append(rows, convRow{e, count[k]})
		count[k]++
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if da, db := s.eventDate(a.e), s.eventDate(b.e); da != db {
			return da < db
		}
		if !a.e.Timestamp.Equal(b.e.Timestamp) {
			return a.e.Timestamp.Before(b.e.Timestamp)
		}
		if a.e.UserPseudoID != b.e.UserPseudoID {
			return a.e.UserPseudoID < b.e.UserPseudoID
		}
		if a.e.Name != b.e.Name {
			return a.e.Name < b.e.Name
		}
		return a.dup < b.dup
	})
	return rows, []field{
		{"event_date", "STRING", "NULLABLE"}, {"event_timestamp", "INTEGER", "NULLABLE"}, {"event_name", "STRING", "NULLABLE"},
		{"user_pseudo_id", "STRING", "NULLABLE"}, {"user_id", "STRING", "NULLABLE"}, {"ga_session_id", "INTEGER", "NULLABLE"},
		{"dup_index", "INTEGER", "NULLABLE"}, {"transaction_id", "STRING", "NULLABLE"}, {"purchase_revenue", "NUMERIC", "NULLABLE"},
		{"value", "NUMERIC", "NULLABLE"}, {"currency", "STRING", "NULLABLE"}, {"is_intraday", "BOOLEAN", "NULLABLE"},
	}
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func common(s *Server, e Event) []*string {
	ts := strconv.FormatInt(e.Timestamp.UnixMicro(), 10)
	var sess *string
	if e.SessionID != 0 {
		sess = str(strconv.FormatInt(e.SessionID, 10))
	}
	return []*string{str(s.eventDate(e)), &ts, str(e.Name), str(e.UserPseudoID), str(e.UserID), sess}
}

func conversionCells(s *Server, r convRow) []*string {
	e := r.e
	c := common(s, e)
	dup := strconv.Itoa(r.dup)
	return append(c, &dup, str(e.TransactionID), str(e.Revenue), str(e.Value), str(e.Currency), str(strconv.FormatBool(e.Intraday)))
}

// touchpoints answers the touchpoints query.
func (s *Server) touchpoints(from, to string, intraday bool) ([][]*string, []field) {
	var evs []Event
	for _, e := range s.selected(from, to, intraday) {
		if e.Name == "session_start" || e.CollectedSource != "" || e.Gclid != "" {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.UserPseudoID != b.UserPseudoID {
			return a.UserPseudoID < b.UserPseudoID
		}
		if a.SessionID != b.SessionID {
			return a.SessionID < b.SessionID
		}
		if !a.Timestamp.Equal(b.Timestamp) {
			return a.Timestamp.Before(b.Timestamp)
		}
		return a.Name < b.Name
	})
	var rows [][]*string
	for _, e := range evs {
		c := common(s, e)
		c = append(c, str(e.Source), str(e.Medium), str(e.Campaign), str(e.CampaignID), str(e.ChannelGroup),
			str(e.CollectedSource), str(e.CollectedMedium), str(e.CollectedCampaign), str(e.CollectedCampaignID), str(e.Gclid),
			str(e.FirstSource), str(e.FirstMedium), str(e.FirstCampaign), str(strconv.FormatBool(e.Intraday)))
		rows = append(rows, c)
	}
	f := []field{
		{"event_date", "STRING", "NULLABLE"}, {"event_timestamp", "INTEGER", "NULLABLE"}, {"event_name", "STRING", "NULLABLE"},
		{"user_pseudo_id", "STRING", "NULLABLE"}, {"user_id", "STRING", "NULLABLE"}, {"ga_session_id", "INTEGER", "NULLABLE"},
	}
	for _, n := range []string{"lc_source", "lc_medium", "lc_campaign", "lc_campaign_id", "lc_channel_group",
		"cs_source", "cs_medium", "cs_campaign", "cs_campaign_id", "cs_gclid", "ts_source", "ts_medium", "ts_campaign"} {
		f = append(f, field{n, "STRING", "NULLABLE"})
	}
	return rows, append(f, field{"is_intraday", "BOOLEAN", "NULLABLE"})
}

// ---- HTTP ----

func googleError(w http.ResponseWriter, status int, st, reason, msg string, h map[string]string) {
	for k, v := range h {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": msg, "status": st,
		"errors": []map[string]string{{"message": msg, "domain": "global", "reason": reason}},
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	oauthErr := func(code int, e, d string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": e, "error_description": d})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		oauthErr(400, "invalid_request", "POST a form")
		return
	}
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthErr(400, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	if s.revoked {
		oauthErr(400, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	if err := s.checkJWT(r.PostForm.Get("assertion")); err != nil {
		oauthErr(400, "invalid_grant", err.Error())
		return
	}
	tok := "ya29.c.fake-" + fakekit.RandomHex(16)
	s.tokens[tok] = true
	s.issued = append(s.issued, tok)
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
}

// checkJWT verifies the assertion as Google does: RS256 by the key, the
// service account as issuer, the token endpoint as audience, a scope.
func (s *Server) checkJWT(a string) error {
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return fmt.Errorf("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("Invalid JWT Signature.")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("Invalid JWT Signature.")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Iss, Aud, Scope string
		Iat, Exp        int64
	}
	if json.Unmarshal(raw, &c) != nil || c.Iss != s.email || c.Aud != s.TokenURL || c.Scope == "" || c.Exp-c.Iat > 3600 {
		return fmt.Errorf("Invalid JWT: claims (iss %q, aud %q, scope %q)", c.Iss, c.Aud, c.Scope)
	}
	return nil
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry := r.Method + " " + r.URL.Path
	q := r.URL.Query()
	for _, k := range []string{"maxResults", "pageToken"} {
		if v := q.Get(k); v != "" {
			entry += " " + k + "=" + v
		}
	}
	s.log = append(s.log, entry)
	s.faults.Count()
	kind := s.faults.Fault()
	switch kind {
	case ExpiredToken:
		clear(s.tokens)
	case Revoked:
		clear(s.tokens)
		s.revoked = true
	}
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.tokens[auth] {
		googleError(w, 401, "UNAUTHENTICATED", "authError",
			"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", nil)
		return
	}
	switch kind {
	case Throttle:
		googleError(w, 429, "RESOURCE_EXHAUSTED", "rateLimitExceeded", "Exceeded rate limits: too many api requests per user per method for this user_method. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas",
			map[string]string{"Retry-After": strconv.Itoa(int(s.ThrottleHint().Seconds()))})
		return
	case RateLimit403:
		googleError(w, 403, "PERMISSION_DENIED", "rateLimitExceeded", "Exceeded rate limits: too many api requests per user per method for this user_method.", nil)
		return
	case ServerError:
		googleError(w, 503, "UNAVAILABLE", "backendError", "Error encountered during execution. Retrying may solve the problem.", nil)
		return
	case PermissionDenied:
		googleError(w, 403, "PERMISSION_DENIED", "accessDenied", s.PermanentMessage(), nil)
		return
	case QuotaExceeded:
		googleError(w, 403, "PERMISSION_DENIED", "quotaExceeded", "Quota exceeded: Your project exceeded quota for free query bytes scanned. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas", nil)
		return
	}
	// projects/{p}/queries[/{id}] | projects/{p}/jobs[/{id}]
	rest := strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/bigquery/v2/")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	var body any
	status := 200
	switch {
	case len(parts) == 3 && parts[0] == "projects" && parts[2] == "queries" && r.Method == http.MethodPost:
		body, status = s.jobsQuery(parts[1], r)
	case len(parts) == 3 && parts[0] == "projects" && parts[2] == "jobs" && r.Method == http.MethodPost:
		body, status = s.jobsInsert(parts[1], r)
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "jobs" && r.Method == http.MethodGet:
		body, status = s.jobsGet(parts[1], parts[3])
	case len(parts) == 4 && parts[0] == "projects" && parts[2] == "queries" && r.Method == http.MethodGet:
		body, status = s.getQueryResults(parts[1], parts[3], q)
	default:
		googleError(w, 404, "NOT_FOUND", "notFound", "Not found: "+r.Method+" "+r.URL.Path, nil)
		return
	}
	if e, ok := body.(apiErr); ok {
		googleError(w, status, e.status, e.reason, e.msg, nil)
		return
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if kind == Malformed {
		b = b[:len(b)/2]
	}
	_, _ = w.Write(b)
}

type apiErr struct{ status, reason, msg string }

type queryParam struct {
	Name           string `json:"name"`
	ParameterValue struct {
		Value       *string `json:"value"`
		ArrayValues []struct {
			Value string `json:"value"`
		} `json:"arrayValues"`
	} `json:"parameterValue"`
}

// newJob runs a query: it recognises the connector's queries and computes
// their rows.
func (s *Server) newJob(project, id, sql string, params []queryParam, config json.RawMessage) (*job, apiErr, int) {
	if project != s.opt.Project {
		return nil, apiErr{"NOT_FOUND", "notFound", "Not found: Project " + project}, 404
	}
	p := map[string]queryParam{}
	for _, q := range params {
		p[q.Name] = q
	}
	val := func(n string) string {
		if v := p[n].ParameterValue.Value; v != nil {
			return *v
		}
		return ""
	}
	table := "`" + s.opt.Project + "." + s.opt.Dataset + ".events_*`"
	isConv := strings.HasPrefix(sql, "-- pacer:ga4_bigquery:conversions v1")
	isTP := strings.HasPrefix(sql, "-- pacer:ga4_bigquery:touchpoints v1")
	switch {
	case !isConv && !isTP:
		return nil, apiErr{"INVALID_ARGUMENT", "invalidQuery", "bqtest: unrecognised query (it answers the ga4_bigquery connector's marked queries only)"}, 400
	case !strings.Contains(sql, table):
		return nil, apiErr{"NOT_FOUND", "notFound", "Not found: Dataset " + s.opt.Project + ":" + s.opt.Dataset + " was not found in location US"}, 404
	case len(val("from_day")) != 8 || len(val("to_day")) != 8 || val("intraday") == "":
		return nil, apiErr{"INVALID_ARGUMENT", "invalidQuery", "Query parameter 'from_day', 'to_day' or 'intraday' not found"}, 400
	}
	j := &job{id: id, project: project, config: config, incomplete: s.opt.IncompletePolls}
	intraday := val("intraday") == "true"
	if isConv {
		var names []string
		for _, v := range p["conversion_events"].ParameterValue.ArrayValues {
			names = append(names, v.Value)
		}
		rows, f := s.conversions(val("from_day"), val("to_day"), intraday, names)
		j.schema = f
		for _, r := range rows {
			j.rows = append(j.rows, conversionCells(s, r))
		}
	} else {
		j.rows, j.schema = s.touchpoints(val("from_day"), val("to_day"), intraday)
	}
	s.jobs[id] = j
	return j, apiErr{}, 200
}

func (j *job) ref() map[string]string {
	return map[string]string{"projectId": j.project, "jobId": j.id, "location": "US"}
}

// page is the result page at start of at most max rows (max < 0: page size).
func (s *Server) page(j *job, start, max int) map[string]any {
	size := s.opt.PageSize
	if max >= 0 && max < size {
		size = max
	}
	end := min(start+size, len(j.rows))
	start = min(start, end)
	rows := make([]map[string]any, 0, end-start)
	for _, r := range j.rows[start:end] {
		cells := make([]map[string]any, len(r))
		for i, c := range r {
			if c == nil {
				cells[i] = map[string]any{"v": nil}
			} else {
				cells[i] = map[string]any{"v": *c}
			}
		}
		rows = append(rows, map[string]any{"f": cells})
	}
	out := map[string]any{
		"jobReference": j.ref(), "jobComplete": true, "cacheHit": false,
		"schema":    map[string]any{"fields": j.schema},
		"totalRows": strconv.Itoa(len(j.rows)), "totalBytesProcessed": strconv.Itoa(len(j.rows) * 300),
	}
	if len(rows) > 0 {
		out["rows"] = rows
		s.pages++
	}
	if end < len(j.rows) && size > 0 {
		out["pageToken"] = "BQ" + strconv.Itoa(end)
	}
	return out
}

func (s *Server) jobsQuery(project string, r *http.Request) (any, int) {
	var req struct {
		Query           string       `json:"query"`
		QueryParameters []queryParam `json:"queryParameters"`
		MaxResults      *int         `json:"maxResults"`
	}
	b, _ := io.ReadAll(r.Body)
	if json.Unmarshal(b, &req) != nil {
		return apiErr{"INVALID_ARGUMENT", "invalid", "Invalid JSON payload received."}, 400
	}
	s.nextJob++
	cfg, _ := json.Marshal(map[string]any{"query": map[string]any{"query": req.Query, "queryParameters": req.QueryParameters}, "jobType": "QUERY"})
	j, e, st := s.newJob(project, fmt.Sprintf("job_fake%04d", s.nextJob), req.Query, req.QueryParameters, cfg)
	if j == nil {
		return e, st
	}
	if j.incomplete > 0 {
		j.incomplete--
		return map[string]any{"kind": "bigquery#queryResponse", "jobReference": j.ref(), "jobComplete": false}, 200
	}
	max := -1
	if req.MaxResults != nil {
		max = *req.MaxResults
	}
	out := s.page(j, 0, max)
	out["kind"] = "bigquery#queryResponse"
	return out, 200
}

func (s *Server) jobsInsert(project string, r *http.Request) (any, int) {
	var req struct {
		JobReference struct {
			JobID string `json:"jobId"`
		} `json:"jobReference"`
		Configuration json.RawMessage `json:"configuration"`
	}
	b, _ := io.ReadAll(r.Body)
	if json.Unmarshal(b, &req) != nil {
		return apiErr{"INVALID_ARGUMENT", "invalid", "Invalid JSON payload received."}, 400
	}
	var cfg struct {
		Query struct {
			Query           string       `json:"query"`
			QueryParameters []queryParam `json:"queryParameters"`
		} `json:"query"`
	}
	_ = json.Unmarshal(req.Configuration, &cfg)
	id := req.JobReference.JobID
	if id == "" {
		s.nextJob++
		id = fmt.Sprintf("job_fake%04d", s.nextJob)
	}
	if _, dup := s.jobs[id]; dup {
		return apiErr{"ALREADY_EXISTS", "duplicate", "Already Exists: Job " + project + ":US." + id}, 409
	}
	j, e, st := s.newJob(project, id, cfg.Query.Query, cfg.Query.QueryParameters, req.Configuration)
	if j == nil {
		return e, st
	}
	return s.jobResource(j), 200
}

func (s *Server) jobResource(j *job) map[string]any {
	state := "DONE"
	if j.incomplete > 0 {
		state = "RUNNING"
	}
	return map[string]any{
		"kind": "bigquery#job", "id": j.project + ":US." + j.id, "jobReference": j.ref(),
		"configuration": j.config, "status": map[string]any{"state": state},
		"statistics": map[string]any{"creationTime": "1761900000000", "query": map[string]any{"totalBytesProcessed": strconv.Itoa(len(j.rows) * 300)}},
	}
}

func (s *Server) jobsGet(project, id string) (any, int) {
	j, ok := s.jobs[id]
	if !ok || j.project != project {
		return apiErr{"NOT_FOUND", "notFound", "Not found: Job " + project + ":US." + id}, 404
	}
	out := s.jobResource(j)
	if j.incomplete > 0 {
		j.incomplete--
	}
	return out, 200
}

func (s *Server) getQueryResults(project, id string, q map[string][]string) (any, int) {
	j, ok := s.jobs[id]
	if !ok || j.project != project {
		return apiErr{"NOT_FOUND", "notFound", "Not found: Job " + project + ":US." + id}, 404
	}
	if j.incomplete > 0 {
		j.incomplete--
		return map[string]any{"kind": "bigquery#getQueryResultsResponse", "jobReference": j.ref(), "jobComplete": false}, 200
	}
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	start := 0
	if t := get("pageToken"); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "BQ"))
		if err != nil || !strings.HasPrefix(t, "BQ") {
			return apiErr{"INVALID_ARGUMENT", "invalid", "Invalid page token: " + t}, 400
		}
		start = n
	} else if v := get("startIndex"); v != "" {
		start, _ = strconv.Atoi(v)
	}
	max := -1
	if v := get("maxResults"); v != "" {
		max, _ = strconv.Atoi(v)
	}
	out := s.page(j, start, max)
	out["kind"] = "bigquery#getQueryResultsResponse"
	return out, 200
}
