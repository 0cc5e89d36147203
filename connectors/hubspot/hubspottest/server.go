// Package hubspottest is a fake HubSpot CRM API for tests and the demo:
// deals search and the OAuth refresh endpoint under a path prefix, speaking
// HubSpot's wire format (string properties or null, epoch-millisecond filter
// values, "after" paging, the 10,000-result cap as a 400, 429 bodies with
// policyName, 401 INVALID_AUTHENTICATION). It implements conformance.Fake
// without importing it.
package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Failure kinds for Inject. The first six match the conformance suite's.
const (
	// Throttle answers 429 with policyName Options.ThrottlePolicy.
	Throttle = "throttle"
	// ServerError answers 500.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 401; a
	// refresh then works.
	ExpiredToken = "expired_token"
	// Revoked also kills the refresh token.
	Revoked = "revoked"
	// PermissionDenied answers 403 MISSING_SCOPES.
	PermissionDenied = "permission_denied"
	// Secondly and Daily answer 429 with those policies.
	Secondly = "secondly"
	Daily    = "daily"
)

// Version is the API version the fake serves.
const Version = "2026-09"

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/hubspot").
	Prefix string
	// From and To are the created days of the deals (default 2026-10-01..2026-10-20).
	From, To time.Time
	// DealsPerDay (default 4).
	DealsPerDay int
	// MaxResults is the result cap per search (default 10,000); Config passes it on.
	MaxResults int
	// PageSize goes into Config as page_size (default 200).
	PageSize int
	// WindowDays goes into Config as window_days (default 5).
	WindowDays int
	// ThrottlePolicy is the policyName of Throttle (default TEN_SECONDLY_ROLLING).
	ThrottlePolicy string
	// Static configures a private-app token instead of OAuth.
	Static bool
	// Now is the time Restate stamps on hs_lastmodifieddate (default: a
	// minute after the newest one).
	Now func() time.Time
	// Fixture, when set, replaces the invented deals by Fixture.Deals (see
	// FromFixture); DealsPerDay is then ignored, From and To default to the
	// first and last created day, and Config maps the fixture's owners and
	// teams and sets no portal currency, so that the source lands every
	// deal as it is.
	Fixture *fixture.Set
}

// Server is a fake HubSpot API, safe for concurrent use.
type Server struct {
	URL      string // base_url
	TokenURL string // token_url

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	deals    []*Deal
	tokens   map[string]bool
	issued   []string
	static   string
	clientID string
	secret   string
	refresh  string
	revoked  bool
	faults   fakekit.Faults // requests counted, faults injected
	pages    int
	pageSize int
	bodies   []map[string]any
	// owners and teams map hubspot_owner_id to the names Config passes
	// (owner_map, team_map); currency is the portal currency ("": none).
	owners, teams map[string]string
	currency      string
}

// Deal is one fake deal; property values are HubSpot strings, nil for null.
type Deal struct {
	ID       string
	Archived bool
	Props    map[string]*string
	// Numeric lists properties sent as JSON numbers (HubSpot sends strings).
	Numeric []string
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/hubspot"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Fixture != nil {
		from, to := fixtureSpan(o.Fixture.Deals)
		if o.From.IsZero() {
			o.From = from
		}
		if o.To.IsZero() {
			o.To = to
		}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.DealsPerDay <= 0 {
		o.DealsPerDay = 4
	}
	if o.MaxResults <= 0 {
		o.MaxResults = 10000
	}
	if o.PageSize <= 0 {
		o.PageSize = 200
	}
	if o.WindowDays <= 0 {
		o.WindowDays = 5
	}
	if o.ThrottlePolicy == "" {
		o.ThrottlePolicy = "TEN_SECONDLY_ROLLING"
	}
	s := &Server{opt: o, tokens: map[string]bool{},
		static: "pat-na1-" + fakekit.RandomHex(16), clientID: "5f3c0a1e-0000-4000-8000-000000000001",
		secret: "canary-client-secret-" + fakekit.RandomHex(8), refresh: "canary-refresh-" + fakekit.RandomHex(16)}
	if o.Static {
		s.tokens[s.static] = true
	}
	if o.Fixture != nil {
		s.deals, s.owners, s.teams = FromFixture(o.Fixture.Deals)
	} else {
		s.build()
		s.owners = map[string]string{"1001": "Ana Silva", "1002": "Bo Chen"}
		s.teams = map[string]string{"1001": "EMEA"}
		s.currency = "EUR"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+o.Prefix+"/crm/objects/"+Version+"/deals/search", s.search)
	mux.HandleFunc("POST "+o.Prefix+"/oauth/2026-03/token", s.token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"status": "error", "message": "Not found: " + r.Method + " " + r.URL.Path, "category": "OBJECT_NOT_FOUND"})
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/oauth/2026-03/token"
	return s
}

func str(s string) *string { return &s }

// Stages the fake uses, all in the default stage map.
var stages = []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) build() {
	sources := []string{"PAID_SEARCH", "ORGANIC_SEARCH", "DIRECT_TRAFFIC", "PAID_SOCIAL"}
	i := 0
	for d := s.opt.From; !d.After(s.opt.To); d = d.AddDate(0, 0, 1) {
		for j := 0; j < s.opt.DealsPerDay; j++ {
			created := d.Add(time.Duration(1+(j*5)%22)*time.Hour + time.Duration((i*7+j*13)%60)*time.Minute +
				time.Duration((i*31+j)%60)*time.Second + time.Duration((i*97+j*11)%1000)*time.Millisecond)
			modified := created.Add(time.Duration((i+j)%5)*time.Hour + 2*time.Second + 1*time.Millisecond)
			stage := stages[(i+j)%len(stages)]
			p := map[string]*string{
				"createdate":          str(iso(created)),
				"hs_lastmodifieddate": str(iso(modified)),
				"closedate":           str(iso(d.AddDate(0, 0, 14).Add(16 * time.Hour))),
				"dealstage":           str(stage),
				"pipeline":            str("default"),
				"amount":              str(fmt.Sprintf("%d.%02d", 500+(i*137+j*59)%9000, (i*7+j)%100)),
				"deal_currency_code":  nil,
				"hs_is_closed_won":    str(strconv.FormatBool(stage == "closedwon")),
				"hubspot_owner_id":    str([]string{"1001", "1002", "1003"}[(i+j)%3]),
				"hs_analytics_source": str(sources[(i+j)%len(sources)]),
				"hs_campaign":         nil,
				"dealname":            str(fmt.Sprintf("Deal %d", i)),
			}
			switch (i + j) % 4 {
			case 0:
				p["deal_currency_code"] = str("USD")
			case 1:
				p["deal_currency_code"] = str("EUR")
			case 2:
				p["amount"] = nil
			}
			if j%2 == 0 {
				p["hs_campaign"] = str(fmt.Sprintf("cmp-%d", i%3))
			}
			if (i+j)%5 == 4 {
				p["hubspot_owner_id"] = nil
			}
			if i == 3 {
				p["amount"] = str("1234567.123456789") // nine decimals, exact
			}
			s.deals = append(s.deals, &Deal{ID: strconv.Itoa(40211000000 + i), Props: p})
			i++
		}
	}
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Config returns the source keys pointing at the fake and the environment.
func (s *Server) Config() (string, map[string]string) {
	common := fmt.Sprintf(`portal_id: "12345678"
%sowner_map: %s
team_map: %s
campaign_property: hs_campaign
window_days: %d
page_size: %d
max_results_per_search: %d
api_version: %q
base_url: %s
token_url: %s
`, currencyLine(s.currency), yamlMap(s.owners), yamlMap(s.teams), s.opt.WindowDays, s.opt.PageSize, s.opt.MaxResults, Version, s.URL, s.TokenURL)
	if s.opt.Static {
		return "access_token: ${HUBSPOT_ACCESS_TOKEN}\n" + common, map[string]string{"HUBSPOT_ACCESS_TOKEN": s.static}
	}
	return fmt.Sprintf("client_id: %q\nclient_secret: ${HUBSPOT_CLIENT_SECRET}\nrefresh_token: ${HUBSPOT_REFRESH_TOKEN}\n", s.clientID) + common,
		map[string]string{"HUBSPOT_CLIENT_SECRET": s.secret, "HUBSPOT_REFRESH_TOKEN": s.refresh}
}

// Secrets lists every credential, issued tokens included.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.static, s.secret, s.refresh}, s.issued...)
}

// SetPageSize caps every page at n results.
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// Inject makes the nth search request from now fail with kind.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Restate changes the amount and stage of the deals created on day and
// stamps them modified now.
func (s *Server) Restate(day time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.newest().Add(time.Minute)
	if s.opt.Now != nil {
		now = s.opt.Now()
	}
	for _, d := range s.deals {
		if connectors.Day(s.created(d)).Equal(connectors.Day(day)) {
			d.Props["amount"] = str("777.77")
			d.Props["dealstage"] = str("closedwon")
			d.Props["hs_is_closed_won"] = str("true")
			d.Props["hs_lastmodifieddate"] = str(iso(now))
		}
	}
}

// Update applies f to the deal with id and stamps it modified at t.
func (s *Server) Update(id string, t time.Time, f func(*Deal)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.deals {
		if d.ID == id {
			f(d)
			d.Props["hs_lastmodifieddate"] = str(iso(t))
		}
	}
}

// DealIDs returns the ids of the deals created on day.
func (s *Server) DealIDs(day time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, d := range s.deals {
		if connectors.Day(s.created(d)).Equal(day) {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

func (s *Server) newest() time.Time {
	var t time.Time
	for _, d := range s.deals {
		if m := propTime(d.Props["hs_lastmodifieddate"]); m.After(t) {
			t = m
		}
	}
	return t
}

func (s *Server) created(d *Deal) time.Time { return propTime(d.Props["createdate"]) }

func propTime(p *string) time.Time {
	if p == nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, *p)
	return t
}

// Requests and Pages count search requests and pages answered.
func (s *Server) Requests() int { return s.faults.Requests() }
func (s *Server) Pages() int    { s.mu.Lock(); defer s.mu.Unlock(); return s.pages }

// Bodies returns the search request bodies received.
func (s *Server) Bodies() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bodies)
}

// ThrottleHint is the wait the connector takes for ThrottlePolicy.
func (s *Server) ThrottleHint() time.Duration {
	if s.opt.ThrottlePolicy == "SECONDLY" {
		return time.Second
	}
	return 10 * time.Second
}

// PermanentMessage is the 403 message.
func (s *Server) PermanentMessage() string {
	return "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes."
}

// Days returns the created days of the deals.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// stageOf is the default stage map.
var stageOf = map[string]string{"appointmentscheduled": "lead", "qualifiedtobuy": "qualified", "presentationscheduled": "proposal",
	"decisionmakerboughtin": "proposal", "contractsent": "proposal", "closedwon": "won", "closedlost": "lost"}

// Expected returns the rows of the deals created on the days of r.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return duckTime(propTime(p))
	}
	val := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return *p
	}
	var out []map[string]string
	for _, d := range s.deals {
		day := connectors.Day(s.created(d))
		if d.Archived || day.Before(r.From) || day.After(r.To) {
			continue
		}
		stage, ok := stageOf[*d.Props["dealstage"]]
		if !ok {
			continue // quarantined by the source
		}
		m := map[string]string{
			"deal_id": d.ID, "created_at": ts(d.Props["createdate"]), "closed_at": "NULL", "stage": stage,
			"is_won": val(d.Props["hs_is_closed_won"]), "amount": val(d.Props["amount"]), "currency": val(d.Props["deal_currency_code"]),
			"lead_source": val(d.Props["hs_analytics_source"]), "campaign_id": val(d.Props["hs_campaign"]),
			"owner": val(d.Props["hubspot_owner_id"]), "team": "NULL",
			"updated_at": ts(d.Props["hs_lastmodifieddate"]), "source_stage": *d.Props["dealstage"], "pipeline": val(d.Props["pipeline"]),
		}
		if stage == "won" || stage == "lost" {
			m["closed_at"] = ts(d.Props["closedate"])
		}
		if m["currency"] == "NULL" && s.currency != "" {
			m["currency"] = s.currency
		}
		if id := d.Props["hubspot_owner_id"]; id != nil {
			if n, ok := s.owners[*id]; ok {
				m["owner"] = n
			}
			if t, ok := s.teams[*id]; ok && t != "" {
				m["team"] = t
			}
		}
		out = append(out, m)
	}
	return out
}

// duckTime renders a TIMESTAMPTZ as DuckDB casts it to VARCHAR in UTC.
func duckTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
}

type apiErr struct {
	status int
	body   map[string]any
}

func errBody(category, msg string) map[string]any {
	return map[string]any{"status": "error", "message": msg, "correlationId": "c8f2a9d0-" + fakekit.RandomHex(4), "category": category}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) throttle(w http.ResponseWriter, policy string) {
	writeJSON(w, 429, map[string]any{"status": "error", "message": "You have reached your " + strings.ToLower(policy) + " limit.",
		"errorType": "RATE_LIMIT", "correlationId": "c8f2a9d0-" + fakekit.RandomHex(4), "policyName": policy, "requestId": fakekit.RandomHex(8)})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("client_id") != s.clientID || r.PostForm.Get("client_secret") != s.secret {
		writeJSON(w, 400, map[string]any{"status": "BAD_CLIENT_ID", "message": "missing or invalid client_id or client_secret"})
		return
	}
	if s.revoked || r.PostForm.Get("refresh_token") != s.refresh {
		writeJSON(w, 400, map[string]any{"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token", "error": "invalid_grant", "error_description": "missing or unknown refresh token"})
		return
	}
	tok := "CKfake-oauth-" + fakekit.RandomHex(16)
	s.tokens[tok] = true
	s.issued = append(s.issued, tok)
	writeJSON(w, 200, map[string]any{"token_type": "bearer", "refresh_token": s.refresh, "access_token": tok, "expires_in": 1800})
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	kind := s.faults.Fault()
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	switch kind {
	case ExpiredToken, Revoked:
		clear(s.tokens)
		s.revoked = kind == Revoked
	}
	if !ok || !s.tokens[tok] {
		writeJSON(w, 401, errBody("INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication."))
		return
	}
	switch kind {
	case Throttle:
		s.throttle(w, s.opt.ThrottlePolicy)
		return
	case Secondly:
		s.throttle(w, "SECONDLY")
		return
	case Daily:
		s.throttle(w, "DAILY")
		return
	case ServerError:
		writeJSON(w, 500, errBody("INTERNAL_ERROR", "internal error"))
		return
	case PermissionDenied:
		writeJSON(w, 403, errBody("MISSING_SCOPES", s.PermanentMessage()))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, 415, errBody("VALIDATION_ERROR", "Content-Type must be application/json, got "+ct))
		return
	}
	body, e := s.answer(raw)
	if e != nil {
		writeJSON(w, e.status, e.body)
		return
	}
	s.pages++
	b, _ := json.Marshal(body)
	if kind == Malformed {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(b)
}

type searchReq struct {
	FilterGroups []struct {
		Filters []struct {
			PropertyName string `json:"propertyName"`
			Operator     string `json:"operator"`
			Value        string `json:"value"`
		} `json:"filters"`
	} `json:"filterGroups"`
	Sorts []struct {
		PropertyName string `json:"propertyName"`
		Direction    string `json:"direction"`
	} `json:"sorts"`
	Properties []string `json:"properties"`
	Limit      int      `json:"limit"`
	After      *string  `json:"after"`
}

var timeProps = map[string]bool{"createdate": true, "hs_lastmodifieddate": true, "closedate": true}

func (s *Server) answer(raw []byte) (map[string]any, *apiErr) {
	bad := func(msg string) *apiErr { return &apiErr{400, errBody("VALIDATION_ERROR", msg)} }
	var q searchReq
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return nil, bad("Invalid input JSON: " + err.Error())
	}
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	s.bodies = append(s.bodies, generic)
	if q.Limit < 1 || q.Limit > 200 {
		return nil, bad(fmt.Sprintf("limit %d must be between 1 and 200", q.Limit))
	}
	if len(q.FilterGroups) > 5 {
		return nil, bad("at most 5 filterGroups")
	}
	if len(q.Sorts) > 1 {
		return nil, bad("at most one sort")
	}
	type pred func(*Deal) bool
	var groups [][]pred
	for _, g := range q.FilterGroups {
		if len(g.Filters) > 6 {
			return nil, bad("at most 6 filters per group")
		}
		var ps []pred
		for _, f := range g.Filters {
			if f.PropertyName == "hs_object_id" {
				v, op := f.Value, f.Operator
				if v == "" || (op != "GT" && op != "GTE") {
					return nil, bad("the fake filters hs_object_id only with GT or GTE an id, not " + op + " " + v)
				}
				ps = append(ps, func(d *Deal) bool { c := cmpID(d.ID, v); return c > 0 || c == 0 && op == "GTE" })
				continue
			}
			if !timeProps[f.PropertyName] {
				return nil, bad("the fake filters only on datetime properties, not " + f.PropertyName)
			}
			ms, err := strconv.ParseInt(f.Value, 10, 64)
			if err != nil {
				return nil, bad(fmt.Sprintf("filter value %q of %s must be epoch milliseconds", f.Value, f.PropertyName))
			}
			v := time.UnixMilli(ms)
			name := f.PropertyName
			var cmp func(t time.Time) bool
			switch f.Operator {
			case "GTE":
				cmp = func(t time.Time) bool { return !t.Before(v) }
			case "GT":
				cmp = func(t time.Time) bool { return t.After(v) }
			case "LT":
				cmp = func(t time.Time) bool { return t.Before(v) }
			case "LTE":
				cmp = func(t time.Time) bool { return !t.After(v) }
			case "EQ":
				cmp = func(t time.Time) bool { return t.Equal(v) }
			default:
				return nil, bad("unknown operator " + f.Operator)
			}
			ps = append(ps, func(d *Deal) bool { p := d.Props[name]; return p != nil && cmp(propTime(p)) })
		}
		groups = append(groups, ps)
	}
	var hits []*Deal
	for _, d := range s.deals {
		if d.Archived {
			continue
		}
		match := len(groups) == 0
		for _, g := range groups {
			all := true
			for _, p := range g {
				all = all && p(d)
			}
			match = match || all
		}
		if match {
			hits = append(hits, d)
		}
	}
	if len(q.Sorts) == 1 {
		sp := q.Sorts[0]
		if !timeProps[sp.PropertyName] && sp.PropertyName != "hs_object_id" || (sp.Direction != "ASCENDING" && sp.Direction != "DESCENDING") {
			return nil, bad("the fake sorts only on datetime properties or hs_object_id, ASCENDING or DESCENDING")
		}
		slices.SortStableFunc(hits, func(a, b *Deal) int {
			var c int
			if sp.PropertyName == "hs_object_id" {
				c = cmpID(a.ID, b.ID)
			} else {
				c = propTime(a.Props[sp.PropertyName]).Compare(propTime(b.Props[sp.PropertyName]))
			}
			if sp.Direction == "DESCENDING" {
				c = -c
			}
			return c
		})
	}
	after := 0
	if q.After != nil {
		n, err := strconv.Atoi(*q.After)
		if err != nil || n < 0 || *q.After == "" {
			return nil, bad(fmt.Sprintf("after %q is not a paging token", *q.After))
		}
		after = n
	}
	if after >= s.opt.MaxResults {
		return nil, bad(fmt.Sprintf("Search results are limited to %d; after=%d is past that", s.opt.MaxResults, after))
	}
	limit := q.Limit
	if s.pageSize > 0 && s.pageSize < limit {
		limit = s.pageSize
	}
	end := min(after+limit, len(hits), s.opt.MaxResults)
	if after > len(hits) {
		after = len(hits)
	}
	results := []any{}
	for _, d := range hits[after:end] {
		props := map[string]any{"hs_object_id": str(d.ID), "createdate": d.Props["createdate"], "hs_lastmodifieddate": d.Props["hs_lastmodifieddate"]}
		for _, p := range q.Properties {
			props[p] = d.Props[p] // unknown properties come back as null
			if v := d.Props[p]; v != nil && slices.Contains(d.Numeric, p) {
				props[p] = json.Number(*v)
			}
		}
		results = append(results, map[string]any{"id": d.ID, "properties": props,
			"createdAt": *d.Props["createdate"], "updatedAt": *d.Props["hs_lastmodifieddate"], "archived": false})
	}
	out := map[string]any{"total": len(hits), "results": results}
	if end < len(hits) {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end), "link": "?after=" + strconv.Itoa(end)}}
	}
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
