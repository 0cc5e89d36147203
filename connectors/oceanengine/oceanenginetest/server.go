// Package oceanenginetest is a fake Ocean Engine (巨量引擎) Open API for
// tests and the demo: the v3.0 custom report and the OAuth refresh
// endpoint under a path prefix, speaking the platform's wire format (HTTP
// 200 with a code, values as strings, cost in yuan, page_info paging, a
// refresh that kills the old token pair). It implements conformance.Fake
// without importing it.
package oceanenginetest

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
	// Throttle answers HTTP 200 with code 40100 (unverified code).
	Throttle = "throttle"
	// ServerError answers HTTP 503.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 40102; a
	// refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates the access and refresh tokens and answers 40105;
	// the refresh then fails.
	Revoked = "revoked"
	// PermissionDenied answers code 40002 with the platform's message.
	PermissionDenied = "permission_denied"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/oceanengine").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Advertisers served (default 1760000000000001 and 1760000000000002).
	Advertisers []string
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Projects per advertiser (default 4).
	Projects int
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// MaxPageSize is the largest page_size accepted (default 1000, unverified).
	MaxPageSize int
	// ThrottleWait goes into Config as throttle_wait (default 20s).
	ThrottleWait time.Duration
	// Credentials: the initial token pair and the app.
	AccessToken, AppID, Secret, RefreshToken string
	// Fixture, when set, replaces the invented data: the fake serves exactly
	// the ocean_engine accounts of the set (Fixture.Platform("ocean_engine"))
	// as advertisers and exactly their ad rows, in the platform's wire
	// format (see fixture.go in this package). Advertisers, Seed and
	// Projects are then ignored; From and To default to the span of the rows.
	Fixture *fixture.Set
}

// Server is a fake Ocean Engine API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the refresh endpoint (token_url).
	TokenURL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	projects [][]project
	tokens   map[string]bool
	refresh  string
	issued   []string
	revoked  bool
	faults   fakekit.Faults // requests counted, faults injected
	pageSize int
	fx       *fixtureData // nil without Options.Fixture
	queries  []map[string]string
	headers  []http.Header

	// Ledger: Restate changes the metrics of day for every advertiser and project;
	// Pages counts report pages with rows; TokenRequests, refresh requests.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/oceanengine"
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
		o.Advertisers = []string{"1760000000000001", "1760000000000002"}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.Projects <= 0 {
		o.Projects = 4
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 1000
	}
	if o.ThrottleWait <= 0 {
		o.ThrottleWait = 20 * time.Second
	}
	if o.AccessToken == "" {
		o.AccessToken = "canary" + fakekit.RandomHex(20)
	}
	if o.AppID == "" {
		o.AppID = "1787000000000000"
	}
	if o.Secret == "" {
		o.Secret = "canarysecret" + fakekit.RandomHex(14)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "canaryrefresh" + fakekit.RandomHex(14)
	}
	s := &Server{opt: o, tokens: map[string]bool{o.AccessToken: true}, refresh: o.RefreshToken, fx: fx}
	for i := range o.Advertisers {
		s.projects = append(s.projects, s.build(i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/open_api/v3.0/report/custom/get/", s.report)
	mux.HandleFunc(o.Prefix+"/open_api/oauth2/refresh_token/", s.token)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	s.TokenURL = s.URL + "/open_api/oauth2/refresh_token/"
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the source keys of an ocean_engine source pointing at the
// fake (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for _, a := range s.opt.Advertisers {
		ids = append(ids, strconv.Quote(a))
	}
	y := fmt.Sprintf(`advertiser_ids: [%s]
access_token: ${OCEAN_ENGINE_ACCESS_TOKEN}
app_id: %q
secret: ${OCEAN_ENGINE_APP_SECRET}
refresh_token: ${OCEAN_ENGINE_REFRESH_TOKEN}
base_url: %s
token_url: %s
days_per_request: %d
throttle_wait: %s
`, strings.Join(ids, ", "), s.opt.AppID, s.URL, s.TokenURL, s.opt.DaysPerRequest, s.opt.ThrottleWait)
	if s.fx != nil {
		y += s.fx.config()
	}
	return y, map[string]string{
		"OCEAN_ENGINE_ACCESS_TOKEN":  s.opt.AccessToken,
		"OCEAN_ENGINE_APP_SECRET":    s.opt.Secret,
		"OCEAN_ENGINE_REFRESH_TOKEN": s.opt.RefreshToken,
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

// Inject makes the nth report request from now (1 = the next) fail with kind.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many report requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// RefreshToken returns the refresh token the fake accepts now.
func (s *Server) RefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh
}

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
// 40100 (the platform gives none).
func (s *Server) ThrottleHint() time.Duration { return s.opt.ThrottleWait }

// PermanentMessage is the message of the fake's permission error (wording unverified).
func (s *Server) PermanentMessage() string {
	return "没有权限访问该广告主 (no permission for this advertiser)"
}

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows an ocean_engine source must hold for the days
// of r, as normalized text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fx != nil {
		return s.expectedFixture(r)
	}
	var out []map[string]string
	for ai, a := range s.opt.Advertisers {
		for _, row := range s.rows(ai, r.From, r.To) {
			out = append(out, map[string]string{
				"date": row.date, "platform": "ocean_engine", "account_id": a, "account_timezone": "Asia/Shanghai",
				"campaign_id": row.p.id, "campaign_name": row.p.name, "ad_group_id": "NULL", "ad_id": "NULL",
				"channel": "short_video", "currency": "CNY", "spend": yuan(row.m.costFen),
				"impressions": strconv.FormatInt(row.m.show, 10), "clicks": strconv.FormatInt(row.m.click, 10),
				"conversions": strconv.FormatInt(row.m.convert, 10), "conversion_value": "NULL",
			})
		}
	}
	return out
}

type fakeRow struct {
	date string
	p    *project
	m    metrics
	fx   *fixture.AdRow // fixture mode: the row served, restated
}

// rows returns advertiser ai's rows for the days of [from, to], day then
// project; projects without delivery have no row. Callers hold s.mu.
func (s *Server) rows(ai int, from, to time.Time) []fakeRow {
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
		day := epochDay(d)
		for pi := range s.projects[ai] {
			p := &s.projects[ai][pi]
			if m := s.projectDay(ai, p.id, day, s.Version(d)); !m.zero() {
				out = append(out, fakeRow{date: d.Format(time.DateOnly), p: p, m: m})
			}
		}
	}
	return out
}

var knownDims = []string{"stat_time_day", "cdp_project_id", "cdp_project_name", "cdp_promotion_id", "cdp_promotion_name", AdDimension}
var knownMetrics = []string{"stat_cost", "show_cnt", "click_cnt", "convert_cnt", "cpm_platform", "ctr", ValueMetric}

func answer(w http.ResponseWriter, code int, msg, reqID, data string) {
	if data == "" {
		data = "{}"
	}
	writeJSON(w, 200, fmt.Sprintf(`{"code":%d,"message":%s,"request_id":%q,"data":%s}`, code, jsonString(msg), reqID, data))
}

func (s *Server) reqID() string {
	return fmt.Sprintf("20261103%010d%06d", s.faults.Requests(), s.TokenRequests())
}

// report serves GET /open_api/v3.0/report/custom/get/.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	s.headers = append(s.headers, r.Header.Clone())
	q := map[string]string{}
	for k := range r.URL.Query() {
		q[k] = r.URL.Query().Get(k)
	}
	_, hasFilters := r.URL.Query()["filters"]
	s.queries = append(s.queries, q)
	reqID := s.reqID()
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		answer(w, 40100, "请求过于频繁，请稍后再试 (too many requests)", reqID, "")
		return
	case ServerError:
		writeJSON(w, 503, `<html><body>503 Service Temporarily Unavailable</body></html>`)
		return
	case ExpiredToken:
		clear(s.tokens)
		answer(w, 40102, "access_token已过期", reqID, "")
		return
	case Revoked:
		clear(s.tokens)
		s.revoked = true
		answer(w, 40105, "access_token无效", reqID, "")
		return
	case PermissionDenied:
		answer(w, 40002, s.PermanentMessage(), reqID, "")
		return
	}
	if r.Method != http.MethodGet {
		answer(w, 40001, "请求方法错误 (use GET)", reqID, "")
		return
	}
	if tok := r.Header.Get("Access-Token"); tok == "" || !s.tokens[tok] {
		answer(w, 40105, "access_token无效", reqID, "")
		return
	}
	if !hasFilters {
		answer(w, 40001, "filters: 该字段必填 (required, even [])", reqID, "")
		return
	}
	body, code, msg := s.render(q, reqID)
	if code != 0 {
		answer(w, code, msg, reqID, "")
		return
	}
	if kind == Malformed {
		body = body[:len(body)/2]
	}
	writeJSON(w, 200, body)
}

// render validates a report query and renders its page.
func (s *Server) render(q map[string]string, reqID string) (string, int, string) {
	ai := slices.Index(s.opt.Advertisers, q["advertiser_id"])
	if ai < 0 {
		return "", 40002, s.PermanentMessage()
	}
	var dims, mets, filters []string
	var order []map[string]string
	if json.Unmarshal([]byte(q["dimensions"]), &dims) != nil || !slices.Contains(dims, "stat_time_day") {
		return "", 40001, "dimensions: 格式错误或缺少 stat_time_day"
	}
	for _, d := range dims {
		if !slices.Contains(knownDims, d) {
			return "", 40001, "dimensions: 不支持的维度 " + d
		}
	}
	if json.Unmarshal([]byte(q["metrics"]), &mets) != nil || len(mets) == 0 {
		return "", 40001, "metrics: 格式错误"
	}
	for _, m := range mets {
		if !slices.Contains(knownMetrics, m) {
			return "", 40001, "metrics: 不支持的指标 " + m
		}
	}
	if json.Unmarshal([]byte(q["filters"]), &filters) != nil {
		return "", 40001, "filters: 格式错误"
	}
	if v := q["order_by"]; v != "" && json.Unmarshal([]byte(v), &order) != nil {
		return "", 40001, "order_by: 格式错误"
	}
	from, err1 := time.Parse(time.DateOnly, q["start_time"])
	to, err2 := time.Parse(time.DateOnly, q["end_time"])
	if err1 != nil || err2 != nil || to.Before(from) {
		return "", 40001, "start_time/end_time: 日期格式应为 YYYY-MM-DD"
	}
	page, pageSize := 1, 10
	if v := q["page"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return "", 40001, "page: 应大于等于 1"
		}
		page = n
	}
	if v := q["page_size"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.opt.MaxPageSize {
			return "", 40001, fmt.Sprintf("page_size: 应在 1 到 %d 之间", s.opt.MaxPageSize)
		}
		pageSize = n
	}
	if s.pageSize > 0 {
		pageSize = min(pageSize, s.pageSize)
	}
	if s.fx != nil {
		for _, d := range s.fx.dims() {
			if !slices.Contains(dims, d) {
				// The fixture's rows have one grain; the platform would
				// aggregate, the fake refuses rather than serve another grain.
				return "", 40001, "dimensions: 此 fake 只按 fixture 的粒度返回数据, 需要维度 " + d
			}
		}
	}
	rows := s.rows(ai, from, to)
	total := len(rows)
	start := min((page-1)*pageSize, total)
	end := min(start+pageSize, total)
	var sum metrics
	var sumFx fixture.Micros
	for _, r := range rows {
		sum.costFen += r.m.costFen
		if r.fx != nil {
			sumFx += r.fx.Spend
		}
	}
	totalCost := yuan(sum.costFen)
	if s.fx != nil {
		totalCost = sumFx.Decimal(2)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"code":0,"message":"OK","request_id":%q,"data":{"rows":[`, reqID)
	for i, row := range rows[start:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		if row.fx != nil {
			renderFixtureRow(&b, row.fx, dims, mets)
			continue
		}
		b.WriteString(`{"dimensions":{`)
		for j, d := range dims {
			if j > 0 {
				b.WriteByte(',')
			}
			v := ""
			switch d {
			case "stat_time_day":
				v = row.date
			case "cdp_project_id":
				v = row.p.id
			case "cdp_project_name":
				v = row.p.name
			}
			fmt.Fprintf(&b, "%q:%s", d, jsonString(v))
		}
		b.WriteString(`},"metrics":{`)
		for j, m := range mets {
			if j > 0 {
				b.WriteByte(',')
			}
			v := "0"
			switch m {
			case "stat_cost":
				v = yuan(row.m.costFen)
			case "show_cnt":
				v = strconv.FormatInt(row.m.show, 10)
			case "click_cnt":
				v = strconv.FormatInt(row.m.click, 10)
			case "convert_cnt":
				v = strconv.FormatInt(row.m.convert, 10)
			}
			fmt.Fprintf(&b, "%q:%q", m, v)
		}
		b.WriteString(`}}`)
	}
	fmt.Fprintf(&b, `],"total_metrics":{"stat_cost":%q},"page_info":{"page":%d,"page_size":%d,"total_number":%d,"total_page":%d}}}`,
		totalCost, page, pageSize, total, (total+pageSize-1)/pageSize)
	if end > start {
		s.AddPage()
	}
	return b.String(), 0, ""
}

// token serves POST /open_api/oauth2/refresh_token/: a refresh kills the
// old access token and refresh token and issues a new pair.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.AddTokenRequest()
	reqID := s.reqID()
	var body struct {
		AppID        json.Number `json:"app_id"`
		Secret       string      `json:"secret"`
		GrantType    string      `json:"grant_type"`
		RefreshToken string      `json:"refresh_token"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		answer(w, 40001, "请求体应为 JSON (POST)", reqID, "")
		return
	}
	switch {
	case body.AppID.String() != s.opt.AppID || body.Secret != s.opt.Secret:
		answer(w, 40101, "app_id或secret错误", reqID, "")
	case body.GrantType != "refresh_token":
		answer(w, 40001, "grant_type: 应为 refresh_token", reqID, "")
	case s.revoked || body.RefreshToken != s.refresh:
		answer(w, 40107, "refresh_token无效或已过期", reqID, "")
	default:
		clear(s.tokens) // the old pair dies
		tok := fakekit.RandomHex(20)
		s.refresh = fakekit.RandomHex(20)
		s.tokens[tok] = true
		s.issued = append(s.issued, tok, s.refresh)
		answer(w, 0, "OK", reqID, fmt.Sprintf(`{"access_token":%q,"expires_in":86399,"refresh_token":%q,"refresh_token_expires_in":2591999}`, tok, s.refresh))
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
