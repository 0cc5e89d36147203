package stripe_test

import (
	"bytes"
	"errors"
	"log/slog"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/stripe"
	"github.com/pacerhq/pacer/connectors/stripe/stripetest"
)

var day = conntest.Day

// harness is a source on a fake, an emitter on DuckDB and a fake clock.
type harness struct {
	fake  *stripetest.Server
	src   *stripe.Source
	em    *conntest.Emitter
	clock *httpkit.FakeClock
	logs  *bytes.Buffer
}

func decoder(y string) func(v any) error {
	return func(v any) error {
		dec := yaml.NewDecoder(strings.NewReader(y))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
}

// newHarness starts a fake and a source on it; edit rewrites the fake's
// YAML (drop or add keys) before decoding.
func newHarness(t *testing.T, o stripetest.Options, edit func(string) string) *harness {
	t.Helper()
	fake := stripetest.New(o)
	t.Cleanup(fake.Close)
	y, vars := fake.Config()
	if edit != nil {
		y = edit(y)
	}
	y = conntest.Expand(y, vars)
	h := &harness{fake: fake, logs: &bytes.Buffer{}, clock: httpkit.NewFakeClock(fake.Days().To.AddDate(0, 0, 2).Add(12 * time.Hour))}
	cfg := connectors.Config{
		Name: "stripe", StartDate: fake.Days().From,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Decode: decoder(y),
	}
	src, err := stripe.New(cfg, httpkit.WithClock(h.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
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
		Stream: stripe.StreamName, Cursor: h.em.Cursor(), Until: until,
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

func TestAmountsAreExactInEveryExponent(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{4800, "jpy", "4800"}, {55000, "krw", "55000"}, {12345, "kwd", "12.345"}, {5124, "bhd", "5.124"},
		{2599, "eur", "25.99"}, {1, "usd", "0.01"}, {-1000, "jpy", "-1000"}, {9223372036854775807, "usd", "92233720368547758.07"},
	} {
		n, err := stripe.MinorToDecimal(c.minor, stripe.Exponent(c.cur))
		if err != nil {
			t.Fatal(err)
		}
		// DECIMAL(38,9): the integer is the value × 10^9.
		got := new(big.Rat).SetFrac(n.BigInt(), big.NewInt(1_000_000_000))
		w, _ := new(big.Rat).SetString(c.want)
		if got.Cmp(w) != 0 {
			t.Errorf("%d %s: %s, want %s", c.minor, c.cur, got.FloatString(9), c.want)
		}
	}

	h := newHarness(t, stripetest.Options{}, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT currency || ' ' || CAST(amount AS VARCHAR) FROM orders WHERE object_id IN ('ch_3Jpy000', 'ch_3Krw000', 'ch_3Kwd000', 'ch_3Pend000') ORDER BY currency`)
	want := []string{"JPY 4800.000000000", "KRW 55000.000000000", "KWD 12.345000000", "USD 10.370000000"}
	if !slices.Equal(got, want) {
		t.Errorf("amounts %v, want %v", got, want)
	}
}

func TestRefundLandsOnItsOwnDateWithTheChargesOrderID(t *testing.T) {
	h := newHarness(t, stripetest.Options{}, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	// The KWD charge of day 0 (order 100003) is refunded in full the next
	// day; the guest JPY charge of day 0 partly two days later (order = its
	// payment intent).
	got := h.strings(t, `SELECT concat_ws(' ', object_id, order_id, status, CAST(amount AS VARCHAR), currency, CAST(date AS VARCHAR), strftime(ts, '%H:%M'), coalesce(customer_id, '-'))
		FROM orders WHERE order_id IN ('100003', 'pi_3Jpy000') ORDER BY ts`)
	want := []string{
		"ch_3Jpy000 pi_3Jpy000 paid 4800.000000000 JPY 2026-10-01 04:00 -",
		"ch_3Kwd000 100003 paid 12.345000000 KWD 2026-10-01 10:00 cus_Sab000",
		"re_3R0003 100003 refunded 12.345000000 KWD 2026-10-02 15:00 cus_Sab000",
		"re_3R0001 pi_3Jpy000 refunded 1000.000000000 JPY 2026-10-03 09:00 -",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Failed refunds are not revenue; failed charges are cancelled.
	if n := h.strings(t, `SELECT CAST(count(*) AS VARCHAR) FROM orders WHERE object_id = 're_3R0012'`); n[0] != "0" {
		t.Errorf("a failed refund was stored")
	}
	if s := h.strings(t, `SELECT status FROM orders WHERE object_id = 'ch_3Eur000'`); !slices.Equal(s, []string{"cancelled"}) {
		t.Errorf("failed charge status %v, want cancelled", s)
	}
	if s := h.strings(t, `SELECT status FROM orders WHERE object_id = 'ch_3Pend000'`); !slices.Equal(s, []string{"pending"}) {
		t.Errorf("pending charge status %v, want pending", s)
	}
	// A charge without order metadata or payment intent is its own order.
	if s := h.strings(t, `SELECT order_id FROM orders WHERE object_id = 'ch_3Usd000'`); !slices.Equal(s, []string{"ch_3Usd000"}) {
		t.Errorf("order id %v, want the charge id", s)
	}
}

func TestRequestsUseStripesWireFormat(t *testing.T) {
	h := newHarness(t, stripetest.Options{}, func(y string) string { return y + "stripe_account: acct_1Connected\n" })
	h.fake.SetPageSize(4)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	hd := h.fake.Headers()[0]
	if got := hd.Get("Stripe-Version"); got != stripe.DefaultAPIVersion {
		t.Errorf("Stripe-Version %q", got)
	}
	if got := hd.Get("Stripe-Account"); got != "acct_1Connected" {
		t.Errorf("Stripe-Account %q", got)
	}
	if got := hd.Get("Authorization"); got != "Bearer "+h.fake.Options().APIKey {
		t.Error("no Bearer key")
	}
	q := h.fake.Queries()
	first, _ := url.Parse(q[0])
	v := first.Query()
	if first.Path != "/stripe/v1/charges" || v.Get("created[gte]") != "1790812800" || v.Get("created[lt]") != "1791158400" ||
		v.Get("limit") != "100" || v.Get("starting_after") != "" {
		t.Errorf("first request %s", q[0])
	}
	second, _ := url.Parse(q[1])
	if second.Query().Get("starting_after") == "" || second.Path != "/stripe/v1/charges" {
		t.Errorf("second request %s: want the next page of charges", q[1])
	}
	refunds := 0
	for _, s := range q {
		u, _ := url.Parse(s)
		if u.Path == "/stripe/v1/refunds" {
			refunds++
			if u.Query().Get("expand[]") != "data.charge" {
				t.Errorf("refunds without expand[]=data.charge: %s", s)
			}
		}
	}
	if refunds == 0 {
		t.Error("refunds were not read")
	}
	if n := h.strings(t, `SELECT DISTINCT stripe_account FROM orders`); !slices.Equal(n, []string{"acct_1Connected"}) {
		t.Errorf("stripe_account %v", n)
	}
}

func TestThrottleWaitsOnTheInjectedClock(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(string) string
		want time.Duration
	}{
		{"throttle_wait", nil, 3 * time.Second},
		// No throttle_wait: full-jitter backoff rand(0, 1s) with rand 0.5.
		{"backoff", func(y string) string { return strings.Replace(y, "throttle_wait: 3s\n", "", 1) }, 500 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, stripetest.Options{}, c.edit)
			h.fake.Inject(1, stripetest.Throttle)
			start := time.Now()
			if err := h.read(t, day("2026-10-20")); err != nil {
				t.Fatal(err)
			}
			if got := h.clock.Sleeps(); !slices.Equal(got, []time.Duration{c.want}) {
				t.Errorf("waits %v, want [%s]", got, c.want)
			}
			if time.Since(start) > 2*time.Second {
				t.Error("the wait took real time")
			}
			if !strings.Contains(h.logs.String(), "rate_limit") {
				t.Error("the retry log lacks Stripe's code")
			}
		})
	}
}

func TestRevokedKeyFailsFastWithStripesMessage(t *testing.T) {
	h := newHarness(t, stripetest.Options{}, nil)
	h.fake.Inject(1, stripetest.Revoked)
	err := h.read(t, day("2026-10-20"))
	if err == nil {
		t.Fatal("read succeeded with a revoked key")
	}
	if !errors.Is(err, httpkit.ErrAuth) || !errors.Is(err, httpkit.ErrPermanent) {
		t.Errorf("error does not wrap ErrAuth and ErrPermanent: %v", err)
	}
	if !strings.Contains(err.Error(), stripetest.RevokedMessage) || !strings.Contains(err.Error(), "request id req_") {
		t.Errorf("error %q lacks Stripe's message or request id", err)
	}
	if n := h.fake.Requests(); n != 1 {
		t.Errorf("%d requests; a revoked key must not be retried", n)
	}
	if h.clock.Slept() != 0 || h.em.Cursor() != nil {
		t.Error("waited or checkpointed")
	}
	if strings.Contains(err.Error(), h.fake.Options().APIKey) {
		t.Error("the error contains the key")
	}
}

func TestBadRequestIsFatalWithMessageAndRequestID(t *testing.T) {
	// An unknown path answers 404 with Stripe's body.
	h := newHarness(t, stripetest.Options{}, func(y string) string {
		return strings.Replace(y, "/stripe\n", "/elsewhere\n", 1)
	})
	err := h.read(t, day("2026-10-20"))
	var he *httpkit.Error
	if !errors.As(err, &he) || he.Status != 404 || !strings.Contains(he.Message, "Unrecognized request URL") ||
		!strings.HasPrefix(he.RequestID, "req_") || !errors.Is(err, httpkit.ErrPermanent) {
		t.Fatalf("error %v; want a permanent 404 with Stripe's message and Request-Id", err)
	}
	if h.fake.Requests() != 0 {
		t.Error("the fake counted an unknown path")
	}
}

func TestNoKeyInLogs(t *testing.T) {
	h := newHarness(t, stripetest.Options{}, nil)
	h.fake.Inject(1, stripetest.ServerError)
	h.fake.Inject(2, stripetest.Malformed)
	h.fake.Inject(3, stripetest.Throttle)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	h.fake.Inject(1, stripetest.Revoked)
	err := h.read(t, day("2026-10-20"))
	logs := h.logs.String()
	if !strings.Contains(logs, "request_id") || !strings.Contains(logs, "retrying") {
		t.Error("the logs lack retries and request ids; the test proves nothing")
	}
	key := h.fake.Options().APIKey
	for _, text := range []string{logs, err.Error()} {
		if strings.Contains(text, key) || strings.Contains(text, "Bearer") {
			t.Errorf("the key shows: %s", text)
		}
	}
}

func TestRestatedStatusIsReplacedInsideTheLookback(t *testing.T) {
	h := newHarness(t, stripetest.Options{}, nil)
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	h.fake.Restate(day("2026-10-19"))
	h.fake.Restate(day("2026-10-01"))
	if err := h.read(t, day("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT object_id || ' ' || status FROM orders WHERE object_id IN ('ch_3Pend000', 'ch_3Pend018') ORDER BY 1`)
	// lookback 30: both days are re-read; the restated charges are paid.
	if !slices.Equal(got, []string{"ch_3Pend000 paid", "ch_3Pend018 paid"}) {
		t.Errorf("statuses %v", got)
	}
	if n := h.strings(t, `SELECT CAST(count(*) - count(DISTINCT object_id) AS VARCHAR) FROM orders`); n[0] != "0" {
		t.Errorf("%s duplicated rows", n[0])
	}
}

func TestNewValidatesEveryKey(t *testing.T) {
	y := `api_key: pk_live_123
stripe_account: nope
api_version: latest
objects: [charges, invoices]
window_days: 0
page_size: 500
throttle_wait: forever
currency_exponents: {ISK: 1}
`
	_, err := stripe.New(connectors.Config{Name: "x", Decode: decoder(y)})
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, want := range []string{"api_key", "stripe_account", "api_version", `"invoices"`, "page_size", "throttle_wait", `"ISK"`, "exponent 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "pk_live_123") {
		t.Error("the error echoes the key")
	}
	src, err := stripe.New(connectors.Config{Name: "x", Decode: decoder("api_key: rk_live_abc123\n")})
	if err != nil {
		t.Fatal(err)
	}
	st := src.Streams()[0]
	if st.LookbackDays != 30 || st.DateColumn != "date" || !slices.Equal(st.Key, []string{"object_id"}) {
		t.Errorf("stream %+v", st)
	}
}

func TestExponentTables(t *testing.T) {
	for cur, want := range map[string]int32{"jpy": 0, "krw": 0, "vnd": 0, "clp": 0, "xof": 0, "kwd": 3, "bhd": 3, "jod": 3, "omr": 3, "tnd": 3, "usd": 2, "eur": 2, "huf": 2, "twd": 2} {
		if got := stripe.Exponent(cur); got != want {
			t.Errorf("Exponent(%s) = %d, want %d", cur, got, want)
		}
	}
}
