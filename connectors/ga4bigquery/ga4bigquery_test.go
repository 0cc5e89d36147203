package ga4bigquery_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/ga4bigquery"
	"github.com/pacerhq/pacer/connectors/ga4bigquery/bqtest"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

var day = conntest.Day

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake   *bqtest.Server
	src    *ga4bigquery.Source
	em     *conntest.Emitter
	clock  *httpkit.FakeClock
	logs   *bytes.Buffer
	stream string
	errs   []error
}

func newHarness(t *testing.T, o bqtest.Options, stream, extra string) *harness {
	t.Helper()
	fake := bqtest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	y += extra
	for k, v := range vars {
		// A single-quoted YAML scalar keeps the JSON's quotes and backslashes.
		y = strings.ReplaceAll(y, "${"+k+"}", "'"+strings.ReplaceAll(v, "'", "''")+"'")
	}
	now := fake.Days().To.AddDate(0, 0, 2).Add(12 * time.Hour)
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(now), stream: stream}
	cfg := connectors.Config{
		Name: "ga4bq", StartDate: fake.Days().From,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
	src, err := ga4bigquery.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.src = src
	var st connectors.Stream
	for _, s := range src.Streams() {
		if s.Name == stream {
			st = s
		}
	}
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), st.Name, conntest.WithDateColumn(st.DateColumn))
	t.Cleanup(func() { h.checkSecrets(t) })
	return h
}

// read syncs like a pipeline run: a failed Read is rolled back.
func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	err := h.src.Read(t.Context(), connectors.ReadRequest{
		Stream: h.stream, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
	if err != nil {
		if rerr := h.em.Rollback(t.Context()); rerr != nil {
			t.Fatal(rerr)
		}
		h.errs = append(h.errs, err)
	}
	return err
}

func (h *harness) strings(t *testing.T, q string) []string {
	t.Helper()
	return conntest.Strings(t, h.em, q)
}

func (h *harness) one(t *testing.T, q string) string {
	t.Helper()
	got := h.strings(t, q)
	if len(got) != 1 {
		t.Fatalf("%s: %d rows", q, len(got))
	}
	return got[0]
}

// checkSecrets fails when a credential shows in the logs or an error.
func (h *harness) checkSecrets(t *testing.T) {
	text := h.logs.String()
	for _, err := range h.errs {
		text += "\n" + err.Error()
	}
	for _, s := range h.fake.Secrets() {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("secret %.8s… leaked into logs or errors", s)
		}
	}
}

func TestFullSyncOverPagesAndRequestSequence(t *testing.T) {
	h := newHarness(t, bqtest.Options{PageSize: 4, DaysPerQuery: 7}, ga4bigquery.ConversionsStream, "")
	days := h.fake.Days()
	if err := h.read(t, days.To); err != nil {
		t.Fatal(err)
	}
	want := h.fake.Expected(days)
	if got := h.one(t, "SELECT CAST(count(DISTINCT conversion_id) AS VARCHAR) || '/' || CAST(count(*) AS VARCHAR) FROM conversions"); got != itoa(len(want))+"/"+itoa(len(want)) {
		t.Errorf("distinct/all conversions %s, want %d", got, len(want))
	}
	// The request sequence: one token grant, then per window jobs.query
	// (incomplete), a getQueryResults poll with maxResults=0, and the pages.
	api := "/bq/bigquery/v2/projects/pacer-demo/queries"
	seq := []string{"POST /bq/token"}
	for i, w := range httpkit.Windows(days, 7) {
		job := api + "/job_fake000" + itoa(i+1)
		seq = append(seq, "POST "+api, "GET "+job+" maxResults=0", "GET "+job)
		n := len(h.fake.Expected(w))
		for off := 4; off < n; off += 4 {
			seq = append(seq, "GET "+job+" pageToken=BQ"+itoa(off))
		}
	}
	if got := h.fake.Log(); !slices.Equal(got, seq) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(seq, "\n"))
	}
	if p := h.fake.Pages(); p < 6 {
		t.Errorf("%d pages", p)
	}
	if got := string(h.em.Cursor()); got != `{"through":"2026-10-14"}` {
		t.Errorf("cursor %s", got)
	}
	// The intraday copy of a day that has its daily table is never read;
	// the last day comes from its intraday table, flagged.
	if n := h.one(t, "SELECT CAST(count(*) AS VARCHAR) FROM conversions WHERE transaction_id = 'STALE'"); n != "0" {
		t.Errorf("%s rows from a superseded intraday table", n)
	}
	if got := h.strings(t, "SELECT DISTINCT CAST(event_date AS VARCHAR) FROM conversions WHERE intraday"); !slices.Equal(got, []string{"2026-10-14"}) {
		t.Errorf("intraday days %q", got)
	}
	// event_date is the property's day; ts is UTC (a Berlin session just after
	// midnight lands on the previous UTC day).
	got := h.one(t, "SELECT CAST(event_date AS VARCHAR) || ' ' || strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H') || ' ' || type || ' ' || CAST(value AS VARCHAR) || ' ' || currency FROM conversions WHERE transaction_id = 'T20261002-5'")
	if !strings.HasPrefix(got, "2026-10-02 2026-10-01 23 purchase ") || !strings.HasSuffix(got, " EUR") {
		t.Errorf("purchase row %q", got)
	}
	if got := h.strings(t, "SELECT DISTINCT type || ' ' || currency FROM conversions WHERE event_name = 'generate_lead' ORDER BY 1"); !slices.Equal(got, []string{"lead EUR", "lead USD"}) {
		t.Errorf("lead types/currencies %q (the value's currency parameter, upper-cased; the property's when absent)", got)
	}
}

func itoa(n int) string { return strconvItoa(n) }

func TestResumeAfterFailureLosesAndDuplicatesNothing(t *testing.T) {
	o := bqtest.Options{PageSize: 5, DaysPerQuery: 3}
	ref := newHarness(t, o, ga4bigquery.TouchpointsStream, "")
	until := ref.fake.Days().To
	if err := ref.read(t, until); err != nil {
		t.Fatal(err)
	}
	all := "SELECT user_id || '|' || CAST(ts AS VARCHAR) || '|' || channel || '|' || source || '|' || medium || '|' || attribution || '|' || CAST(event_date AS VARCHAR) FROM touchpoints ORDER BY 1"
	want := ref.strings(t, all)
	total := ref.fake.Requests()

	h := newHarness(t, o, ga4bigquery.TouchpointsStream, "")
	h.fake.Inject(total/2, bqtest.PermissionDenied)
	if err := h.read(t, until); err == nil {
		t.Fatal("the sync with a failure in the middle succeeded")
	}
	if len(h.em.Cursors()) == 0 {
		t.Fatal("nothing checkpointed before the failure")
	}
	partial := len(h.strings(t, all))
	if partial == 0 || partial >= len(want) {
		t.Errorf("%d of %d rows kept after the failure; want a committed part", partial, len(want))
	}
	if err := h.read(t, until); err != nil {
		t.Fatal(err)
	}
	if got := h.strings(t, all); !slices.Equal(got, want) {
		t.Errorf("after resuming: %d rows, want %d (lost or duplicated)", len(got), len(want))
	}
}

func TestThrottlingIsWaitedOnTheInjectedClock(t *testing.T) {
	h := newHarness(t, bqtest.Options{PageSize: 5}, ga4bigquery.ConversionsStream, "")
	h.fake.Inject(2, bqtest.Throttle)     // the poll: 429, Retry-After 7
	h.fake.Inject(4, bqtest.RateLimit403) // a page: 403 rateLimitExceeded, no hint
	h.fake.Inject(6, bqtest.ServerError)
	start := time.Now()
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	sleeps := h.clock.Sleeps()
	if !slices.Contains(sleeps, 7*time.Second) {
		t.Errorf("sleeps %v; want Retry-After's 7s", sleeps)
	}
	backoffs := 0
	for _, d := range sleeps {
		if d == 500*time.Millisecond {
			backoffs++
		}
	}
	// (100ms sleeps are the client's own rate limit of 10 requests a second.)
	if backoffs != 2 {
		t.Errorf("sleeps %v; want 7s and two backoffs of 500ms", sleeps)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s of real time: the Google library must not retry on its own clock", d)
	}
	if n, want := len(h.strings(t, "SELECT conversion_id FROM conversions")), len(h.fake.Expected(h.fake.Days())); n != want {
		t.Errorf("%d rows, want %d", n, want)
	}
}

func TestQuotaExceededStopsUntilTheNextRun(t *testing.T) {
	h := newHarness(t, bqtest.Options{}, ga4bigquery.ConversionsStream, "")
	h.fake.Inject(1, bqtest.QuotaExceeded)
	err := h.read(t, h.fake.Days().To)
	if !errors.Is(err, httpkit.ErrRateLimited) || errors.Is(err, httpkit.ErrPermanent) {
		t.Fatalf("err %v; want ErrRateLimited, not permanent", err)
	}
	if h.clock.Slept() != 0 || h.fake.Requests() != 1 {
		t.Errorf("slept %s over %d requests", h.clock.Slept(), h.fake.Requests())
	}
}

func TestPermanentErrorsFailFastWithGooglesMessage(t *testing.T) {
	for _, c := range []struct {
		kind, msg string
		auth      bool
	}{
		{bqtest.PermissionDenied, "Access Denied: Table pacer-demo:analytics_123456789.events_*: User does not have permission", false},
		{bqtest.Revoked, "invalid_grant: Invalid JWT Signature.", true},
	} {
		t.Run(c.kind, func(t *testing.T) {
			h := newHarness(t, bqtest.Options{}, ga4bigquery.ConversionsStream, "")
			h.fake.Inject(1, c.kind)
			err := h.read(t, h.fake.Days().To)
			if !errors.Is(err, httpkit.ErrPermanent) || errors.Is(err, httpkit.ErrAuth) != c.auth {
				t.Fatalf("err %v; want permanent (auth %v)", err, c.auth)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "ga4_bigquery: ") {
				t.Errorf("error %q lacks Google's message %q", err, c.msg)
			}
			if n := h.fake.Requests(); n != 1 {
				t.Errorf("%d API requests; a permanent error is not retried", n)
			}
			if s := h.clock.Slept(); s != 0 {
				t.Errorf("waited %s", s)
			}
			if h.em.Cursor() != nil {
				t.Error("a cursor was checkpointed")
			}
		})
	}
}

func TestLateAndRestatedEventsInsideTheLookbackReplaceOldValues(t *testing.T) {
	h := newHarness(t, bqtest.Options{PageSize: 7}, ga4bigquery.ConversionsStream, "")
	days := h.fake.Days() // 2026-10-01..14; lookback 4: 10-11..10-14 are re-read
	if err := h.read(t, days.To); err != nil {
		t.Fatal(err)
	}
	sum := func(d string) string {
		return h.one(t, "SELECT CAST(coalesce(sum(value), 0) AS VARCHAR) FROM conversions WHERE event_date = DATE '"+d+"'")
	}
	before12, before05 := sum("2026-10-12"), sum("2026-10-05")
	loc, _ := time.LoadLocation("Europe/Berlin")
	late := func(id string, d time.Time) bqtest.Event {
		return bqtest.Event{UserPseudoID: "late.1", Name: "purchase", SessionID: 42, TransactionID: id, Revenue: "50.00",
			Timestamp: time.Date(d.Year(), d.Month(), d.Day(), 18, 0, 0, 0, loc).UTC()}
	}
	h.fake.Restate(day("2026-10-12"))
	h.fake.Restate(day("2026-10-05"))
	h.fake.AddEvents(late("LATE-IN", day("2026-10-13")), late("LATE-OUT", day("2026-10-03")))
	h.fake.Finalize(day("2026-10-14")) // the daily table lands
	if err := h.read(t, days.To); err != nil {
		t.Fatal(err)
	}
	if got := sum("2026-10-12"); got == before12 {
		t.Errorf("restated day inside the lookback kept its old sum %s", got)
	}
	if got := sum("2026-10-05"); got != before05 {
		t.Errorf("day outside the lookback changed: %s, was %s", got, before05)
	}
	got := h.strings(t, "SELECT transaction_id FROM conversions WHERE transaction_id LIKE 'LATE%'")
	if !slices.Equal(got, []string{"LATE-IN"}) {
		t.Errorf("late events %q; want LATE-IN only (LATE-OUT is older than the lookback)", got)
	}
	if n := h.one(t, "SELECT CAST(count(*) - count(DISTINCT conversion_id) AS VARCHAR) FROM conversions"); n != "0" {
		t.Errorf("%s duplicated conversions", n)
	}
	if n := h.one(t, "SELECT CAST(count(*) AS VARCHAR) FROM conversions WHERE intraday"); n != "0" {
		t.Errorf("%s intraday rows left after the daily table landed", n)
	}
}

func TestTouchpointsFromSessionsAndCampaignChanges(t *testing.T) {
	h := newHarness(t, bqtest.Options{PageSize: 50}, ga4bigquery.TouchpointsStream, "user_id: user_id\n")
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	sessions, mid := 0, 0
	for _, e := range h.fake.Events() {
		switch {
		case e.Name == "session_start":
			sessions++
		case e.CollectedSource != "":
			mid++
		}
	}
	count := func(where string) int {
		return len(h.strings(t, "SELECT user_id FROM touchpoints WHERE "+where))
	}
	if n := count("attribution = 'session_last_click'"); n != sessions {
		t.Errorf("%d session touchpoints, want one per session_start (%d)", n, sessions)
	}
	if n := count("attribution = 'collected' AND channel = 'affiliates' AND campaign = 'feed_q4'"); n != mid || mid == 0 {
		t.Errorf("%d mid-session campaign touchpoints, want %d", n, mid)
	}
	got := h.strings(t, "SELECT DISTINCT source || '/' || medium || ' ' || channel || ' ' || interaction FROM touchpoints WHERE attribution = 'session_last_click' ORDER BY 1")
	want := []string{"(direct)/(none) direct visit", "facebook/paid_social paid_social click", "google/cpc paid_search click",
		"google/organic organic visit", "news.example.com/referral referral visit", "newsletter/email email visit"}
	if !slices.Equal(got, want) {
		t.Errorf("source/medium → channel:\n%q\nwant\n%q", got, want)
	}
	if got := h.strings(t, "SELECT DISTINCT user_id FROM touchpoints WHERE user_pseudo_id = '1000000.1700000000'"); !slices.Equal(got, []string{"crm-000"}) {
		t.Errorf("user_id: user_id gave %q", got)
	}
	if n := h.one(t, "SELECT CAST(count(*) AS VARCHAR) FROM (SELECT user_id, ts, channel FROM touchpoints GROUP BY ALL HAVING count(*) > 1)"); n != "0" {
		t.Errorf("%s duplicated keys", n)
	}
}

func TestNoSecretInLogs(t *testing.T) {
	h := newHarness(t, bqtest.Options{PageSize: 10}, ga4bigquery.ConversionsStream, "")
	h.fake.Inject(3, bqtest.ExpiredToken) // a refresh: a second grant and token
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	logs := h.logs.String()
	for _, bad := range []string{"ya29.", "PRIVATE KEY", "assertion", "Bearer "} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs contain %q", bad)
		}
	}
	if !strings.Contains(logs, "access token rejected") || !strings.Contains(logs, "jobs.getQueryResults") {
		t.Error("the refresh or the calls were not logged")
	}
	if n := len(h.fake.Secrets()); n < 4 {
		t.Errorf("only %d secrets to look for", n)
	}
}

func TestCredentialsFromGoogleApplicationCredentials(t *testing.T) {
	fake := bqtest.New(bqtest.Options{})
	t.Cleanup(fake.Close)
	path := t.TempDir() + "/key.json"
	if err := writeFile(path, fake.CredentialsJSON()); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ga4bigquery.CredentialsEnv, path)
	y, _ := fake.Config()
	y = strings.Replace(y, "credentials_json: ${GA4_BQ_CREDENTIALS_JSON}\n", "", 1)
	src, err := ga4bigquery.New(connectors.Config{Name: "x", StartDate: fake.Days().From, Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }},
		httpkit.WithClock(httpkit.NewFakeClock(fake.Days().To.AddDate(0, 0, 2))), httpkit.WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	em := conntest.NewEmitter(t, conntest.OpenDB(t), "conversions", conntest.WithDateColumn("event_date"))
	if err := src.Read(t.Context(), connectors.ReadRequest{Stream: "conversions", Until: fake.Days().To}, em); err != nil {
		t.Fatal(err)
	}
	if len(em.Cursor()) == 0 {
		t.Error("no cursor")
	}
}

func TestConfigErrors(t *testing.T) {
	t.Setenv(ga4bigquery.CredentialsEnv, "")
	cfg := connectors.Config{Decode: func(v any) error {
		return yaml.Unmarshal([]byte("project: X\ndataset: ga4_123\ncurrency: euro\ntimezone: Mars/Base\nuser_id: email\nconversion_events: [\"bad name\"]\ndays_per_query: 400\n"), v)
	}}
	_, err := ga4bigquery.New(cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`project "X"`, `dataset "ga4_123"`, `currency "euro"`, "Mars/Base", `user_id "email"`, `"bad name"`, "days_per_query 400", "credentials_json is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	cfg.Decode = func(v any) error {
		return yaml.Unmarshal([]byte("project: my-project\ndataset: analytics_1\ncurrency: EUR\ncredentials_json: '{\"type\":\"authorized_user\",\"refresh_token\":\"1//secret-refresh\"}'\n"), v)
	}
	_, err = ga4bigquery.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "service_account") || strings.Contains(err.Error(), "1//secret-refresh") {
		t.Errorf("user credentials: %v", err)
	}
}

func TestChannel(t *testing.T) {
	for _, c := range []struct{ group, src, med, want string }{
		{"Paid Search", "google", "cpc", "paid_search"},
		{"Organic Social", "", "", "organic"},
		{"Cross-network", "", "", "display"},
		{"", "google", "cpc", "paid_search"},
		{"", "baidu", "ppc", "paid_search"},
		{"", "facebook", "paid_social", "paid_social"},
		{"", "m.facebook.com", "cpc", "paid_social"},
		{"", "douyin", "cpm", "short_video"},
		{"", "criteo", "display", "display"},
		{"", "partner", "cpc", "paid_other"},
		{"", "(direct)", "(none)", "direct"},
		{"", "newsletter", "email", "email"},
		{"", "bing", "organic", "organic"},
		{"", "t.co", "referral", "organic"},
		{"", "news.example.com", "referral", "referral"},
		{"", "awin", "affiliate", "affiliates"},
		{"", "something", "weird", "unassigned"},
	} {
		if got := ga4bigquery.Channel(c.group, c.src, c.med); got != c.want {
			t.Errorf("Channel(%q, %q, %q) = %q, want %q", c.group, c.src, c.med, got, c.want)
		}
	}
}

func TestSlowJobIsPolledUntilComplete(t *testing.T) {
	h := newHarness(t, bqtest.Options{IncompletePolls: 3, DaysPerQuery: 14}, ga4bigquery.ConversionsStream, "")
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	polls := 0
	for _, l := range h.fake.Log() {
		if strings.HasSuffix(l, "/queries/job_fake0001 maxResults=0") {
			polls++
		}
	}
	if polls != 3 {
		t.Errorf("%d getQueryResults polls; want 3 (jobs.query and two polls said jobComplete=false)", polls)
	}
	if n, want := len(h.strings(t, "SELECT conversion_id FROM conversions")), len(h.fake.Expected(h.fake.Days())); n != want {
		t.Errorf("%d rows, want %d", n, want)
	}
}
