package googleadstest

import (
	"bytes"
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
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Failure kinds for Inject. They match the conformance suite's names.
const (
	// Throttle answers 429 RESOURCE_EXHAUSTED with a retryDelay of ThrottleHint.
	Throttle = "throttle"
	// ServerError answers 503 UNAVAILABLE.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// StreamError answers 200 with a batch of results, then an INTERNAL
	// error element, as a broken stream does.
	StreamError = "stream_error"
	// ExpiredToken invalidates every access token and answers 401
	// UNAUTHENTICATED; a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access token and the refresh token and
	// answers 401; the refresh then fails with invalid_grant.
	Revoked = "revoked"
	// PermissionDenied answers 403 PERMISSION_DENIED
	// (authorizationError USER_PERMISSION_DENIED).
	PermissionDenied = "permission_denied"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/googleads"), so
	// that a client using absolute paths fails loudly.
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Accounts served (default: 123-456-7890 in USD on America/Los_Angeles
	// and 987-654-3210 in CNY on Asia/Shanghai).
	Accounts []Account
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Campaigns per account (default 4), AdGroups per campaign (default 2),
	// Ads per ad group (default 2).
	Campaigns, AdGroups, Ads int
	// BatchSize is the results per searchStream batch (default 10,000, as
	// Google; tests use a few so that one response spans several batches).
	BatchSize int
	// Level is the level Config asks for: campaign (default), ad_group or ad.
	Level string
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// LoginCustomerID is the manager account every served account sits
	// under (default 1112223333); requests must send it as login-customer-id.
	LoginCustomerID string
	// Credentials the token endpoint accepts.
	ClientID, ClientSecret, RefreshToken, DeveloperToken string
	// MinVersion is the oldest API version served (default 23: v20–v22
	// are sunset).
	MinVersion int
	// Fixture, when set, replaces the invented data: the fake serves
	// exactly the google_ads accounts of the set (ids without dashes) and
	// their ad rows, at the rows' grain (Level defaults to it; a coarser
	// Level sums them). Seed, Accounts, Campaigns, AdGroups and Ads are
	// ignored; From and To default to the span of the rows. Each row's
	// campaign gets an advertising_channel_type that the connector maps to
	// the row's channel (Config adds channel_map entries when needed).
	// Values change only through Restate. New panics when the set cannot
	// be served (see CheckFixture).
	Fixture *fixture.Set
}

// Server is a fake Google Ads API: the searchStream endpoint under
// {URL}/v{N}/customers/{id}/googleAds:searchStream and an OAuth token
// endpoint at TokenURL. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the token endpoint to configure (token_url).
	TokenURL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	entities [][]campaign
	fix      *fixtureData        // nil without Options.Fixture
	oauth    fakekit.GoogleOAuth // the token endpoint, the access tokens issued
	faults   fakekit.Faults      // requests counted, faults injected
	queries  []string
	headers  []http.Header

	// Ledger: Restate changes the metrics of day (every account and ad), as
	// Google does when it credits late conversions or refunds invalid clicks;
	// Pages counts result batches sent.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/googleads"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	var fd *fixtureData
	if o.Fixture != nil {
		var err error
		if fd, err = loadFixture(o.Fixture); err != nil {
			panic(err)
		}
		o.Accounts = fd.accounts
		if o.Level == "" {
			o.Level = fd.level
		}
		if fd.level != "" && levelRank[o.Level] > levelRank[fd.level] {
			panic(fmt.Sprintf("googleadstest: Level %s is finer than the fixture rows (%s)", o.Level, fd.level))
		}
		if o.From.IsZero() && !fd.from.IsZero() {
			o.From = fd.from
		}
		if o.To.IsZero() && !fd.to.IsZero() {
			o.To = fd.to
		}
	}
	if len(o.Accounts) == 0 && fd == nil {
		o.Accounts = []Account{
			{ID: "1234567890", Name: "Lumen Tea US", Currency: "USD", TimeZone: "America/Los_Angeles"},
			{ID: "9876543210", Name: "流明茶 中国", Currency: "CNY", TimeZone: "Asia/Shanghai"},
		}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.Campaigns <= 0 {
		o.Campaigns = 4
	}
	if o.AdGroups <= 0 {
		o.AdGroups = 2
	}
	if o.Ads <= 0 {
		o.Ads = 2
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 10_000
	}
	if o.Level == "" {
		o.Level = "campaign"
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.LoginCustomerID == "" {
		o.LoginCustomerID = "1112223333"
	}
	if o.ClientID == "" {
		o.ClientID = "1234567890-fake.apps.googleusercontent.com"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "GOCSPX-canary-client-secret-" + fakekit.RandomHex(6)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "1//0canary-refresh-token-" + fakekit.RandomHex(8)
	}
	if o.DeveloperToken == "" {
		o.DeveloperToken = "canary-developer-token-" + fakekit.RandomHex(6)
	}
	if o.MinVersion <= 0 {
		o.MinVersion = 23
	}
	s := &Server{opt: o, fix: fd}
	s.oauth = fakekit.GoogleOAuth{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		Scope: "https://www.googleapis.com/auth/adwords"}
	for i := range o.Accounts {
		if fd == nil { // fixture rows carry their own entities
			s.entities = append(s.entities, s.build(i))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/token", s.token)
	mux.HandleFunc(o.Prefix+"/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.srv.URL + o.Prefix + "/token"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the source keys of a google_ads source pointing at the
// fake (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for i, a := range s.opt.Accounts {
		id := a.ID
		if i == 0 && len(id) == 10 {
			id = id[:3] + "-" + id[3:6] + "-" + id[6:] // users paste ids with dashes
		}
		ids = append(ids, strconv.Quote(id))
	}
	lid := s.opt.LoginCustomerID
	if len(lid) == 10 {
		lid = lid[:3] + "-" + lid[3:6] + "-" + lid[6:]
	}
	y := fmt.Sprintf(`customer_ids: [%s]
login_customer_id: %q
client_id: %s
client_secret: ${GOOGLE_ADS_CLIENT_SECRET}
refresh_token: ${GOOGLE_ADS_REFRESH_TOKEN}
developer_token: ${GOOGLE_ADS_DEVELOPER_TOKEN}
base_url: %s
token_url: %s
level: %s
days_per_request: %d
`, strings.Join(ids, ", "), lid, s.opt.ClientID, s.URL, s.TokenURL, s.opt.Level, s.opt.DaysPerRequest)
	if s.fix != nil {
		y += s.fix.config()
	}
	return y, map[string]string{
		"GOOGLE_ADS_CLIENT_SECRET":   s.opt.ClientSecret,
		"GOOGLE_ADS_REFRESH_TOKEN":   s.opt.RefreshToken,
		"GOOGLE_ADS_DEVELOPER_TOKEN": s.opt.DeveloperToken,
	}
}

// Secrets returns every credential: configured ones and each access token
// the fake issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.ClientSecret, s.opt.RefreshToken, s.opt.DeveloperToken}, s.oauth.Issued...)
}

// SetPageSize sets the results per batch.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.BatchSize = max(n, 1)
}

// Inject makes the nth searchStream request from now (1 = the next) fail
// with kind (Throttle, ServerError, ...). Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many searchStream requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// TokenRequests returns how many token requests the fake received.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.Requests
}

// Queries returns the GAQL queries received, oldest first.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// Headers returns the headers of each searchStream request, oldest first.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.headers)
}

// ThrottleHint is the retryDelay of the fake's RESOURCE_EXHAUSTED answers.
func (s *Server) ThrottleHint() time.Duration { return 30 * time.Second }

// PermanentMessage is the message of the fake's PERMISSION_DENIED answer.
func (s *Server) PermanentMessage() string { return "User doesn't have permission to access customer." }

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows a google_ads source at the configured level
// must hold for the days of r, as normalized text ("NULL" for NULL, money
// as exact decimals).
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for _, row := range s.rows(ai, s.opt.Level, r.From, r.To) {
			if row.fx != nil {
				out = append(out, expectedFixture(a, row))
				continue
			}
			m := map[string]string{
				"date": row.date, "platform": "google_ads", "account_id": a.ID, "account_timezone": a.TimeZone,
				"campaign_id": row.c.id, "campaign_name": row.c.name, "ad_group_id": "NULL", "ad_id": "NULL",
				"channel": channelOf(row.c.typ), "currency": a.Currency,
				"spend": money(row.m.costMicros, 6), "impressions": strconv.FormatInt(row.m.impressions, 10),
				"clicks": strconv.FormatInt(row.m.clicks, 10), "conversions": money(row.m.conversionsHalves*5, 1),
				"conversion_value": money(row.m.valueCents, 2), "campaign_type": row.c.typ, "ad_group_name": "NULL",
			}
			if row.g != nil {
				m["ad_group_id"], m["ad_group_name"] = row.g.id, row.g.name
			}
			if row.ad != "" {
				m["ad_id"] = row.ad
			}
			out = append(out, m)
		}
	}
	return out
}

// fakeRow is one result row before rendering.
type fakeRow struct {
	date string
	c    *campaign
	g    *adGroup
	ad   string
	m    metrics
	fx   *fixture.AdRow // the metrics of a fixture row (m is zero)
}

// rows returns account ai's rows at level for days in [from, to] that have
// data, day by day; rows whose metrics are all zero are left out, as
// Google does. Callers hold s.mu.
func (s *Server) rows(ai int, level string, from, to time.Time) []fakeRow {
	if from.Before(s.opt.From) {
		from = s.opt.From
	}
	if to.After(s.opt.To) {
		to = s.opt.To
	}
	if s.fix != nil {
		return s.fixtureRows(ai, level, from, to)
	}
	var out []fakeRow
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day, date := epochDay(d), d.Format(time.DateOnly)
		v := s.Version(d)
		for ci := range s.entities[ai] {
			c := &s.entities[ai][ci]
			var cm metrics
			for gi := range c.groups {
				g := &c.groups[gi]
				var gm metrics
				for _, ad := range g.ads {
					m := s.adDay(ai, ad, day, v)
					if level == "ad" && !m.zero() {
						out = append(out, fakeRow{date: date, c: c, g: g, ad: ad, m: m})
					}
					gm.add(m)
				}
				if level == "ad_group" && !gm.zero() {
					out = append(out, fakeRow{date: date, c: c, g: g, m: gm})
				}
				cm.add(gm)
			}
			if level == "campaign" && !cm.zero() {
				out = append(out, fakeRow{date: date, c: c, m: cm})
			}
		}
	}
	return out
}

// token is the OAuth 2.0 endpoint (refresh-token grant only).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.Serve(w, r)
}

var (
	reQuery   = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+([a-z_]+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+.+?)?(?:\s+LIMIT\s+\d+)?\s*$`)
	reBetween = regexp.MustCompile(`(?i)^segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'$`)
	reDuring  = regexp.MustCompile(`(?i)^segments\.date\s+DURING\s+(\w+)$`)
	reVersion = regexp.MustCompile(`^v(\d+)(?:_\d+)?$`)
	digits    = regexp.MustCompile(`^\d+$`)
)

// fields each resource may select.
var selectable = map[string][]string{
	"customer":    {"customer."},
	"campaign":    {"customer.", "campaign.", "metrics.", "segments."},
	"ad_group":    {"customer.", "campaign.", "ad_group.", "metrics.", "segments."},
	"ad_group_ad": {"customer.", "campaign.", "ad_group.", "ad_group_ad.", "metrics.", "segments."},
}

var knownFields = map[string]bool{
	"customer.id": true, "customer.descriptive_name": true, "customer.currency_code": true, "customer.time_zone": true,
	"campaign.id": true, "campaign.name": true, "campaign.advertising_channel_type": true,
	"ad_group.id": true, "ad_group.name": true, "ad_group_ad.ad.id": true,
	"metrics.cost_micros": true, "metrics.impressions": true, "metrics.clicks": true,
	"metrics.conversions": true, "metrics.conversions_value": true, "segments.date": true,
}

// api serves POST /v{N}/customers/{id}/googleAds:searchStream.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/")
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[1] != "customers" || parts[3] != "googleAds:searchStream" {
		writeJSON(w, 404, rpcError(404, "NOT_FOUND", "The requested URL "+r.URL.Path+" was not found on this server."))
		return
	}
	vm := reVersion.FindStringSubmatch(parts[0])
	if vm == nil {
		writeJSON(w, 404, rpcError(404, "NOT_FOUND", "The requested URL "+r.URL.Path+" was not found on this server."))
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, 405, rpcError(405, "METHOD_NOT_ALLOWED", "searchStream takes POST"))
		return
	}
	s.faults.Count()
	s.headers = append(s.headers, r.Header.Clone())
	reqID := fmt.Sprintf("fAk3Req%06d", s.faults.Requests())
	w.Header().Set("Request-Id", reqID)
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		writeJSON(w, 429, adsError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
			`{"quotaError":"RESOURCE_EXHAUSTED"}`, "Too many requests. Retry in 30 seconds.",
			`,"details":{"quotaErrorDetails":{"rateScope":"DEVELOPER","rateName":"Number of operations for basic access","retryDelay":"30s"}}`, reqID))
		return
	case ServerError:
		writeJSON(w, 503, rpcError(503, "UNAVAILABLE", "The service is currently unavailable."))
		return
	case ExpiredToken, Revoked:
		s.oauth.Expire()
		s.oauth.Revoked = s.oauth.Revoked || kind == Revoked
	case PermissionDenied:
		writeJSON(w, 403, permissionDenied(reqID))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.oauth.Valid(tok) {
		writeJSON(w, 401, rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."))
		return
	}
	if v, _ := strconv.Atoi(vm[1]); v < s.opt.MinVersion {
		writeJSON(w, 400, adsError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
			`{"requestError":"UNSUPPORTED_VERSION"}`, fmt.Sprintf("Version %s is deprecated. Requests to this version will be blocked.", parts[0]), "", reqID))
		return
	}
	lid := r.Header.Get("login-customer-id")
	if lid != "" && !digits.MatchString(lid) {
		writeJSON(w, 400, adsError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
			`{"requestError":"INVALID_CUSTOMER_ID"}`, "Invalid login-customer-id header: digits only, without dashes.", "", reqID))
		return
	}
	cid := parts[2]
	if !digits.MatchString(cid) {
		writeJSON(w, 400, adsError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
			`{"requestError":"INVALID_CUSTOMER_ID"}`, "Invalid customer ID '"+jsonEscape(cid)+"'.", "", reqID))
		return
	}
	ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == cid })
	if ai < 0 || lid != s.opt.LoginCustomerID {
		writeJSON(w, 403, permissionDenied(reqID))
		return
	}
	var body struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || strings.TrimSpace(body.Query) == "" {
		writeJSON(w, 400, adsError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
			`{"queryError":"QUERY_NOT_ALLOWED"}`, "The request body must be {\"query\": \"...\"}.", "", reqID))
		return
	}
	s.queries = append(s.queries, body.Query)
	resp, status := s.search(ai, body.Query, reqID, kind)
	writeJSON(w, status, resp)
}

func permissionDenied(reqID string) string {
	return adsError(403, "PERMISSION_DENIED", "The caller does not have permission",
		`{"authorizationError":"USER_PERMISSION_DENIED"}`,
		"User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header. See https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid",
		"", reqID)
}

// search runs a GAQL query and renders the searchStream answer.
func (s *Server) search(ai int, q, reqID, kind string) (string, int) {
	bad := func(code, msg string) (string, int) {
		return adsError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", code, msg, "", reqID), 400
	}
	m := reQuery.FindStringSubmatch(q)
	if m == nil {
		return bad(`{"queryError":"UNEXPECTED_END_OF_QUERY"}`, "Error in query: unexpected input.")
	}
	resource := strings.ToLower(m[2])
	allowed, ok := selectable[resource]
	if !ok {
		return bad(`{"queryError":"INVALID_RESOURCE_NAME"}`, "Error in FROM: unknown resource "+resource+".")
	}
	var fields []string
	for _, f := range strings.Split(m[1], ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if !knownFields[f] {
			return bad(`{"queryError":"UNRECOGNIZED_FIELD"}`, "Unrecognized field in the query: '"+jsonEscape(f)+"'.")
		}
		if !slices.ContainsFunc(allowed, func(p string) bool { return strings.HasPrefix(f, p) }) {
			return bad(`{"queryError":"PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"}`, "The following field cannot be selected given the resource in the FROM clause: '"+f+"'.")
		}
		fields = append(fields, f)
	}
	acct := s.opt.Accounts[ai]
	var rows []string
	if resource == "customer" {
		rows = append(rows, s.renderCustomer(acct, fields))
	} else {
		where := strings.TrimSpace(m[3])
		var from, to time.Time
		switch {
		case reDuring.MatchString(where):
			return bad(`{"queryError":"INVALID_VALUE_WITH_DURING_OPERATOR"}`,
				"Invalid date literal supplied for DURING operator: "+reDuring.FindStringSubmatch(where)[1]+".")
		case reBetween.MatchString(where):
			bm := reBetween.FindStringSubmatch(where)
			var err1, err2 error
			from, err1 = time.Parse(time.DateOnly, bm[1])
			to, err2 = time.Parse(time.DateOnly, bm[2])
			if err1 != nil || err2 != nil || to.Before(from) {
				return bad(`{"queryError":"INVALID_DATE_RANGE"}`, "Invalid date range in the query.") // (unverified code)
			}
		default:
			// (unverified) Google wants a finite date range with segments.date.
			return bad(`{"queryError":"EXPECTED_FILTERS_ON_DATE_RANGE"}`, "A date range is required in the WHERE clause when segments.date is selected.")
		}
		level := map[string]string{"campaign": "campaign", "ad_group": "ad_group", "ad_group_ad": "ad"}[resource]
		for _, row := range s.rows(ai, level, from, to) {
			rows = append(rows, s.renderRow(acct, row, fields))
		}
	}
	mask := make([]string, len(fields))
	for i, f := range fields {
		mask[i] = camel(f)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	batches := 0
	for start := 0; start < len(rows) || batches == 0; start += s.opt.BatchSize {
		end := min(start+s.opt.BatchSize, len(rows))
		if batches > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		if end > start {
			b.WriteString(`"results":[`)
			b.WriteString(strings.Join(rows[start:end], ","))
			b.WriteString(`],`)
		}
		fmt.Fprintf(&b, `"fieldMask":%q,"requestId":%q`, strings.Join(mask, ","), reqID)
		if end >= len(rows) {
			b.WriteString(`,"queryResourceConsumption":"240"`)
		}
		b.WriteByte('}')
		batches++
		if kind == StreamError {
			break // the stream breaks after its first batch
		}
		if end >= len(rows) {
			break
		}
	}
	b.WriteByte(']')
	s.AddPages(batches)
	out := b.String()
	if kind == StreamError {
		out = streamError(out, reqID)
	}
	if kind == Malformed {
		out = out[:len(out)/2]
	}
	return out, 200
}

// streamError appends an INTERNAL error element to the batches of body.
func streamError(body, reqID string) string {
	return body[:len(body)-1] + `,{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"internalError":"TRANSIENT_ERROR"},"message":"The request failed due to a transient error. Retry it."}],"requestId":"` + reqID + `"}]}}]`
}

func (s *Server) renderCustomer(a Account, fields []string) string {
	var parts []string
	for _, f := range fields {
		switch f {
		case "customer.id":
			parts = append(parts, `"id":"`+a.ID+`"`)
		case "customer.descriptive_name":
			parts = append(parts, `"descriptiveName":`+jsonString(a.Name))
		case "customer.currency_code":
			parts = append(parts, `"currencyCode":"`+a.Currency+`"`)
		case "customer.time_zone":
			parts = append(parts, `"timeZone":"`+a.TimeZone+`"`)
		}
	}
	return `{"customer":{"resourceName":"customers/` + a.ID + `",` + strings.Join(parts, ",") + `}}`
}

// renderRow writes one result in proto3 JSON: int64s as strings, doubles
// as numbers, zero metrics omitted, only the selected fields (plus each
// resource's resourceName).
func (s *Server) renderRow(a Account, row fakeRow, fields []string) string {
	has := func(f string) bool { return slices.Contains(fields, f) }
	var groups []string
	if has("customer.id") || has("customer.currency_code") || has("customer.time_zone") || has("customer.descriptive_name") {
		groups = append(groups, s.renderCustomer(a, fields)[1:len(s.renderCustomer(a, fields))-1])
	}
	var c []string
	c = append(c, `"resourceName":"customers/`+a.ID+`/campaigns/`+row.c.id+`"`)
	if has("campaign.id") {
		c = append(c, `"id":"`+row.c.id+`"`)
	}
	if has("campaign.name") && row.c.name != "" { // proto3 JSON omits empty strings
		c = append(c, `"name":`+jsonString(row.c.name))
	}
	if has("campaign.advertising_channel_type") {
		c = append(c, `"advertisingChannelType":"`+row.c.typ+`"`)
	}
	groups = append(groups, `"campaign":{`+strings.Join(c, ",")+`}`)
	if row.g != nil && (has("ad_group.id") || has("ad_group.name")) {
		g := []string{`"resourceName":"customers/` + a.ID + `/adGroups/` + row.g.id + `"`}
		if has("ad_group.id") {
			g = append(g, `"id":"`+row.g.id+`"`)
		}
		if has("ad_group.name") && row.g.name != "" {
			g = append(g, `"name":`+jsonString(row.g.name))
		}
		groups = append(groups, `"adGroup":{`+strings.Join(g, ",")+`}`)
	}
	if row.ad != "" && has("ad_group_ad.ad.id") {
		groups = append(groups, `"adGroupAd":{"resourceName":"customers/`+a.ID+`/adGroupAds/`+row.g.id+`~`+row.ad+
			`","ad":{"resourceName":"customers/`+a.ID+`/ads/`+row.ad+`","id":"`+row.ad+`"}}`)
	}
	var mt []string
	if row.fx != nil {
		mt = renderFixtureMetrics(*row.fx, has)
	}
	if has("metrics.clicks") && row.m.clicks != 0 {
		mt = append(mt, `"clicks":"`+strconv.FormatInt(row.m.clicks, 10)+`"`)
	}
	if has("metrics.conversions") && row.m.conversionsHalves != 0 {
		mt = append(mt, `"conversions":`+money(row.m.conversionsHalves*5, 1))
	}
	if has("metrics.conversions_value") && row.m.valueCents != 0 {
		mt = append(mt, `"conversionsValue":`+money(row.m.valueCents, 2))
	}
	if has("metrics.cost_micros") && row.m.costMicros != 0 {
		mt = append(mt, `"costMicros":"`+strconv.FormatInt(row.m.costMicros, 10)+`"`)
	}
	if has("metrics.impressions") && row.m.impressions != 0 {
		mt = append(mt, `"impressions":"`+strconv.FormatInt(row.m.impressions, 10)+`"`)
	}
	if len(mt) > 0 {
		groups = append(groups, `"metrics":{`+strings.Join(mt, ",")+`}`)
	}
	if has("segments.date") {
		groups = append(groups, `"segments":{"date":"`+row.date+`"}`)
	}
	return "{" + strings.Join(groups, ",") + "}"
}

// camel turns a GAQL field into its JSON field mask name.
func camel(f string) string {
	var b strings.Builder
	up := false
	for _, r := range f {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rpcError is a google.rpc.Status, array-wrapped as searchStream sends it.
func rpcError(code int, status, msg string) string {
	return fmt.Sprintf(`[{"error":{"code":%d,"message":%s,"status":%q}}]`, code, jsonString(msg), status)
}

// adsError is a google.rpc.Status with a GoogleAdsFailure detail.
func adsError(code int, status, msg, errorCode, errMsg, details, reqID string) string {
	return fmt.Sprintf(`[{"error":{"code":%d,"message":%s,"status":%q,"details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":%s,"message":%s%s}],"requestId":%q}]}}]`,
		code, jsonString(msg), status, errorCode, jsonString(errMsg), details, reqID)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonEscape(s string) string {
	q := jsonString(s)
	return q[1 : len(q)-1]
}
