// Package metatest is a fake of Meta's Marketing API insights for tests and
// the demo: ad account metadata, synchronous insights with paging.next,
// async report runs, usage headers, and Meta's error bodies.
package metatest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Failure kinds for Inject. The first six match the conformance suite's names.
const (
	// Throttle answers HTTP 400 with error code ThrottleCode (17 by default)
	// and estimated_time_to_regain_access of ThrottleHint in
	// X-Business-Use-Case-Usage.
	Throttle = "throttle"
	// ServerError answers HTTP 500 with code 2 (is_transient).
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken invalidates the access token and answers code 190
	// subcode 463 (Meta has no refresh tokens: it stays invalid).
	ExpiredToken = "expired_token"
	// Revoked invalidates the access token and answers code 190 subcode 460.
	Revoked = "revoked"
	// PermissionDenied answers HTTP 400 code 100 subcode 33: the ad account
	// cannot be loaded due to missing permissions.
	PermissionDenied = "permission_denied"
	// TooLarge answers HTTP 500 code 1 "Please reduce the amount of data
	// you're asking for, then retry your request".
	TooLarge = "too_large"
	// Timeout answers HTTP 400 code 100 subcode 1504018.
	Timeout = "timeout"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/meta").
	Prefix string
	// Seed makes different but deterministic data (default 1).
	Seed uint64
	// Accounts served (default: one in EUR on Europe/Berlin with every
	// purchase type, one in USD on America/Los_Angeles without
	// omni_purchase).
	Accounts []Account
	// From and To are the days with data (default 2026-10-01..2026-10-20).
	From, To time.Time
	// Campaigns per account (default 3), AdSets per campaign (default 2),
	// Ads per ad set (default 2).
	Campaigns, AdSets, Ads int
	// PageSize caps the rows of a page below the request's limit (default 500).
	PageSize int
	// Level, DaysPerRequest and AsyncAfterDays go into Config (defaults
	// campaign, 7, and unset).
	Level          string
	DaysPerRequest int
	AsyncAfterDays *int
	// Windows and ActionTypes go into Config and drive Expected (defaults
	// [7d_click, 1d_view] and [omni_purchase, purchase,
	// offsite_conversion.fb_pixel_purchase]); SumTypes sets
	// conversion_action_mode sum.
	Windows, ActionTypes []string
	SumTypes             bool
	// AccessToken is the token the fake accepts (default a random EAA… token).
	AccessToken string
	// AppSecret, when set, makes the fake require appsecret_proof.
	AppSecret string
	// MinVersion is the oldest major served (default 25).
	MinVersion int
	// ThrottleCode is the error code of Throttle answers (default 17).
	ThrottleCode int
	// AsyncPolls is how many polls a report run needs to complete (default 2).
	AsyncPolls int
	// FailRuns makes the first n report runs end in "Job Failed".
	FailRuns int
	// UsagePct is the call_count the usage headers report (default 12).
	UsagePct int
	// NextBase, when set, is the base of paging.next links instead of the
	// fake's URL: "https://graph.facebook.com" makes them look like
	// production's, which a client must rebase onto base_url.
	NextBase string
	// Fixture, when set, replaces the invented data: the fake serves
	// exactly the meta accounts of the set (ids without act_, each with
	// the default purchase ActionTypes) and their ad rows, at the rows'
	// grain (Level defaults to it; a coarser Level sums them). Seed,
	// Accounts, Campaigns, AdSets and Ads are ignored; From and To default
	// to the span of the rows; Config sets the rows' channel. Values
	// change only through Restate. New panics when the set cannot be
	// served (see CheckFixture).
	Fixture *fixture.Set
}

// Server is a fake Graph API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	entities [][]campaign
	fix      *fixtureData   // nil without Options.Fixture
	token    string         // "" valid, else why it is not: expired, revoked
	faults   fakekit.Faults // requests counted, faults injected
	runs     map[string]*run
	runSeq   int
	log      []Call

	// Ledger: Restate changes the values of day (every account and ad), as Meta
	// does when late conversions arrive or billing is adjusted; Pages counts
	// insights pages sent.
	fakekit.Ledger
}

// Call is one request the fake received.
type Call struct {
	Method, Path string
	Query        url.Values // form values merged, access_token removed
}

type run struct {
	account int
	params  url.Values
	polls   int
	fail    bool
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/meta"
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
			panic(fmt.Sprintf("metatest: Level %s is finer than the fixture rows (%s)", o.Level, fd.level))
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
			{ID: "100000000000001", Name: "Lumen Tea EU", Currency: "EUR", TimeZone: "Europe/Berlin"},
			{ID: "100000000000002", Name: "Lumen Tea US", Currency: "USD", TimeZone: "America/Los_Angeles",
				ActionTypes: []string{"purchase", "offsite_conversion.fb_pixel_purchase"}},
		}
	}
	for i := range o.Accounts {
		if o.Accounts[i].ActionTypes == nil {
			o.Accounts[i].ActionTypes = []string{"omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"}
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
	if o.AdSets <= 0 {
		o.AdSets = 2
	}
	if o.Ads <= 0 {
		o.Ads = 2
	}
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.Level == "" {
		o.Level = "campaign"
	}
	if o.DaysPerRequest <= 0 {
		o.DaysPerRequest = 7
	}
	if o.Windows == nil {
		o.Windows = []string{"7d_click", "1d_view"}
	}
	if o.ActionTypes == nil {
		o.ActionTypes = []string{"omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase"}
	}
	if o.AccessToken == "" {
		o.AccessToken = "EAAB" + fakekit.RandomHex(24)
	}
	if o.MinVersion <= 0 {
		o.MinVersion = 25
	}
	if o.ThrottleCode == 0 {
		o.ThrottleCode = 17
	}
	if o.AsyncPolls <= 0 {
		o.AsyncPolls = 2
	}
	if o.UsagePct <= 0 {
		o.UsagePct = 12
	}
	s := &Server{opt: o, fix: fd, runs: map[string]*run{}}
	for i := range o.Accounts {
		if fd == nil { // fixture rows carry their own entities
			s.entities = append(s.entities, s.build(i))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the keys of a meta source pointing at the fake (the token
// as ${META_ACCESS_TOKEN}), and the environment that reference needs.
func (s *Server) Config() (string, map[string]string) {
	var ids []string
	for i, a := range s.opt.Accounts {
		id := a.ID
		if i == 0 {
			id = "act_" + id // the prefix is optional
		}
		ids = append(ids, strconv.Quote(id))
	}
	q := func(xs []string) string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strconv.Quote(x)
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	y := fmt.Sprintf(`ad_account_ids: [%s]
access_token: ${META_ACCESS_TOKEN}
base_url: %s
level: %s
days_per_request: %d
attribution_windows: %s
conversion_action_types: %s
`, strings.Join(ids, ", "), s.URL, s.opt.Level, s.opt.DaysPerRequest, q(s.opt.Windows), q(s.opt.ActionTypes))
	env := map[string]string{"META_ACCESS_TOKEN": s.opt.AccessToken}
	if s.fix != nil && s.fix.channel != "" {
		y += "channel: " + s.fix.channel + "\n"
	}
	if s.opt.SumTypes {
		y += "conversion_action_mode: sum\n"
	}
	if s.opt.AsyncAfterDays != nil {
		y += fmt.Sprintf("async_after_days: %d\n", *s.opt.AsyncAfterDays)
	}
	if s.opt.AppSecret != "" {
		y += "app_secret: ${META_APP_SECRET}\n"
		env["META_APP_SECRET"] = s.opt.AppSecret
	}
	return y, env
}

// Secrets returns the access token and the app secret.
func (s *Server) Secrets() []string {
	out := []string{s.opt.AccessToken}
	if s.opt.AppSecret != "" {
		out = append(out, s.opt.AppSecret)
	}
	return out
}

// SetPageSize caps the rows per page.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.PageSize = max(n, 1)
}

// Inject makes the nth API request from now (1 = the next) fail with kind.
// Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many API requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// Calls returns the requests received, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ThrottleHint is the estimated_time_to_regain_access of Throttle answers.
func (s *Server) ThrottleHint() time.Duration { return 3 * time.Minute }

// PermanentMessage is the message of the PermissionDenied answer.
func (s *Server) PermanentMessage() string {
	return "cannot be loaded due to missing permissions"
}

// Days returns the days the fake has data for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// fakeRow is one insights row before rendering.
type fakeRow struct {
	date string
	c    *campaign
	set  *adSet
	ad   *ad
	m    metrics
	fx   *fixture.AdRow // the metrics of a fixture row (m is zero)
}

// rows returns account ai's rows at level for days in [from, to], day by
// day; rows without delivery are left out. Callers hold s.mu.
func (s *Server) rows(ai int, level string, from, to time.Time) []fakeRow {
	from, to = maxTime(from, s.opt.From), minTime(to, s.opt.To)
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
			for si := range c.sets {
				set := &c.sets[si]
				var sm metrics
				for di := range set.ads {
					m := s.adDay(set.ads[di].id, day, v)
					if level == "ad" && !m.zero() {
						out = append(out, fakeRow{date: date, c: c, set: set, ad: &set.ads[di], m: m})
					}
					sm.add(m)
				}
				if level == "adset" && !sm.zero() {
					out = append(out, fakeRow{date: date, c: c, set: set, m: sm})
				}
				cm.add(sm)
			}
			if level == "campaign" && !cm.zero() {
				out = append(out, fakeRow{date: date, c: c, m: cm})
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

func windowIndex(w string) int { return slices.Index(windows, w) }

// valueIdx are the windows of the "value" key: the account's attribution
// setting, 7-day click and 1-day view.
var valueIdx = []int{1, 3}

// present reports whether a row has an entry of action type t.
func present(m metrics, t string) bool {
	for i := range m.count {
		if share(m.count[i], t) != 0 || share(m.valueCents[i], t) != 0 {
			return true
		}
	}
	return false
}

// Expected returns the rows a meta source configured by Config must hold
// for the days of r, as normalized text.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for _, row := range s.rows(ai, s.opt.Level, r.From, r.To) {
			if row.fx != nil {
				out = append(out, s.expectedFixture(a, row))
				continue
			}
			m := map[string]string{
				"date": row.date, "platform": "meta", "account_id": a.ID, "account_timezone": a.TimeZone,
				"campaign_id": row.c.id, "campaign_name": row.c.name, "ad_group_id": "NULL", "ad_group_name": "NULL",
				"ad_id": "NULL", "ad_name": "NULL", "channel": "paid_social", "currency": a.Currency,
				"spend": money(row.m.spendCents, 2), "impressions": strconv.FormatInt(row.m.impressions, 10),
				"clicks": strconv.FormatInt(row.m.clicks, 10),
			}
			if row.set != nil {
				m["ad_group_id"], m["ad_group_name"] = row.set.id, row.set.name
			}
			if row.ad != nil {
				m["ad_id"], m["ad_name"] = row.ad.id, row.ad.name
			}
			var picked []string
			for _, t := range s.opt.ActionTypes {
				if slices.Contains(a.ActionTypes, t) && present(row.m, t) {
					picked = append(picked, t)
					if !s.opt.SumTypes {
						break
					}
				}
			}
			var conv, val int64
			for _, w := range s.opt.Windows {
				var c, v int64
				for _, t := range picked {
					c += share(row.m.count[windowIndex(w)], t)
					v += share(row.m.valueCents[windowIndex(w)], t)
				}
				m["conversions_"+w] = strconv.FormatInt(c, 10)
				m["conversion_value_"+w] = money(v, 2)
				conv, val = conv+c, val+v
			}
			m["conversions"], m["conversion_value"] = strconv.FormatInt(conv, 10), money(val, 2)
			out = append(out, m)
		}
	}
	return out
}

var (
	reVersion = regexp.MustCompile(`^v(\d+)\.(\d+)$`)
	reAct     = regexp.MustCompile(`^act_(\d+)$`)
	reRun     = regexp.MustCompile(`^\d{10,}$`)
)

// api serves the Graph API paths under the prefix.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = r.ParseForm()
	q := r.Form // query and, for POST, the form body
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, s.opt.Prefix), "/"), "/")
	s.faults.Count()
	trace := fmt.Sprintf("AfAk3Tr%06d", s.faults.Requests())
	w.Header().Set("X-Fb-Trace-Id", trace)
	w.Header().Set("X-Fb-Request-Id", trace)
	logged := url.Values{}
	for k, v := range q {
		if k != "access_token" && k != "appsecret_proof" {
			logged[k] = v
		}
	}
	s.log = append(s.log, Call{Method: r.Method, Path: r.URL.Path, Query: logged})
	acct := ""
	if len(parts) > 1 {
		if m := reAct.FindStringSubmatch(parts[1]); m != nil {
			acct = m[1]
		}
	}
	kind := s.faults.Fault()
	switch kind {
	case Throttle:
		w.Header().Set("X-Business-Use-Case-Usage", s.usage(acct, 100, int(s.ThrottleHint()/time.Minute)))
		msg := map[int]string{
			17:    "(#17) User request limit reached",
			4:     "(#4) Application request limit reached",
			613:   "(#613) Calls to this api have exceeded the rate limit.",
			80000: "(#80000) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-insights.",
			80004: "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
		}[s.opt.ThrottleCode]
		s.fail(w, 400, graphError(msg, "OAuthException", s.opt.ThrottleCode, 2446079, true, trace))
		return
	case ServerError:
		s.fail(w, 500, graphError("An unexpected error has occurred. Please retry your request later.", "OAuthException", 2, 0, true, trace))
		return
	case TooLarge:
		s.fail(w, 500, graphError("Please reduce the amount of data you're asking for, then retry your request", "OAuthException", 1, 0, false, trace))
		return
	case Timeout:
		s.fail(w, 400, graphError("(#100) The request timed out. Please reduce the amount of data you're asking for or use an async request.", "OAuthException", 100, 1504018, false, trace))
		return
	case ExpiredToken:
		s.token = "expired"
	case Revoked:
		s.token = "revoked"
	case PermissionDenied:
		s.fail(w, 400, permissionDenied("act_"+acctOr(acct, s.opt.Accounts[0].ID), trace))
		return
	}
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		tok = q.Get("access_token")
	}
	switch {
	case tok == "":
		s.fail(w, 400, graphError("An access token is required to request this resource.", "OAuthException", 104, 0, false, trace))
		return
	case tok != s.opt.AccessToken:
		s.fail(w, 400, graphError("Invalid OAuth access token - Cannot parse access token", "OAuthException", 190, 0, false, trace))
		return
	case s.token == "expired":
		s.fail(w, 400, graphError("Error validating access token: Session has expired on Monday, 02-Nov-26 09:00:00 PST. The current time is Tuesday, 03-Nov-26 01:12:40 PST.", "OAuthException", 190, 463, false, trace))
		return
	case s.token == "revoked":
		s.fail(w, 400, graphError("Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.", "OAuthException", 190, 460, false, trace))
		return
	}
	if s.opt.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(s.opt.AppSecret))
		mac.Write([]byte(tok))
		if q.Get("appsecret_proof") != hex.EncodeToString(mac.Sum(nil)) {
			s.fail(w, 400, graphError("Invalid appsecret_proof provided in the API argument", "GraphMethodException", 100, 0, false, trace))
			return
		}
	}
	vm := reVersion.FindStringSubmatch(parts[0])
	if vm == nil || len(parts) < 2 {
		s.fail(w, 400, graphError("Unknown path components: /"+strings.Join(parts, "/"), "OAuthException", 2500, 0, false, trace))
		return
	}
	if v, _ := strconv.Atoi(vm[1]); v < s.opt.MinVersion {
		s.fail(w, 400, graphError(fmt.Sprintf("(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v%d.0.", s.opt.MinVersion+1), "OAuthException", 2635, 0, false, trace))
		return
	}
	w.Header().Set("X-Business-Use-Case-Usage", s.usage(acct, s.opt.UsagePct, 0))
	w.Header().Set("X-Ad-Account-Usage", fmt.Sprintf(`{"acc_id_util_pct":%d.5,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}`, s.opt.UsagePct/2))
	w.Header().Set("X-Fb-Ads-Insights-Throttle", fmt.Sprintf(`{"app_id_util_pct":0.5,"acc_id_util_pct":%d.1,"ads_api_access_tier":"standard_access"}`, s.opt.UsagePct/3))
	ai := slices.IndexFunc(s.opt.Accounts, func(a Account) bool { return a.ID == acct })
	switch {
	case acct != "" && ai < 0:
		s.fail(w, 400, permissionDenied(parts[1], trace))
	case acct != "" && len(parts) == 2 && r.Method == http.MethodGet:
		a := s.opt.Accounts[ai]
		s.ok(w, fmt.Sprintf(`{"name":%s,"currency":%q,"timezone_name":%q,"id":"act_%s"}`, jsonString(a.Name), a.Currency, a.TimeZone, a.ID), kind)
	case acct != "" && len(parts) == 3 && parts[2] == "insights" && r.Method == http.MethodGet:
		body, status := s.insights(ai, q, parts[0]+"/"+parts[1]+"/insights", trace)
		if status != 200 {
			s.fail(w, status, body)
			return
		}
		s.ok(w, body, kind)
	case acct != "" && len(parts) == 3 && parts[2] == "insights" && r.Method == http.MethodPost:
		if _, status := s.query(q, trace); status != 200 {
			body, _ := s.query(q, trace)
			s.fail(w, status, body)
			return
		}
		s.runSeq++
		id := fmt.Sprintf("60239201%05d", s.runSeq)
		params := url.Values{}
		for k, v := range q {
			if k != "access_token" && k != "appsecret_proof" {
				params[k] = v
			}
		}
		s.runs[id] = &run{account: ai, params: params, fail: s.runSeq <= s.opt.FailRuns}
		s.ok(w, `{"report_run_id":"`+id+`"}`, kind)
	case reRun.MatchString(parts[1]) && len(parts) == 2 && r.Method == http.MethodGet:
		rn := s.runs[parts[1]]
		if rn == nil {
			s.fail(w, 400, graphError("Unsupported get request. Object with ID '"+parts[1]+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", "GraphMethodException", 100, 33, false, trace))
			return
		}
		rn.polls++
		status, pct := "Job Running", 100*rn.polls/(s.opt.AsyncPolls+1)
		if rn.polls == 1 {
			status = "Job Not Started"
		}
		if rn.polls >= s.opt.AsyncPolls {
			status, pct = "Job Completed", 100
			if rn.fail {
				status, pct = "Job Failed", 0
			}
		}
		s.ok(w, fmt.Sprintf(`{"id":%q,"account_id":%q,"time_ref":1762160000,"async_status":%q,"async_percent_completion":%d,"date_start":%q,"date_stop":%q}`,
			parts[1], s.opt.Accounts[rn.account].ID, status, pct, "", ""), kind)
	case reRun.MatchString(parts[1]) && len(parts) == 3 && parts[2] == "insights" && r.Method == http.MethodGet:
		rn := s.runs[parts[1]]
		if rn == nil || rn.polls < s.opt.AsyncPolls || rn.fail {
			s.fail(w, 400, graphError("(#-2) Async job failed or is not completed; submit it again", "OAuthException", -2, 2490547, false, trace))
			return
		}
		params := url.Values{}
		for k, v := range rn.params {
			params[k] = v
		}
		for _, k := range []string{"limit", "after"} {
			if v := q.Get(k); v != "" {
				params.Set(k, v)
			}
		}
		body, status := s.insights(rn.account, params, parts[0]+"/"+parts[1]+"/insights", trace)
		if status != 200 {
			s.fail(w, status, body)
			return
		}
		s.ok(w, body, kind)
	default:
		s.fail(w, 400, graphError("Unsupported "+strings.ToLower(r.Method)+" request.", "GraphMethodException", 100, 0, false, trace))
	}
}

func acctOr(a, def string) string {
	if a != "" {
		return a
	}
	return def
}

func permissionDenied(obj, trace string) string {
	return graphError("Unsupported get request. Object with ID '"+obj+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
		"GraphMethodException", 100, 33, false, trace)
}

// usage renders X-Business-Use-Case-Usage.
func (s *Server) usage(acct string, pct, regainMin int) string {
	if acct == "" {
		acct = s.opt.Accounts[0].ID
	}
	return fmt.Sprintf(`{%q:[{"type":"ads_insights","call_count":%d,"total_cputime":%d,"total_time":%d,"estimated_time_to_regain_access":%d,"ads_api_access_tier":"standard_access"}]}`,
		acct, pct, pct/2, pct/2, regainMin)
}

// query is the parsed insights request.
type query struct {
	level          string
	since, until   time.Time
	fields         []string
	windows        []string
	limit, offset  int
	timeIncrement1 bool
}

var knownFields = []string{"campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name", "account_id",
	"account_currency", "spend", "impressions", "clicks", "actions", "action_values", "date_start", "date_stop"}

// query parses and checks insights parameters; on a problem it returns
// Meta's error body and 400.
func (s *Server) query(q url.Values, trace string) (string, int) {
	_, body, status := s.parse(q, trace)
	return body, status
}

func (s *Server) parse(q url.Values, trace string) (*query, string, int) {
	bad := func(msg string) (*query, string, int) {
		return nil, graphError(msg, "OAuthException", 100, 0, false, trace), 400
	}
	p := &query{level: q.Get("level"), limit: 25}
	if p.level == "" {
		p.level = "account"
	}
	if !slices.Contains([]string{"campaign", "adset", "ad"}, p.level) {
		return bad("(#100) level must be one of the following values: ad, adset, campaign, account")
	}
	if q.Get("time_increment") != "1" {
		return bad("(#100) the fake serves daily rows only: time_increment=1")
	}
	var tr struct{ Since, Until string }
	if err := json.Unmarshal([]byte(q.Get("time_range")), &tr); err != nil {
		return bad("(#100) param time_range must be a JSON object with since and until")
	}
	var err1, err2 error
	p.since, err1 = time.Parse(time.DateOnly, tr.Since)
	p.until, err2 = time.Parse(time.DateOnly, tr.Until)
	if err1 != nil || err2 != nil || p.until.Before(p.since) {
		return bad("(#100) Must be a valid date range: since must be on or before until")
	}
	p.fields = strings.Split(q.Get("fields"), ",")
	for _, f := range p.fields {
		if !slices.Contains(knownFields, f) {
			return bad("(#100) " + f + " is not valid for fields param.")
		}
	}
	if aw := q.Get("action_attribution_windows"); aw != "" {
		if err := json.Unmarshal([]byte(aw), &p.windows); err != nil {
			return bad("(#100) param action_attribution_windows must be an array.")
		}
		for _, w := range p.windows {
			if windowIndex(w) < 0 {
				return bad("(#100) action_attribution_windows[0] must be one of the following values: 1d_view, 7d_view, 28d_view, 1d_click, 7d_click, 28d_click, 1d_ev, dda, default")
			}
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return bad("(#100) param limit must be a positive integer")
		}
		p.limit = n
	}
	if a := q.Get("after"); a != "" {
		b, err := base64.RawURLEncoding.DecodeString(a)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil {
			return bad("(#100) Invalid cursor")
		}
		p.offset = n
	}
	return p, "", 200
}

// insights renders one page of an insights answer; next links point at
// path on the fake, carrying the access token as Meta's do.
func (s *Server) insights(ai int, q url.Values, path, trace string) (string, int) {
	p, body, status := s.parse(q, trace)
	if status != 200 {
		return body, status
	}
	rows := s.rows(ai, p.level, p.since, p.until)
	size := min(p.limit, s.opt.PageSize)
	end := min(p.offset+size, len(rows))
	start := min(p.offset, end)
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, row := range rows[start:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		s.renderRow(&b, s.opt.Accounts[ai], row, p)
	}
	b.WriteString(`]`)
	s.AddPage()
	if len(rows) > 0 {
		cur := func(n int) string { return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(n))) }
		fmt.Fprintf(&b, `,"paging":{"cursors":{"before":%q,"after":%q}`, cur(start), cur(end))
		if end < len(rows) {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("access_token", s.opt.AccessToken)
			nq.Del("appsecret_proof")
			nq.Set("after", cur(end))
			nq.Set("limit", strconv.Itoa(p.limit))
			base := s.URL
			if s.opt.NextBase != "" {
				base = s.opt.NextBase
			}
			fmt.Fprintf(&b, `,"next":%s`, jsonString(base+"/"+path+"?"+nq.Encode()))
		}
		b.WriteString(`}`)
	}
	b.WriteString(`}`)
	return b.String(), 200
}

// renderRow writes one insights row: every metric a string, only the
// requested fields, actions absent when empty.
func (s *Server) renderRow(b *bytes.Buffer, a Account, row fakeRow, p *query) {
	has := func(f string) bool { return slices.Contains(p.fields, f) }
	var parts []string
	add := func(k, v string) { parts = append(parts, jsonString(k)+":"+jsonString(v)) }
	if has("account_id") {
		add("account_id", a.ID)
	}
	if has("campaign_id") {
		add("campaign_id", row.c.id)
	}
	if has("campaign_name") {
		add("campaign_name", row.c.name)
	}
	if row.set != nil && has("adset_id") {
		add("adset_id", row.set.id)
	}
	if row.set != nil && has("adset_name") && row.set.name != "" {
		add("adset_name", row.set.name)
	}
	if row.ad != nil && has("ad_id") {
		add("ad_id", row.ad.id)
	}
	if row.ad != nil && has("ad_name") && row.ad.name != "" {
		add("ad_name", row.ad.name)
	}
	if has("account_currency") {
		add("account_currency", a.Currency)
	}
	spend, impressions, clicks := money(row.m.spendCents, 2), row.m.impressions, row.m.clicks
	if row.fx != nil {
		spend, impressions, clicks = decimal(row.fx.Spend), row.fx.Impressions, row.fx.Clicks
	}
	if has("spend") {
		add("spend", spend)
	}
	if has("impressions") {
		add("impressions", strconv.FormatInt(impressions, 10))
	}
	if has("clicks") {
		add("clicks", strconv.FormatInt(clicks, 10))
	}
	entries := func(values bool) string {
		if row.fx != nil {
			return fixtureEntries(a, *row.fx, p.windows, values)
		}
		var es []string
		if !values && row.m.clicks > 0 {
			es = append(es, `{"action_type":"link_click","value":"`+strconv.FormatInt(row.m.clicks*9/10, 10)+`"}`)
		}
		for _, t := range a.ActionTypes {
			if !present(row.m, t) {
				continue
			}
			src := row.m.count
			render := func(n int64) string { return strconv.FormatInt(n, 10) }
			if values {
				src = row.m.valueCents
				render = func(n int64) string { return money(n, 2) }
			}
			var total int64
			for _, i := range valueIdx {
				total += share(src[i], t)
			}
			e := `{"action_type":"` + t + `","value":"` + render(total) + `"`
			for _, w := range p.windows {
				if n := share(src[windowIndex(w)], t); n != 0 {
					e += `,"` + w + `":"` + render(n) + `"`
				}
			}
			es = append(es, e+"}")
		}
		if len(es) == 0 {
			return ""
		}
		return "[" + strings.Join(es, ",") + "]"
	}
	if has("actions") {
		if e := entries(false); e != "" {
			parts = append(parts, `"actions":`+e)
		}
	}
	if has("action_values") {
		if e := entries(true); e != "" {
			parts = append(parts, `"action_values":`+e)
		}
	}
	add("date_start", row.date)
	add("date_stop", row.date)
	b.WriteString("{" + strings.Join(parts, ",") + "}")
}

// ok writes a 200 answer, cut in half for Malformed.
func (s *Server) ok(w http.ResponseWriter, body, kind string) {
	if kind == Malformed {
		body = body[:len(body)/2]
	}
	writeJSON(w, 200, body)
}

func (s *Server) fail(w http.ResponseWriter, status int, body string) {
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_request"`)
	writeJSON(w, status, body)
}

// graphError renders Meta's error body.
func graphError(msg, typ string, code, subcode int, transient bool, trace string) string {
	sub := ""
	if subcode != 0 {
		sub = fmt.Sprintf(`,"error_subcode":%d`, subcode)
	}
	tr := ""
	if transient {
		tr = `,"is_transient":true`
	}
	return fmt.Sprintf(`{"error":{"message":%s,"type":%q%s,"code":%d%s,"fbtrace_id":%q}}`, jsonString(msg), typ, tr, code, sub, trace)
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
