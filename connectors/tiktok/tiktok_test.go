package tiktok_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/tiktok"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

var day = conntest.Day

// memStore is a connectors.TokenStore in memory.
type memStore struct {
	mu sync.Mutex
	m  map[string]connectors.Secret
}

func (s *memStore) Load(k string) (connectors.Secret, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok, nil
}

func (s *memStore) Save(k string, v connectors.Secret) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]connectors.Secret{}
	}
	s.m[k] = v
	return nil
}

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake  *tiktoktest.Server
	src   *tiktok.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

// newHarness starts a fake and a source on it; edit rewrites the fake's
// YAML (drop or add keys) before decoding.
func newHarness(t *testing.T, o tiktoktest.Options, edit func(string) string, store connectors.TokenStore) *harness {
	t.Helper()
	fake := tiktoktest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	if edit != nil {
		y = edit(y)
	}
	y = conntest.Expand(y, vars)
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := connectors.Config{
		Name: "tt", StartDate: fake.Days().From, Tokens: store,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
	src, err := tiktok.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
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
	err := h.src.Read(t.Context(), connectors.ReadRequest{
		Stream: h.src.Streams()[0].Name, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
	if err != nil {
		_ = h.em.Rollback(t.Context())
	}
	return err
}

func (h *harness) strings(t *testing.T, q string) []string {
	t.Helper()
	return conntest.Strings(t, h.em, q)
}

func TestRequestsUseTikToksWireFormat(t *testing.T) {
	h := newHarness(t, tiktoktest.Options{Level: "adgroup"}, nil, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	q := h.fake.Queries()
	// 3 windows (7+7+6 days) for two advertisers, one page each.
	if len(q) != 3*2 {
		t.Fatalf("%d report requests: %v", len(q), q)
	}
	first := q[0]
	want := map[string]string{
		"advertiser_id": "7000000000000000001", "report_type": "BASIC", "service_type": "AUCTION", "data_level": "AUCTION_ADGROUP",
		"dimensions": `["adgroup_id","stat_time_day"]`,
		"metrics":    `["campaign_id","campaign_name","adgroup_name","spend","impressions","clicks","conversion","total_complete_payment_rate"]`,
		"start_date": "2026-10-01", "end_date": "2026-10-07", "page": "1", "page_size": "1000",
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %q, want %q", k, first[k], v)
		}
	}
	tok := h.fake.Options().AccessToken
	for _, hd := range h.fake.Headers() {
		if hd.Get("Access-Token") != tok {
			t.Errorf("Access-Token %q, want the configured token without Bearer", hd.Get("Access-Token"))
		}
		if hd.Get("Authorization") != "" {
			t.Error("an Authorization header was sent")
		}
	}
	if got := string(h.em.Cursor()); got != `{"through":"2026-10-20"}` {
		t.Errorf("cursor %s", got)
	}
	if strings.Contains(h.logs.String(), tok) {
		t.Error("the access token is in the logs")
	}
}

func TestPagesUntilTotalPage(t *testing.T) {
	h := newHarness(t, tiktoktest.Options{}, nil, nil)
	h.fake.SetPageSize(4)
	if err := h.read(t, day("2026-10-07")); err != nil {
		t.Fatal(err)
	}
	// 7 days × 3 campaigns = 21 rows per advertiser: 6 pages each.
	if n := len(h.fake.Queries()); n != 12 {
		t.Errorf("%d requests, want 12", n)
	}
	if got := h.strings(t, `SELECT count(*)::VARCHAR FROM campaign_daily`); got[0] != "42" {
		t.Errorf("%s rows, want 42", got[0])
	}
}

func TestCurrencyTimeZoneAndNotAvailable(t *testing.T) {
	h := newHarness(t, tiktoktest.Options{}, nil, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT concat_ws(' ', account_id, currency, account_timezone, channel, typeof(spend), typeof(date)) FROM campaign_daily ORDER BY 1`)
	want := []string{
		"7000000000000000001 USD America/Los_Angeles short_video DECIMAL(38,9) DATE",
		"7000000000000000002 JPY Asia/Tokyo short_video DECIMAL(38,9) DATE",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// "-" is not available: NULL, never 0; a zero-delivery row keeps spend 0.
	var nulls, zeroConv []string
	for _, m := range h.fake.Expected(h.fake.Days()) {
		if m["conversions"] == "NULL" {
			nulls = append(nulls, m["date"]+" "+m["campaign_id"])
		}
	}
	zeroConv = h.strings(t, `SELECT count(*)::VARCHAR FROM campaign_daily WHERE conversions IS NULL AND conversion_value IS NULL AND spend = 0`)
	if zeroConv[0] != strconv.Itoa(len(nulls)) {
		t.Errorf("%s rows with NULL conversions, want %d", zeroConv[0], len(nulls))
	}
	// Money is exact: the fake bills in cents.
	if got := h.strings(t, `SELECT count(*)::VARCHAR FROM campaign_daily WHERE spend * 100 <> round(spend * 100) OR conversion_value * 100 <> round(conversion_value * 100)`); got[0] != "0" {
		t.Errorf("%s rows with spend or value off whole cents", got[0])
	}
}

func TestConfiguredCurrencySkipsAdvertiserInfo(t *testing.T) {
	h := newHarness(t, tiktoktest.Options{}, func(y string) string { return y + "currency: EUR\ntimezone: Europe/Berlin\n" }, nil)
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT currency || ' ' || account_timezone FROM campaign_daily`)
	if len(got) != 1 || got[0] != "EUR Europe/Berlin" {
		t.Errorf("got %v", got)
	}
}

func TestCodesInsideHTTP200(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		edit     func(string) string
		ok       bool
		requests int      // report requests
		sleeps   []string // waits on the fake clock
		want     []string // in the error
		is       []error
	}{
		{name: "40100 waits throttle_wait on the clock and retries", kind: tiktoktest.Throttle, ok: true, requests: 2, sleeps: []string{"20s"}},
		{name: "a transient 500 is retried with backoff", kind: tiktoktest.ServerError, ok: true, requests: 2, sleeps: []string{"500ms"}},
		{name: "a body cut short is retried", kind: tiktoktest.Malformed, ok: true, requests: 2, sleeps: []string{"500ms"}},
		{name: "40001 fails at once with TikTok's message", kind: tiktoktest.PermissionDenied, requests: 1,
			want: []string{"tiktok: report advertiser 7000000000000000001 2026-10-01..2026-10-03 page 1: 40001: No permission to operate advertiser.", "request id 2026110309152301023F"},
			is:   []error{httpkit.ErrPermanent}},
		{name: "40002 fails at once", kind: tiktoktest.BadParam, requests: 1, want: []string{"40002: start_date: Invalid date format."}, is: []error{httpkit.ErrPermanent}},
		{name: "40105 refreshes once and goes on", kind: tiktoktest.ExpiredToken, ok: true, requests: 2},
		{name: "40105 with a static token is fatal", kind: tiktoktest.ExpiredToken, requests: 1,
			edit: func(y string) string {
				return strings.NewReplacer("refresh_token: ${TIKTOK_REFRESH_TOKEN}\n", "", "secret: ${TIKTOK_APP_SECRET}\n", "").Replace(y)
			},
			want: []string{"40105: The access token is invalid or has been revoked."}, is: []error{httpkit.ErrPermanent, httpkit.ErrAuth}},
		{name: "a revoked refresh token stops the read", kind: tiktoktest.Revoked, requests: 1,
			want: []string{"tiktok: token refresh: 40104: The refresh_token is invalid or has expired."}, is: []error{httpkit.ErrPermanent, httpkit.ErrAuth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tiktoktest.Options{}, tt.edit, nil)
			h.fake.Inject(1, tt.kind)
			err := h.read(t, day("2026-10-03"))
			if tt.ok != (err == nil) {
				t.Fatalf("read: %v", err)
			}
			if n := h.fake.Requests(); tt.ok && n != tt.requests+1 || !tt.ok && n != tt.requests {
				t.Errorf("%d report requests", n)
			}
			var sleeps []string
			for _, d := range h.clock.Sleeps() {
				sleeps = append(sleeps, d.String())
			}
			if strings.Join(sleeps, ",") != strings.Join(tt.sleeps, ",") {
				t.Errorf("waits %v, want %v", sleeps, tt.sleeps)
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v\nlacks %q", err, w)
				}
			}
			for _, is := range tt.is {
				if !errors.Is(err, is) {
					t.Errorf("error %v does not wrap %v", err, is)
				}
			}
			if err != nil && strings.Contains(err.Error(), h.fake.Options().AccessToken) {
				t.Error("the error holds the access token")
			}
		})
	}
}

func TestRotatedRefreshTokenIsSaved(t *testing.T) {
	store := &memStore{}
	h := newHarness(t, tiktoktest.Options{RotateRefresh: true}, nil, store)
	h.fake.Inject(1, tiktoktest.ExpiredToken)
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	saved, ok, _ := store.Load("refresh_token")
	if !ok || saved == "" || saved.Reveal() == h.fake.Options().RefreshToken {
		t.Fatalf("the rotated refresh token was not saved (%v)", ok)
	}
	if strings.Contains(h.logs.String(), saved.Reveal()) {
		t.Error("the new refresh token is in the logs")
	}
}

func TestConfigErrorsAreReportedTogether(t *testing.T) {
	y := "advertiser_ids: [\"12x\"]\nlevel: adset\npage_size: 5000\ncurrency: usd\n"
	_, err := tiktok.New(connectors.Config{Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{`"12x" is not an advertiser id`, "access_token is required", `level "adset"`, "page_size 5000", "currency and timezone together"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
