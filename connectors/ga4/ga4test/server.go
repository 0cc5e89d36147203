// Package ga4test is a fake of the GA4 Data API (runReport) and Google's
// OAuth token endpoint, for the ga4 connector's tests and the demo. It
// implements conformance.Fake without importing it.
package ga4test

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
	// Throttle answers 429 RESOURCE_EXHAUSTED "Exhausted property tokens
	// per hour" without a retryDelay, as the Data API does.
	Throttle = "throttle"
	// DailyQuota answers 429 RESOURCE_EXHAUSTED "…tokens per day…".
	DailyQuota = "daily_quota"
	// ServerError answers 500 INTERNAL.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 401
	// UNAUTHENTICATED; a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access token and the refresh token; the
	// refresh then fails with invalid_grant.
	Revoked = "revoked"
	// PermissionDenied answers 403 PERMISSION_DENIED with Google's message.
	PermissionDenied = "permission_denied"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/ga4").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Properties served (default 123456789 in EUR on Europe/Berlin and
	// 987654321 in USD on America/Los_Angeles).
	Properties []Property
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// PageLimit goes into Config as page_limit (default 100000).
	PageLimit int
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// Thresholded and Sampled set metadata.subjectToThresholding and
	// metadata.samplingMetadatas on every report with rows.
	Thresholded, Sampled bool
	// HourlyTokens is the tokensPerHour the property starts with (default
	// 40000); each runReport consumes TokensPerRequest (default 10).
	HourlyTokens, TokensPerRequest int64
	// Credentials the token endpoint accepts.
	ClientID, ClientSecret, RefreshToken string
	// Fixture, when set, replaces the invented traffic by Fixture.Traffic,
	// served by the first property (see FixtureProperty for its default)
	// with the dimensions and metrics Config then asks for; From and To
	// default to the first and last day of the rows.
	Fixture *fixture.Set
}

// Server is a fake GA4 Data API: POST {URL}/v1beta/properties/{id}:runReport
// and an OAuth token endpoint at TokenURL. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the token endpoint to configure (token_url).
	TokenURL string

	opt    Options
	srv    *httptest.Server
	mu     sync.Mutex
	oauth  fakekit.GoogleOAuth // the token endpoint, the access tokens issued
	faults fakekit.Faults      // requests counted, faults injected
	bodies [][]byte

	// Ledger: Restate changes the values of day (every property), as GA4 does
	// while it processes late events; Pages counts runReport answers with rows.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/ga4"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Fixture != nil {
		if len(o.Properties) == 0 {
			o.Properties = []Property{FixtureProperty(o.Fixture)}
		}
		from, to := trafficSpan(o.Fixture.Traffic)
		if o.From.IsZero() {
			o.From = from
		}
		if o.To.IsZero() {
			o.To = to
		}
	}
	if len(o.Properties) == 0 {
		o.Properties = []Property{
			{ID: "123456789", Currency: "EUR", TimeZone: "Europe/Berlin"},
			{ID: "987654321", Currency: "USD", TimeZone: "America/Los_Angeles"},
		}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.PageLimit <= 0 {
		o.PageLimit = 100_000
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.HourlyTokens == 0 {
		o.HourlyTokens = 40_000
	}
	if o.TokensPerRequest == 0 {
		o.TokensPerRequest = 10
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
	s := &Server{opt: o}
	s.oauth = fakekit.GoogleOAuth{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		Scope: "https://www.googleapis.com/auth/analytics.readonly"}
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

// Config returns the source keys of a ga4 source pointing at the fake
// (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, p := range s.opt.Properties {
		ids = append(ids, strconv.Quote(p.ID))
	}
	y := fmt.Sprintf(`property_ids: [%s]
client_id: %s
client_secret: ${GA4_CLIENT_SECRET}
refresh_token: ${GA4_REFRESH_TOKEN}
base_url: %s
token_url: %s
page_limit: %d
days_per_request: %d
`, strings.Join(ids, ", "), s.opt.ClientID, s.URL, s.TokenURL, s.opt.PageLimit, s.opt.DaysPerRequest)
	if s.opt.Fixture != nil {
		y += "dimensions: [" + strings.Join(FixtureDimensions, ", ") + "]\nmetrics: [" + strings.Join(FixtureMetrics, ", ") + "]\n"
	}
	return y, map[string]string{"GA4_CLIENT_SECRET": s.opt.ClientSecret, "GA4_REFRESH_TOKEN": s.opt.RefreshToken}
}

// Secrets returns every credential: configured ones and each access token
// the fake issued.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.ClientSecret, s.opt.RefreshToken}, s.oauth.Issued...)
}

// SetPageSize sets the page_limit Config asks for: GA4 fills every page
// up to the request's limit.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.PageLimit = max(n, 1)
}

// Inject makes the nth runReport request from now (1 = the next) fail
// with kind. Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many runReport requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// TokenRequests returns how many token requests the fake received.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.Requests
}

// Bodies returns the runReport request bodies received, oldest first.
func (s *Server) Bodies() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bodies)
}

// ThrottleHint is the wait the fake's 429 asks for: it gives no
// retryDelay, so the connector waits for the next hour, which is one hour
// from the conformance suite's clock (noon UTC, on the hour).
func (s *Server) ThrottleHint() time.Duration { return time.Hour }

// PermanentMessage is the message of the fake's PERMISSION_DENIED answer.
func (s *Server) PermanentMessage() string {
	return "User does not have sufficient permissions for this property."
}

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows a ga4 source with the default dimensions and
// metrics must hold for the days of r, as text ("NULL" for NULL).
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for pi, p := range s.opt.Properties {
		for _, row := range s.rows(pi, r.From, r.To) {
			newUsers := "NULL"
			if s.opt.Fixture != nil {
				newUsers = strconv.FormatInt(row.v.newUsers, 10)
			}
			out = append(out, map[string]string{
				"date": row.date.Format(time.DateOnly), "source": row.source, "medium": row.medium, "campaign": row.campaign,
				"channel_group": row.channel, "sessions": strconv.FormatInt(row.v.sessions, 10),
				"users": strconv.FormatInt(row.v.users, 10), "new_users": newUsers,
				"key_events": keyEventsText(row.v.keyEvents), "revenue": money(row.v.revenue),
				"currency": p.Currency, "property_id": p.ID, "account_timezone": p.TimeZone,
				"thresholded": strconv.FormatBool(s.opt.Thresholded), "sampled": strconv.FormatBool(s.opt.Sampled),
			})
		}
	}
	return out
}

type fakeRow struct {
	date                                            time.Time
	channel, source, medium, sourceMedium, campaign string
	v                                               values
}

// rows returns property pi's rows for days in [from, to], ordered by date
// and combo. Callers hold s.mu.
func (s *Server) rows(pi int, from, to time.Time) []fakeRow {
	if from.Before(s.opt.From) {
		from = s.opt.From
	}
	if to.After(s.opt.To) {
		to = s.opt.To
	}
	var out []fakeRow
	if s.opt.Fixture != nil {
		if pi != 0 {
			return nil
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			for _, t := range s.opt.Fixture.Traffic {
				if t.Date.Equal(d) {
					v := values{sessions: t.Sessions, users: t.Users, newUsers: t.NewUsers, keyEvents: t.KeyEvents, revenue: t.Revenue}
					restate(&v, s.Version(d))
					out = append(out, fakeRow{date: d, channel: t.ChannelGroup, source: t.Source, medium: t.Medium,
						sourceMedium: t.Source + " / " + t.Medium, campaign: t.Campaign, v: v})
				}
			}
		}
		return out
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := epochDay(d)
		for ci, c := range combos {
			if v, ok := s.rowValues(pi, ci, day, s.Version(d)); ok {
				src, med := split(c.sourceMedium)
				out = append(out, fakeRow{date: d, channel: c.channel, source: src, medium: med, sourceMedium: c.sourceMedium, campaign: c.campaign, v: v})
			}
		}
	}
	return out
}

// token is a Google OAuth 2.0 endpoint (refresh-token grant only).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.Serve(w, r)
}

var (
	rePath    = regexp.MustCompile(`^v1(?:beta|alpha)?/properties/([^/:]+):runReport$`)
	reDaysAgo = regexp.MustCompile(`^(\d+)daysAgo$`)
)

// dimensions and metrics the fake knows, with their metric types.
var (
	knownDimensions = []string{"date", "sessionDefaultChannelGroup", "sessionSourceMedium", "sessionSource", "sessionMedium", "sessionCampaignName"}
	metricTypes     = map[string]string{
		"sessions": "TYPE_INTEGER", "totalUsers": "TYPE_INTEGER", "newUsers": "TYPE_INTEGER",
		"keyEvents": "TYPE_FLOAT", "purchaseRevenue": "TYPE_CURRENCY",
	}
)

// int64Value is a proto3 JSON int64: a string or a number.
type int64Value struct {
	set bool
	n   int64
}

func (v *int64Value) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	n, err := strconv.ParseInt(string(b), 10, 64)
	v.set, v.n = true, n
	return err
}

type runReportRequest struct {
	DateRanges []struct {
		StartDate string `json:"startDate"`
		EndDate   string `json:"endDate"`
		Name      string `json:"name"`
	} `json:"dateRanges"`
	Dimensions []struct {
		Name string `json:"name"`
	} `json:"dimensions"`
	Metrics []struct {
		Name string `json:"name"`
	} `json:"metrics"`
	OrderBys []struct {
		Desc      bool `json:"desc"`
		Dimension *struct {
			DimensionName string `json:"dimensionName"`
		} `json:"dimension"`
		Metric *struct {
			MetricName string `json:"metricName"`
		} `json:"metric"`
	} `json:"orderBys"`
	Limit               int64Value `json:"limit"`
	Offset              int64Value `json:"offset"`
	KeepEmptyRows       bool       `json:"keepEmptyRows"`
	ReturnPropertyQuota bool       `json:"returnPropertyQuota"`
}

// api serves POST {prefix}/v1beta/properties/{id}:runReport.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := rePath.FindStringSubmatch(strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/"))
	if m == nil {
		writeJSON(w, 404, rpcError(404, "NOT_FOUND", "The requested URL "+r.URL.Path+" was not found on this server."))
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, 405, rpcError(405, "METHOD_NOT_ALLOWED", "runReport takes POST"))
		return
	}
	s.faults.Count()
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		writeJSON(w, 429, rpcError(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per hour. These quota tokens will return in under an hour. To learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas"))
		return
	case DailyQuota:
		writeJSON(w, 429, rpcError(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per day. These quota tokens will return in under 24 hours. To learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas"))
		return
	case ServerError:
		writeJSON(w, 500, rpcError(500, "INTERNAL", "Internal error encountered."))
		return
	case ExpiredToken, Revoked:
		s.oauth.Expire()
		s.oauth.Revoked = s.oauth.Revoked || kind == Revoked
	case PermissionDenied:
		writeJSON(w, 403, permissionDenied())
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.oauth.Valid(tok) {
		writeJSON(w, 401, rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."))
		return
	}
	pi := slices.IndexFunc(s.opt.Properties, func(p Property) bool { return p.ID == m[1] })
	if pi < 0 {
		writeJSON(w, 403, permissionDenied())
		return
	}
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(r.Body)
	s.bodies = append(s.bodies, raw.Bytes())
	dec := json.NewDecoder(bytes.NewReader(raw.Bytes()))
	dec.DisallowUnknownFields()
	var req runReportRequest
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, 400, rpcError(400, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error()))
		return
	}
	out, status := s.report(pi, &req)
	if status == 200 && kind == Malformed {
		out = out[:len(out)/2]
	}
	writeJSON(w, status, out)
}

func permissionDenied() string {
	return rpcError(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.")
}

// date reads a dateRange bound: YYYY-MM-DD, today, yesterday or NdaysAgo
// (in the property's time zone, at the real time).
func date(s string, loc *time.Location) (time.Time, bool) {
	today := connectors.Day(time.Now().In(loc))
	switch s {
	case "today":
		return today, true
	case "yesterday":
		return today.AddDate(0, 0, -1), true
	}
	if m := reDaysAgo.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return today.AddDate(0, 0, -n), true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// report validates a runReport and renders its answer. Callers hold s.mu.
func (s *Server) report(pi int, req *runReportRequest) (string, int) {
	bad := func(msg string) (string, int) { return rpcError(400, "INVALID_ARGUMENT", msg), 400 }
	p := s.opt.Properties[pi]
	loc, _ := time.LoadLocation(p.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	if len(req.DateRanges) != 1 {
		return bad("The fake takes exactly one dateRange.")
	}
	from, ok1 := date(req.DateRanges[0].StartDate, loc)
	to, ok2 := date(req.DateRanges[0].EndDate, loc)
	if !ok1 || !ok2 {
		return bad(fmt.Sprintf("Field request.dateRanges[0] has an invalid date: %q..%q. Use YYYY-MM-DD, NdaysAgo, yesterday, or today.", req.DateRanges[0].StartDate, req.DateRanges[0].EndDate))
	}
	if to.Before(from) {
		return bad("Field request.dateRanges[0].endDate is before startDate.")
	}
	var dims, mets []string
	for _, d := range req.Dimensions {
		if !slices.Contains(knownDimensions, d.Name) {
			return bad(fmt.Sprintf("Field %s is not a valid dimension. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema ", d.Name))
		}
		if slices.Contains(dims, d.Name) {
			return bad("Duplicate dimension name " + d.Name + ".")
		}
		dims = append(dims, d.Name)
	}
	if len(req.Metrics) == 0 {
		return bad("At least one metric is required.")
	}
	for _, mt := range req.Metrics {
		if _, ok := metricTypes[mt.Name]; !ok {
			return bad(fmt.Sprintf("Field %s is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema ", mt.Name))
		}
		mets = append(mets, mt.Name)
	}
	for _, o := range req.OrderBys {
		if o.Dimension != nil && !slices.Contains(dims, o.Dimension.DimensionName) {
			return bad("Field " + o.Dimension.DimensionName + " in orderBys is not in the request's dimensions.")
		}
	}
	limit := int64(10_000) // the Data API's default
	if req.Limit.set {
		limit = req.Limit.n
	}
	if limit < 1 || limit > 250_000 {
		return bad(fmt.Sprintf("limit %d must be positive and at most 250000.", limit))
	}
	offset := req.Offset.n
	if offset < 0 {
		return bad("offset must not be negative.")
	}
	// Aggregate the rows over the dimensions asked for.
	type agg struct {
		dimVals []string
		v       values
	}
	var rows []*agg
	index := map[string]*agg{}
	for _, fr := range s.rows(pi, from, to) {
		var dv []string
		for _, d := range dims {
			switch d {
			case "date":
				dv = append(dv, fr.date.Format("20060102"))
			case "sessionDefaultChannelGroup":
				dv = append(dv, fr.channel)
			case "sessionSourceMedium":
				dv = append(dv, fr.sourceMedium)
			case "sessionSource":
				dv = append(dv, fr.source)
			case "sessionMedium":
				dv = append(dv, fr.medium)
			case "sessionCampaignName":
				dv = append(dv, fr.campaign)
			}
		}
		k := strings.Join(dv, "\x00")
		a := index[k]
		if a == nil {
			a = &agg{dimVals: dv}
			index[k] = a
			rows = append(rows, a)
		}
		a.v.sessions += fr.v.sessions
		a.v.users += fr.v.users
		a.v.newUsers += fr.v.newUsers
		a.v.keyEvents += fr.v.keyEvents
		a.v.revenue += fr.v.revenue
	}
	var b strings.Builder
	b.WriteString(`{"dimensionHeaders":[`)
	for i, d := range dims {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":%q}`, d)
	}
	b.WriteString(`],"metricHeaders":[`)
	for i, mt := range mets {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":%q,"type":%q}`, mt, metricTypes[mt])
	}
	b.WriteString(`]`)
	if len(rows) > 0 {
		end := min(int64(len(rows)), offset+limit)
		b.WriteString(`,"rows":[`)
		for i := offset; i < end; i++ {
			if i > offset {
				b.WriteByte(',')
			}
			a := rows[i]
			b.WriteString(`{"dimensionValues":[`)
			for j, v := range a.dimVals {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`{"value":` + jsonString(v) + `}`)
			}
			b.WriteString(`],"metricValues":[`)
			for j, mt := range mets {
				if j > 0 {
					b.WriteByte(',')
				}
				var v string
				switch mt {
				case "sessions":
					v = strconv.FormatInt(a.v.sessions, 10)
				case "totalUsers":
					v = strconv.FormatInt(a.v.users, 10)
				case "newUsers":
					v = strconv.FormatInt(a.v.newUsers, 10)
				case "keyEvents":
					v = keyEventsText(a.v.keyEvents)
				case "purchaseRevenue":
					v = money(a.v.revenue)
				}
				b.WriteString(`{"value":"` + v + `"}`)
			}
			b.WriteString(`]}`)
		}
		fmt.Fprintf(&b, `],"rowCount":%d`, len(rows))
		s.AddPage()
	}
	// GA4 leaves rows and rowCount out when there is no data.
	fmt.Fprintf(&b, `,"metadata":{"currencyCode":%q,"timeZone":%q`, p.Currency, p.TimeZone)
	if len(rows) > 0 && s.opt.Thresholded {
		b.WriteString(`,"subjectToThresholding":true`)
	}
	if len(rows) > 0 && s.opt.Sampled {
		b.WriteString(`,"samplingMetadatas":[{"samplesReadCount":"1000000","samplingSpaceSize":"25000000"}]`)
	}
	b.WriteString(`}`)
	if req.ReturnPropertyQuota {
		used := int64(s.faults.Requests()) * s.opt.TokensPerRequest
		fmt.Fprintf(&b, `,"propertyQuota":{"tokensPerDay":{"consumed":%d,"remaining":%d},"tokensPerHour":{"consumed":%d,"remaining":%d},`+
			`"concurrentRequests":{"consumed":0,"remaining":10},"serverErrorsPerProjectPerHour":{"consumed":0,"remaining":10},`+
			`"potentiallyThresholdedRequestsPerHour":{"consumed":0,"remaining":120},"tokensPerProjectPerHour":{"consumed":%d,"remaining":%d}}`,
			s.opt.TokensPerRequest, max(200_000-used, 0), s.opt.TokensPerRequest, max(s.opt.HourlyTokens-used, 0),
			s.opt.TokensPerRequest, max(14_000-used, 0))
	}
	b.WriteString(`,"kind":"analyticsData#runReport"}`)
	return b.String(), 200
}

// rpcError is a google.rpc.Status as the Data API sends it.
func rpcError(code int, status, msg string) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%s,"status":%q}}`, code, jsonString(msg), status)
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
