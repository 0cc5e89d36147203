// Package stripetest is a fake Stripe API for tests and the demo: GET
// /v1/charges and /v1/refunds under a path prefix, speaking Stripe's wire
// format (CONNECTORS.md §8): Bearer keys, limit / created[gte|gt|lt|lte] /
// starting_after / expand[], newest first, has_more paging, amounts in
// minor units with lower-case currencies (zero-decimal JPY and KRW,
// three-decimal KWD), refunds on later days, Stripe's error bodies and
// Request-Id header. It implements conformance.Fake without importing it.
package stripetest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Failure kinds for Inject. They match the conformance suite's names.
const (
	// Throttle answers 429 with Stripe's rate_limit body and no Retry-After.
	Throttle = "throttle"
	// ServerError answers 500 with an api_error body and Stripe-Should-Retry: true.
	ServerError = "server_error"
	// Malformed answers 200 with the body cut in half.
	Malformed = "malformed"
	// ExpiredToken and Revoked revoke the key: this and every later request
	// answers 401 "Invalid API Key provided" (Stripe keys do not expire; a
	// rolled or deleted key is rejected).
	ExpiredToken = "expired_token"
	Revoked      = "revoked"
	// PermissionDenied answers 403 with a restricted key's permission error.
	PermissionDenied = "permission_denied"
)

// Options configure a fake. Zero values take the defaults noted.
type Options struct {
	// Prefix is the path the API lives under (default "/stripe").
	Prefix string
	// From and To are the days with objects (default 2026-10-01..2026-10-20).
	From, To time.Time
	// APIKey is the valid key (default rk_test_ and random hex).
	APIKey string
	// WindowDays goes into Config as window_days (default 4).
	WindowDays int
	// ThrottleWait goes into Config as throttle_wait (default 3s): Stripe's
	// 429 has no Retry-After, so the connector waits this long.
	ThrottleWait time.Duration
	// ExtraCharges adds this many plain USD charges per day (benchmarks).
	ExtraCharges int
	// Fixture, when set, replaces the invented charges and refunds by
	// Fixture.Orders (see FromFixture); ExtraCharges is then ignored, and
	// From and To default to the first and last day with an order or
	// refund. Config is unchanged: it lands the fixture's orders.
	Fixture *fixture.Set
}

// Charge is one charge the fake serves.
type Charge struct {
	ID, Currency, Customer, PaymentIntent, Status string
	OrderID, UserID                               string // metadata; "" leaves the key out
	Amount, Created                               int64
	// RestatedStatus is the status after a Restate of its day ("" keeps it).
	RestatedStatus string
}

// Refund is one refund the fake serves.
type Refund struct {
	ID, Status      string
	Charge          int // index into the charges
	Amount, Created int64
}

// Server is a fake Stripe API. It is safe for concurrent use.
type Server struct {
	// URL is the base URL to configure (base_url), prefix included.
	URL string

	opt      Options
	srv      *httptest.Server
	mu       sync.Mutex
	charges  []Charge
	refunds  []Refund
	revoked  bool
	faults   fakekit.Faults // requests counted, faults injected
	pageSize int
	queries  []string
	headers  []http.Header

	// Ledger: Restate applies the later state of the objects created on day (its
	// pending charge succeeds); Pages counts list pages with objects sent.
	fakekit.Ledger
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Prefix == "" {
		o.Prefix = "/stripe"
	}
	o.Prefix = "/" + strings.Trim(o.Prefix, "/")
	if o.Fixture != nil {
		from, to := fixtureSpan(o.Fixture.Orders)
		if o.From.IsZero() {
			o.From = from
		}
		if o.To.IsZero() {
			o.To = to
		}
	}
	if o.From.IsZero() {
		o.From = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.To.IsZero() {
		o.To = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	}
	if o.APIKey == "" {
		o.APIKey = "rk_test_51Canary" + fakekit.RandomHex(16)
	}
	if o.WindowDays <= 0 {
		o.WindowDays = 4
	}
	if o.ThrottleWait <= 0 {
		o.ThrottleWait = 3 * time.Second
	}
	s := &Server{opt: o}
	if o.Fixture != nil {
		s.charges, s.refunds = FromFixture(o.Fixture.Orders)
	} else {
		s.generate()
	}
	mux := http.NewServeMux()
	mux.HandleFunc(o.Prefix+"/v1/charges", func(w http.ResponseWriter, r *http.Request) { s.list(w, r, "charges") })
	mux.HandleFunc(o.Prefix+"/v1/refunds", func(w http.ResponseWriter, r *http.Request) { s.list(w, r, "refunds") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		stripeError(w, http.StatusNotFound, "invalid_request_error", "", fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path), "")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + o.Prefix
	return s
}

// generate builds the objects: per day a pending USD charge (paid after a
// Restate), a guest JPY charge ordered by its payment intent, a KRW and a
// KWD charge with an order id, a failed EUR charge and a USD charge with
// neither metadata nor payment intent; refunds one to three days later.
func (s *Server) generate() {
	o := s.opt
	di := 0
	for d := o.From; !d.After(o.To); d, di = d.AddDate(0, 0, 1), di+1 {
		at := func(h, m int) int64 { return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).Unix() }
		tag := fmt.Sprintf("%03d", di)
		base := len(s.charges)
		s.charges = append(s.charges,
			Charge{ID: "ch_3Pend" + tag, Currency: "usd", Customer: "cus_Ann" + tag, PaymentIntent: "pi_3Pend" + tag, Status: "pending", RestatedStatus: "succeeded",
				OrderID: "10" + tag + "0", UserID: "u_ann_" + tag, Amount: int64(1037 + 11*di), Created: at(1, di)},
			Charge{ID: "ch_3Jpy" + tag, Currency: "jpy", PaymentIntent: "pi_3Jpy" + tag, Status: "succeeded",
				Amount: int64(4800 + 100*di), Created: at(4, di)},
			Charge{ID: "ch_3Krw" + tag, Currency: "krw", Customer: "cus_Kim" + tag, PaymentIntent: "pi_3Krw" + tag, Status: "succeeded",
				OrderID: "10" + tag + "2", UserID: "u_kim_" + tag, Amount: int64(55000 + 1000*di), Created: at(7, di)},
			Charge{ID: "ch_3Kwd" + tag, Currency: "kwd", Customer: "cus_Sab" + tag, PaymentIntent: "pi_3Kwd" + tag, Status: "succeeded",
				OrderID: "10" + tag + "3", Amount: int64(12345 + di), Created: at(10, di)},
			Charge{ID: "ch_3Eur" + tag, Currency: "eur", Customer: "cus_Eva" + tag, PaymentIntent: "pi_3Eur" + tag, Status: "failed",
				Amount: 2599, Created: at(13, di)},
			Charge{ID: "ch_3Usd" + tag, Currency: "usd", Customer: "cus_Bob" + tag, Status: "succeeded",
				Amount: int64(999 + di), Created: at(23, 59-di%60)},
		)
		for k := range o.ExtraCharges {
			s.charges = append(s.charges, Charge{ID: fmt.Sprintf("ch_3X%s%06d", tag, k), Currency: "usd", Customer: "cus_X" + tag,
				Status: "succeeded", OrderID: fmt.Sprintf("X%s%06d", tag, k), Amount: int64(100 + k), Created: at(12, 0) + int64(k%3600)})
		}
		refund := func(ch int, days, hour int, amount int64, status string) {
			c := d.AddDate(0, 0, days)
			if c.After(o.To) {
				return
			}
			s.refunds = append(s.refunds, Refund{ID: fmt.Sprintf("re_3R%s%d", tag, ch-base), Status: status, Charge: ch, Amount: amount,
				Created: c.Add(time.Duration(hour) * time.Hour).Unix()})
		}
		if di%2 == 0 {
			refund(base+1, 2, 9, 1000, "succeeded") // partial JPY refund, two days later
		}
		if di%3 == 0 {
			refund(base+3, 1, 15, s.charges[base+3].Amount, "succeeded") // full KWD refund, next day
		}
		if di%4 == 1 {
			refund(base+2, 3, 20, 5000, "failed") // a failed refund: not revenue
		}
	}
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Options returns the fake's settings, defaults filled in.
func (s *Server) Options() Options { return s.opt }

// Config returns the source keys of a stripe source pointing at the fake
// (the key as ${STRIPE_API_KEY}), and the environment it needs.
func (s *Server) Config() (string, map[string]string) {
	y := fmt.Sprintf(`api_key: ${STRIPE_API_KEY}
base_url: %s
window_days: %d
throttle_wait: %s
user_id_metadata_key: user_id
`, s.URL, s.opt.WindowDays, s.opt.ThrottleWait)
	return y, map[string]string{"STRIPE_API_KEY": s.opt.APIKey}
}

// Secrets returns the API key.
func (s *Server) Secrets() []string { return []string{s.opt.APIKey} }

// SetPageSize caps the objects per page, whatever limit asks.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// Inject makes the nth list request from now (1 = the next) fail with
// kind. Each injection fires once.
func (s *Server) Inject(n int, kind string) { s.faults.Inject(n, kind) }

// Requests returns how many list requests the fake received.
func (s *Server) Requests() int { return s.faults.Requests() }

// Queries returns the path and query of each list request, oldest first.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// Headers returns the headers of each list request, oldest first.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.headers)
}

// ThrottleHint is the configured throttle_wait (Stripe's 429 gives none).
func (s *Server) ThrottleHint() time.Duration { return s.opt.ThrottleWait }

// PermanentMessage is the message of the fake's 403 (wording modelled on
// Stripe's restricted-key error; unverified).
func (s *Server) PermanentMessage() string {
	return "The provided key does not have the required permissions for this endpoint on account 'acct_1FakeAcct'. Having the 'rak_charge_read' permission would allow this request to continue."
}

// RevokedMessage is the start of the 401 message for a revoked key.
const RevokedMessage = "Invalid API Key provided"

// Days returns the days the fake has objects for.
func (s *Server) Days() connectors.DateRange {
	return connectors.DateRange{From: s.opt.From, To: s.opt.To}
}

// Charges and Refunds return the objects served (current state aside).
func (s *Server) Charges() []Charge { return slices.Clone(s.charges) }
func (s *Server) Refunds() []Refund { return slices.Clone(s.refunds) }

// status is a charge's current status. Callers hold s.mu.
func (s *Server) status(c *Charge) string {
	if c.RestatedStatus != "" && s.Version(time.Unix(c.Created, 0)) > 0 {
		return c.RestatedStatus
	}
	return c.Status
}

// exponent is the fake's own table of the decimals of a lower-case
// currency in Stripe's API (Stripe's "zero-decimal" and "three-decimal"
// lists; every other currency has two).
func exponent(cur string) int {
	switch cur {
	case "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf":
		return 0
	case "bhd", "jod", "kwd", "omr", "tnd":
		return 3
	}
	return 2
}

// Decimal renders minor units of cur as an exact decimal string.
func Decimal(minor int64, cur string) string {
	r := new(big.Rat).SetFrac(big.NewInt(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exponent(cur))), nil))
	return r.FloatString(exponent(cur))
}

func nullable(v string) string {
	if v == "" {
		return "NULL"
	}
	return v
}

func tsText(unix int64) string { return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04:05") + "+00" }

// orderID is the order id the connector derives with the default keys.
func orderID(c *Charge) string {
	switch {
	case c.OrderID != "":
		return c.OrderID
	case c.PaymentIntent != "":
		return c.PaymentIntent
	}
	return c.ID
}

// Expected returns the orders rows a stripe source configured by Config
// must hold for the objects created on the days of r.
func (s *Server) Expected(r connectors.DateRange) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	from, to := r.From.Unix(), r.To.AddDate(0, 0, 1).Unix()
	in := func(t int64) bool { return t >= from && t < to }
	var out []map[string]string
	row := func(c *Charge, objectID, object, status string, created, minor int64) map[string]string {
		return map[string]string{
			"order_id": orderID(c), "customer_id": nullable(c.Customer), "user_id": nullable(c.UserID),
			"ts": tsText(created), "amount": Decimal(minor, c.Currency), "currency": strings.ToUpper(c.Currency),
			"status": status, "object_id": objectID, "object": object, "date": time.Unix(created, 0).UTC().Format(time.DateOnly),
			"account_timezone": "UTC", "stripe_account": "NULL", "charge_id": c.ID, "payment_intent_id": nullable(c.PaymentIntent),
		}
	}
	for i := range s.charges {
		c := &s.charges[i]
		if !in(c.Created) {
			continue
		}
		st := map[string]string{"succeeded": "paid", "failed": "cancelled", "pending": "pending"}[s.status(c)]
		out = append(out, row(c, c.ID, "charge", st, c.Created, c.Amount))
	}
	for _, re := range s.refunds {
		if !in(re.Created) || (re.Status != "succeeded" && re.Status != "pending") {
			continue
		}
		out = append(out, row(&s.charges[re.Charge], re.ID, "refund", "refunded", re.Created, re.Amount))
	}
	return out
}

// stripeError writes Stripe's error body with a Request-Id.
func stripeError(w http.ResponseWriter, status int, typ, code, msg, param string) {
	e := map[string]string{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
		e["doc_url"] = "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-")
	}
	if param != "" {
		e["param"] = param
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_"+fakekit.RandomHex(7))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// mask is how Stripe shows a key in errors: prefix, ****, last four.
func mask(key string) string {
	if i := strings.LastIndex(key[:min(len(key), 8)], "_"); i > 0 && len(key) > 4 {
		return key[:i+1] + "****" + key[len(key)-4:]
	}
	return "****"
}

// list serves GET /v1/<object>.
func (s *Server) list(w http.ResponseWriter, r *http.Request, object string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Count()
	s.queries = append(s.queries, r.URL.Path+"?"+r.URL.RawQuery)
	s.headers = append(s.headers, r.Header.Clone())
	kind := s.faults.Fault()
	if r.Method != http.MethodGet {
		stripeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "Only GET is served by this fake.", "")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		stripeError(w, http.StatusUnauthorized, "invalid_request_error", "",
			"You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').", "")
		return
	}
	key := strings.TrimPrefix(auth, "Bearer ")
	if kind == Revoked || kind == ExpiredToken {
		s.revoked = true
	}
	if key == auth || key != s.opt.APIKey || s.revoked {
		stripeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided: "+mask(key), "")
		return
	}
	switch kind {
	case Throttle:
		stripeError(w, http.StatusTooManyRequests, "invalid_request_error", "rate_limit",
			"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", "")
		return
	case ServerError:
		w.Header().Set("Stripe-Should-Retry", "true")
		stripeError(w, http.StatusInternalServerError, "api_error", "", "An unknown error occurred", "")
		return
	case PermissionDenied:
		stripeError(w, http.StatusForbidden, "invalid_request_error", "", s.PermanentMessage(), "")
		return
	}
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
				"Invalid integer: "+v+". This value must be greater than or equal to 1 and less than or equal to 100.", "limit")
			return
		}
		limit = n
	}
	if s.pageSize > 0 {
		limit = min(limit, s.pageSize)
	}
	lo, hi := int64(-1<<62), int64(1<<62)
	for _, p := range []string{"created[gte]", "created[gt]", "created[lt]", "created[lte]"} {
		v := q.Get(p)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: "+v, p)
			return
		}
		switch p {
		case "created[gte]":
			lo = max(lo, n)
		case "created[gt]":
			lo = max(lo, n+1)
		case "created[lt]":
			hi = min(hi, n)
		case "created[lte]":
			hi = min(hi, n+1)
		}
	}
	expandCharge := false
	for _, e := range q["expand[]"] {
		if object == "refunds" && e == "data.charge" {
			expandCharge = true
			continue
		}
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "", "This property cannot be expanded ("+e+").", "expand")
		return
	}
	type item struct {
		id      string
		created int64
		render  func() any
	}
	var items []item
	switch object {
	case "charges":
		for i := range s.charges {
			c := &s.charges[i]
			if c.Created >= lo && c.Created < hi {
				items = append(items, item{c.ID, c.Created, func() any { return s.renderCharge(c) }})
			}
		}
	case "refunds":
		for i := range s.refunds {
			re := &s.refunds[i]
			if re.Created >= lo && re.Created < hi {
				items = append(items, item{re.ID, re.Created, func() any { return s.renderRefund(re, expandCharge) }})
			}
		}
	}
	// Newest first; ties by id, descending.
	sort.Slice(items, func(i, j int) bool {
		if items[i].created != items[j].created {
			return items[i].created > items[j].created
		}
		return items[i].id > items[j].id
	})
	if after := q.Get("starting_after"); after != "" {
		idx := slices.IndexFunc(items, func(it item) bool { return it.id == after })
		if idx < 0 {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing",
				fmt.Sprintf("No such %s: '%s'", strings.TrimSuffix(object, "s"), after), "starting_after")
			return
		}
		items = items[idx+1:]
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = it.render()
	}
	if len(data) > 0 {
		s.AddPage()
	}
	b, _ := json.Marshal(map[string]any{"object": "list", "url": "/v1/" + object, "has_more": more, "data": data})
	if kind == Malformed {
		b = b[:len(b)/2]
	}
	writeJSON(w, http.StatusOK, b)
}

func orNull(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// renderCharge is a charge as Stripe sends it (trimmed). Callers hold s.mu.
func (s *Server) renderCharge(c *Charge) map[string]any {
	st := s.status(c)
	refunded := int64(0)
	for _, re := range s.refunds {
		if re.Status == "succeeded" && s.charges[re.Charge].ID == c.ID {
			refunded += re.Amount
		}
	}
	meta := map[string]string{}
	if c.OrderID != "" {
		meta["order_id"] = c.OrderID
	}
	if c.UserID != "" {
		meta["user_id"] = c.UserID
	}
	paid, captured := st == "succeeded", st == "succeeded"
	capturedAmt := int64(0)
	var txn any
	if captured {
		capturedAmt = c.Amount
		txn = "txn_" + strings.TrimPrefix(c.ID, "ch_")
	}
	return map[string]any{
		"id": c.ID, "object": "charge", "amount": c.Amount, "amount_captured": capturedAmt, "amount_refunded": refunded,
		"balance_transaction": txn, "captured": captured, "created": c.Created, "currency": c.Currency,
		"customer": orNull(c.Customer), "livemode": false, "metadata": meta, "paid": paid,
		"payment_intent": orNull(c.PaymentIntent), "refunded": refunded >= c.Amount, "status": st,
	}
}

// renderRefund is a refund as Stripe sends it, its charge expanded or an id.
func (s *Server) renderRefund(re *Refund, expand bool) map[string]any {
	c := &s.charges[re.Charge]
	var ch any = c.ID
	if expand {
		ch = s.renderCharge(c)
	}
	return map[string]any{
		"id": re.ID, "object": "refund", "amount": re.Amount, "balance_transaction": "txn_" + strings.TrimPrefix(re.ID, "re_"),
		"charge": ch, "created": re.Created, "currency": c.Currency, "metadata": map[string]string{},
		"payment_intent": orNull(c.PaymentIntent), "reason": nil, "status": re.Status,
	}
}
