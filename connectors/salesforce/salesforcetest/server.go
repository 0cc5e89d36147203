// Package salesforcetest is a fake Salesforce REST API for tests and the
// demo: the OAuth token endpoint (whose instance_url is the fake), SOQL
// queryAll over Opportunity with nextRecordsUrl paging, error arrays, and
// the 403 REQUEST_LIMIT_EXCEEDED. It implements conformance.Fake without
// importing it. Its SOQL parser knows only the shapes the connector sends.
package salesforcetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
)

// Failure kinds for Inject; the first six match the conformance suite's.
const (
	// Throttle answers 503 SERVER_UNAVAILABLE with Retry-After (unverified
	// shape: Salesforce's own limit is the 403 of RequestLimit).
	Throttle         = "throttle"
	ServerError      = "server_error"
	Malformed        = "malformed"
	ExpiredToken     = "expired_token"
	Revoked          = "revoked"
	PermissionDenied = "permission_denied"
	// RequestLimit answers 403 REQUEST_LIMIT_EXCEEDED.
	RequestLimit = "request_limit"
)

// Version is the API version the fake serves.
const Version = "v68.0"

// Options configure a fake.
type Options struct {
	Prefix       string    // default "/salesforce"
	From, To     time.Time // created days (default 2026-10-01..2026-10-20)
	PerDay       int       // Opportunities per day (default 4)
	WindowDays   int       // window_days in Config (default 5)
	NoBaseURL    bool      // Config without base_url: requests follow instance_url
	AbsoluteNext bool      // nextRecordsUrl as an absolute production URL
	// MultiCurrency serves CurrencyIsoCode (EUR or GBP) and configures
	// multi_currency; without it the field is an INVALID_FIELD.
	MultiCurrency bool
	Now           func() time.Time
}

// Opp is one fake Opportunity.
type Opp struct {
	ID, Stage, LeadSource, CampaignID, OwnerID string
	Amount                                     string // JSON number text, "" for null
	Created, Modified                          time.Time
	CloseDate                                  string
	Deleted                                    bool
}

// Server is a fake Salesforce, safe for concurrent use.
type Server struct {
	URL, TokenURL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	opps     []*Opp
	tokens   map[string]bool
	issued   []string
	secret   string
	refresh  string
	revoked  bool
	faults   fakekit.Faults // requests counted, faults injected
	pages    int
	pageSize int
	cursors  map[string][]*Opp
	fields   map[string][]string
	queries  []string
	paths    []string
}

var owners = map[string]string{"005Hs00000AAAA1": "Ana Silva", "005Hs00000AAAA2": "Bo Chen"}

// Stages in the default stage map.
var stages = []string{"Prospecting", "Qualification", "Value Proposition", "Negotiation/Review", "Closed Won", "Closed Lost"}
var stageOf = map[string]string{"Prospecting": "lead", "Qualification": "qualified", "Value Proposition": "proposal",
	"Negotiation/Review": "proposal", "Closed Won": "won", "Closed Lost": "lost"}

// New starts a fake.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/salesforce"
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.PerDay <= 0 {
		o.PerDay = 4
	}
	if o.WindowDays <= 0 {
		o.WindowDays = 5
	}
	s := &Server{opt: o, tokens: map[string]bool{}, cursors: map[string][]*Opp{}, fields: map[string][]string{},
		secret: "canary-sf-secret-" + fakekit.RandomHex(8), refresh: "5Aep861canary" + fakekit.RandomHex(16)}
	i := 0
	for d := o.From; !d.After(o.To); d = d.AddDate(0, 0, 1) {
		for j := range o.PerDay {
			created := d.Add(time.Duration(1+(j*5)%22)*time.Hour + time.Duration((i*7)%60)*time.Minute + time.Duration(i%60)*time.Second)
			op := &Opp{ID: fmt.Sprintf("006Hs%010dIAV", i), Stage: stages[(i+j)%len(stages)], Created: created,
				Modified: created.Add(time.Duration(i%4) * time.Hour), CloseDate: d.AddDate(0, 0, 20).Format(time.DateOnly),
				LeadSource: []string{"Web", "Paid Search", "", "Partner"}[i%4], OwnerID: []string{"005Hs00000AAAA1", "005Hs00000AAAA2", "005Hs00000AAAA3"}[i%3]}
			switch i % 3 {
			case 0:
				op.Amount = fmt.Sprintf("%d.%d", 1000+i*13, i%10)
			case 1:
				op.Amount = strconv.Itoa(500 + i)
			}
			if i%2 == 0 {
				op.CampaignID = fmt.Sprintf("701Hs%010dIAK", i%3)
			}
			op.Deleted = i%17 == 5
			s.opps = append(s.opps, op)
			i++
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+o.Prefix+"/services/oauth2/token", s.token)
	mux.HandleFunc("GET "+o.Prefix+"/services/data/"+Version+"/queryAll", s.query)
	mux.HandleFunc("GET "+o.Prefix+"/services/data/"+Version+"/query/{locator}", s.query)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, []map[string]string{{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}})
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/services/oauth2/token"
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Config returns the source keys and environment.
func (s *Server) Config() (string, map[string]string) {
	cur := "currency: USD\n"
	if s.opt.MultiCurrency {
		cur = "multi_currency: true\n"
	}
	y := fmt.Sprintf(`client_id: 3MVG9fakeclient
client_secret: ${SALESFORCE_CLIENT_SECRET}
refresh_token: ${SALESFORCE_REFRESH_TOKEN}
%steam_map: {"005Hs00000AAAA1": EMEA}
window_days: %d
api_version: %s
token_url: %s
`, cur, s.opt.WindowDays, Version, s.TokenURL)
	if !s.opt.NoBaseURL {
		y += "base_url: " + s.URL + "\n"
	}
	return y, map[string]string{"SALESFORCE_CLIENT_SECRET": s.secret, "SALESFORCE_REFRESH_TOKEN": s.refresh}
}

// Secrets lists every credential.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.secret, s.refresh}, s.issued...)
}

func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

func (s *Server) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	var t time.Time
	for _, o := range s.opps {
		if o.Modified.After(t) {
			t = o.Modified
		}
	}
	return t.Add(time.Minute)
}

// Restate changes the Opportunities created on day.
func (s *Server) Restate(day time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, o := range s.opps {
		if connectors.Day(o.Created).Equal(day) {
			o.Amount, o.Stage, o.Modified = "777.77", "Closed Won", now
		}
	}
}

// Update applies f to Opportunity id and stamps it modified at t.
func (s *Server) Update(id string, t time.Time, f func(*Opp)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.opps {
		if o.ID == id {
			f(o)
			o.Modified = t
		}
	}
}

// IDs returns the ids of the Opportunities created on day, deleted ones included.
func (s *Server) IDs(day time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, o := range s.opps {
		if connectors.Day(o.Created).Equal(day) {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

func (s *Server) Requests() int { return s.faults.Requests() }
func (s *Server) Pages() int    { s.mu.Lock(); defer s.mu.Unlock(); return s.pages }

// Queries and Paths return the SOQL and the request paths received.
func (s *Server) Queries() []string { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.queries) }
func (s *Server) Paths() []string   { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.paths) }

func (s *Server) ThrottleHint() time.Duration { return 30 * time.Second }
func (s *Server) PermanentMessage() string {
	return "The REST API is not enabled for this Organization."
}
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

func sfTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// Expected returns the rows of the live Opportunities created in r.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	null := func(v string) string {
		if v == "" {
			return "NULL"
		}
		return v
	}
	var out []map[string]string
	for _, o := range s.opps {
		d := connectors.Day(o.Created)
		if o.Deleted || d.Before(r.From) || d.After(r.To) {
			continue
		}
		stage := stageOf[o.Stage]
		m := map[string]string{"deal_id": o.ID, "created_at": o.Created.UTC().Format("2006-01-02 15:04:05") + "+00",
			"closed_at": "NULL", "stage": stage, "is_won": strconv.FormatBool(stage == "won"), "amount": null(o.Amount),
			"currency": s.currencyOf(o), "lead_source": null(o.LeadSource), "campaign_id": null(o.CampaignID),
			"owner": null(owners[o.OwnerID]), "team": "NULL", "owner_id": o.OwnerID, "source_stage": o.Stage,
			"updated_at": o.Modified.UTC().Format("2006-01-02 15:04:05") + "+00"}
		if stage == "won" || stage == "lost" {
			m["closed_at"] = o.CloseDate + " 00:00:00+00"
		}
		if o.OwnerID == "005Hs00000AAAA1" {
			m["team"] = "EMEA"
		}
		out = append(out, m)
	}
	return out
}

func (s *Server) currencyOf(o *Opp) string {
	if !s.opt.MultiCurrency {
		return "USD"
	}
	if d := o.ID[len(o.ID)-4]; (d-'0')%2 == 0 {
		return "GBP"
	}
	return "EUR"
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.PostForm
	if f.Get("grant_type") != "refresh_token" || f.Get("client_id") != "3MVG9fakeclient" || f.Get("client_secret") != s.secret {
		writeJSON(w, 400, map[string]string{"error": "invalid_client_id", "error_description": "client identifier invalid"})
		return
	}
	if s.revoked || f.Get("refresh_token") != s.refresh {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "expired access/refresh token"})
		return
	}
	tok := "00DHs0000001fake!AQ" + fakekit.RandomHex(20)
	s.tokens[tok] = true
	s.issued = append(s.issued, tok)
	writeJSON(w, 200, map[string]string{"access_token": tok, "signature": fakekit.RandomHex(8), "scope": "api refresh_token",
		"instance_url": s.URL, "id": "https://login.salesforce.com/id/00DHs0000001fake/005Hs00000AAAA1",
		"token_type": "Bearer", "issued_at": strconv.FormatInt(time.Now().UnixMilli(), 10)})
}

var (
	reSOQL = regexp.MustCompile(`^SELECT (.+?) FROM Opportunity(?: WHERE (.+?))?(?: ORDER BY ([A-Za-z]+)(?:, Id)?)?(?: LIMIT (\d+))?$`)
	reCond = regexp.MustCompile(`^(CreatedDate|SystemModstamp) (>=|<) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$`)
	known  = map[string]bool{"Id": true, "IsDeleted": true, "CreatedDate": true, "CloseDate": true, "StageName": true, "IsWon": true,
		"IsClosed": true, "Amount": true, "LeadSource": true, "CampaignId": true, "OwnerId": true, "Owner.Name": true, "SystemModstamp": true}
)

func sfErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, []map[string]string{{"message": msg, "errorCode": code}})
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	s.paths = append(s.paths, r.URL.Path)
	kind := s.faults.Fault()
	switch kind {
	case ExpiredToken, Revoked:
		clear(s.tokens)
		s.revoked = kind == Revoked
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokens[tok] {
		sfErr(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	switch kind {
	case Throttle:
		w.Header().Set("Retry-After", "30")
		sfErr(w, 503, "SERVER_UNAVAILABLE", "Server is unavailable")
		return
	case ServerError:
		sfErr(w, 500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-8901 (-123456)")
		return
	case PermissionDenied:
		sfErr(w, 403, "API_DISABLED_FOR_ORG", s.PermanentMessage())
		return
	case RequestLimit:
		sfErr(w, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		return
	}
	var rest []*Opp
	var fields []string
	if loc := r.PathValue("locator"); loc != "" {
		var ok bool
		if rest, ok = s.cursors[loc]; !ok {
			sfErr(w, 400, "INVALID_QUERY_LOCATOR", "invalid query locator")
			return
		}
		fields = s.fields[loc]
		delete(s.cursors, loc)
	} else {
		q := r.URL.Query().Get("q")
		s.queries = append(s.queries, q)
		var msg string
		if rest, fields, msg = s.run(q); msg != "" {
			sfErr(w, 400, "MALFORMED_QUERY", msg)
			return
		}
	}
	batch := 2000
	if opt := r.Header.Get("Sforce-Query-Options"); opt != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(opt, "batchSize="))
		if err != nil || n < 1 || n > 2000 {
			sfErr(w, 400, "INVALID_QUERY_OPTIONS", "bad Sforce-Query-Options "+opt)
			return
		}
		batch = n
	}
	if s.pageSize > 0 && s.pageSize < batch {
		batch = s.pageSize
	}
	n := min(batch, len(rest))
	out := map[string]any{"totalSize": len(rest), "done": n == len(rest), "records": s.records(rest[:n], fields)}
	if n < len(rest) {
		loc := fmt.Sprintf("01gHs0000%06dAAA-%d", s.faults.Requests(), n)
		s.cursors[loc], s.fields[loc] = rest[n:], fields
		next := "/services/data/" + Version + "/query/" + loc
		if s.opt.AbsoluteNext {
			next = "https://acme.my.salesforce.com" + next
		}
		out["nextRecordsUrl"] = next
	}
	s.pages++
	b, _ := json.Marshal(out)
	if kind == Malformed {
		b = b[:len(b)/2]
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/100000", s.faults.Requests()))
	_, _ = w.Write(b)
}

// run evaluates the connector's SOQL shapes.
func (s *Server) run(q string) ([]*Opp, []string, string) {
	m := reSOQL.FindStringSubmatch(q)
	if m == nil {
		return nil, nil, "unexpected SOQL: " + q
	}
	fields := strings.Split(m[1], ", ")
	for _, f := range fields {
		if !known[f] && !(f == "CurrencyIsoCode" && s.opt.MultiCurrency) {
			if f == "CurrencyIsoCode" {
				return nil, nil, "INVALID_FIELD:No such column 'CurrencyIsoCode' on entity 'Opportunity'."
			}
			return nil, nil, fmt.Sprintf("No such column '%s' on entity 'Opportunity'.", f)
		}
	}
	var conds []func(*Opp) bool
	if m[2] != "" {
		for _, c := range strings.Split(m[2], " AND ") {
			cm := reCond.FindStringSubmatch(c)
			if cm == nil {
				return nil, nil, "unexpected condition: " + c
			}
			v, _ := time.Parse(time.RFC3339, cm[3])
			field, op := cm[1], cm[2]
			conds = append(conds, func(o *Opp) bool {
				t := o.Created
				if field == "SystemModstamp" {
					t = o.Modified
				}
				if op == ">=" {
					return !t.Before(v)
				}
				return t.Before(v)
			})
		}
	}
	var hits []*Opp
	for _, o := range s.opps {
		if !slices.ContainsFunc(conds, func(c func(*Opp) bool) bool { return !c(o) }) {
			hits = append(hits, o)
		}
	}
	key := func(o *Opp) time.Time {
		if m[3] == "SystemModstamp" {
			return o.Modified
		}
		return o.Created
	}
	slices.SortStableFunc(hits, func(a, b *Opp) int {
		if c := key(a).Compare(key(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if m[4] != "" {
		n, _ := strconv.Atoi(m[4])
		hits = hits[:min(n, len(hits))]
	}
	return hits, fields, ""
}

func (s *Server) records(opps []*Opp, fields []string) []any {
	out := make([]any, 0, len(opps))
	for _, o := range opps {
		rec := map[string]any{"attributes": map[string]string{"type": "Opportunity", "url": "/services/data/" + Version + "/sobjects/Opportunity/" + o.ID}}
		str := func(v string) any {
			if v == "" {
				return nil
			}
			return v
		}
		for _, f := range fields {
			switch f {
			case "Id":
				rec[f] = o.ID
			case "IsDeleted":
				rec[f] = o.Deleted
			case "CreatedDate":
				rec[f] = sfTime(o.Created)
			case "SystemModstamp":
				rec[f] = sfTime(o.Modified)
			case "CloseDate":
				rec[f] = o.CloseDate
			case "StageName":
				rec[f] = o.Stage
			case "IsWon":
				rec[f] = stageOf[o.Stage] == "won"
			case "IsClosed":
				rec[f] = stageOf[o.Stage] == "won" || stageOf[o.Stage] == "lost"
			case "Amount":
				if o.Amount == "" {
					rec[f] = nil
				} else {
					rec[f] = json.Number(o.Amount)
				}
			case "LeadSource":
				rec[f] = str(o.LeadSource)
			case "CampaignId":
				rec[f] = str(o.CampaignID)
			case "OwnerId":
				rec[f] = o.OwnerID
			case "CurrencyIsoCode":
				rec[f] = s.currencyOf(o)
			case "Owner.Name":
				if n, ok := owners[o.OwnerID]; ok {
					rec["Owner"] = map[string]any{"attributes": map[string]string{"type": "User"}, "Name": n}
				} else {
					rec["Owner"] = nil
				}
			}
		}
		out = append(out, rec)
	}
	return out
}
