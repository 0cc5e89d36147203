package oceanengine_test

import (
	"bytes"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/oceanengine"
	"github.com/pacerhq/pacer/connectors/oceanengine/oceanenginetest"
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

type harness struct {
	fake  *oceanenginetest.Server
	yaml  string
	store connectors.TokenStore
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o oceanenginetest.Options, extra string, store connectors.TokenStore) *harness {
	t.Helper()
	fake := oceanenginetest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	y += extra
	y = conntest.Expand(y, vars)
	h := &harness{fake: fake, yaml: y, store: store, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), oceanengine.StreamName, conntest.WithDateColumn("date"))
	return h
}

// source builds a fresh source, as each run does.
func (h *harness) source(t *testing.T) *oceanengine.Source {
	t.Helper()
	src, err := oceanengine.New(connectors.Config{
		Name: "oe", StartDate: h.fake.Days().From, Tokens: h.store,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: func(v any) error {
			dec := yaml.NewDecoder(strings.NewReader(h.yaml))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
	}, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	err := h.source(t).Read(t.Context(), connectors.ReadRequest{
		Stream: oceanengine.StreamName, Cursor: h.em.Cursor(), Until: until,
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

func TestRequestsUseTheCustomReportWireFormat(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "", nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	q := h.fake.Queries()
	if len(q) != 3*2 { // 3 windows × 2 advertisers, one page each
		t.Fatalf("%d report requests", len(q))
	}
	want := map[string]string{
		"advertiser_id": "1760000000000001", "filters": "[]",
		"dimensions": `["stat_time_day","cdp_project_id","cdp_project_name"]`,
		"metrics":    `["stat_cost","show_cnt","click_cnt","convert_cnt"]`,
		"order_by":   `[{"field":"stat_time_day","type":"ASC"}]`,
		"start_time": "2026-10-01", "end_time": "2026-10-07", "page": "1", "page_size": "100",
	}
	for k, v := range want {
		if q[0][k] != v {
			t.Errorf("%s = %q, want %q", k, q[0][k], v)
		}
	}
	for _, hd := range h.fake.Headers() {
		if hd.Get("Access-Token") != h.fake.Options().AccessToken || hd.Get("Authorization") != "" {
			t.Errorf("auth headers %v", hd)
		}
	}
}

func TestCampaignDimensionIsConfigurable(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "campaign_dimension: cdp_promotion_id\ncampaign_name_dimension: \"\"\nconversion_value_metric: ctr\n", nil)
	src := h.source(t)
	q := src.ReportQuery("1760000000000001", connectors.DateRange{From: day("2026-10-01"), To: day("2026-10-01")}, 1)
	if got := q.Get("dimensions"); got != `["stat_time_day","cdp_promotion_id"]` {
		t.Errorf("dimensions %s", got)
	}
	if got := q.Get("metrics"); got != `["stat_cost","show_cnt","click_cnt","convert_cnt","ctr"]` {
		t.Errorf("metrics %s", got)
	}
}

func TestYuanStaysExactAndCurrencyTimeZoneLand(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "", nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT concat_ws(' ', currency, account_timezone, channel, typeof(spend)) FROM project_daily`)
	if len(got) != 1 || got[0] != "CNY Asia/Shanghai short_video DECIMAL(38,9)" {
		t.Errorf("got %v", got)
	}
	// Every stored spend is the fake's yuan string, digit for digit, and
	// the total is the exact sum.
	sum := new(big.Rat)
	want := map[string]string{}
	for _, m := range h.fake.Expected(h.fake.Days()) {
		r, _ := new(big.Rat).SetString(m["spend"])
		sum.Add(sum, r)
		want[m["account_id"]+" "+m["date"]+" "+m["campaign_id"]] = m["spend"]
	}
	for _, row := range h.strings(t, `SELECT concat_ws(' ', account_id, date, campaign_id, spend::VARCHAR) FROM project_daily`) {
		i := strings.LastIndexByte(row, ' ')
		if w := want[row[:i]]; w+"0000000" != row[i+1:] {
			t.Errorf("%s: spend %s, want %s", row[:i], row[i+1:], w)
		}
	}
	if got := h.strings(t, `SELECT sum(spend)::VARCHAR FROM project_daily`); got[0] != sum.FloatString(9) {
		t.Errorf("sum %s, want %s", got[0], sum.FloatString(9))
	}
}

func TestConfiguredCurrencyAndTimeZone(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "currency: HKD\ntimezone: Asia/Hong_Kong\n", nil)
	if err := h.read(t, day("2026-10-02")); err != nil {
		t.Fatal(err)
	}
	if got := h.strings(t, `SELECT DISTINCT currency || ' ' || account_timezone FROM project_daily`); len(got) != 1 || got[0] != "HKD Asia/Hong_Kong" {
		t.Errorf("got %v", got)
	}
}

func TestCodesInsideHTTP200(t *testing.T) {
	tests := []struct {
		name   string
		kind   string
		ok     bool
		sleeps string
		want   string
		is     []error
	}{
		{name: "40100 waits throttle_wait on the clock", kind: oceanenginetest.Throttle, ok: true, sleeps: "20s"},
		{name: "a 503 page is retried with backoff", kind: oceanenginetest.ServerError, ok: true, sleeps: "500ms"},
		{name: "a body cut short is retried", kind: oceanenginetest.Malformed, ok: true, sleeps: "500ms"},
		{name: "40102 refreshes the pair and goes on", kind: oceanenginetest.ExpiredToken, ok: true},
		{name: "a permission error fails at once with the platform's message", kind: oceanenginetest.PermissionDenied,
			want: "ocean_engine: custom report advertiser 1760000000000001 2026-10-01..2026-10-03 page 1: 40002: 没有权限访问该广告主 (no permission for this advertiser)",
			is:   []error{httpkit.ErrPermanent}},
		{name: "a dead refresh token stops the read", kind: oceanenginetest.Revoked,
			want: "ocean_engine: token refresh: 40107: refresh_token无效或已过期", is: []error{httpkit.ErrPermanent, httpkit.ErrAuth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, oceanenginetest.Options{}, "", nil)
			h.fake.Inject(1, tt.kind)
			err := h.read(t, day("2026-10-03"))
			if tt.ok != (err == nil) {
				t.Fatalf("read: %v", err)
			}
			if !tt.ok && h.fake.Requests() != 1 {
				t.Errorf("%d report requests; a permanent error is not retried", h.fake.Requests())
			}
			var sleeps []string
			for _, d := range h.clock.Sleeps() {
				sleeps = append(sleeps, d.String())
			}
			if strings.Join(sleeps, ",") != tt.sleeps {
				t.Errorf("waits %v, want %s", sleeps, tt.sleeps)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("error %v\nlacks %q", err, tt.want)
			}
			for _, is := range tt.is {
				if !errors.Is(err, is) {
					t.Errorf("error %v does not wrap %v", err, is)
				}
			}
		})
	}
}

func TestRotatedPairIsSavedAndUsedNextRun(t *testing.T) {
	store := &memStore{}
	h := newHarness(t, oceanenginetest.Options{}, "", store)
	h.fake.Inject(1, oceanenginetest.ExpiredToken)
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	saved, ok, _ := store.Load("refresh_token")
	if !ok || saved.Reveal() != h.fake.RefreshToken() {
		t.Fatal("the new refresh token was not saved")
	}
	if _, ok, _ := store.Load("access_token"); !ok {
		t.Error("the new access token was not saved")
	}
	// The configured pair is dead now; the next run works from the store
	// without refreshing.
	before := h.fake.TokenRequests()
	if err := h.read(t, day("2026-10-05")); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if n := h.fake.TokenRequests() - before; n != 0 {
		t.Errorf("%d refreshes on the second run", n)
	}
	for _, s := range []string{saved.Reveal(), h.fake.Options().RefreshToken, h.fake.Options().Secret} {
		if strings.Contains(h.logs.String(), s) {
			t.Error("a token is in the logs")
		}
	}
}

func TestWithoutTokenStoreTheRotationIsLost(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "", nil)
	h.fake.Inject(1, oceanenginetest.ExpiredToken)
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), "no token store") {
		t.Error("no warning that the rotated pair could not be kept")
	}
	err := h.read(t, day("2026-10-05"))
	if !errors.Is(err, httpkit.ErrAuth) {
		t.Errorf("second run with the dead configured pair: %v; want ErrAuth", err)
	}
}

func TestCheckReachesEveryAdvertiser(t *testing.T) {
	h := newHarness(t, oceanenginetest.Options{}, "", nil)
	if err := h.source(t).Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Requests(); n != 2 {
		t.Errorf("%d requests, want one per advertiser", n)
	}
	h.fake.Inject(1, oceanenginetest.PermissionDenied)
	if err := h.source(t).Check(t.Context()); !errors.Is(err, httpkit.ErrPermanent) {
		t.Errorf("Check on a permission error: %v", err)
	}
}
