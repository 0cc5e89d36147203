package tencentads_test

import (
	"bytes"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/tencentads"
	"github.com/pacerhq/pacer/connectors/tencentads/tencentadstest"
)

var day = conntest.Day

func config(y string, vars map[string]string, logs *bytes.Buffer) connectors.Config {
	y = conntest.Expand(y, vars)
	return connectors.Config{
		Name:   "tencent",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
}

type harness struct {
	fake  *tencentadstest.Server
	src   *tencentads.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

// newHarness builds a source on a fake; edit rewrites the fake's YAML.
func newHarness(t *testing.T, o tencentadstest.Options, edit func(string) string) *harness {
	t.Helper()
	fake := tencentadstest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	if edit != nil {
		y = edit(y)
	}
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := config(y, vars, h.logs)
	cfg.StartDate = fake.Days().From
	src, err := tencentads.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.src = src
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), tencentads.StreamName, conntest.WithDateColumn("date"))
	return h
}

func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	return h.src.Read(t.Context(), connectors.ReadRequest{
		Stream: tencentads.StreamName, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
}

func (h *harness) strings(t *testing.T, q string) map[string]string {
	t.Helper()
	rows, err := h.em.Query(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func TestFenBecomeExactYuanAndIDsKeepEveryDigit(t *testing.T) {
	h := newHarness(t, tencentadstest.Options{}, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{}
	for _, m := range h.fake.Expected(h.fake.Days()) {
		want[m["date"]+"|"+m["account_id"]+"|"+m["campaign_id"]] = m
	}
	got := h.strings(t, `SELECT CAST(date AS VARCHAR) || '|' || account_id || '|' || campaign_id,
		CAST(spend AS VARCHAR) || ' ' || CAST(conversion_value AS VARCHAR) || ' ' || typeof(spend) || ' ' || currency || ' ' || account_timezone || ' ' || channel
		FROM daily`)
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for k, w := range want {
		// DECIMAL(38,9) prints nine places: 2650.12 fen 265012 → 2650.120000000.
		exp := w["spend"] + "0000000 " + w["conversion_value"] + "0000000 DECIMAL(38,9) CNY Asia/Shanghai display"
		if got[k] != exp {
			t.Errorf("%s: %q, want %q", k, got[k], exp)
		}
	}
	// Ids above 2^53 survive: a float64 would turn …993 into …992.
	ids := h.strings(t, `SELECT campaign_id, campaign_name FROM daily WHERE account_id = '25610'`)
	if _, ok := ids["9007199254740993"]; !ok {
		t.Errorf("id 9007199254740993 lost its last digit: %v", ids)
	}
}

func TestEveryRequestCarriesAFreshNonce(t *testing.T) {
	h := newHarness(t, tencentadstest.Options{}, nil)
	h.fake.SetPageSize(7)
	h.fake.Inject(2, tencentadstest.Throttle)
	h.fake.Inject(3, tencentadstest.ServerError)
	h.fake.Inject(4, tencentadstest.Malformed)
	h.fake.Inject(5, tencentadstest.ExpiredToken)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	nonces := h.fake.Nonces()
	if len(nonces) < 10 {
		t.Fatalf("only %d requests", len(nonces))
	}
	seen := map[string]bool{}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, n := range nonces {
		if !hex32.MatchString(n) {
			t.Errorf("nonce %q is not 32 hex digits", n)
		}
		if seen[n] {
			t.Errorf("nonce %s sent twice (retries must not reuse one)", n)
		}
		seen[n] = true
	}
	for _, q := range h.fake.Queries() {
		ts, _ := strconv.ParseInt(q["timestamp"][0], 10, 64)
		if d := time.Unix(ts, 0).Sub(h.clock.Now()); d > 0 || d < -time.Hour {
			t.Errorf("timestamp %d is not the client's clock (%s)", ts, h.clock.Now())
		}
		if q["access_token"][0] == "" || q["level"][0] != "REPORT_LEVEL_ADGROUP" || q["group_by"][0] != `["date","adgroup_id"]` ||
			q["fields"][0] != `["date","adgroup_id","adgroup_name","view_count","valid_click_count","cost","conversions_count","order_amount"]` {
			t.Errorf("query %v", q)
		}
	}
	if q := h.fake.Queries()[0]; q["date_range"][0] != `{"end_date":"2026-10-07","start_date":"2026-10-01"}` || q["page"][0] != "1" || q["page_size"][0] != "500" {
		t.Errorf("first query %v", q)
	}
	if h.fake.TokenRequests() != 1 {
		t.Errorf("%d token refreshes, want 1 after the expired token", h.fake.TokenRequests())
	}
	for _, s := range h.fake.Secrets() {
		if strings.Contains(h.logs.String(), s) {
			t.Errorf("secret %.8s… in the logs", s)
		}
	}
}

func TestErrorsInside200(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		edit     func(string) string
		ok       bool
		waits    []time.Duration
		want     []string
		sentinel error
	}{
		{name: "a rate-limit code waits throttle_wait and retries", kind: tencentadstest.Throttle, ok: true, waits: []time.Duration{time.Minute}},
		{name: "a system-error code retries with backoff", kind: tencentadstest.SystemError, ok: true, waits: []time.Duration{500 * time.Millisecond}},
		{name: "an expired token is refreshed once", kind: tencentadstest.ExpiredToken, ok: true},
		{name: "no permission fails at once with message_cn", kind: tencentadstest.PermissionDenied,
			want:     []string{"tencent_ads: daily_reports account 25610 2026-10-01..2026-10-07 page 1: 11004: no permission to operate this account (无权限操作该广告主账户)", "HTTP 200"},
			sentinel: httpkit.ErrPermanent},
		{name: "an expired token without refresh_token is fatal", kind: tencentadstest.ExpiredToken,
			edit: func(y string) string {
				y = strings.Replace(y, "client_id: \"1112223334\"\n", "", 1)
				y = strings.Replace(y, "client_secret: ${TENCENT_ADS_CLIENT_SECRET}\n", "", 1)
				return strings.Replace(y, "refresh_token: ${TENCENT_ADS_REFRESH_TOKEN}\n", "", 1)
			},
			want: []string{"11002: access_token expired (access_token 已过期)"}, sentinel: httpkit.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tencentadstest.Options{}, tt.edit)
			h.fake.Inject(1, tt.kind)
			err := h.read(t, day("2026-10-20"))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if s := h.clock.Sleeps(); len(tt.waits) > 0 && (len(s) == 0 || s[0] != tt.waits[0]) {
					t.Errorf("waits %v, want %v first", s, tt.waits)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error does not wrap %v", tt.sentinel)
			}
			if h.fake.Requests() != 1 || h.clock.Slept() != 0 {
				t.Errorf("%d requests, slept %s; a permanent error must not be retried", h.fake.Requests(), h.clock.Slept())
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"a token is required", "account_ids: [1]\n", []string{"access_token is required"}},
		{"refresh needs all three", "account_ids: [1]\nrefresh_token: r3fresh-value\n", []string{"client_id, client_secret and refresh_token together"}},
		{"every problem at once", "account_ids: [x, 2, 2]\naccess_token: acc3ss-value\nlevel: AD\ncurrency: yuan\ntime_zone: Beijing\nchannel: WeChat\npage_size: 0\ndays_per_request: 500\napi_version: '3'\nthrottle_wait: fast\nconversion_value_field: Order Amount\n",
			[]string{`"x" is not an account id`, "listed twice", `level "AD"`, `currency "yuan"`, `time_zone "Beijing"`, `channel "WeChat"`,
				"days_per_request 500", "api_version", "throttle_wait", "conversion_value_field"}},
		{"a non-loopback base_url is refused in tests", "account_ids: [1]\naccess_token: acc3ss-value\nbase_url: https://api.e.qq.com\n", []string{"only loopback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			_, err := tencentads.New(config(tt.yaml, nil, &logs), httpkit.WithLoopbackOnly())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, s := range []string{"acc3ss-value", "r3fresh-value"} {
				if strings.Contains(err.Error(), s) {
					t.Error("a secret is in the error")
				}
			}
		})
	}
}

func TestDefaultsWithoutValueField(t *testing.T) {
	h := newHarness(t, tencentadstest.Options{}, func(y string) string {
		return strings.Replace(y, "conversion_value_field: order_amount\n", "", 1)
	})
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT 'v', CAST(max(conversion_value) AS VARCHAR) FROM daily`)
	if got["v"] != "0.000000000" {
		t.Errorf("conversion_value without a field: %v", got)
	}
	if q := h.fake.Queries()[0]["fields"][0]; strings.Contains(q, "order_amount") {
		t.Errorf("fields %s asks for a value field not configured", q)
	}
}

func TestDaysWithoutDeliveryCheckpoint(t *testing.T) {
	h := newHarness(t, tencentadstest.Options{}, nil)
	err := h.src.Read(t.Context(), connectors.ReadRequest{Stream: tencentads.StreamName, Until: day("2026-10-24"),
		Backfill: &connectors.DateRange{From: day("2026-10-21"), To: day("2026-10-24")}}, h.em)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.em.Cursors()) != 1 || h.fake.Requests() != 2 {
		t.Errorf("%d checkpoints, %d requests; want one window, one empty page per account", len(h.em.Cursors()), h.fake.Requests())
	}
}
