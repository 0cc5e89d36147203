package googleads_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/googleads"
	"github.com/pacerhq/pacer/connectors/googleads/googleadstest"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

var day = conntest.Day

// config decodes y strictly, with vars expanded, like the pipeline.
func config(t testing.TB, y string, vars map[string]string, logs *bytes.Buffer) connectors.Config {
	y = conntest.Expand(y, vars)
	return connectors.Config{
		Name:   "gads",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
}

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake  *googleadstest.Server
	src   *googleads.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o googleadstest.Options, extra string) *harness {
	t.Helper()
	fake := googleadstest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := config(t, y+extra, vars, h.logs)
	cfg.StartDate = fake.Days().From
	src, err := googleads.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.src = src
	st := src.Streams()[0]
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), st.Name, conntest.WithDateColumn(st.DateColumn))
	return h
}

func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	return h.src.Read(t.Context(), connectors.ReadRequest{
		Stream: h.src.Streams()[0].Name, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
}

func TestQueriesHeadersAndWindows(t *testing.T) {
	h := newHarness(t, googleadstest.Options{Level: "ad_group"}, "")
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	q := h.fake.Queries()
	// Two customer queries, then 3 windows (7+7+6 days) for two accounts.
	if len(q) != 2+3*2 {
		t.Fatalf("%d queries: %q", len(q), q)
	}
	want := "SELECT segments.date, campaign.id, campaign.name, campaign.advertising_channel_type, ad_group.id, ad_group.name, " +
		"metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value " +
		"FROM ad_group WHERE segments.date BETWEEN '2026-10-01' AND '2026-10-07'"
	if q[2] != want {
		t.Errorf("query\n%s\nwant\n%s", q[2], want)
	}
	if !strings.Contains(q[len(q)-1], "BETWEEN '2026-10-15' AND '2026-10-20'") {
		t.Errorf("last window: %s", q[len(q)-1])
	}
	for _, hd := range h.fake.Headers() {
		if got := hd.Get("login-customer-id"); got != "1112223333" {
			t.Errorf("login-customer-id %q, want digits only", got)
		}
		if hd.Get("developer-token") == "" {
			t.Error("developer-token not sent although configured")
		}
		if !strings.HasPrefix(hd.Get("Authorization"), "Bearer ya29.") {
			t.Error("no bearer token")
		}
	}
	if got := string(h.em.Cursor()); got != `{"through":"2026-10-20"}` {
		t.Errorf("cursor %s", got)
	}
	if n := len(h.em.Cursors()); n != 3 {
		t.Errorf("%d checkpoints, want one per window", n)
	}
}

func TestDeveloperTokenOnlyWhenConfigured(t *testing.T) {
	fake := googleadstest.New(googleadstest.Options{})
	defer fake.Close()
	y, vars := fake.Config()
	y = strings.ReplaceAll(y, "developer_token: ${GOOGLE_ADS_DEVELOPER_TOKEN}\n", "")
	var logs bytes.Buffer
	src, err := googleads.New(config(t, y, vars, &logs), httpkit.WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, hd := range fake.Headers() {
		if _, ok := hd["Developer-Token"]; ok {
			t.Error("developer-token sent although not configured")
		}
	}
}

func TestChannelsMoneyAndTimeZones(t *testing.T) {
	h := newHarness(t, googleadstest.Options{Campaigns: 6}, "channel_map: {SHOPPING: paid_shopping}\n")
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	rows, err := h.em.Query(t.Context(), `SELECT DISTINCT campaign_type, channel, currency, account_timezone, typeof(spend), typeof(date)
		FROM campaign_daily ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a, b, c, d, e, f string
		if err := rows.Scan(&a, &b, &c, &d, &e, &f); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{a, b, c, d, e, f}, " "))
	}
	want := []string{
		"DISPLAY display CNY Asia/Shanghai DECIMAL(38,9) DATE",
		"DISPLAY display USD America/Los_Angeles DECIMAL(38,9) DATE",
		"PERFORMANCE_MAX paid_search CNY Asia/Shanghai DECIMAL(38,9) DATE",
		"PERFORMANCE_MAX paid_search USD America/Los_Angeles DECIMAL(38,9) DATE",
		"SEARCH paid_search CNY Asia/Shanghai DECIMAL(38,9) DATE",
		"SEARCH paid_search USD America/Los_Angeles DECIMAL(38,9) DATE",
		"SHOPPING paid_shopping CNY Asia/Shanghai DECIMAL(38,9) DATE",
		"SHOPPING paid_shopping USD America/Los_Angeles DECIMAL(38,9) DATE",
		"VIDEO short_video CNY Asia/Shanghai DECIMAL(38,9) DATE",
		"VIDEO short_video USD America/Los_Angeles DECIMAL(38,9) DATE",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Money is exact: micros become decimals with no float residue.
	var bad int
	r2, err := h.em.Query(t.Context(), `SELECT count(*) FROM campaign_daily WHERE spend * 100 <> round(spend * 100)`)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	for r2.Next() {
		_ = r2.Scan(&bad)
	}
	if bad != 0 {
		t.Errorf("%d spends are not whole cents (the fake bills in cents)", bad)
	}
}

func TestErrorsAreClear(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		want    []string
		is      error
		retried bool
	}{
		{name: "permission denied names Google's code and message", kind: googleadstest.PermissionDenied,
			want: []string{"google_ads: searchStream customer 1234567890 2026-10-01..2026-10-07: PERMISSION_DENIED: User doesn't have permission to access customer.",
				"authorizationError USER_PERMISSION_DENIED", "HTTP 403", "request id fAk3Req000003"}, is: httpkit.ErrPermanent},
		{name: "a revoked refresh token names invalid_grant", kind: googleadstest.Revoked,
			want: []string{"google_ads: token refresh: invalid_grant: Token has been expired or revoked."}, is: httpkit.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, googleadstest.Options{}, "")
			h.fake.Inject(3, tt.kind)
			err := h.read(t, day("2026-10-20"))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error does not wrap %v", tt.is)
			}
		})
	}
}

func TestStreamErrorAndSunsetVersion(t *testing.T) {
	h := newHarness(t, googleadstest.Options{}, "")
	h.fake.SetPageSize(2)
	h.fake.Inject(3, googleadstest.StreamError)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatalf("a broken stream is retried: %v", err)
	}
	var n int
	rows, err := h.em.Query(t.Context(), "SELECT count(*) - count(DISTINCT (account_id, date, campaign_id)) FROM campaign_daily")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		_ = rows.Scan(&n)
	}
	rows.Close()
	if n != 0 {
		t.Errorf("%d duplicated rows after a broken stream", n)
	}

	fake := googleadstest.New(googleadstest.Options{MinVersion: 27})
	defer fake.Close()
	y, vars := fake.Config()
	var logs bytes.Buffer
	src, err := googleads.New(config(t, y, vars, &logs), httpkit.WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	err = src.Check(t.Context())
	if err == nil || !strings.Contains(err.Error(), "requestError UNSUPPORTED_VERSION") || !strings.Contains(err.Error(), "Set api_version to v26") {
		t.Errorf("sunset version: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := "client_id: x\nclient_secret: s3cretvalue\nrefresh_token: r3fresh-value\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"customer ids are required", base, []string{"customer_ids is required"}},
		{"one of customer_id and customer_ids", base + "customer_id: '1234567890'\ncustomer_ids: ['1234567890']\n", []string{"not both"}},
		{"a customer id has ten digits", base + "customer_ids: ['123-456']\n", []string{`"123-456" is not a customer id`}},
		{"duplicates are refused", base + "customer_ids: ['123-456-7890', '1234567890']\n", []string{"listed twice"}},
		{"every problem at once", "customer_id: '1234567890'\nlevel: keyword\napi_version: v21\nchannel: Paid Search\nchannel_map: {video: x}\ndays_per_request: 400\n",
			[]string{"client_id is required", "client_secret is required", "refresh_token is required", `level "keyword"`, "api_version v21 is sunset",
				`channel "Paid Search"`, `channel_map: "video"`, "days_per_request 400"}},
		{"a non-loopback base_url is refused in tests", base + "customer_id: '1234567890'\nbase_url: https://googleads.googleapis.com\n", []string{"only loopback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			_, err := googleads.New(config(t, tt.yaml, nil, &logs), httpkit.WithLoopbackOnly())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cretvalue") || strings.Contains(err.Error(), "r3fresh-value") {
				t.Error("a secret is in the error")
			}
		})
	}
}
