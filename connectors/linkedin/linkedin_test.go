package linkedin_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/linkedin"
	"github.com/pacerhq/pacer/connectors/linkedin/linkedintest"
)

var day = conntest.Day

func config(y string, vars map[string]string, logs *bytes.Buffer) connectors.Config {
	y = conntest.Expand(y, vars)
	return connectors.Config{
		Name:   "li",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
}

type harness struct {
	fake  *linkedintest.Server
	src   *linkedin.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o linkedintest.Options, extra string) *harness {
	t.Helper()
	fake := linkedintest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := config(y+extra, vars, h.logs)
	cfg.StartDate = fake.Days().From
	src, err := linkedin.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.src = src
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), linkedin.StreamName, conntest.WithDateColumn("date"))
	return h
}

func (h *harness) read(t *testing.T, until time.Time) error {
	t.Helper()
	return h.src.Read(t.Context(), connectors.ReadRequest{Stream: linkedin.StreamName, Cursor: h.em.Cursor(), Until: until}, h.em)
}

func (h *harness) rows(t *testing.T, q string) []string {
	t.Helper()
	return conntest.Strings(t, h.em, q)
}

func TestRestliHeadersAndQuery(t *testing.T) {
	h := newHarness(t, linkedintest.Options{}, "")
	if err := h.read(t, day("2026-10-06")); err != nil {
		t.Fatal(err)
	}
	calls := h.fake.Calls()
	for _, c := range calls {
		if got := c.Header.Get("X-Restli-Protocol-Version"); got != "2.0.0" {
			t.Errorf("%s: X-Restli-Protocol-Version %q", c.Path, got)
		}
		if got := c.Header.Get("Linkedin-Version"); got != linkedin.DefaultAPIVersion {
			t.Errorf("%s: Linkedin-Version %q", c.Path, got)
		}
		if !strings.HasPrefix(c.Header.Get("Authorization"), "Bearer AQV") {
			t.Errorf("%s: no bearer token", c.Path)
		}
	}
	var analytics []string
	for _, c := range calls {
		if c.Path == "/rest/adAnalytics" {
			analytics = append(analytics, c.RawQuery)
		}
	}
	want := "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2026,month:10,day:1),end:(year:2026,month:10,day:3))" +
		"&accounts=List(urn%3Ali%3AsponsoredAccount%3A508000001)" +
		"&fields=dateRange,pivotValues,impressions,clicks,costInLocalCurrency,externalWebsiteConversions,conversionValueInLocalCurrency"
	if len(analytics) != 4 || analytics[0] != want {
		t.Errorf("analytics queries %q\nwant first %q", analytics, want)
	}
}

func TestPivotURNMapsToCampaignIDAndName(t *testing.T) {
	h := newHarness(t, linkedintest.Options{PageSize: 2}, "")
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	got := h.rows(t, `SELECT DISTINCT account_id || ' ' || campaign_id || ' ' || campaign_urn || ' ' || campaign_name || ' ' || currency
		FROM campaign_daily WHERE campaign_id IN ('612000001', '612001003') ORDER BY 1`)
	want := []string{
		"508000001 612000001 urn:li:sponsoredCampaign:612000001 ABM Tier 1 – Sponsored Content USD",
		`508000002 612001003 urn:li:sponsoredCampaign:612001003 Thought "Leadership" 茶 EUR`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Five campaigns at two per page: three search pages per account.
	n := 0
	for _, c := range h.fake.Calls() {
		if strings.HasSuffix(c.Path, "/adCampaigns") {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d campaign search pages, want 3 per account", n)
	}
	if empty := h.rows(t, "SELECT count(*)::VARCHAR FROM campaign_daily WHERE campaign_name = ''"); empty[0] != "0" {
		t.Errorf("%s rows without a campaign name", empty[0])
	}
}

func TestCampaignNamesCanBeSwitchedOff(t *testing.T) {
	h := newHarness(t, linkedintest.Options{}, "campaign_names: false\n")
	if err := h.read(t, day("2026-10-03")); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.fake.Calls() {
		if strings.HasSuffix(c.Path, "/adCampaigns") {
			t.Fatal("campaigns searched although campaign_names is false")
		}
	}
}

func TestFullAnswerIsReadInHalves(t *testing.T) {
	// 5 campaigns × 3 days ≈ 12 rows per account; a cap of 8 elements
	// cuts the answer, so each 3-day window is split.
	h := newHarness(t, linkedintest.Options{MaxElements: 8}, "")
	linkedin.SetMaxElements(h.src, 8)
	err := h.read(t, day("2026-10-03"))
	if err != nil {
		t.Fatal(err)
	}
	want := h.fake.Expected(connectors.DateRange{From: day("2026-10-01"), To: day("2026-10-03")})
	got := h.rows(t, "SELECT count(*)::VARCHAR FROM campaign_daily")
	if got[0] != strconv.Itoa(len(want)) {
		t.Errorf("%s rows, want %d", got[0], len(want))
	}
}

func TestDailyLimitStopsUntilTomorrow(t *testing.T) {
	h := newHarness(t, linkedintest.Options{}, "")
	h.fake.Inject(7, linkedintest.DailyLimit)
	err := h.read(t, day("2026-10-20"))
	if !errors.Is(err, httpkit.ErrRateLimited) || !strings.Contains(err.Error(), "APPLICATION DAY limit") {
		t.Errorf("daily limit: %v", err)
	}
	if h.clock.Slept() != 0 {
		t.Errorf("waited %s for a daily limit", h.clock.Slept())
	}
}

func TestSunsetVersion(t *testing.T) {
	h := newHarness(t, linkedintest.Options{MinVersion: 202608}, "")
	err := h.src.Check(t.Context())
	if err == nil || !strings.Contains(err.Error(), "HTTP 426") || !strings.Contains(err.Error(), "set api_version to") {
		t.Errorf("sunset version: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := "client_id: x\nclient_secret: s3cretvalue\nrefresh_token: r3fresh-value\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"accounts and credentials are required", "days_per_request: 3\n", []string{"account_ids is required", "client_id is required", "client_secret is required", "refresh_token is required"}},
		{"every problem at once", base + "account_ids: ['urn:li:sponsoredAccount:1', '1', 'act_2']\napi_version: '202511'\ntimezone: Mars/Base\nchannel: Social\ndays_per_request: 400\n",
			[]string{"1 is listed twice", `"act_2" is not a sponsored account id`, "api_version 202511 is sunset", `timezone "Mars/Base"`, `channel "Social"`, "days_per_request 400"}},
		{"a future version", base + "account_ids: ['1']\napi_version: '209901'\n", []string{"api_version 209901 is in the future"}},
		{"a bad version", base + "account_ids: ['1']\napi_version: '2026-07'\n", []string{`api_version "2026-07" must be YYYYMM`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			_, err := linkedin.New(config(tt.yaml, nil, &logs), httpkit.WithLoopbackOnly())
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
