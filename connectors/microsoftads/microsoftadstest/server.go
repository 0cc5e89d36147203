// Package microsoftadstest is a fake of the Microsoft Advertising Reporting
// API v13 (REST) for tests and the demo: SubmitGenerateReport and
// PollGenerateReport under {URL}/v13/GenerateReport/, a report that stays
// Pending for a few polls, a pre-signed download URL on the fake itself
// serving a zipped CSV with Microsoft's header block and copyright footer,
// and an OAuth token endpoint that rotates refresh tokens.
package microsoftadstest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
)

// Failure kinds for Inject. They match the conformance suite's names.
const (
	// Throttle answers 429 with CallRateExceeded (code 117) and no
	// Retry-After (unverified status and wording).
	Throttle = "throttle"
	// ServerError answers 500 InternalError (code 0).
	ServerError = "server_error"
	// Malformed answers 200 with the JSON cut in half; as a download
	// kind, a zip cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates every access token and answers 401
	// AuthenticationTokenExpired (code 109); a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates every access token and refresh token and answers
	// 401 (code 109); the refresh then fails with invalid_grant.
	Revoked = "revoked"
	// PermissionDenied answers 400 UserIsNotAuthorized (code 106).
	PermissionDenied = "permission_denied"
	// SignatureExpired (downloads only) answers 403 as blob storage does
	// for an expired pre-signed URL.
	SignatureExpired = "signature_expired"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/msads").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Accounts served (default 180000001 in USD on America/Los_Angeles and
	// 180000002 in EUR on Europe/Berlin).
	Accounts []Account
	// CustomerID the accounts belong to (default 250000001).
	CustomerID string
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Campaigns per account (default 4).
	Campaigns int
	// PendingPolls is how many polls answer Pending before Success (default 2).
	PendingPolls int
	// DaysPerRequest goes into Config (default 7).
	DaysPerRequest int
	// NoHeaderFooter leaves report_header_footer out of Config, so the
	// connector asks for a bare CSV (by default Config asks for Microsoft's
	// header block and footer).
	NoHeaderFooter bool
	// TimePeriodLayout is how TimePeriod is written (default "2006-01-02";
	// Microsoft's exact format is unverified, "1/2/2006" is the other guess).
	TimePeriodLayout string
	// NoBOM leaves out the UTF-8 byte order mark the fake writes by default
	// (unverified whether Microsoft writes one).
	NoBOM bool
	// Credentials the token endpoint and the API accept.
	ClientID, ClientSecret, RefreshToken, DeveloperToken string
}

// Server is a fake Reporting API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string
	// TokenURL is the token endpoint to configure (token_url).
	TokenURL string

	opt       Options
	srv       *httptest.Server
	mu        sync.Mutex
	campaigns [][]campaign
	tokens    map[string]bool
	refresh   map[string]bool
	issued    []string
	revoked   bool
	faults    fakekit.Faults // requests counted, faults injected
	dl        fakekit.Faults // downloads counted, faults injected
	reports   map[string]*report
	submits   []json.RawMessage
	headers   []http.Header
	dlHeaders []http.Header
	nextID    int64

	// Ledger: Restate changes the metrics of day (every account and campaign), as
	// Microsoft does when late conversions arrive or invalid clicks are credited;
	// TokenRequests counts token requests. (Pages is the Server's own.)
	fakekit.Ledger
}

// report is a submitted report request.
type report struct {
	id       string
	account  int
	from, to time.Time
	columns  []string
	polls    int
	header   bool
	footer   bool
	name     string
	sigs     []string // every signature issued, each valid
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/msads"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Seed == 0 {
		o.Seed = 1
	}
	if len(o.Accounts) == 0 {
		o.Accounts = []Account{
			{ID: "180000001", Name: "Lumen Tea US", Currency: "USD", TimeZone: "America/Los_Angeles"},
			{ID: "180000002", Name: "Lumen Tee DE", Currency: "EUR", TimeZone: "Europe/Berlin"},
		}
	}
	if o.CustomerID == "" {
		o.CustomerID = "250000001"
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
	if o.PendingPolls <= 0 {
		o.PendingPolls = 2
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.TimePeriodLayout == "" {
		o.TimePeriodLayout = time.DateOnly
	}
	if o.ClientID == "" {
		o.ClientID = "00000000-fake-4a1b-9c2d-0123456789ab"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "canary~ms~client~secret~" + fakekit.RandomHex(6)
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "M.C5canary_refresh_" + fakekit.RandomHex(10)
	}
	if o.DeveloperToken == "" {
		o.DeveloperToken = "CANARYDEVTOKEN" + strings.ToUpper(fakekit.RandomHex(5))
	}
	s := &Server{opt: o, tokens: map[string]bool{}, refresh: map[string]bool{o.RefreshToken: true},
		reports: map[string]*report{}, nextID: 30000000123456000}
	for i := range o.Accounts {
		s.campaigns = append(s.campaigns, s.build(i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/token", s.token)
	mux.HandleFunc(o.Prefix+"/download/", s.download)
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

// Config returns the source keys of a microsoft_ads source pointing at the
// fake (secrets as ${ENV}), and the environment those references need.
func (s *Server) Config() (string, map[string]string) {
	var ids, zones []string
	for _, a := range s.opt.Accounts {
		ids = append(ids, a.ID)
		zones = append(zones, fmt.Sprintf("%q: %s", a.ID, a.TimeZone))
	}
	y := fmt.Sprintf(`account_ids: [%s]
customer_id: %q
client_id: %s
client_secret: ${MICROSOFT_ADS_CLIENT_SECRET}
refresh_token: ${MICROSOFT_ADS_REFRESH_TOKEN}
developer_token: ${MICROSOFT_ADS_DEVELOPER_TOKEN}
time_zones: {%s}
base_url: %s
token_url: %s
days_per_request: %d
`, strings.Join(ids, ", "), s.opt.CustomerID, s.opt.ClientID, strings.Join(zones, ", "), s.URL, s.TokenURL, s.opt.DaysPerRequest)
	if !s.opt.NoHeaderFooter {
		y += "report_header_footer: true\n"
	}
	return y, map[string]string{
		"MICROSOFT_ADS_CLIENT_SECRET":   s.opt.ClientSecret,
		"MICROSOFT_ADS_REFRESH_TOKEN":   s.opt.RefreshToken,
		"MICROSOFT_ADS_DEVELOPER_TOKEN": s.opt.DeveloperToken,
	}
}

// Secrets returns every credential: configured ones, each access and
// refresh token the fake issued, and each download URL's signature.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.opt.ClientSecret, s.opt.RefreshToken, s.opt.DeveloperToken}, s.issued...)
}

// SetPageSize does nothing: a report is one file, not pages.
func (s *Server) SetPageSize(int) {}

// Inject makes the nth Submit or Poll request from now (1 = the next) fail
// with kind. Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// InjectDownload makes the nth download from now fail with kind
// (Malformed, ServerError or SignatureExpired).
func (s *Server) InjectDownload(n int, kind string) { s.dl.Inject(n, kind) }

// Requests returns how many Submit and Poll requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// Pages returns how many report files the fake served.
func (s *Server) Pages() int {
	return s.dl.Requests()
}

// Submits returns the bodies of the SubmitGenerateReport requests, oldest first.
func (s *Server) Submits() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.submits)
}

// Headers returns the headers of each Submit and Poll request, oldest first.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.headers)
}

// DownloadHeaders returns the headers of each download request.
func (s *Server) DownloadHeaders() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dlHeaders)
}

// ThrottleHint is the wait a CallRateExceeded answer asks for: none on the
// wire, so the connector's throttle_wait default (one minute).
func (s *Server) ThrottleHint() time.Duration { return time.Minute }

// PermanentMessage is the message of the fake's UserIsNotAuthorized answer.
func (s *Server) PermanentMessage() string {
	return "The user does not represent a authorized developer."
}

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Expected returns the rows a microsoft_ads source must hold for the days
// of r, as normalized text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for _, row := range s.rows(ai, r.From, r.To) {
			out = append(out, map[string]string{
				"date": row.date.Format(time.DateOnly), "platform": "microsoft_ads", "account_id": a.ID,
				"account_timezone": a.TimeZone, "campaign_id": row.c.id, "campaign_name": row.c.name,
				"ad_group_id": "NULL", "ad_id": "NULL", "channel": "paid_search", "currency": a.Currency,
				"spend": money(row.m.spendCents), "impressions": strconv.FormatInt(row.m.impressions, 10),
				"clicks": strconv.FormatInt(row.m.clicks, 10), "conversions": conversionsText(row.m),
				"conversion_value": money(row.m.revenueCents),
			})
		}
	}
	return out
}

type fakeRow struct {
	date time.Time
	c    campaign
	m    metrics
}

// rows returns account ai's rows with impressions for days in [from, to].
// Callers hold s.mu.
func (s *Server) rows(ai int, from, to time.Time) []fakeRow {
	if from.Before(s.opt.From) {
		from = s.opt.From
	}
	if to.After(s.opt.To) {
		to = s.opt.To
	}
	var out []fakeRow
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		v := s.Version(d)
		for _, c := range s.campaigns[ai] {
			m := s.day(ai, c, d, v)
			if m.impressions > 0 {
				out = append(out, fakeRow{date: d, c: c, m: m})
			}
		}
	}
	return out
}

// token is the Microsoft identity platform's token endpoint (refresh-token
// grant). Every refresh returns a new refresh token; earlier ones keep
// working until revoked.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.AddTokenRequest()
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, 400, `{"error":"invalid_request","error_description":"AADSTS900144: The request body must contain the following parameter: 'grant_type'."}`)
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "refresh_token":
		writeJSON(w, 400, `{"error":"unsupported_grant_type","error_description":"AADSTS70003: The app requested an unsupported grant type."}`)
	case f.Get("client_id") != s.opt.ClientID || f.Get("client_secret") != s.opt.ClientSecret:
		writeJSON(w, 401, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
	case !strings.Contains(f.Get("scope"), "msads.manage"):
		writeJSON(w, 400, `{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for the input parameter 'scope' is not valid."}`)
	case s.revoked || !s.refresh[f.Get("refresh_token")]:
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired due to inactivity."}`)
	default:
		tok := "EwB4A8l6BAAU" + fakekit.RandomHex(16)
		rt := "M.C5fake_rotated_" + fakekit.RandomHex(10)
		s.tokens[tok], s.refresh[rt] = true, true
		s.issued = append(s.issued, tok, rt)
		writeJSON(w, 200, fmt.Sprintf(`{"token_type":"Bearer","scope":"https://ads.microsoft.com/msads.manage","expires_in":3600,"ext_expires_in":3600,"access_token":%q,"refresh_token":%q}`, tok, rt))
	}
}

func fault(code int, errorCode, msg, tracking string) string {
	return fmt.Sprintf(`{"OperationErrors":[{"Code":%d,"Details":null,"ErrorCode":%q,"Message":%s}],"BatchErrors":[],"TrackingId":%q,"Type":"ApiFaultDetail"}`,
		code, errorCode, jsonString(msg), tracking)
}

func authFault(code int, errorCode, msg, tracking string) string {
	return fmt.Sprintf(`{"Errors":[{"Code":%d,"Details":null,"ErrorCode":%q,"Message":%s}],"TrackingId":%q,"Type":"AdApiFaultDetail"}`,
		code, errorCode, jsonString(msg), tracking)
}

// api serves POST /v13/GenerateReport/Submit and /Poll.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/")
	op := ""
	switch rest {
	case "v13/GenerateReport/Submit":
		op = "submit"
	case "v13/GenerateReport/Poll":
		op = "poll"
	default:
		writeJSON(w, 404, `{"Message":"No HTTP resource was found that matches the request URI."}`)
		return
	}
	if r.Method != http.MethodPost {
		writeJSON(w, 405, `{"Message":"The requested resource does not support http method '`+r.Method+`'."}`)
		return
	}
	s.faults.Count()
	s.headers = append(s.headers, r.Header.Clone())
	tracking := fmt.Sprintf("6560fake-%04d-4c1d-9e2f-%012d", s.faults.Requests()%10000, s.faults.Requests())
	w.Header().Set("TrackingId", tracking)
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		writeJSON(w, 429, fault(117, "CallRateExceeded", "You have exceeded the number of calls that you are allowed to make in a minute. Please reduce the number of calls that you make per minute.", tracking))
		return
	case ServerError:
		writeJSON(w, 500, fault(0, "InternalError", "An internal error has occurred.", tracking))
		return
	case ExpiredToken, Revoked:
		clear(s.tokens)
		if kind == Revoked {
			s.revoked = true
		}
	case PermissionDenied:
		writeJSON(w, 400, fault(106, "UserIsNotAuthorized", s.PermanentMessage(), tracking))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokens[tok] {
		writeJSON(w, 401, authFault(109, "AuthenticationTokenExpired", "Authentication token expired. Please renew it or obtain a new token.", tracking))
		return
	}
	if r.Header.Get("DeveloperToken") != s.opt.DeveloperToken {
		writeJSON(w, 400, authFault(105, "InvalidCredentials", "Authentication failed. Either supplied credentials are invalid or the account is inactive.", tracking))
		return
	}
	acct := r.Header.Get("CustomerAccountId")
	ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == acct })
	if r.Header.Get("CustomerId") != s.opt.CustomerID || ai < 0 {
		writeJSON(w, 400, fault(106, "UserIsNotAuthorized", s.PermanentMessage(), tracking))
		return
	}
	var body []byte
	buf := new(bytes.Buffer)
	_, _ = buf.ReadFrom(r.Body)
	body = buf.Bytes()
	var out string
	status := 200
	if op == "submit" {
		out, status = s.submit(ai, body, tracking)
	} else {
		out, status = s.poll(body, tracking)
	}
	if kind == Malformed && status == 200 {
		out = out[:len(out)/2]
	}
	writeJSON(w, status, out)
}

// submitBody is what the fake reads of a CampaignPerformanceReportRequest.
type submitBody struct {
	ReportRequest *struct {
		Type                string   `json:"Type"`
		ReportName          string   `json:"ReportName"`
		Format              string   `json:"Format"`
		ExcludeReportHeader bool     `json:"ExcludeReportHeader"`
		ExcludeReportFooter bool     `json:"ExcludeReportFooter"`
		Aggregation         string   `json:"Aggregation"`
		Columns             []string `json:"Columns"`
		Scope               struct {
			AccountIDs []json.Number `json:"AccountIds"`
		} `json:"Scope"`
		Time struct {
			Start *ymd `json:"CustomDateRangeStart"`
			End   *ymd `json:"CustomDateRangeEnd"`
		} `json:"Time"`
	} `json:"ReportRequest"`
}

type ymd struct{ Day, Month, Year int }

func (d ymd) date() (time.Time, bool) {
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d.Day && int(t.Month()) == d.Month && d.Year > 2000
}

var knownColumns = []string{"TimePeriod", "AccountId", "AccountName", "AccountNumber", "CampaignId", "CampaignName",
	"CampaignStatus", "CurrencyCode", "Spend", "Impressions", "Clicks", "Ctr", "AverageCpc", "Conversions", "Revenue"}

func (s *Server) submit(ai int, body []byte, tracking string) (string, int) {
	s.submits = append(s.submits, json.RawMessage(slices.Clone(body)))
	var sb submitBody
	if err := json.Unmarshal(body, &sb); err != nil || sb.ReportRequest == nil {
		return fault(100, "NullRequest", "The request message is null.", tracking), 400
	}
	rr := sb.ReportRequest
	bad := func(code int, ec, msg string) (string, int) { return fault(code, ec, msg, tracking), 400 }
	switch {
	case rr.Type != "CampaignPerformanceReportRequest":
		return bad(2001, "ReportingServiceInvalidReportType", "The report type is not valid.") // (unverified code)
	case rr.Format != "Csv":
		return bad(2002, "ReportingServiceInvalidReportFormat", "The fake serves Csv reports only.")
	case rr.Aggregation != "Daily":
		return bad(2003, "ReportingServiceInvalidReportAggregation", "The fake serves Daily aggregation only.")
	case len(rr.Scope.AccountIDs) != 1 || rr.Scope.AccountIDs[0].String() != s.opt.Accounts[ai].ID:
		return bad(2004, "ReportingServiceInvalidAccountIds", "Scope.AccountIds must hold the CustomerAccountId of the request.")
	case rr.Time.Start == nil || rr.Time.End == nil:
		return bad(2005, "ReportingServiceInvalidCustomDateRangeStart", "A custom date range is required.")
	}
	for _, c := range rr.Columns {
		if !slices.Contains(knownColumns, c) {
			return bad(2006, "ReportingServiceInvalidReportColumns", "The report column "+c+" is not valid.")
		}
	}
	for _, c := range []string{"TimePeriod", "CampaignId"} {
		if !slices.Contains(rr.Columns, c) {
			return bad(2007, "ReportingServiceRequiredColumnsNotSelected", "The column "+c+" is required.")
		}
	}
	from, ok1 := rr.Time.Start.date()
	to, ok2 := rr.Time.End.date()
	if !ok1 || !ok2 || to.Before(from) {
		return bad(2008, "ReportingServiceInvalidCustomDateRangeEnd", "The custom date range is not valid.")
	}
	s.nextID++
	id := strconv.FormatInt(s.nextID, 10)
	s.reports[id] = &report{id: id, account: ai, from: from, to: to, columns: rr.Columns,
		header: !rr.ExcludeReportHeader, footer: !rr.ExcludeReportFooter, name: rr.ReportName}
	return `{"ReportRequestId":"` + id + `"}`, 200
}

func (s *Server) poll(body []byte, tracking string) (string, int) {
	var pb struct {
		ReportRequestID string `json:"ReportRequestId"`
	}
	if err := json.Unmarshal(body, &pb); err != nil || pb.ReportRequestID == "" {
		return fault(100, "NullRequest", "The request message is null.", tracking), 400
	}
	rep, ok := s.reports[pb.ReportRequestID]
	if !ok {
		return fault(2100, "ReportingServiceInvalidReportId", "The specified report request identifier is not valid.", tracking), 400
	}
	rep.polls++
	if rep.polls <= s.opt.PendingPolls {
		return `{"ReportRequestStatus":{"ReportDownloadUrl":null,"Status":"Pending"}}`, 200
	}
	if len(s.rows(rep.account, rep.from, rep.to)) == 0 {
		return `{"ReportRequestStatus":{"ReportDownloadUrl":null,"Status":"Success"}}`, 200
	}
	// Each successful poll signs a fresh URL.
	sig := fakekit.RandomHex(22)
	rep.sigs = append(rep.sigs, sig+"=")
	s.issued = append(s.issued, sig)
	u := s.srv.URL + s.opt.Prefix + "/download/" + rep.id + ".zip?sv=2018-03-28&sr=b&sig=" + url.QueryEscape(sig+"=") +
		"&st=2026-10-22T11%3A55%3A00Z&se=2026-10-22T12%3A55%3A00Z&sp=r"
	// Written by hand: Microsoft does not escape '&' as \u0026.
	return `{"ReportRequestStatus":{"ReportDownloadUrl":"` + u + `","Status":"Success"}}`, 200
}

// download serves the pre-signed report URL: no Authorization needed, the
// signature must match.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dlHeaders = append(s.dlHeaders, r.Header.Clone())
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, s.opt.Prefix+"/download/"), ".zip")
	rep, ok := s.reports[id]
	if !ok || !slices.Contains(rep.sigs, r.URL.Query().Get("sig")) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.</Message></Error>`))
		return
	}
	s.dl.Count()
	kind := s.dl.Fault()
	switch kind {
	case ServerError:
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>`))
		return
	case SignatureExpired:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Signed expiry time [Thu, 22 Oct 2026 12:55:00 GMT] has to be after signed start time</Message></Error>`))
		return
	}
	z := s.zipReport(rep)
	if kind == Malformed {
		z = z[:len(z)/2]
	}
	w.Header().Set("Content-Type", "application/x-zip-compressed")
	w.WriteHeader(200)
	_, _ = w.Write(z)
}

// CSV renders a report as Microsoft writes it (quoted fields, header block
// and footer when asked for). The header block's wording is unverified.
func (s *Server) csvReport(rep *report) []byte {
	var b bytes.Buffer
	if !s.opt.NoBOM {
		b.WriteString("\xef\xbb\xbf")
	}
	rows := s.rows(rep.account, rep.from, rep.to)
	a := s.opt.Accounts[rep.account]
	line := func(fields ...string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	if rep.header {
		line("Report Name: " + rep.name)
		line("Report Time: " + rep.from.Format("1/2/2006") + "," + rep.to.Format("1/2/2006"))
		line("Time Zone: " + a.TimeZone)
		line("Last Completed Available Day: " + s.opt.To.Format("1/2/2006") + " 11:59:59 PM")
		line("Last Completed Available Hour: " + s.opt.To.Format("1/2/2006") + " 11:59:59 PM")
		line("Report Aggregation: Daily")
		line("Report Filter: ")
		line("Potential Incomplete Data: false")
		line("Rows: " + strconv.Itoa(len(rows)))
		line("")
	}
	line(rep.columns...)
	for _, row := range rows {
		vals := make([]string, len(rep.columns))
		for i, c := range rep.columns {
			switch c {
			case "TimePeriod":
				vals[i] = row.date.Format(s.opt.TimePeriodLayout)
			case "AccountId":
				vals[i] = a.ID
			case "AccountName":
				vals[i] = a.Name
			case "CampaignId":
				vals[i] = row.c.id
			case "CampaignName":
				vals[i] = row.c.name
			case "CurrencyCode":
				vals[i] = a.Currency
			case "Spend":
				vals[i] = money(row.m.spendCents)
			case "Impressions":
				vals[i] = strconv.FormatInt(row.m.impressions, 10)
			case "Clicks":
				vals[i] = strconv.FormatInt(row.m.clicks, 10)
			case "Conversions":
				vals[i] = conversionsText(row.m)
			case "Revenue":
				vals[i] = money(row.m.revenueCents)
			}
		}
		line(vals...)
	}
	if rep.footer {
		line("")
		line("©" + strconv.Itoa(s.opt.To.Year()) + " Microsoft Corporation. All rights reserved. ")
	}
	return b.Bytes()
}

func (s *Server) zipReport(rep *report) []byte {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	f, _ := zw.Create(rep.id + ".csv")
	_, _ = f.Write(s.csvReport(rep))
	_ = zw.Close()
	return z.Bytes()
}

// CSVFor renders the CSV of account ai for [from, to] with the default
// columns and Microsoft's header and footer, for benchmarks and parser tests.
func (s *Server) CSVFor(ai int, from, to time.Time, headerFooter bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := &report{id: "bench", account: ai, from: from, to: to, header: headerFooter, footer: headerFooter, name: "bench",
		columns: []string{"TimePeriod", "AccountId", "CampaignId", "CampaignName", "CurrencyCode", "Spend", "Impressions", "Clicks", "Conversions", "Revenue"}}
	return s.csvReport(rep)
}

// ZipFor is CSVFor zipped, as the download serves it.
func (s *Server) ZipFor(ai int, from, to time.Time, headerFooter bool) []byte {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	f, _ := zw.Create("bench.csv")
	_, _ = f.Write(s.CSVFor(ai, from, to, headerFooter))
	_ = zw.Close()
	return z.Bytes()
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
