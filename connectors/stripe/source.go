package stripe

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	json "github.com/goccy/go-json"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// StreamName is the source's one stream.
const StreamName = "orders"

// Source reads Stripe charges and refunds into the orders stream. It is
// used by one goroutine at a time.
type Source struct {
	name       string
	account    string // Stripe-Account, or ""
	objects    []string
	orderKey   string
	userKey    string
	windowDays int
	pageSize   int
	start      time.Time
	lookback   int
	exponents  map[string]int32 // configured overrides
	client     *httpkit.Client
	log        *slog.Logger
	schema     *arrow.Schema
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Column indexes of Schema.
const (
	colOrderID = iota
	colCustomerID
	colUserID
	colTS
	colAmount
	colCurrency
	colStatus
	colRegion
	colProductLine
	colObjectID
	colObject
	colDate
	colAccountTimezone
	colStripeAccount
	colChargeID
	colPaymentIntentID
)

// Schema is the orders stream's schema: the canonical orders columns
// (customer_id nullable: guest charges have no customer) and Stripe's
// extras. object_id (ch_…, re_…) is the upsert key; date, the UTC day of
// ts, is what Replace deletes by.
func Schema() *arrow.Schema {
	canon := connectors.Canonical["orders"]
	fields := canon.ArrowSchema().Fields()
	for i := range fields {
		if fields[i].Name == "customer_id" {
			fields[i].Nullable = true
		}
	}
	str := arrow.BinaryTypes.String
	fields = append(fields,
		arrow.Field{Name: "object_id", Type: str, Metadata: connectors.Comment("Stripe object id: ch_… for a charge row, re_… for a refund row (upsert key)")},
		arrow.Field{Name: "object", Type: str, Metadata: connectors.Comment("Stripe object type: charge or refund")},
		arrow.Field{Name: "date", Type: arrow.FixedWidthTypes.Date32, Metadata: connectors.Comment("UTC day of ts; rows are replaced by it")},
		arrow.Field{Name: "account_timezone", Type: str, Metadata: connectors.Comment("always UTC: Stripe timestamps are UTC")},
		arrow.Field{Name: "stripe_account", Type: str, Nullable: true, Metadata: connectors.Comment("connected account (Stripe-Account) read, NULL for the key's own account")},
		arrow.Field{Name: "charge_id", Type: str, Nullable: true, Metadata: connectors.Comment("the charge (ch_…), on a refund row the refunded charge")},
		arrow.Field{Name: "payment_intent_id", Type: str, Nullable: true, Metadata: connectors.Comment("payment intent (pi_…) of the charge, when any")},
	)
	return arrow.NewSchema(fields, nil)
}

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	return []connectors.Stream{{
		Name:      StreamName,
		Canonical: "orders",
		Description: "one row per Stripe charge (paid, cancelled for failed, pending) and one per succeeded or pending refund " +
			"(status refunded, positive amount, the refund's own time, the charge's order id); amounts exact from minor units",
		Schema:       s.schema,
		Key:          []string{"object_id"},
		DateColumn:   "date",
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing: the client's connections are shared and idle.
func (s *Source) Close() error { return nil }

// Check lists one charge: it proves the key, the version and the account.
func (s *Source) Check(ctx context.Context) error {
	path := "v1/" + s.objects[0]
	return s.client.DoDecode(ctx, &httpkit.Request{URL: path, Query: url.Values{"limit": {"1"}}, RateKey: "list", Op: "check " + path},
		func(r *httpkit.Response) error {
			_, err := parseList(r.Body)
			return err
		})
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced: refunds and status changes restate them),
// window by window of created days (UTC), each committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("stripe source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("stripe source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	until := httpkit.AccountUntil(connectors.Day(req.Until), c.Clock().Now(), time.UTC)
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until, Backfill: req.Backfill}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.windowDays, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, ob := range s.objects {
			n, err := s.readWindow(ctx, c, ob, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "objects", s.objects, "stripe_account", s.account)
}

// ListQuery returns the query of one list page of objects created in w
// (UTC days), after the object id after ("" for the first page).
func (s *Source) ListQuery(object string, w connectors.DateRange, after string) url.Values {
	q := url.Values{
		"limit":        {strconv.Itoa(s.pageSize)},
		"created[gte]": {strconv.FormatInt(w.From.Unix(), 10)},
		"created[lt]":  {strconv.FormatInt(w.To.AddDate(0, 0, 1).Unix(), 10)},
	}
	if object == ObjectRefunds {
		// The refunded charge's metadata carries the order id and user id.
		q.Set("expand[]", "data.charge")
	}
	if after != "" {
		q.Set("starting_after", after)
	}
	return q
}

// readWindow emits the objects created in w, page by page (newest first,
// starting_after the last id while has_more).
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, object string, w connectors.DateRange, out connectors.Emitter) (int, error) {
	rows := 0
	path := "v1/" + object
	err := httpkit.PageTokens(ctx, func(ctx context.Context, after string) (string, error) {
		op := fmt.Sprintf("list %s %s", object, w)
		if after != "" {
			op += " after " + after
		}
		var res *decoded
		err := c.DoDecode(ctx, &httpkit.Request{URL: path, Query: s.ListQuery(object, w, after), RateKey: s.account, Op: op},
			func(resp *httpkit.Response) error {
				r, err := s.decodePage(object, resp.Body, w)
				if err != nil {
					return err
				}
				r.requestID = resp.RequestID
				res = r
				return nil
			})
		if err != nil {
			return "", err
		}
		defer res.rec.Release()
		var batches []arrow.RecordBatch
		if res.rec.NumRows() > 0 {
			batches = []arrow.RecordBatch{res.rec}
		}
		if err := c.Emit(ctx, out, op, batches, res.rejected); err != nil {
			return "", err
		}
		rows += int(res.rec.NumRows())
		if res.outside > 0 {
			c.Logger().WarnContext(ctx, "objects created outside the requested window dropped (the server ignored created[gte]/created[lt])",
				"object", object, "dropped", res.outside, "from", w.From.Format(time.DateOnly), "to", w.To.Format(time.DateOnly), "request_id", res.requestID)
		}
		c.Logger().DebugContext(ctx, "list page read", "object", object, "from", w.From.Format(time.DateOnly),
			"to", w.To.Format(time.DateOnly), "rows", res.rec.NumRows(), "rejected", len(res.rejected),
			"has_more", res.hasMore, "request_id", res.requestID)
		if !res.hasMore || res.lastID == "" {
			return "", nil
		}
		return res.lastID, nil
	})
	return rows, err
}

// list is one Stripe list answer.
type list struct {
	Object  string            `json:"object"`
	HasMore *bool             `json:"has_more"`
	Data    []json.RawMessage `json:"data"`
}

// parseList reads the list envelope; anything else (a body cut short, a
// missing has_more or data) is ErrMalformed, retried.
func parseList(body []byte) (*list, error) {
	var l list
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
	}
	if l.Object != "list" || l.HasMore == nil || l.Data == nil {
		return nil, fmt.Errorf("%w: not a Stripe list (object %q)", httpkit.ErrMalformed, l.Object)
	}
	return &l, nil
}

// ref is an expandable field: an id string, an expanded object or null.
type ref struct {
	ID  string
	Obj json.RawMessage
}

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &r.ID)
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	r.ID, r.Obj = o.ID, append(json.RawMessage(nil), b...)
	return nil
}

// charge holds the fields of a Stripe charge the stream uses.
type charge struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Amount         *int64            `json:"amount"`
	AmountCaptured *int64            `json:"amount_captured"`
	Captured       *bool             `json:"captured"`
	Created        int64             `json:"created"`
	Currency       string            `json:"currency"`
	Customer       ref               `json:"customer"`
	Metadata       map[string]string `json:"metadata"`
	Paid           bool              `json:"paid"`
	PaymentIntent  ref               `json:"payment_intent"`
	Status         string            `json:"status"`
}

// refund holds the fields of a Stripe refund the stream uses.
type refund struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Amount        *int64            `json:"amount"`
	Created       int64             `json:"created"`
	Currency      string            `json:"currency"`
	Charge        ref               `json:"charge"`
	PaymentIntent ref               `json:"payment_intent"`
	Metadata      map[string]string `json:"metadata"`
	Status        string            `json:"status"`
}

// row is one orders row before Arrow.
type row struct {
	orderID, customerID, userID, currency, status, objectID, object, chargeID, piID string
	region, productLine                                                             string
	created, minor                                                                  int64
}

// Charge metadata keys that fill the optional orders columns region and
// product_line (absent or empty: NULL). A refund takes them from the
// refunded charge.
const (
	RegionMetadataKey      = "region"
	ProductLineMetadataKey = "product_line"
)

// decoded is one page: its rows as a record, its rejects and its paging.
type decoded struct {
	rec       arrow.RecordBatch
	rejected  []connectors.Rejected
	hasMore   bool
	outside   int // objects created outside the window, dropped
	lastID    string
	requestID string
}

// decodePage turns one list page of object into a record of orders rows,
// decoding the page in one pass into typed objects.
//
// Objects created outside window w are dropped and counted: Stripe filters
// by created, so they only come from a server that ignores the filter
// (stripe-mock), and storing them would escape the window's Replace. A
// zero w keeps everything.
func (s *Source) decodePage(object string, body []byte, w connectors.DateRange) (*decoded, error) {
	var (
		env     listEnvelope
		charges []charge
		refunds []refund
	)
	var err error
	switch object {
	case ObjectCharges:
		var l struct {
			listEnvelope
			Data []charge `json:"data"`
		}
		err = json.Unmarshal(body, &l)
		env, charges = l.listEnvelope, l.Data
		env.hasData = l.Data != nil
	case ObjectRefunds:
		var l struct {
			listEnvelope
			Data []refund `json:"data"`
		}
		err = json.Unmarshal(body, &l)
		env, refunds = l.listEnvelope, l.Data
		env.hasData = l.Data != nil
	default:
		return nil, fmt.Errorf("stripe: unknown object %q", object)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
	}
	if env.Object != "list" || env.HasMore == nil || !env.hasData {
		return nil, fmt.Errorf("%w: not a Stripe list (object %q)", httpkit.ErrMalformed, env.Object)
	}
	out := &decoded{hasMore: *env.HasMore}
	rows := make([]row, 0, len(charges)+len(refunds))
	reject := func(v any, field, reason string) {
		raw, _ := json.Marshal(v)
		out.rejected = append(out.rejected, connectors.Rejected{Line: int64(len(rows) + len(out.rejected) + 1), Field: field, Reason: reason, Raw: truncate(raw)})
	}
	for i := range charges {
		ch := &charges[i]
		out.lastID = ch.ID
		r, field, why := s.chargeRow(ch)
		switch {
		case why != "":
			reject(ch, field, why)
		case r != nil:
			rows = append(rows, *r)
		}
	}
	for i := range refunds {
		re := &refunds[i]
		out.lastID = re.ID
		r, field, why := s.refundRow(re)
		switch {
		case why != "":
			reject(re, field, why)
		case r != nil:
			rows = append(rows, *r)
		}
	}
	if !w.IsZero() {
		lo, hi := w.From.Unix(), w.To.AddDate(0, 0, 1).Unix()
		kept := rows[:0]
		for _, r := range rows {
			if r.created >= lo && r.created < hi {
				kept = append(kept, r)
			}
		}
		out.outside, rows = len(rows)-len(kept), kept
	}
	rec, err := s.build(rows)
	if err != nil {
		return nil, err
	}
	out.rec = rec
	return out, nil
}

// listEnvelope is the list answer around data.
type listEnvelope struct {
	Object  string `json:"object"`
	HasMore *bool  `json:"has_more"`
	hasData bool
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// orderID is the shop's order id of a charge: its metadata key, else its
// payment intent, else the charge id.
func (s *Source) orderID(meta map[string]string, pi, chargeID string) string {
	if v := meta[s.orderKey]; v != "" {
		return v
	}
	if pi != "" {
		return pi
	}
	return chargeID
}

// chargeRow maps a charge; a nil row with no reason is skipped.
func (s *Source) chargeRow(ch *charge) (*row, string, string) {
	switch {
	case ch.ID == "":
		return nil, "id", "charge without an id"
	case ch.Amount == nil:
		return nil, "amount", "charge without an amount"
	case ch.Currency == "":
		return nil, "currency", "charge without a currency"
	case ch.Created <= 0:
		return nil, "created", "charge without a created time"
	}
	r := &row{
		objectID: ch.ID, object: "charge", chargeID: ch.ID, piID: ch.PaymentIntent.ID,
		orderID: s.orderID(ch.Metadata, ch.PaymentIntent.ID, ch.ID), customerID: ch.Customer.ID,
		currency: ch.Currency, created: ch.Created, minor: *ch.Amount,
	}
	if s.userKey != "" {
		r.userID = ch.Metadata[s.userKey]
	}
	r.region, r.productLine = ch.Metadata[RegionMetadataKey], ch.Metadata[ProductLineMetadataKey]
	switch ch.Status {
	case "succeeded":
		r.status = "paid"
		if !ch.Paid || (ch.Captured != nil && !*ch.Captured) {
			r.status = "pending" // authorized, not captured
		} else if ch.AmountCaptured != nil && *ch.AmountCaptured > 0 {
			r.minor = *ch.AmountCaptured // a partial capture
		}
	case "failed":
		r.status = "cancelled"
	case "pending":
		r.status = "pending"
	default:
		return nil, "status", fmt.Sprintf("charge status %q is not succeeded, failed or pending", ch.Status)
	}
	return r, "", ""
}

// refundRow maps a succeeded or pending refund; failed and canceled ones
// (and requires_action) are skipped.
func (s *Source) refundRow(re *refund) (*row, string, string) {
	switch {
	case re.ID == "":
		return nil, "id", "refund without an id"
	case re.Amount == nil:
		return nil, "amount", "refund without an amount"
	case re.Currency == "":
		return nil, "currency", "refund without a currency"
	case re.Created <= 0:
		return nil, "created", "refund without a created time"
	}
	switch re.Status {
	case "succeeded", "pending":
	case "failed", "canceled", "requires_action":
		return nil, "", ""
	default:
		return nil, "status", fmt.Sprintf("refund status %q is unknown", re.Status)
	}
	r := &row{objectID: re.ID, object: "refund", status: "refunded", currency: re.Currency, created: re.Created,
		minor: *re.Amount, chargeID: re.Charge.ID, piID: re.PaymentIntent.ID}
	if *re.Amount < 0 {
		r.minor = -*re.Amount
	}
	var meta map[string]string
	if re.Charge.Obj != nil {
		var ch charge
		if err := json.Unmarshal(re.Charge.Obj, &ch); err == nil {
			meta, r.customerID = ch.Metadata, ch.Customer.ID
			if r.piID == "" {
				r.piID = ch.PaymentIntent.ID
			}
		}
	}
	r.orderID = s.orderID(meta, r.piID, r.chargeID)
	if r.orderID == "" {
		return nil, "charge", "refund without a charge or payment intent"
	}
	if s.userKey != "" {
		r.userID = meta[s.userKey]
	}
	r.region, r.productLine = meta[RegionMetadataKey], meta[ProductLineMetadataKey]
	return r, "", ""
}

// build appends rows to a record in Schema.
func (s *Source) build(rows []row) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.schema)
	defer b.Release()
	b.Reserve(len(rows))
	str := func(i int) *array.StringBuilder { return b.Field(i).(*array.StringBuilder) }
	nullable := func(i int, v string) {
		if v == "" {
			str(i).AppendNull()
		} else {
			str(i).Append(v)
		}
	}
	ts := b.Field(colTS).(*array.TimestampBuilder)
	amt := b.Field(colAmount).(*array.Decimal128Builder)
	date := b.Field(colDate).(*array.Date32Builder)
	for i := range rows {
		r := &rows[i]
		cur := lower(r.currency)
		v, err := MinorToDecimal(r.minor, s.exponent(cur))
		if err != nil {
			return nil, fmt.Errorf("stripe: %s %s: %w", r.object, r.objectID, err)
		}
		str(colOrderID).Append(r.orderID)
		nullable(colCustomerID, r.customerID)
		nullable(colUserID, r.userID)
		ts.Append(arrow.Timestamp(r.created * 1_000_000))
		amt.Append(v)
		str(colCurrency).Append(upper(cur))
		str(colStatus).Append(r.status)
		nullable(colRegion, r.region)
		nullable(colProductLine, r.productLine)
		str(colObjectID).Append(r.objectID)
		str(colObject).Append(r.object)
		date.Append(arrow.Date32(floorDiv(r.created, 86400)))
		str(colAccountTimezone).Append("UTC")
		nullable(colStripeAccount, s.account)
		nullable(colChargeID, r.chargeID)
		nullable(colPaymentIntentID, r.piID)
	}
	return b.NewRecordBatch(), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// exponent is the decimal exponent of a lower-case currency: a configured
// override, else Stripe's tables.
func (s *Source) exponent(cur string) int32 {
	if e, ok := s.exponents[cur]; ok {
		return e
	}
	return Exponent(cur)
}

// moneyScale is the scale of the Money columns (DECIMAL(38,9)).
const moneyScale = 9

var pow10 = func() [moneyScale + 1]decimal128.Num {
	var p [moneyScale + 1]decimal128.Num
	n := int64(1)
	for i := range p {
		p[i] = decimal128.FromI64(n)
		n *= 10
	}
	return p
}()

// MinorToDecimal returns minor units of a currency with exponent exp as a
// DECIMAL(38,9) value, exactly: minor × 10^(9−exp).
func MinorToDecimal(minor int64, exp int32) (decimal128.Num, error) {
	if exp < 0 || exp > moneyScale {
		return decimal128.Num{}, fmt.Errorf("currency exponent %d out of range", exp)
	}
	return decimal128.FromI64(minor).Mul(pow10[moneyScale-exp]), nil
}
