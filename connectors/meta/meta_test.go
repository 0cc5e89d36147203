package meta_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/meta"
	"github.com/pacerhq/pacer/connectors/meta/metatest"
)

var day = conntest.Day

// config decodes y strictly, with vars expanded, like the pipeline.
func config(y string, vars map[string]string, logs *bytes.Buffer) connectors.Config {
	y = conntest.Expand(y, vars)
	return connectors.Config{
		Name:   "fb",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
}

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake  *metatest.Server
	src   *meta.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o metatest.Options, extra string) *harness {
	t.Helper()
	fake := metatest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := config(y+extra, vars, h.logs)
	cfg.StartDate = fake.Days().From
	src, err := meta.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.src = src
	st := src.Streams()[0]
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), st.Name, conntest.WithDateColumn(st.DateColumn))
	t.Cleanup(func() {
		if strings.Contains(h.logs.String(), fake.Options().AccessToken) {
			t.Error("the access token is in the logs")
		}
	})
	return h
}

func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	return h.src.Read(t.Context(), connectors.ReadRequest{
		Stream: h.src.Streams()[0].Name, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
}

func (h *harness) count(t *testing.T, q string) int {
	t.Helper()
	return conntest.Count(t, h.em, q)
}

// calls returns the fake's calls as "METHOD path" with the prefix removed.
func calls(f *metatest.Server) []string {
	var out []string
	for _, c := range f.Calls() {
		out = append(out, c.Method+" "+strings.TrimPrefix(c.Path, "/meta"))
	}
	return out
}

func TestRequestParametersAndPaging(t *testing.T) {
	h := newHarness(t, metatest.Options{Level: "adset", PageSize: 4}, "action_report_time: conversion\n")
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	cs := h.fake.Calls()
	if got := calls(h.fake)[:2]; !slices.Equal(got, []string{"GET /v26.0/act_100000000000001", "GET /v26.0/act_100000000000002"}) {
		t.Errorf("account calls %q", got)
	}
	if f := cs[0].Query.Get("fields"); f != "name,currency,timezone_name" {
		t.Errorf("account fields %q", f)
	}
	first := cs[2]
	want := map[string]string{
		"level": "adset", "time_increment": "1", "limit": "500",
		"time_range":                 `{"since":"2026-10-01","until":"2026-10-07"}`,
		"fields":                     "campaign_id,campaign_name,adset_id,adset_name,spend,impressions,clicks,actions,action_values",
		"action_attribution_windows": `["7d_click","1d_view"]`,
		"action_report_time":         "conversion",
	}
	for k, v := range want {
		if got := first.Query.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// paging.next carried an after cursor and was followed on the fake.
	followed := 0
	for _, c := range cs {
		if c.Query.Get("after") != "" {
			followed++
		}
	}
	if followed == 0 || h.fake.Pages() <= 6 {
		t.Errorf("%d pages, %d followed next links: paging not exercised", h.fake.Pages(), followed)
	}
	if n := h.count(t, "SELECT count(*) - count(DISTINCT (account_id, date, ad_group_id)) FROM adset_daily"); n != 0 {
		t.Errorf("%d duplicated rows", n)
	}
	if got := string(h.em.Cursor()); got != `{"through":"2026-10-20"}` {
		t.Errorf("cursor %s", got)
	}
	if n := len(h.em.Cursors()); n != 3 {
		t.Errorf("%d checkpoints, want one per 7-day window", n)
	}
}

func TestConversionsPerWindow(t *testing.T) {
	// Three windows, and the US account lacks omni_purchase: purchase is
	// taken there, never the sum of the overlapping types.
	o := metatest.Options{Windows: []string{"1d_click", "7d_click", "1d_view"}}
	h := newHarness(t, o, "")
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	if n := h.count(t, `SELECT count(*) FROM campaign_daily WHERE conversions <> conversions_1d_click + conversions_7d_click + conversions_1d_view
		OR conversion_value <> conversion_value_1d_click + conversion_value_7d_click + conversion_value_1d_view`); n != 0 {
		t.Errorf("%d rows whose totals are not the sum of their windows", n)
	}
	if n := h.count(t, "SELECT count(*) FROM campaign_daily WHERE conversions_7d_click > 0 AND conversion_value_7d_click > 0"); n == 0 {
		t.Error("no row with 7d_click conversions: the test proves nothing")
	}
	want := map[string]map[string]string{}
	for _, m := range h.fake.Expected(h.fake.Days()) {
		want[m["account_id"]+"|"+m["date"]+"|"+m["campaign_id"]] = m
	}
	rows, err := h.em.Query(t.Context(), `SELECT account_id, strftime(date, '%Y-%m-%d'), campaign_id, conversions_1d_click::VARCHAR, conversions_7d_click::VARCHAR,
		conversions_1d_view::VARCHAR, conversion_value_7d_click::VARCHAR, conversion_value_1d_view::VARCHAR FROM campaign_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var acct, d, c, c1, c7, v1, val7, valv string
		if err := rows.Scan(&acct, &d, &c, &c1, &c7, &v1, &val7, &valv); err != nil {
			t.Fatal(err)
		}
		w := want[acct+"|"+d+"|"+c]
		for col, got := range map[string]string{"conversions_1d_click": c1, "conversions_7d_click": c7, "conversions_1d_view": v1,
			"conversion_value_7d_click": val7, "conversion_value_1d_view": valv} {
			if !sameNumber(got, w[col]) {
				t.Errorf("%s %s %s: %s = %s, want %s", acct, d, c, col, got, w[col])
			}
		}
		n++
	}
	if n == 0 {
		t.Fatal("no rows")
	}
}

func sameNumber(a, b string) bool {
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return trim(a) == trim(b)
}

func TestAsyncReportRunPollsOnTheClock(t *testing.T) {
	zero := 0
	h := newHarness(t, metatest.Options{AsyncAfterDays: &zero, AsyncPolls: 3, PageSize: 5}, "")
	if err := h.read(t, day("2026-10-07")); err != nil {
		t.Fatal(err)
	}
	got := calls(h.fake)
	// Per account: POST, three polls, then the result pages.
	if got[2] != "POST /v26.0/act_100000000000001/insights" {
		t.Fatalf("calls %q", got)
	}
	runID := strings.TrimPrefix(got[3], "GET /v26.0/")
	for i := 3; i < 6; i++ {
		if got[i] != "GET /v26.0/"+runID {
			t.Errorf("call %d = %q, want a poll of %s", i, got[i], runID)
		}
	}
	if got[6] != "GET /v26.0/"+runID+"/insights" {
		t.Errorf("call 6 = %q, want the run's insights", got[6])
	}
	// Polls wait 5 s, then 10 s, then 20 s, on the injected clock.
	sleeps := h.clock.Sleeps()
	if len(sleeps) < 3 || !slices.Equal(sleeps[:3], []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}) {
		t.Errorf("sleeps %v, want 5s 10s 20s per run", sleeps)
	}
	if post := h.fake.Calls()[2].Query; post.Get("time_range") != `{"since":"2026-10-01","until":"2026-10-07"}` || post.Get("level") != "campaign" {
		t.Errorf("report run parameters %v", post)
	}
	if n := h.count(t, "SELECT count(*) FROM campaign_daily"); n != len(h.fake.Expected(connectors.DateRange{From: day("2026-10-01"), To: day("2026-10-07")})) {
		t.Errorf("%d rows loaded", n)
	}
}

func TestFailedReportRunIsSubmittedAgain(t *testing.T) {
	zero := 0
	h := newHarness(t, metatest.Options{AsyncAfterDays: &zero, FailRuns: 1}, "")
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	posts := 0
	for _, c := range calls(h.fake) {
		if strings.HasPrefix(c, "POST ") {
			posts++
		}
	}
	if posts != 3 { // two accounts, the first run failed once
		t.Errorf("%d report runs submitted, want 3", posts)
	}
}

func TestTooLargeGoesAsync(t *testing.T) {
	for _, kind := range []string{metatest.TooLarge, metatest.Timeout} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t, metatest.Options{PageSize: 3}, "")
			// Requests 1–2 read the accounts, 3–4 are pages; fail page 2.
			h.fake.Inject(4, kind)
			if err := h.read(t, day("2026-10-07")); err != nil {
				t.Fatal(err)
			}
			got := calls(h.fake)
			if !slices.Contains(got, "POST /v26.0/act_100000000000001/insights") {
				t.Errorf("no async run after %s: %q", kind, got)
			}
			if slices.Contains(got, "POST /v26.0/act_100000000000002/insights") {
				t.Error("the second account went async too")
			}
			if n := h.count(t, "SELECT count(*) - count(DISTINCT (account_id, date, campaign_id)) FROM campaign_daily"); n != 0 {
				t.Errorf("%d duplicated rows: the sync pages of the failed window were kept", n)
			}
			want := len(h.fake.Expected(connectors.DateRange{From: day("2026-10-01"), To: day("2026-10-07")}))
			if n := h.count(t, "SELECT count(*) FROM campaign_daily"); n != want {
				t.Errorf("%d rows, want %d", n, want)
			}
			if slept := h.clock.Sleeps(); len(slept) == 0 || slept[0] != 5*time.Second {
				t.Errorf("sleeps %v: a too-large answer is not retried, the run polls at once", slept)
			}
		})
	}
}

func TestThrottleWaitsTheRegainTime(t *testing.T) {
	for _, code := range []int{17, 80000, 80004, 613} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			h := newHarness(t, metatest.Options{ThrottleCode: code}, "")
			h.fake.Inject(3, metatest.Throttle)
			if err := h.read(t, day("2026-10-03")); err != nil {
				t.Fatal(err)
			}
			if s := h.clock.Sleeps(); !slices.Equal(s, []time.Duration{3 * time.Minute}) {
				t.Errorf("sleeps %v, want the 3 minutes of estimated_time_to_regain_access", s)
			}
			if !strings.Contains(h.logs.String(), `"code":"`+strconv.Itoa(code)+`"`) {
				t.Error("the retry log does not name Meta's code")
			}
		})
	}
}

func TestBadTokenFailsFast(t *testing.T) {
	tests := []struct{ kind, msg string }{
		{metatest.ExpiredToken, "Error validating access token: Session has expired on Monday, 02-Nov-26 09:00:00 PST."},
		{metatest.Revoked, "Error validating access token: The session has been invalidated because the user changed their password"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			h := newHarness(t, metatest.Options{}, "")
			h.fake.Inject(3, tt.kind)
			err := h.read(t, day("2026-10-20"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range []string{"meta: insights act_100000000000001 2026-10-01..2026-10-07 page 1: 190: " + tt.msg, "OAuthException", "HTTP 400", "request id AfAk3Tr000003"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !errors.Is(err, httpkit.ErrAuth) || !errors.Is(err, httpkit.ErrPermanent) {
				t.Errorf("error does not wrap ErrAuth and ErrPermanent: %v", err)
			}
			if n := h.fake.Requests(); n != 3 {
				t.Errorf("%d requests: a 190 must not be retried", n)
			}
			if s := h.clock.Slept(); s != 0 {
				t.Errorf("waited %s", s)
			}
			if strings.Contains(err.Error(), h.fake.Options().AccessToken) {
				t.Error("the token is in the error")
			}
		})
	}
}

func TestAppSecretProofAndHighUsage(t *testing.T) {
	h := newHarness(t, metatest.Options{AppSecret: "app-secret-canary-123", UsagePct: 95}, "")
	if err := h.read(t, day("2026-10-02")); err != nil {
		t.Fatal(err)
	}
	// 95 % usage: a pause of (95-75)/25 of a minute after each page.
	for _, d := range h.clock.Sleeps() {
		if d != 48*time.Second {
			t.Errorf("pause %s, want 48s at 95%% usage", d)
		}
	}
	if len(h.clock.Sleeps()) == 0 {
		t.Error("no pause at 95% usage")
	}
	if strings.Contains(h.logs.String(), "app-secret-canary-123") {
		t.Error("the app secret is in the logs")
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"accounts and token are required", "level: campaign\n", []string{"ad_account_ids is required", "access_token is required"}},
		{"every problem at once", "ad_account_ids: ['act_12', '12', 'x1']\naccess_token: t0ken-secret-value\nlevel: keyword\napi_version: v24.0\n" +
			"attribution_windows: [7d_view, 2d_click]\nconversion_action_types: ['Purchase!']\nconversion_action_mode: max\n" +
			"action_report_time: later\nchannel: Social\ndays_per_request: 0\nasync_after_days: -1\n",
			[]string{"act_12 is listed twice", `"x1" is not an ad account id`, `level "keyword"`, "api_version v24.0 has expired",
				"7d_view returns nothing since 2026-01-12", `"2d_click" is not one of`, `"Purchase!" is not an action type`,
				`conversion_action_mode "max"`, `action_report_time "later"`, `channel "Social"`, "async_after_days -1"}},
		{"a bad version shape", "ad_account_ids: ['1']\naccess_token: t0ken-secret-value\napi_version: '26'\n", []string{`api_version "26" must look like v26.0`}},
		{"a non-loopback base_url is refused in tests", "ad_account_ids: ['1']\naccess_token: t0ken-secret-value\nbase_url: https://graph.facebook.com\n", []string{"only loopback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			_, err := meta.New(config(tt.yaml, nil, &logs), httpkit.WithLoopbackOnly())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "t0ken-secret-value") {
				t.Error("a secret is in the error")
			}
		})
	}
}

func TestExpiredVersionAtMeta(t *testing.T) {
	h := newHarness(t, metatest.Options{MinVersion: 27}, "")
	err := h.src.Check(t.Context())
	if err == nil || !strings.Contains(err.Error(), "2635: (#2635) You are calling a deprecated version") || !strings.Contains(err.Error(), "Set api_version to v26.0") {
		t.Errorf("deprecated version: %v", err)
	}
}

func TestProductionNextLinksAreRebased(t *testing.T) {
	h := newHarness(t, metatest.Options{PageSize: 2, NextBase: "https://graph.facebook.com"}, "")
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatalf("paging.next on graph.facebook.com: %v", err)
	}
	after := 0
	for _, c := range h.fake.Calls() {
		if c.Query.Get("after") != "" {
			after++
			if !strings.HasPrefix(c.Path, "/meta/v26.0/") {
				t.Errorf("next link followed at %s, not under base_url's prefix", c.Path)
			}
		}
	}
	if after == 0 {
		t.Error("no next link followed")
	}
}
