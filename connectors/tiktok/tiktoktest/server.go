// Package tiktoktest is a fake TikTok API for Business for tests and the
// demo: the integrated report, advertiser/info and the refresh endpoint
// under a path prefix, speaking TikTok's wire format (HTTP 200 with a code,
// string metrics, "-" for not available, page_info paging). It implements
// conformance.Fake without importing it.
package tiktoktest

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// Failure kinds for Inject. They match the conformance suite's names.
const (
	// Throttle answers HTTP 200 with code 40100.
	Throttle = "throttle"
	// ServerError answers HTTP 500.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 40105; a
	// refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access token and the refresh token and
	// answers 40105; the refresh then fails.
	Revoked = "revoked"
	// PermissionDenied answers code 40001 with TikTok's message.
	PermissionDenied = "permission_denied"
	// BadParam answers code 40002 (a parameter error).
	BadParam = "bad_param"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/tiktok").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Advertisers served (default: one in USD on America/Los_Angeles, one in
	// JPY on Asia/Tokyo).
	Advertisers []Advertiser
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Campaigns per advertiser (default 3), AdGroups per campaign (default
	// 2), Ads per ad group (default 2).
	Campaigns, AdGroups, Ads int
	// Level is the level Config asks for: campaign (default), adgroup or ad.
	Level string
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// MaxDays is the longest date range a request may span (default 30, unverified).
	MaxDays int
	// MaxPageSize is the largest page_size accepted (default 1000, as
	// TikTok; benchmarks raise it to get one large page).
	MaxPageSize int
	// ThrottleWait goes into Config as throttle_wait (default 20s): TikTok's
	// 40100 carries no wait, so the connector waits this long.
	ThrottleWait time.Duration
	// Credentials: the initial access token, the app and its refresh token.
	AccessToken, AppID, Secret, RefreshToken string
	// RotateRefresh makes each refresh return a new refresh token and kill
	// the old one (unverified for TikTok).
	RotateRefresh bool
	// Fixture, when set, replaces the invented data: the fake serves exactly
	// the tiktok accounts of the set (Fixture.Platform("tiktok")) as
	// advertisers and exactly their ad rows, in TikTok's wire format (see
	// fixture.go in this package). Advertisers, Seed, Campaigns, AdGroups
	// and Ads are then ignored, Level follows the rows' grain, and From and
	// To default to the span of the rows.
	Fixture *fixture.Set
}

// Server is a fake TikTok API for Business. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the refresh endpoint (token_url).
	TokenURL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	entities [][]campaign
	tokens   map[string]bool
	issued   []string
	refresh  string
	revoked  bool
	faults   fakekit.Faults // requests counted, faults injected
	pageSize int            // SetPageSize cap; 0 none
	fx       *fixtureData   // nil without Options.Fixture
	queries  []map[string]string
	headers  []http.Header

	// Ledger: Restate changes the metrics of day for every advertiser and ad;
	// Pages counts report pages with rows; TokenRequests, refresh requests.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/tiktok"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	var fx *fixtureData
	if o.Fixture != nil {
		fx = newFixtureData(&o)
	}
	if len(o.Advertisers) == 0 && fx == nil { // a fixture without accounts serves none
		o.Advertisers = []Advertiser{
			{ID: "7000000000000000001", Name: "Lumen Tea US", Currency: "USD", DisplayTimezone: "America/Los_Angeles", Timezone: "Etc/GMT+8"},
			{ID: "7000000000000000002", Name: "ルーメン茶 JP", Currency: "JPY", DisplayTimezone: "Asia/Tokyo", Timezone: "Etc/GMT-9"},
		}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.Campaigns <= 0 {
		o.Campaigns = 3
	}
	if o.AdGroups <= 0 {
		o.AdGroups = 2
	}
	if o.Ads <= 0 {
		o.Ads = 2
	}
	if o.Level == "" {
		o.Level = "campaign"
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.MaxDays <= 0 {
		o.MaxDays = 30
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 1000
	}
	if o.ThrottleWait <= 0 {
		o.ThrottleWait = 20 * time.Second
	}
	if o.AccessToken == "" {
		o.AccessToken = "act.canary" + fakekit.RandomHex(16)
	}
	if o.AppID == "" {
		o.AppID = "7100000000000000099"
	}
	if o.Secret == "" {
		o.Secret = "canary-app-secret-" + fakekit.RandomHex(8)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "rft.canary" + fakekit.RandomHex(16)
	}
	s := &Server{opt: o, tokens: map[string]bool{o.AccessToken: true}, refresh: o.RefreshToken, fx: fx}
	for i := range o.Advertisers {
		if fx != nil {
			s.entities = append(s.entities, nil)
			continue
		}
		s.entities = append(s.entities, s.build(i))
	}
	api := o.Prefix + "/open_api/v1.3/"
	mux := http.NewServeMux()
	mux.HandleFunc(api+"report/integrated/get/", s.report)
	mux.HandleFunc(api+"advertiser/info/", s.advertiserInfo)
	mux.HandleFunc(api+"oauth2/refresh_token/", s.token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// TikTok answers unknown paths with a 404 page, not JSON (unverified).
		http.NotFound(w, r)
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/open_api/v1.3/oauth2/refresh_token/"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the source keys of a tiktok source pointing at the fake
// (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for _, a := range s.opt.Advertisers {
		ids = append(ids, strconv.Quote(a.ID))
	}
	y := fmt.Sprintf(`advertiser_ids: [%s]
access_token: ${TIKTOK_ACCESS_TOKEN}
app_id: %q
secret: ${TIKTOK_APP_SECRET}
refresh_token: ${TIKTOK_REFRESH_TOKEN}
base_url: %s
token_url: %s
level: %s
days_per_request: %d
throttle_wait: %s
`, strings.Join(ids, ", "), s.opt.AppID, s.URL, s.TokenURL, s.opt.Level, s.opt.DaysPerRequest, s.opt.ThrottleWait)
	if s.fx != nil {
		y += "channel: " + s.fx.channel + "\n"
	}
	return y, map[string]string{
		"TIKTOK_ACCESS_TOKEN":  s.opt.AccessToken,
		"TIKTOK_APP_SECRET":    s.opt.Secret,
		"TIKTOK_REFRESH_TOKEN": s.opt.RefreshToken,
	}
}

// Secrets returns every credential: configured ones and each token issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.AccessToken, s.opt.Secret, s.opt.RefreshToken}, s.issued...)
}

// SetPageSize caps the rows per page, whatever page_size asks.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// Inject makes the nth report request from now (1 = the next) fail with
// kind. Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many report requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// Queries returns the query parameters of each report request, oldest first.
func (s *Server) Queries() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// Headers returns the headers of each report request, oldest first.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.headers)
}

// ThrottleHint is the wait the connector is configured to take after a
// 40100 (TikTok itself gives none).
func (s *Server) ThrottleHint() time.Duration { return s.opt.ThrottleWait }

// PermanentMessage is the message of the fake's 40001 answer (wording unverified).
func (s *Server) PermanentMessage() string {
	return "No permission to operate advertiser. Please check that the advertiser authorized your app."
}

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows a tiktok source at the configured level must
// hold for the days of r, as normalized text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fx != nil {
		return s.expectedFixture(r)
	}
	var out []map[string]string
	for ai, a := range s.opt.Advertisers {
		for _, row := range s.rows(ai, s.opt.Level, r.From, r.To) {
			m := map[string]string{
				"date": row.date, "platform": "tiktok", "account_id": a.ID, "account_timezone": a.DisplayTimezone,
				"campaign_id": row.c.id, "campaign_name": row.c.name, "ad_group_id": "NULL", "ad_id": "NULL",
				"ad_group_name": "NULL", "ad_name": "NULL", "channel": "short_video", "currency": a.Currency,
				"spend": cents(row.m.spendCents), "impressions": strconv.FormatInt(row.m.impressions, 10),
				"clicks": strconv.FormatInt(row.m.clicks, 10), "conversions": "NULL", "conversion_value": "NULL",
			}
			if !row.m.zero() {
				m["conversions"] = strconv.FormatInt(row.m.conversions, 10)
				m["conversion_value"] = cents(row.m.valueCents)
			}
			if row.g != nil {
				m["ad_group_id"], m["ad_group_name"] = row.g.id, row.g.name
			}
			if row.ad != nil {
				m["ad_id"], m["ad_name"] = row.ad.id, row.ad.name
			}
			out = append(out, m)
		}
	}
	return out
}

// fakeRow is one report row before rendering.
type fakeRow struct {
	date string
	c    *campaign
	g    *adGroup
	ad   *ad
	m    metrics
	fx   *fixture.AdRow // fixture mode: the row served, restated
}

// rows returns advertiser ai's rows at level for the days of [from, to]
// with data, day by day, every entity every day (zero rows included, as
// TikTok sends them). Callers hold s.mu.
func (s *Server) rows(ai int, level string, from, to time.Time) []fakeRow {
	if s.fx != nil {
		return s.fixtureRows(ai, from, to)
	}
	if from.Before(s.opt.From) {
		from = s.opt.From
	}
	if to.After(s.opt.To) {
		to = s.opt.To
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
				for adi := range g.ads {
					a := &g.ads[adi]
					m := s.adDay(ai, a.id, day, v)
					if level == "ad" {
						out = append(out, fakeRow{date: date, c: c, g: g, ad: a, m: m})
					}
					gm.add(m)
				}
				if level == "adgroup" {
					out = append(out, fakeRow{date: date, c: c, g: g, m: gm})
				}
				cm.add(gm)
			}
			if level == "campaign" {
				out = append(out, fakeRow{date: date, c: c, m: cm})
			}
		}
	}
	return out
}

// levels are the data levels and their id dimension.
var levels = map[string]struct{ level, dim string }{
	"AUCTION_CAMPAIGN": {"campaign", "campaign_id"},
	"AUCTION_ADGROUP":  {"adgroup", "adgroup_id"},
	"AUCTION_AD":       {"ad", "ad_id"},
}

// knownMetrics are the metrics the fake serves, per level for attributes.
var knownMetrics = map[string][]string{
	"campaign": {"campaign_name"},
	"adgroup":  {"campaign_id", "campaign_name", "adgroup_name"},
	"ad":       {"campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name"},
	"":         {"spend", "impressions", "clicks", "conversion", "total_complete_payment_rate", "cpc", "ctr"},
}

// answer writes TikTok's envelope: always HTTP 200.
func answer(w http.ResponseWriter, code int, msg, reqID, data string) {
	if data == "" {
		data = "{}"
	}
	writeJSON(w, 200, fmt.Sprintf(`{"code":%d,"message":%s,"request_id":%q,"data":%s}`, code, jsonString(msg), reqID, data))
}

// authorized checks the Access-Token header. Callers hold s.mu.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, reqID string) bool {
	tok := r.Header.Get("Access-Token")
	if tok == "" || strings.HasPrefix(tok, "Bearer ") || !s.tokens[tok] {
		answer(w, 40105, "The access token is invalid or has been revoked.", reqID, "")
		return false
	}
	return true
}

func (s *Server) reqID() string {
	return fmt.Sprintf("2026110309152301023F%012d", s.faults.Requests()+s.TokenRequests()*1000000+len(s.queries))
}

// report serves GET /open_api/v1.3/report/integrated/get/.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	s.headers = append(s.headers, r.Header.Clone())
	q := map[string]string{}
	for k := range r.URL.Query() {
		q[k] = r.URL.Query().Get(k)
	}
	s.queries = append(s.queries, q)
	reqID := s.reqID()
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		answer(w, 40100, "Too many requests. Please retry in some time.", reqID, "")
		return
	case ServerError:
		writeJSON(w, 500, `{"code":50000,"message":"System error","request_id":"`+reqID+`","data":{}}`)
		return
	case ExpiredToken, Revoked:
		clear(s.tokens)
		s.revoked = s.revoked || kind == Revoked
	case PermissionDenied:
		answer(w, 40001, s.PermanentMessage(), reqID, "")
		return
	case BadParam:
		answer(w, 40002, "start_date: Invalid date format.", reqID, "")
		return
	}
	if r.Method != http.MethodGet {
		answer(w, 40002, "Request method not allowed: use GET.", reqID, "")
		return
	}
	if !s.authorized(w, r, reqID) {
		return
	}
	body, code, msg := s.renderReport(q, reqID)
	if code != 0 {
		answer(w, code, msg, reqID, "")
		return
	}
	if kind == Malformed {
		body = body[:len(body)/2]
	}
	writeJSON(w, 200, body)
}

// renderReport validates a report query and renders its page.
func (s *Server) renderReport(q map[string]string, reqID string) (string, int, string) {
	ai := slices.IndexFunc(s.opt.Advertisers, func(a Advertiser) bool { return a.ID == q["advertiser_id"] })
	if q["advertiser_id"] == "" {
		return "", 40002, "advertiser_id: Missing data for required field."
	}
	if ai < 0 {
		return "", 40001, s.PermanentMessage()
	}
	if q["report_type"] != "BASIC" {
		return "", 40002, "report_type: Must be one of: BASIC, AUDIENCE, PLAYABLE_MATERIAL, CATALOG, BC, TT_SHOP."
	}
	if st := q["service_type"]; st != "" && st != "AUCTION" {
		return "", 40002, "service_type: Must be one of: AUCTION, RESERVATION."
	}
	lv, ok := levels[q["data_level"]]
	if !ok {
		return "", 40002, "data_level: Must be one of: AUCTION_ADVERTISER, AUCTION_CAMPAIGN, AUCTION_ADGROUP, AUCTION_AD."
	}
	var dims, mets []string
	if err := json.Unmarshal([]byte(q["dimensions"]), &dims); err != nil {
		return "", 40002, "dimensions: Not a valid list."
	}
	if !slices.Equal(dims, []string{lv.dim, "stat_time_day"}) && !slices.Equal(dims, []string{"stat_time_day", lv.dim}) {
		return "", 40002, fmt.Sprintf("dimensions: invalid dimensions %v for data_level %s.", dims, q["data_level"])
	}
	if err := json.Unmarshal([]byte(q["metrics"]), &mets); err != nil || len(mets) == 0 {
		return "", 40002, "metrics: Not a valid list."
	}
	for _, m := range mets {
		if !slices.Contains(knownMetrics[""], m) && !slices.Contains(knownMetrics[lv.level], m) {
			return "", 40002, fmt.Sprintf("metrics: Invalid metric %q for data_level %s.", m, q["data_level"])
		}
	}
	from, err1 := time.Parse(time.DateOnly, q["start_date"])
	to, err2 := time.Parse(time.DateOnly, q["end_date"])
	if err1 != nil || err2 != nil {
		return "", 40002, "start_date, end_date: Invalid date format, use YYYY-MM-DD."
	}
	if to.Before(from) || int(to.Sub(from).Hours()/24)+1 > s.opt.MaxDays {
		return "", 40002, fmt.Sprintf("The time range cannot exceed %d days.", s.opt.MaxDays)
	}
	page, pageSize := 1, 10
	if v := q["page"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return "", 40002, "page: Must be greater than or equal to 1."
		}
		page = n
	}
	if v := q["page_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.opt.MaxPageSize {
			return "", 40002, fmt.Sprintf("page_size: Must be between 1 and %d.", s.opt.MaxPageSize)
		}
		pageSize = n
	}
	if s.pageSize > 0 {
		pageSize = min(pageSize, s.pageSize)
	}
	if s.fx != nil && lv.level != s.opt.Level {
		// The fixture's rows have one grain; TikTok would aggregate, the fake
		// refuses rather than serve rows of another grain.
		return "", 40002, fmt.Sprintf("data_level: this fake serves fixture rows at data_level %s only.", fixtureDataLevel[s.opt.Level])
	}
	rows := s.rows(ai, lv.level, from, to)
	total := len(rows)
	totalPage := (total + pageSize - 1) / pageSize
	start := min((page-1)*pageSize, total)
	end := min(start+pageSize, total)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"code":0,"message":"OK","request_id":%q,"data":{"list":[`, reqID)
	for i, row := range rows[start:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		s.renderRow(&b, lv.dim, row, mets)
	}
	fmt.Fprintf(&b, `],"page_info":{"page":%d,"page_size":%d,"total_number":%d,"total_page":%d}}}`, page, pageSize, total, totalPage)
	if end > start {
		s.AddPage()
	}
	return b.String(), 0, ""
}

// renderRow writes one row: dimensions, then the asked metrics as strings.
func (s *Server) renderRow(b *bytes.Buffer, dim string, row fakeRow, mets []string) {
	if row.fx != nil {
		renderFixtureRow(b, dim, row.fx, mets)
		return
	}
	id := row.c.id
	switch dim {
	case "adgroup_id":
		id = row.g.id
	case "ad_id":
		id = row.ad.id
	}
	fmt.Fprintf(b, `{"dimensions":{%q:%q,"stat_time_day":"%s 00:00:00"},"metrics":{`, dim, id, row.date)
	for i, m := range mets {
		if i > 0 {
			b.WriteByte(',')
		}
		var v string
		switch m {
		case "campaign_id":
			v = row.c.id
		case "campaign_name":
			v = row.c.name
		case "adgroup_id":
			v = row.g.id
		case "adgroup_name":
			v = row.g.name
		case "ad_name":
			v = row.ad.name
		case "spend":
			v = cents(row.m.spendCents)
		case "impressions":
			v = strconv.FormatInt(row.m.impressions, 10)
		case "clicks":
			v = strconv.FormatInt(row.m.clicks, 10)
		case "conversion":
			v = "-"
			if !row.m.zero() {
				v = strconv.FormatInt(row.m.conversions, 10)
			}
		case "total_complete_payment_rate":
			v = "-"
			if !row.m.zero() {
				v = cents(row.m.valueCents)
			}
		case "cpc", "ctr":
			v = "-"
		}
		fmt.Fprintf(b, `%q:%s`, m, jsonString(v))
	}
	b.WriteString("}}")
}

// advertiserInfo serves GET /open_api/v1.3/advertiser/info/.
func (s *Server) advertiserInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqID := s.reqID()
	if !s.authorized(w, r, reqID) {
		return
	}
	var ids []string
	if err := json.Unmarshal([]byte(r.URL.Query().Get("advertiser_ids")), &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
		answer(w, 40002, "advertiser_ids: Length must be between 1 and 100.", reqID, "")
		return
	}
	var list []string
	for _, id := range ids {
		i := slices.IndexFunc(s.opt.Advertisers, func(a Advertiser) bool { return a.ID == id })
		if i < 0 {
			answer(w, 40001, s.PermanentMessage(), reqID, "")
			return
		}
		a := s.opt.Advertisers[i]
		list = append(list, fmt.Sprintf(`{"advertiser_id":%q,"name":%s,"currency":%q,"timezone":%q,"display_timezone":%q,"status":"STATUS_ENABLE","role":"ROLE_ADVERTISER","balance":"1024.50"}`,
			a.ID, jsonString(a.Name), a.Currency, a.Timezone, a.DisplayTimezone))
	}
	answer(w, 0, "OK", reqID, `{"list":[`+strings.Join(list, ",")+`]}`)
}

// token serves POST /open_api/v1.3/oauth2/refresh_token/ (JSON body).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.AddTokenRequest()
	reqID := s.reqID()
	var body struct {
		AppID        string `json:"app_id"`
		Secret       string `json:"secret"`
		GrantType    string `json:"grant_type"`
		RefreshToken string `json:"refresh_token"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		answer(w, 40002, "Request body must be JSON, sent with POST.", reqID, "")
		return
	}
	switch {
	case body.AppID != s.opt.AppID || body.Secret != s.opt.Secret:
		answer(w, 40101, "The app_id or secret is invalid.", reqID, "")
	case s.revoked || body.RefreshToken != s.refresh:
		answer(w, 40104, "The refresh_token is invalid or has expired.", reqID, "")
	default:
		tok := "act.fake" + strconv.Itoa(len(s.issued)+1) + fakekit.RandomHex(12)
		s.tokens[tok] = true
		s.issued = append(s.issued, tok)
		if s.opt.RotateRefresh {
			s.refresh = "rft.fake" + fakekit.RandomHex(16)
			s.issued = append(s.issued, s.refresh)
		}
		answer(w, 0, "OK", reqID, fmt.Sprintf(`{"access_token":%q,"expires_in":86400,"refresh_token":%q,"refresh_token_expires_in":31536000,"scope":[4,5]}`, tok, s.refresh))
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Tt-Logid", "20261103091523010230F1A2B3C4D5E")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
