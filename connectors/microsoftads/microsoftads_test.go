package microsoftads_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/microsoftads"
	"github.com/pacerhq/pacer/connectors/microsoftads/microsoftadstest"
)

var day = conntest.Day

// config decodes y strictly, with vars expanded, like the pipeline.
func config(y string, vars map[string]string, logs *bytes.Buffer) connectors.Config {
	y = conntest.Expand(y, vars)
	return connectors.Config{
		Name:   "msads",
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: conntest.Decode(y),
	}
}

type harness struct {
	fake  *microsoftadstest.Server
	src   *microsoftads.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, o microsoftadstest.Options, extra string) *harness {
	t.Helper()
	fake := microsoftadstest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))}
	cfg := config(y+extra, vars, h.logs)
	cfg.StartDate = fake.Days().From
	src, err := microsoftads.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
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
		Stream: microsoftads.StreamName, Cursor: h.em.Cursor(), Until: until,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, h.em)
}

// count runs a count query.
func (h *harness) count(t *testing.T, q string) int {
	t.Helper()
	return conntest.Count(t, h.em, q)
}

func TestPollsWaitOnTheInjectedClock(t *testing.T) {
	one := []microsoftadstest.Account{{ID: "180000001", Currency: "USD", TimeZone: "America/Los_Angeles"}}
	h := newHarness(t, microsoftadstest.Options{Accounts: one, PendingPolls: 4, DaysPerRequest: 31}, "")
	start := time.Now()
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	// One job: Pending four times, then Success; waits double from 5 s and
	// are capped at a minute.
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute}
	if got := h.clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the read took %s of real time", d)
	}
	if n := h.fake.Requests(); n != 1+5 {
		t.Errorf("%d Submit+Poll requests, want 1 submit and 5 polls", n)
	}
}

func TestSubmitBodyAndHeaders(t *testing.T) {
	h := newHarness(t, microsoftadstest.Options{NoHeaderFooter: true}, "report_time_zone: PacificTimeUSCanadaTijuana\n")
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	subs := h.fake.Submits()
	if len(subs) != 3*2 {
		t.Fatalf("%d submits, want 3 windows × 2 accounts", len(subs))
	}
	var got struct {
		ReportRequest struct {
			Type, Format, Aggregation                string
			ExcludeReportHeader, ExcludeReportFooter bool
			Columns                                  []string
			Scope                                    struct{ AccountIds []int64 }
			Time                                     struct {
				CustomDateRangeStart, CustomDateRangeEnd struct{ Day, Month, Year int }
				ReportTimeZone                           string
			}
		}
	}
	if err := json.Unmarshal(subs[0], &got); err != nil {
		t.Fatal(err)
	}
	rr := got.ReportRequest
	if rr.Type != "CampaignPerformanceReportRequest" || rr.Format != "Csv" || rr.Aggregation != "Daily" ||
		!rr.ExcludeReportHeader || !rr.ExcludeReportFooter || rr.Time.ReportTimeZone != "PacificTimeUSCanadaTijuana" {
		t.Errorf("report request %s", subs[0])
	}
	if !slices.Equal(rr.Columns, microsoftads.Columns) || !slices.Equal(rr.Scope.AccountIds, []int64{180000001}) {
		t.Errorf("columns %v scope %v", rr.Columns, rr.Scope.AccountIds)
	}
	if s, e := rr.Time.CustomDateRangeStart, rr.Time.CustomDateRangeEnd; s.Day != 1 || s.Month != 10 || s.Year != 2026 || e.Day != 7 {
		t.Errorf("time %+v", rr.Time)
	}
	o := h.fake.Options()
	for _, hd := range h.fake.Headers() {
		if hd.Get("DeveloperToken") != o.DeveloperToken || hd.Get("CustomerId") != o.CustomerID ||
			hd.Get("CustomerAccountId") == "" || !strings.HasPrefix(hd.Get("Authorization"), "Bearer ") {
			t.Errorf("headers %v", hd.Get("CustomerAccountId"))
		}
	}
	if len(h.fake.DownloadHeaders()) == 0 {
		t.Fatal("nothing downloaded")
	}
	for _, hd := range h.fake.DownloadHeaders() {
		if hd.Get("Authorization") != "" || hd.Get("DeveloperToken") != "" {
			t.Error("credentials sent to the pre-signed download URL")
		}
	}
	// The bare CSV (no header block) loads the same rows.
	conntestCompare(t, h, h.fake.Expected(h.fake.Days()))
}

// conntestCompare checks the stored rows against want by key and values.
func conntestCompare(t *testing.T, h *harness, want []map[string]string) {
	t.Helper()
	rows, err := h.em.Query(t.Context(), `SELECT CAST(date AS VARCHAR), account_id, campaign_id, campaign_name, account_timezone, currency, channel,
		CAST(spend AS VARCHAR), impressions, clicks, conversions, CAST(conversion_value AS VARCHAR), ad_group_id IS NULL AND ad_id IS NULL FROM campaign_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]any{}
	for rows.Next() {
		var d, a, c, name, tz, cur, ch, spend, value string
		var impr, clicks int64
		var conv float64
		var nulls bool
		if err := rows.Scan(&d, &a, &c, &name, &tz, &cur, &ch, &spend, &impr, &clicks, &conv, &value, &nulls); err != nil {
			t.Fatal(err)
		}
		got[d+"|"+a+"|"+c] = []any{name, tz, cur, ch, trimZeros(spend), impr, clicks, conv, trimZeros(value), nulls}
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
	for _, w := range want {
		g, ok := got[w["date"]+"|"+w["account_id"]+"|"+w["campaign_id"]]
		if !ok {
			t.Errorf("missing %v", w)
			continue
		}
		exp := []any{w["campaign_name"], w["account_timezone"], w["currency"], w["channel"], trimZeros(w["spend"]),
			atoi(w["impressions"]), atoi(w["clicks"]), atof(w["conversions"]), trimZeros(w["conversion_value"]), true}
		for i := range exp {
			if g[i] != exp[i] {
				t.Errorf("row %s %s %s: column %d = %v, want %v", w["date"], w["account_id"], w["campaign_id"], i, g[i], exp[i])
			}
		}
	}
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func atoi(s string) int64 {
	var n int64
	_ = json.Unmarshal([]byte(s), &n)
	return n
}

func atof(s string) float64 {
	var f float64
	_ = json.Unmarshal([]byte(s), &f)
	return f
}

func TestZippedCSVWithHeaderFooterAndSlashDates(t *testing.T) {
	h := newHarness(t, microsoftadstest.Options{TimePeriodLayout: "1/2/2006"}, "")
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	conntestCompare(t, h, h.fake.Expected(h.fake.Days()))
	if n := h.count(t, `SELECT count(*) FROM campaign_daily WHERE campaign_name = 'Café "Winter", 茶 Gifts'`); n == 0 {
		t.Error("a quoted campaign name with a comma and a double quote was not read whole")
	}
	if q := h.em.Quarantined(); len(q) != 0 {
		t.Errorf("quarantined %v", q[0])
	}
}

func TestDownloadSignatureNeverLeaks(t *testing.T) {
	h := newHarness(t, microsoftadstest.Options{}, "")
	h.fake.InjectDownload(1, microsoftadstest.Malformed)        // retried
	h.fake.InjectDownload(4, microsoftadstest.SignatureExpired) // polled again for a fresh URL,
	h.fake.InjectDownload(5, microsoftadstest.SignatureExpired) // which fails too
	err := h.read(t, day("2026-10-20"))
	if err == nil {
		t.Fatal("a 403 on the download passed")
	}
	if !errors.Is(err, httpkit.ErrPermanent) || !strings.Contains(err.Error(), "download report account") || !strings.Contains(err.Error(), "HTTP 403") {
		t.Errorf("error %q", err)
	}
	text := err.Error() + "\n" + h.logs.String()
	for _, s := range h.fake.Secrets() {
		if strings.Contains(text, s) {
			t.Errorf("secret %.8s… in the error or logs", s)
		}
	}
	if strings.Contains(text, "sig=") || strings.Contains(text, "sig%3D") {
		t.Error("a download URL's query reached the error or logs")
	}
	if !strings.Contains(h.logs.String(), "/download/") {
		t.Error("the download was not logged (redacted) at debug level")
	}
	if n := len(h.em.Cursors()); n != 1 {
		t.Errorf("%d checkpoints; the first window (two downloads, one retried) should be committed", n)
	}
}

func TestExpiredDownloadURLIsPolledAgain(t *testing.T) {
	one := []microsoftadstest.Account{{ID: "180000001", Currency: "USD", TimeZone: "America/Los_Angeles"}}
	h := newHarness(t, microsoftadstest.Options{Accounts: one, DaysPerRequest: 31}, "")
	h.fake.InjectDownload(1, microsoftadstest.SignatureExpired)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	// Submit, 3 polls (Pending, Pending, Success), one more poll for a fresh URL.
	if n := h.fake.Requests(); n != 5 {
		t.Errorf("%d Submit+Poll requests, want 5", n)
	}
	conntestCompare(t, h, h.fake.Expected(h.fake.Days()))
}

func TestThrottleWaitsTheConfiguredTime(t *testing.T) {
	h := newHarness(t, microsoftadstest.Options{}, "throttle_wait: 90s\n")
	h.fake.Inject(1, microsoftadstest.Throttle)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.Sleeps(); len(got) == 0 || got[0] != 90*time.Second {
		t.Errorf("waits %v, want 90s first", got)
	}
}

func TestEmptyReportHasNoURL(t *testing.T) {
	one := []microsoftadstest.Account{{ID: "180000001", Currency: "USD", TimeZone: "America/Los_Angeles"}}
	h := newHarness(t, microsoftadstest.Options{Accounts: one, From: day("2026-10-01"), To: day("2026-10-20")}, "")
	// Days after the fake's data: Success with a null ReportDownloadUrl.
	h.em = conntest.NewEmitter(t, conntest.OpenDB(t), microsoftads.StreamName, conntest.WithDateColumn("date"))
	err := h.src.Read(t.Context(), connectors.ReadRequest{Stream: microsoftads.StreamName, Until: day("2026-10-24"),
		Backfill: &connectors.DateRange{From: day("2026-10-21"), To: day("2026-10-24")}}, h.em)
	if err != nil {
		t.Fatal(err)
	}
	if p := h.fake.Pages(); p != 0 {
		t.Errorf("%d downloads of an empty report", p)
	}
	if len(h.em.Cursors()) != 1 {
		t.Error("no checkpoint after an empty report")
	}
}

func TestParseMoneyIsExact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"183.25", "183.250000000"}, {"0.1", "0.100000000"}, {"-2.5", "-2.500000000"}, {"1,234.56", "1234.560000000"},
		{"", "0.000000000"}, {"--", "0.000000000"}, {"12345678901234567890.123456789", "12345678901234567890.123456789"},
	}
	for _, tt := range tests {
		n, err := microsoftads.ParseMoney(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := n.ToString(9); got != tt.want {
			t.Errorf("%q = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"1.0000000001", "abc", "1e3", "."} {
		if _, err := microsoftads.ParseMoney(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestBadRowsAreQuarantined(t *testing.T) {
	dec := microsoftads.NewReportDecoder(connectors.Canonical["ad_performance"].ArrowSchema(), "paid_search")
	body := "\xef\xbb\xbf\"Report Name: x\"\r\n\"Rows: 3\"\r\n\"\"\r\n" +
		`"TimePeriod","AccountId","CampaignId","CampaignName","CurrencyCode","Spend","Impressions","Clicks","Conversions","Revenue"` + "\r\n" +
		`"2026-11-01","180000001","1","A","USD","1.50","10","1","0","0.00"` + "\r\n" +
		`"2026-11-01","180000001","2","B","USD","1.5x","10","1","0","0.00"` + "\r\n" +
		`"2026-11-02","180000001","1","A","USD","2.00","20","2","1","9.99"` + "\r\n" +
		"\"\"\r\n\"©2026 Microsoft Corporation. All rights reserved. \"\r\n"
	rep, err := dec.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Release()
	if rep.Rows != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Field != "Spend" || rep.Header["Rows"] != "3" {
		t.Errorf("rows %d rejected %+v header %v", rep.Rows, rep.Rejected, rep.Header)
	}
	if _, err := dec.Decode([]byte("not,a,report\n")); !errors.Is(err, httpkit.ErrMalformed) {
		t.Errorf("a CSV without the columns: %v", err)
	}
	if _, err := microsoftads.Unzip([]byte("PK\x03\x04 cut")); !errors.Is(err, httpkit.ErrMalformed) {
		t.Errorf("a cut zip: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	base := "client_id: x\nclient_secret: s3cretvalue\nrefresh_token: r3fresh-value\ndeveloper_token: d3vtoken-value\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"account ids and customer id are required", base, []string{"account_ids is required", "customer_id is required"}},
		{"an account number is not an account id", base + "customer_id: '1'\naccount_ids: [F12345AB]\n", []string{`"F12345AB" is not an account id`}},
		{"every problem at once", "account_ids: [1, 1]\ncustomer_id: x\ntime_zone: Mars/Olympus\ntime_zones: {'2': UTC}\nreport_time_zone: 'GMT+1'\nchannel: Paid\ndays_per_request: 0\npoll_interval: soon\napi_version: 13\n",
			[]string{"listed twice", `customer_id "x"`, "developer_token is required", "client_id is required", "refresh_token is required",
				`time_zone "Mars/Olympus"`, "time_zones: account 2", "report_time_zone", `channel "Paid"`, "poll_interval", "api_version"}},
		{"a non-loopback base_url is refused in tests", base + "customer_id: '1'\naccount_ids: [1]\nbase_url: https://reporting.api.bingads.microsoft.com\n", []string{"only loopback"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			_, err := microsoftads.New(config(tt.yaml, nil, &logs), httpkit.WithLoopbackOnly())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, s := range []string{"s3cretvalue", "r3fresh-value", "d3vtoken-value"} {
				if strings.Contains(err.Error(), s) {
					t.Error("a secret is in the error")
				}
			}
		})
	}
}
