package ga4_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/ga4"
	"github.com/pacerhq/pacer/connectors/ga4/ga4test"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

var day = conntest.Day

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake  *ga4test.Server
	src   *ga4.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o ga4test.Options, extra string, start time.Time, now time.Time) *harness {
	t.Helper()
	fake := ga4test.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	y += extra
	y = conntest.Expand(y, vars)
	if now.IsZero() {
		now = time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC)
	}
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(now)}
	if start.IsZero() {
		start = fake.Days().From
	}
	cfg := connectors.Config{
		Name: "ga4", StartDate: start,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
	src, err := ga4.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
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
		Stream: ga4.StreamName, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
}

func (h *harness) strings(t *testing.T, q string) []string {
	t.Helper()
	return conntest.Strings(t, h.em, q)
}

func TestSourceMediumSplitMoneyAndTimeZone(t *testing.T) {
	h := newHarness(t, ga4test.Options{}, "", time.Time{}, time.Time{})
	if err := h.read(t, day("2026-10-05")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT source || '|' || medium || '|' || channel_group FROM traffic_daily ORDER BY 1`)
	for _, want := range []string{"google|cpc|Paid Search", "(direct)|(none)|Direct", "google|organic|Organic Search",
		"news.example.com|referral|Referral", "partner-feed|(not set)|Unassigned"} {
		if !slices.Contains(got, want) {
			t.Errorf("source|medium|channel_group %q missing from %q", want, got)
		}
	}
	if c := h.strings(t, `SELECT DISTINCT campaign FROM traffic_daily WHERE channel_group = 'Paid Social'`); len(c) != 1 || c[0] != `Café "Winter" 茶 \ Gifts` {
		t.Errorf("escaped campaign read as %q", c)
	}
	got = h.strings(t, `SELECT DISTINCT property_id || '|' || currency || '|' || account_timezone || '|' || typeof(revenue) || '|' || typeof(date) FROM traffic_daily ORDER BY 1`)
	want := []string{"123456789|EUR|Europe/Berlin|DECIMAL(38,9)|DATE", "987654321|USD|America/Los_Angeles|DECIMAL(38,9)|DATE"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if f := h.strings(t, `SELECT DISTINCT CAST(thresholded AS VARCHAR) || CAST(sampled AS VARCHAR) FROM traffic_daily`); !slices.Equal(f, []string{"falsefalse"}) {
		t.Errorf("flags %q on an unthresholded report", f)
	}
}

func TestRequestBody(t *testing.T) {
	h := newHarness(t, ga4test.Options{PageLimit: 5}, "", time.Time{}, time.Time{})
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	bodies := h.fake.Bodies()
	// Two metadata probes, then 3 days of ~6 rows per property in pages of 5.
	if len(bodies) < 2+2*3 {
		t.Fatalf("%d requests", len(bodies))
	}
	var req map[string]any
	if err := json.Unmarshal(bodies[2], &req); err != nil {
		t.Fatal(err)
	}
	if req["limit"] != "5" || req["returnPropertyQuota"] != true || req["offset"] != nil {
		t.Errorf("first page: %s", bodies[2])
	}
	if !strings.Contains(string(bodies[2]), `"dateRanges":[{"startDate":"2026-10-01","endDate":"2026-10-03"}]`) ||
		!strings.Contains(string(bodies[2]), `{"name":"sessionSourceMedium"}`) || !strings.Contains(string(bodies[2]), `"orderBys"`) {
		t.Errorf("first page: %s", bodies[2])
	}
	if !strings.Contains(string(bodies[3]), `"offset":"5"`) {
		t.Errorf("second page: %s", bodies[3])
	}
}

func TestEmptyReportWithoutRows(t *testing.T) {
	// The first window lies before the fake's data: GA4 leaves rows and
	// rowCount out.
	h := newHarness(t, ga4test.Options{}, "", day("2026-09-20"), time.Time{})
	if err := h.read(t, day("2026-10-02")); err != nil {
		t.Fatal(err)
	}
	// 2 probes; window 09-20..09-26 (empty, one request per property),
	// 09-27..10-02 (one page each).
	if n := h.fake.Requests(); n != 2+2+2 {
		t.Errorf("%d requests; an empty report must end its window at once", n)
	}
	if n := len(h.em.Cursors()); n != 2 {
		t.Errorf("%d checkpoints, want 2 (the empty window too)", n)
	}
	if got := h.strings(t, `SELECT CAST(min(date) AS VARCHAR) FROM traffic_daily`); !slices.Equal(got, []string{"2026-10-01"}) {
		t.Errorf("first day %q", got)
	}
	if got := string(h.em.Cursor()); got != `{"through":"2026-10-02"}` {
		t.Errorf("cursor %s", got)
	}
}

func TestQuota429WaitsForTheNextHour(t *testing.T) {
	now := time.Date(2026, 10, 25, 12, 17, 30, 0, time.UTC)
	h := newHarness(t, ga4test.Options{}, "", time.Time{}, now)
	h.fake.Inject(3, ga4test.Throttle) // after the two metadata probes
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	if s := h.clock.Sleeps(); !slices.Contains(s, 42*time.Minute+30*time.Second) {
		t.Errorf("sleeps %v; want 42m30s, until 13:00", s)
	}
}

func TestDailyQuotaStopsTheRun(t *testing.T) {
	h := newHarness(t, ga4test.Options{}, "", time.Time{}, time.Time{})
	h.fake.Inject(3, ga4test.DailyQuota)
	err := h.read(t, day("2026-10-20"))
	if !errors.Is(err, httpkit.ErrRateLimited) {
		t.Fatalf("err %v; want ErrRateLimited", err)
	}
	if !strings.Contains(err.Error(), "Exhausted property tokens per day") {
		t.Errorf("error lacks Google's message: %v", err)
	}
	if s := h.clock.Slept(); s != 0 {
		t.Errorf("slept %s", s)
	}
}

func TestLowHourlyQuotaPauses(t *testing.T) {
	now := time.Date(2026, 10, 25, 12, 40, 0, 0, time.UTC)
	// 700 tokens an hour at 100 a request: below the reserve of 500 after
	// the third request.
	h := newHarness(t, ga4test.Options{HourlyTokens: 700, TokensPerRequest: 100}, "", time.Time{}, now)
	if err := h.read(t, day("2026-10-07")); err != nil {
		t.Fatal(err)
	}
	if s := h.clock.Sleeps(); len(s) == 0 || s[0] != 20*time.Minute {
		t.Errorf("sleeps %v; want a pause of 20m until 13:00", s)
	}
	if !strings.Contains(h.logs.String(), "hourly quota low") {
		t.Error("no log of the pause")
	}
}

func TestThresholdingAndSamplingFlagged(t *testing.T) {
	h := newHarness(t, ga4test.Options{Thresholded: true, Sampled: true}, "", time.Time{}, time.Time{})
	if err := h.read(t, day("2026-10-05")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT CAST(thresholded AS VARCHAR) || '|' || CAST(sampled AS VARCHAR) FROM traffic_daily`)
	if !slices.Equal(got, []string{"true|true"}) {
		t.Errorf("flags %q; want every row thresholded and sampled", got)
	}
	if !strings.Contains(h.logs.String(), "report thresholded or sampled") {
		t.Error("no warning logged")
	}
}

func TestSeparateSourceAndMedium(t *testing.T) {
	h := newHarness(t, ga4test.Options{}, "dimensions: [date, sessionDefaultChannelGroup, sessionSource, sessionMedium, sessionCampaignName]\nmetrics: [sessions, totalUsers, newUsers, keyEvents, purchaseRevenue]\n", time.Time{}, time.Time{})
	if err := h.read(t, day("2026-10-02")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT DISTINCT source || '|' || medium FROM traffic_daily WHERE channel_group = 'Paid Search'`)
	if !slices.Equal(got, []string{"google|cpc"}) {
		t.Errorf("got %q", got)
	}
	if got := h.strings(t, `SELECT CAST(count(*) AS VARCHAR) FROM traffic_daily WHERE new_users IS NULL`); !slices.Equal(got, []string{"0"}) {
		t.Errorf("new_users NULL on %q rows", got)
	}
}

func TestConfigErrors(t *testing.T) {
	cfg := connectors.Config{Decode: func(v any) error {
		return yaml.Unmarshal([]byte("property_ids: [G-ABC123, \"1\", \"1\"]\ndimensions: [date, sessionSourceMedium, sessionSource, pageTitle]\nmetrics: [sessions]\npage_limit: 300000\n"), v)
	}}
	_, err := ga4.New(cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"G-ABC123", "listed twice", "client_id", "client_secret", "refresh_token", "pageTitle",
		"not both", "channel_group", "campaign", "need one giving users", "page_limit 300000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
