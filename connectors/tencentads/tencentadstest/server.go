// Package tencentadstest is a fake of the Tencent Ads Marketing API v3.0
// (腾讯广告) for tests and the demo: GET {URL}/v3.0/daily_reports/get with
// access_token, timestamp and nonce on every request (a repeated nonce is
// refused), JSON numbers and int64 ids above 2^53, cost in fen, page_info
// paging, errors as HTTP 200 with code≠0 and message_cn, and an OAuth
// refresh endpoint at {URL}/oauth/token.
package tencentadstest

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
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Failure kinds for Inject. They match the conformance suite's names.
const (
	// Throttle answers 200 with code 11017 (unverified) and no hint.
	Throttle = "throttle"
	// ServerError answers 503 from the gateway.
	ServerError = "server_error"
	// SystemError answers 200 with a system-error code (unverified code).
	SystemError = "system_error"
	// Malformed answers 200 with the JSON cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 200 with
	// code 11002 (unverified); a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access and refresh token; the refresh fails.
	Revoked = "revoked"
	// PermissionDenied answers 200 with a no-permission code (unverified).
	PermissionDenied = "permission_denied"
)

// Codes the fake answers with. Tencent's real codes are unverified.
const (
	CodeThrottle   = 11017
	CodeExpired    = 11002
	CodeNoAccess   = 11004
	CodeSystem     = 11000
	CodeBadParam   = 11001
	CodeNonce      = 11005
	CodeBadRefresh = 11003
)

// Account is a Tencent Ads advertiser account the fake serves.
type Account struct {
	ID   string
	Name string
}

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/tencent").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Accounts served (default 25610 and 25611).
	Accounts []Account
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// AdGroups per account (default 5).
	AdGroups int
	// PageSize caps page_size (default 1000, the fake's guess of Tencent's cap).
	PageSize int
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// Credentials the API and the token endpoint accept.
	AccessToken, ClientID, ClientSecret, RefreshToken string
	// Fixture, when set, replaces the invented data: the fake serves exactly
	// the tencent_ads accounts of the set (Fixture.Platform("tencent_ads"))
	// and exactly their ad rows, in the Marketing API's wire format (see
	// fixture.go in this package). Accounts, Seed and AdGroups are then
	// ignored; From and To default to the span of the rows.
	Fixture *fixture.Set
}

// Server is a fake Marketing API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the token endpoint to configure (token_url).
	TokenURL string

	opt     Options
	srv     *httptest.Server
	mu      sync.Mutex
	groups  [][]adGroup
	tokens  map[string]bool
	refresh map[string]bool
	issued  []string
	revoked bool
	faults  fakekit.Faults // requests counted, faults injected
	nonces  []string
	seen    map[string]bool
	fx      *fixtureData // nil without Options.Fixture
	queries []map[string][]string

	// Ledger: Restate changes the metrics of day (every account and ad group);
	// Pages counts pages served with code 0; TokenRequests, token refreshes.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/tencent"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	var fx *fixtureData
	if o.Fixture != nil {
		fx = newFixtureData(&o)
	}
	if len(o.Accounts) == 0 && fx == nil { // a fixture without accounts serves none
		o.Accounts = []Account{{ID: "25610", Name: "流明茶 旗舰店"}, {ID: "25611", Name: "流明茶 小程序"}}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.AdGroups <= 0 {
		o.AdGroups = 5
	}
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.AccessToken == "" {
		o.AccessToken = "canaryaccess" + fakekit.RandomHex(10)
	}
	if o.ClientID == "" {
		o.ClientID = "1112223334"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "canarysecret" + fakekit.RandomHex(8)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "canaryrefresh" + fakekit.RandomHex(10)
	}
	s := &Server{opt: o, tokens: map[string]bool{o.AccessToken: true},
		refresh: map[string]bool{o.RefreshToken: true}, seen: map[string]bool{}, fx: fx}
	for i := range o.Accounts {
		s.groups = append(s.groups, s.build(i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/oauth/token", s.token)
	mux.HandleFunc(o.Prefix+"/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.srv.URL + o.Prefix + "/oauth/token"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the source keys of a tencent_ads source pointing at the
// fake (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for _, a := range s.opt.Accounts {
		ids = append(ids, a.ID)
	}
	y := fmt.Sprintf(`account_ids: [%s]
access_token: ${TENCENT_ADS_ACCESS_TOKEN}
client_id: %q
client_secret: ${TENCENT_ADS_CLIENT_SECRET}
refresh_token: ${TENCENT_ADS_REFRESH_TOKEN}
conversion_value_field: order_amount
base_url: %s
token_url: %s
days_per_request: %d
`, strings.Join(ids, ", "), s.opt.ClientID, s.URL, s.TokenURL, s.opt.DaysPerRequest)
	if s.fx != nil {
		y += s.fx.config()
	}
	return y, map[string]string{
		"TENCENT_ADS_ACCESS_TOKEN":  s.opt.AccessToken,
		"TENCENT_ADS_CLIENT_SECRET": s.opt.ClientSecret,
		"TENCENT_ADS_REFRESH_TOKEN": s.opt.RefreshToken,
	}
}

// Secrets returns every credential: configured ones and each token issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.AccessToken, s.opt.ClientSecret, s.opt.RefreshToken}, s.issued...)
}

// SetPageSize caps the rows per page.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.PageSize = max(n, 1)
}

// Inject makes the nth report request from now (1 = the next) fail with kind.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many report requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// Nonces returns the nonce of every report request, oldest first.
func (s *Server) Nonces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.nonces)
}

// Queries returns the query of every report request, oldest first.
func (s *Server) Queries() []map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// ThrottleHint is the wait after a throttle code: none on the wire, so the
// connector's throttle_wait default (one minute).
func (s *Server) ThrottleHint() time.Duration { return time.Minute }

// PermanentMessage is the message_cn of the no-permission answer.
func (s *Server) PermanentMessage() string { return "无权限操作该广告主账户" }

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows a tencent_ads source (conversion_value_field:
// order_amount) must hold for the days of r, as normalized text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fx != nil {
		return s.expectedFixture(r)
	}
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for _, row := range s.rows(ai, r.From, r.To) {
			out = append(out, map[string]string{
				"date": row.date.Format(time.DateOnly), "platform": "tencent_ads", "account_id": a.ID,
				"account_timezone": "Asia/Shanghai", "campaign_id": row.g.id, "campaign_name": row.g.name,
				"ad_group_id": "NULL", "ad_id": "NULL", "channel": "display", "currency": "CNY",
				"spend": yuan(row.m.costFen), "impressions": strconv.FormatInt(row.m.views, 10),
				"clicks": strconv.FormatInt(row.m.clicks, 10), "conversions": strconv.FormatInt(row.m.conversions, 10),
				"conversion_value": yuan(row.m.orderFen),
			})
		}
	}
	return out
}

// token serves the refresh-token grant (shape unverified).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.AddTokenRequest()
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "refresh_token":
		writeJSON(w, envelope(CodeBadParam, "grant_type is invalid", "grant_type 参数错误", "{}"))
	case q.Get("client_id") != s.opt.ClientID || q.Get("client_secret") != s.opt.ClientSecret:
		writeJSON(w, envelope(CodeBadParam, "client_id or client_secret is invalid", "client_id 或 client_secret 错误", "{}"))
	case s.revoked || !s.refresh[q.Get("refresh_token")]:
		writeJSON(w, envelope(CodeBadRefresh, "refresh_token is invalid or expired", "refresh_token 无效或已过期", "{}"))
	default:
		tok, rt := "canaryissued"+fakekit.RandomHex(12), "canaryrotated"+fakekit.RandomHex(12)
		s.tokens[tok], s.refresh[rt] = true, true
		s.issued = append(s.issued, tok, rt)
		writeJSON(w, envelope(0, "", "", fmt.Sprintf(`{"access_token":%q,"refresh_token":%q,"access_token_expires_in":86400,"refresh_token_expires_in":2592000}`, tok, rt)))
	}
}

func envelope(code int, msg, msgCN, data string) string {
	errs := "[]"
	if code != 0 {
		errs = fmt.Sprintf(`[{"code":%d,"message":%s,"message_cn":%s}]`, code, jsonString(msg), jsonString(msgCN))
	}
	return fmt.Sprintf(`{"code":%d,"message":%s,"message_cn":%s,"errors":%s,"data":%s}`, code, jsonString(msg), jsonString(msgCN), errs, data)
}

var (
	reNonce = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)
	reTS    = regexp.MustCompile(`^[0-9]{9,11}$`)
)

var knownFields = []string{"date", "adgroup_id", "adgroup_name", "campaign_id", "campaign_name", "view_count", "valid_click_count", "cost", "conversions_count", "order_amount"}

// api serves GET /v3.0/daily_reports/get (and /v1.3/).
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/")
	if rest != "v3.0/daily_reports/get" && rest != "v1.3/daily_reports/get" {
		w.WriteHeader(404)
		_, _ = w.Write([]byte("404 page not found"))
		return
	}
	if r.Method != http.MethodGet {
		writeJSON(w, envelope(CodeBadParam, "method not allowed, use GET", "请求方法错误", "{}"))
		return
	}
	s.faults.Count()
	q := r.URL.Query()
	s.queries = append(s.queries, q)
	s.nonces = append(s.nonces, q.Get("nonce"))
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		writeJSON(w, envelope(CodeThrottle, "request too frequent, please try again later", "请求过于频繁，请稍后再试", "{}"))
		return
	case ServerError:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(503)
		_, _ = w.Write([]byte("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"))
		return
	case SystemError:
		writeJSON(w, envelope(CodeSystem, "system error, please try again later", "系统错误，请稍后重试", "{}"))
		return
	case ExpiredToken, Revoked:
		clear(s.tokens)
		s.revoked = s.revoked || kind == Revoked
	case PermissionDenied:
		writeJSON(w, envelope(CodeNoAccess, "no permission to operate this account", s.PermanentMessage(), "{}"))
		return
	}
	if !s.tokens[q.Get("access_token")] {
		writeJSON(w, envelope(CodeExpired, "access_token expired", "access_token 已过期", "{}"))
		return
	}
	nonce, ts := q.Get("nonce"), q.Get("timestamp")
	switch {
	case !reTS.MatchString(ts):
		writeJSON(w, envelope(CodeBadParam, "timestamp is invalid", "timestamp 参数错误", "{}"))
		return
	case !reNonce.MatchString(nonce):
		writeJSON(w, envelope(CodeBadParam, "nonce is invalid", "nonce 参数错误", "{}"))
		return
	case s.seen[nonce]:
		writeJSON(w, envelope(CodeNonce, "nonce is duplicated", "nonce 重复", "{}"))
		return
	}
	s.seen[nonce] = true
	ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == q.Get("account_id") })
	if ai < 0 {
		writeJSON(w, envelope(CodeNoAccess, "no permission to operate this account", s.PermanentMessage(), "{}"))
		return
	}
	body, ok := s.report(ai, q)
	if !ok {
		writeJSON(w, body)
		return
	}
	if kind == Malformed {
		body = body[:len(body)/2]
	} else {
		s.AddPage()
	}
	writeJSON(w, body)
}

// report renders one page, or an error envelope and false.
func (s *Server) report(ai int, q map[string][]string) (string, bool) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	bad := func(msg, cn string) (string, bool) { return envelope(CodeBadParam, msg, cn, "{}"), false }
	level, groupID := "REPORT_LEVEL_ADGROUP", "adgroup_id"
	if s.fx != nil && s.fx.grain == "campaign" {
		// The fixture's rows are campaigns: the legacy level.
		level, groupID = "REPORT_LEVEL_CAMPAIGN", "campaign_id"
	}
	if get("level") != level {
		return bad("level is invalid", "level 参数错误")
	}
	var dr struct {
		Start string `json:"start_date"`
		End   string `json:"end_date"`
	}
	if json.Unmarshal([]byte(get("date_range")), &dr) != nil {
		return bad("date_range is invalid", "date_range 参数错误")
	}
	from, err1 := time.Parse(time.DateOnly, dr.Start)
	to, err2 := time.Parse(time.DateOnly, dr.End)
	if err1 != nil || err2 != nil || to.Before(from) {
		return bad("date_range is invalid", "date_range 参数错误")
	}
	var groupBy, fields []string
	if json.Unmarshal([]byte(get("group_by")), &groupBy) != nil || !slices.Equal(groupBy, []string{"date", groupID}) {
		return bad("group_by is invalid", "group_by 参数错误")
	}
	if json.Unmarshal([]byte(get("fields")), &fields) != nil || len(fields) == 0 {
		return bad("fields is invalid", "fields 参数错误")
	}
	for _, f := range fields {
		if !slices.Contains(knownFields, f) {
			return bad("fields contains an invalid field: "+f, "fields 参数错误: "+f)
		}
	}
	page, err1 := strconv.Atoi(get("page"))
	size, err2 := strconv.Atoi(get("page_size"))
	if err1 != nil || err2 != nil || page < 1 || size < 1 || size > 10000 {
		return bad("page or page_size is invalid", "page 或 page_size 参数错误")
	}
	size = min(size, s.opt.PageSize)
	rows := s.rows(ai, from, to)
	total := len(rows)
	totalPage := (total + size - 1) / size
	start, end := min((page-1)*size, total), min(page*size, total)
	var b strings.Builder
	b.WriteString(`{"list":[`)
	for i, row := range rows[start:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		if row.fx != nil {
			renderFixtureRow(&b, row.fx, fields)
			continue
		}
		b.WriteByte('{')
		for j, f := range fields {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + f + `":`)
			switch f {
			case "date":
				b.WriteString(`"` + row.date.Format(time.DateOnly) + `"`)
			case "adgroup_id":
				b.WriteString(row.g.id) // an int64 JSON number above 2^53
			case "adgroup_name":
				b.WriteString(jsonString(row.g.name))
			case "view_count":
				b.WriteString(strconv.FormatInt(row.m.views, 10))
			case "valid_click_count":
				b.WriteString(strconv.FormatInt(row.m.clicks, 10))
			case "cost":
				b.WriteString(strconv.FormatInt(row.m.costFen, 10))
			case "conversions_count":
				b.WriteString(strconv.FormatInt(row.m.conversions, 10))
			case "order_amount":
				b.WriteString(strconv.FormatInt(row.m.orderFen, 10))
			}
		}
		b.WriteByte('}')
	}
	fmt.Fprintf(&b, `],"page_info":{"page":%d,"page_size":%d,"total_number":%d,"total_page":%d}}`, page, size, total, totalPage)
	return envelope(0, "", "", b.String()), true
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
