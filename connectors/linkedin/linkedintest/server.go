// Package linkedintest is a fake of LinkedIn's Marketing API for tests and
// the demo: adAnalytics (analytics finder, pivot CAMPAIGN, daily), ad
// accounts, campaign search with cursor pages, and the OAuth token endpoint.
package linkedintest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
)

// Failure kinds for Inject; the first six match the conformance suite.
const (
	// Throttle answers 429 TOO_MANY_REQUESTS with Retry-After: 30 (the
	// header is rare at LinkedIn; unverified).
	Throttle = "throttle"
	// ServerError answers 500.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates the access tokens and answers 401
	// EXPIRED_ACCESS_TOKEN; a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates the access and refresh tokens and answers 401
	// REVOKED_ACCESS_TOKEN; the refresh then fails.
	Revoked = "revoked"
	// PermissionDenied answers 403 ACCESS_DENIED.
	PermissionDenied = "permission_denied"
	// DailyLimit answers 429 with the APPLICATION DAY limit message.
	DailyLimit = "daily_limit"
)

// Account is a sponsored ad account the fake serves.
type Account struct {
	ID       string // digits
	Name     string
	Currency string
}

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/linkedin").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed     uint64
	Accounts []Account
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Campaigns per account (default 5).
	Campaigns int
	// PageSize caps the campaigns per search page (default 100).
	PageSize int
	// MaxElements caps an adAnalytics answer (default 15,000).
	MaxElements int
	// DaysPerRequest goes into Config (default 3: several windows, so that
	// a failure in the middle of a sync finds a checkpoint behind it).
	DaysPerRequest int
	// MinVersion is the oldest Linkedin-Version served (default 202512);
	// older ones get 426.
	MinVersion int
	// Credentials the token endpoint accepts.
	ClientID, ClientSecret, RefreshToken string
}

type campaign struct{ id, name string }

// Server is the fake. It is safe for concurrent use.
type Server struct {
	// URL is the base URL (base_url), TokenURL the token endpoint (token_url).
	URL, TokenURL string

	opt     Options
	srv     *httptest.Server
	mu      sync.Mutex
	camps   [][]campaign
	tokens  map[string]bool
	issued  []string
	revoked bool
	faults  fakekit.Faults // requests counted, faults injected
	calls   []Call

	// Ledger: Restate changes the values of day; Pages counts the adAnalytics
	// answers and campaign pages sent.
	fakekit.Ledger
}

// Call is one API request: its path, raw query and headers.
type Call struct {
	Path, RawQuery string
	Header         http.Header
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/linkedin"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []Account{{ID: "508000001", Name: "Lumen Tea B2B", Currency: "USD"}, {ID: "508000002", Name: "Lumen Tea DACH", Currency: "EUR"}}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.Campaigns <= 0 {
		o.Campaigns = 5
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.MaxElements <= 0 {
		o.MaxElements = 15_000
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 3
	}
	if o.MinVersion <= 0 {
		o.MinVersion = 202512
	}
	if o.ClientID == "" {
		o.ClientID = "78fakeclient01"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "WPL_AP1.canary-secret." + fakekit.RandomHex(6)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "AQXcanary-refresh-" + fakekit.RandomHex(10)
	}
	s := &Server{opt: o, tokens: map[string]bool{}}
	names := []string{"ABM Tier 1 – Sponsored Content", "Webinar Q4", `Thought "Leadership" 茶`, "Retargeting Site Visitors", "Conversation Ads"}
	for ai := range o.Accounts {
		var cs []campaign
		for c := range o.Campaigns {
			cs = append(cs, campaign{id: strconv.Itoa(612000000 + ai*1000 + c + 1), name: names[c%len(names)]})
		}
		s.camps = append(s.camps, cs)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/oauth/v2/accessToken", s.token)
	mux.HandleFunc(o.Prefix+"/rest/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/oauth/v2/accessToken"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the keys of a linkedin source pointing at the fake.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for i, a := range s.opt.Accounts {
		id := a.ID
		if i == 0 {
			id = "urn:li:sponsoredAccount:" + id
		}
		ids = append(ids, strconv.Quote(id))
	}
	y := fmt.Sprintf(`account_ids: [%s]
client_id: %s
client_secret: ${LINKEDIN_CLIENT_SECRET}
refresh_token: ${LINKEDIN_REFRESH_TOKEN}
base_url: %s
token_url: %s
days_per_request: %d
`, strings.Join(ids, ", "), s.opt.ClientID, s.URL, s.TokenURL, s.opt.DaysPerRequest)
	return y, map[string]string{"LINKEDIN_CLIENT_SECRET": s.opt.ClientSecret, "LINKEDIN_REFRESH_TOKEN": s.opt.RefreshToken}
}

// Secrets returns the configured credentials and every token issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.ClientSecret, s.opt.RefreshToken}, s.issued...)
}

// SetPageSize caps the campaigns per search page (adAnalytics itself has
// no pages).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.PageSize = max(n, 1)
}

// Inject makes the nth API request from now fail with kind, once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns the API requests received (token requests excluded).
func (s *Server) Requests() int { return s.faults.Requests() }

// Calls returns the API requests received, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ThrottleHint is the Retry-After of Throttle answers.
func (s *Server) ThrottleHint() time.Duration { return 30 * time.Second }

// PermanentMessage is the message of the PermissionDenied answer.
func (s *Server) PermanentMessage() string {
	return "Not enough permissions to access: partnerApiAdAnalytics.GET.20260701"
}

// Days returns the days with data.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// metrics of one campaign-day: money in cents.
type metrics struct {
	impressions, clicks, costCents, conversions, valueCents int64
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// day returns a campaign's metrics; about one day in six has no delivery.
func (s *Server) day(id string, d time.Time) (metrics, bool) {
	n, _ := strconv.ParseUint(id, 10, 64)
	ep := d.Unix() / 86400
	h := splitmix64(s.opt.Seed ^ splitmix64(n) ^ splitmix64(uint64(ep)))
	r := func() uint64 { h = splitmix64(h); return h }
	if r()%6 == 0 {
		return metrics{}, false
	}
	m := metrics{impressions: int64(300 + r()%8000)}
	m.clicks = m.impressions * int64(3+r()%12) / 1000
	m.costCents = m.clicks*int64(400+r()%900) + int64(r()%100)
	if r()%2 == 0 {
		m.conversions = int64(r() % 5)
		m.valueCents = m.conversions * int64(5000+r()%20000)
	}
	if v := s.Version(d); v > 0 {
		m.conversions += int64(v)
		m.valueCents += int64(v) * 12345
		m.costCents -= m.costCents / 20
	}
	return m, true
}

func money(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// Expected returns the rows a linkedin source must hold for the days of r.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for d := maxTime(r.From, s.opt.From); !d.After(minTime(r.To, s.opt.To)); d = d.AddDate(0, 0, 1) {
			for _, c := range s.camps[ai] {
				m, ok := s.day(c.id, d)
				if !ok {
					continue
				}
				out = append(out, map[string]string{
					"date": d.Format(time.DateOnly), "platform": "linkedin", "account_id": a.ID, "account_timezone": "UTC",
					"campaign_id": c.id, "campaign_name": c.name, "campaign_urn": "urn:li:sponsoredCampaign:" + c.id,
					"ad_group_id": "NULL", "ad_id": "NULL", "channel": "paid_social", "currency": a.Currency,
					"spend": money(m.costCents), "impressions": strconv.FormatInt(m.impressions, 10), "clicks": strconv.FormatInt(m.clicks, 10),
					"conversions": strconv.FormatInt(m.conversions, 10), "conversion_value": money(m.valueCents),
				})
			}
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// token is the refresh-token grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, 400, `{"error":"invalid_request","error_description":"A required parameter \"grant_type\" is missing"}`)
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "refresh_token":
		writeJSON(w, 400, `{"error":"unsupported_grant_type","error_description":"grant_type is not supported"}`)
	case f.Get("client_id") != s.opt.ClientID || f.Get("client_secret") != s.opt.ClientSecret:
		writeJSON(w, 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
	case s.revoked || f.Get("refresh_token") != s.opt.RefreshToken:
		writeJSON(w, 400, `{"error":"invalid_request","error_description":"The provided authorization grant or refresh token is invalid, expired or revoked"}`)
	default:
		tok := fmt.Sprintf("AQVfake%d%s", len(s.issued)+1, fakekit.RandomHex(16))
		s.tokens[tok] = true
		s.issued = append(s.issued, tok)
		writeJSON(w, 200, fmt.Sprintf(`{"access_token":%q,"expires_in":5183999,"refresh_token":%q,"refresh_token_expires_in":31535999}`, tok, s.opt.RefreshToken))
	}
}

func liError(status, service int, code, msg string) string {
	c := ""
	if code != "" {
		c = fmt.Sprintf(`,"code":%q`, code)
	}
	return fmt.Sprintf(`{"status":%d,"serviceErrorCode":%d%s,"message":%s}`, status, service, c, jsonString(msg))
}

var (
	reDateRange = regexp.MustCompile(`^\(start:\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\),end:\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\)\)$`)
	reList      = regexp.MustCompile(`^List\(([^()]*)\)$`)
)

// rawParams splits a Rest.li 2.0 query without decoding its structure.
func rawParams(raw string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// api serves /rest/….
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	s.calls = append(s.calls, Call{Path: strings.TrimPrefix(r.URL.Path, s.opt.Prefix), RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	w.Header().Set("X-Li-Uuid", fmt.Sprintf("AAYFakeUuid%06d", s.faults.Requests()))
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, liError(429, 0, "TOO_MANY_REQUESTS", "Too many requests. Please retry after some time."))
		return
	case DailyLimit:
		writeJSON(w, 429, liError(429, 101, "", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."))
		return
	case ServerError:
		writeJSON(w, 500, liError(500, 0, "", "Internal Server Error"))
		return
	case ExpiredToken, Revoked:
		clear(s.tokens)
		if kind == Revoked {
			s.revoked = true
			writeJSON(w, 401, liError(401, 65601, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user"))
			return
		}
		writeJSON(w, 401, liError(401, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"))
		return
	case PermissionDenied:
		writeJSON(w, 403, liError(403, 100, "ACCESS_DENIED", s.PermanentMessage()))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokens[tok] {
		writeJSON(w, 401, liError(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"))
		return
	}
	ver := r.Header.Get("Linkedin-Version")
	if ver == "" {
		writeJSON(w, 400, liError(400, 0, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header."))
		return
	}
	if v, err := strconv.Atoi(strings.SplitN(ver, ".", 2)[0]); err != nil || v < s.opt.MinVersion {
		writeJSON(w, 426, liError(426, 0, "NONEXISTENT_VERSION", "Requested version "+ver+" is not active"))
		return
	}
	if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
		writeJSON(w, 400, liError(400, 0, "ILLEGAL_ARGUMENT", "The fake speaks Rest.li protocol 2.0.0 only (X-Restli-Protocol-Version)"))
		return
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/rest/"), "/")
	parts := strings.Split(path, "/")
	var body string
	switch {
	case len(parts) == 1 && parts[0] == "adAnalytics":
		var status int
		body, status = s.analytics(r.URL.RawQuery)
		if status != 200 {
			writeJSON(w, status, body)
			return
		}
	case len(parts) >= 2 && parts[0] == "adAccounts":
		ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == parts[1] })
		if ai < 0 {
			writeJSON(w, 403, liError(403, 100, "ACCESS_DENIED", "Not enough permissions to access: adAccounts.GET.20260701"))
			return
		}
		a := s.opt.Accounts[ai]
		switch {
		case len(parts) == 2:
			body = fmt.Sprintf(`{"test":false,"notifiedOnCreativeRejection":true,"name":%s,"currency":%q,"id":%s,"type":"BUSINESS","status":"ACTIVE","reference":"urn:li:organization:1000001"}`, jsonString(a.Name), a.Currency, a.ID)
		case len(parts) == 3 && parts[2] == "adCampaigns" && r.URL.Query().Get("q") == "search":
			body = s.campaigns(ai, r.URL.Query())
		default:
			writeJSON(w, 404, liError(404, 0, "", "No virtual resource found"))
			return
		}
	default:
		writeJSON(w, 404, liError(404, 0, "", "No virtual resource found"))
		return
	}
	if kind == Malformed {
		body = body[:len(body)/2]
	}
	writeJSON(w, 200, body)
}

// campaigns answers the campaign search, cursor-paged.
func (s *Server) campaigns(ai int, q url.Values) string {
	size := s.opt.PageSize
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 && n < size {
		size = n
	}
	start := 0
	if t := q.Get("pageToken"); t != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(t, "tok-"))
	}
	cs := s.camps[ai]
	end := min(start+size, len(cs))
	var els []string
	for _, c := range cs[start:end] {
		els = append(els, fmt.Sprintf(`{"account":"urn:li:sponsoredAccount:%s","id":%s,"name":%s,"status":"ACTIVE","type":"SPONSORED_UPDATES","costType":"CPM"}`,
			s.opt.Accounts[ai].ID, c.id, jsonString(c.name)))
	}
	s.AddPage()
	meta := `{}`
	if end < len(cs) {
		meta = fmt.Sprintf(`{"nextPageToken":"tok-%d"}`, end)
	}
	return `{"elements":[` + strings.Join(els, ",") + `],"metadata":` + meta + `}`
}

// analytics answers the analytics finder at pivot CAMPAIGN, daily.
func (s *Server) analytics(raw string) (string, int) {
	bad := func(msg string) (string, int) { return liError(400, 0, "ILLEGAL_ARGUMENT", msg), 400 }
	p := rawParams(raw)
	switch {
	case p["q"] != "analytics":
		return bad("the fake serves the analytics finder only (q=analytics)")
	case p["pivot"] != "CAMPAIGN":
		return bad("the fake serves pivot=CAMPAIGN only")
	case p["timeGranularity"] != "DAILY":
		return bad("the fake serves timeGranularity=DAILY only")
	}
	dm := reDateRange.FindStringSubmatch(p["dateRange"])
	if dm == nil {
		return bad("Invalid value for param dateRange: " + p["dateRange"] + " (Rest.li 2.0 syntax, reserved characters unencoded)")
	}
	n := func(i int) int { v, _ := strconv.Atoi(dm[i]); return v }
	from := time.Date(n(1), time.Month(n(2)), n(3), 0, 0, 0, 0, time.UTC)
	to := time.Date(n(4), time.Month(n(5)), n(6), 0, 0, 0, 0, time.UTC)
	lm := reList.FindStringSubmatch(p["accounts"])
	if lm == nil {
		return bad("Invalid value for param accounts: want List(urn%3Ali%3AsponsoredAccount%3A…)")
	}
	var ais []int
	for _, item := range strings.Split(lm[1], ",") {
		if strings.Contains(item, ":") {
			return bad("accounts: URNs inside List() must be URL-encoded")
		}
		urn, err := url.QueryUnescape(item)
		id, ok := strings.CutPrefix(urn, "urn:li:sponsoredAccount:")
		ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == id })
		if err != nil || !ok || ai < 0 {
			return liError(403, 100, "ACCESS_DENIED", "Not enough permissions to access: partnerApiAdAnalytics.GET.20260701"), 403
		}
		ais = append(ais, ai)
	}
	fields := strings.Split(p["fields"], ",")
	has := func(f string) bool { return slices.Contains(fields, f) }
	var els []string
	for d := maxTime(from, s.opt.From); !d.After(minTime(to, s.opt.To)); d = d.AddDate(0, 0, 1) {
		for _, ai := range ais {
			for _, c := range s.camps[ai] {
				m, ok := s.day(c.id, d)
				if !ok {
					continue
				}
				var b bytes.Buffer
				b.WriteByte('{')
				sep := func() {
					if b.Len() > 1 {
						b.WriteByte(',')
					}
				}
				if has("dateRange") {
					fmt.Fprintf(&b, `"dateRange":{"start":{"month":%d,"day":%d,"year":%d},"end":{"month":%d,"day":%d,"year":%d}}`,
						d.Month(), d.Day(), d.Year(), d.Month(), d.Day(), d.Year())
				}
				if has("pivotValues") {
					sep()
					fmt.Fprintf(&b, `"pivotValues":["urn:li:sponsoredCampaign:%s"]`, c.id)
				}
				if has("impressions") {
					sep()
					fmt.Fprintf(&b, `"impressions":%d`, m.impressions)
				}
				if has("clicks") {
					sep()
					fmt.Fprintf(&b, `"clicks":%d`, m.clicks)
				}
				if has("costInLocalCurrency") {
					sep()
					fmt.Fprintf(&b, `"costInLocalCurrency":%q`, money(m.costCents))
				}
				if has("externalWebsiteConversions") && m.conversions != 0 {
					sep()
					fmt.Fprintf(&b, `"externalWebsiteConversions":%d`, m.conversions)
				}
				if has("conversionValueInLocalCurrency") && m.valueCents != 0 {
					sep()
					fmt.Fprintf(&b, `"conversionValueInLocalCurrency":%q`, money(m.valueCents))
				}
				b.WriteByte('}')
				els = append(els, b.String())
			}
		}
	}
	if len(els) > s.opt.MaxElements {
		els = els[:s.opt.MaxElements]
	}
	s.AddPage()
	return `{"paging":{"start":0,"count":10,"links":[]},"elements":[` + strings.Join(els, ",") + `]}`, 200
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Restli-Protocol-Version", "2.0.0")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
