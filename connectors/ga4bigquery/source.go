package ga4bigquery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Stream names.
const (
	ConversionsStream = "conversions"
	TouchpointsStream = "touchpoints"
)

// batchRows is how many rows go into one Arrow batch.
const batchRows = 8192

// Source reads a GA4 property's BigQuery export into conversions and
// touchpoints. It is used by one goroutine at a time.
type Source struct {
	name                      string
	project, billing, dataset string
	location                  string
	currency, tz              string
	loc                       *time.Location
	events                    []string
	useUserID                 bool
	intraday                  bool
	daysPerQuery              int
	maxBytes                  int64
	start                     time.Time
	lookback                  int
	endpoint                  string
	client                    *httpkit.Client
	log                       *slog.Logger
	schemas                   map[string]*arrow.Schema
}

var _ connectors.Source = (*Source)(nil)

// Keys of the streams.
var (
	ConversionsKey = []string{"conversion_id"}
	TouchpointsKey = []string{"user_id", "ts", "channel"}
)

var commonExtra = []arrow.Field{
	{Name: "property_id", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: connectors.Comment("GA4 property id (the export dataset is analytics_<property_id>)")},
	{Name: "event_date", Type: arrow.FixedWidthTypes.Date32, Nullable: false, Metadata: connectors.Comment("event_date of the export: the day in the property's time zone, the table the event came from")},
	{Name: "account_timezone", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: connectors.Comment("IANA time zone of the property (the zone of event_date), from the configuration")},
	{Name: "user_pseudo_id", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: connectors.Comment("GA4 pseudonymous (cookie) id of the user")},
	{Name: "session_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: connectors.Comment("ga_session_id event parameter")},
	{Name: "intraday", Type: arrow.FixedWidthTypes.Boolean, Nullable: false, Metadata: connectors.Comment("true when the row came from events_intraday_ (the day's daily table was not there yet): provisional")},
}

// compile builds the streams' schemas.
func (s *Source) compile() {
	s.schemas = map[string]*arrow.Schema{}
	conv := connectors.Canonical["conversions"].ArrowSchema().Fields()
	conv = append(conv, commonExtra...)
	conv = append(conv,
		arrow.Field{Name: "event_name", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: connectors.Comment("GA4 event name")},
		arrow.Field{Name: "transaction_id", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("ecommerce.transaction_id of a purchase")})
	s.schemas[ConversionsStream] = arrow.NewSchema(conv, nil)
	tp := connectors.Canonical["touchpoints"].ArrowSchema().Fields()
	tp = append(tp, commonExtra...)
	tp = append(tp,
		arrow.Field{Name: "channel_group", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("GA4 default channel group of the session's last click, when the export has it")},
		arrow.Field{Name: "attribution", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: connectors.Comment("where source/medium came from: session_last_click, collected or first_user (traffic_source)")})
	s.schemas[TouchpointsStream] = arrow.NewSchema(tp, nil)
}

// Streams returns conversions (first) and touchpoints.
func (s *Source) Streams() []connectors.Stream {
	return []connectors.Stream{
		{
			Name: ConversionsStream, Canonical: "conversions",
			Description:  "one row per conversion event (" + strings.Join(s.events, ", ") + ") of the GA4 export, purchases with transaction id and revenue",
			Schema:       s.schemas[ConversionsStream],
			Key:          append([]string(nil), ConversionsKey...),
			DateColumn:   "event_date",
			LookbackDays: s.lookback,
		},
		{
			Name: TouchpointsStream, Canonical: "touchpoints",
			Description:  "one row per session start or traffic-source change of a user, from the GA4 export",
			Schema:       s.schemas[TouchpointsStream],
			Key:          append([]string(nil), TouchpointsKey...),
			DateColumn:   "event_date",
			LookbackDays: s.lookback,
		},
	}
}

// Close releases nothing: a BigQuery client lives for one Read.
func (s *Source) Close() error { return nil }

// propertyID is the number of analytics_<id>.
func (s *Source) propertyID() string { return strings.TrimPrefix(s.dataset, "analytics_") }

// Read syncs one stream: the days after the cursor and the last
// lookback_days again (replaced: late events and restatements), window by
// window, each committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != ConversionsStream && req.Stream != TouchpointsStream {
		return fmt.Errorf("ga4_bigquery source %s: unknown stream %q (it has %s, %s)", s.name, req.Stream, ConversionsStream, TouchpointsStream)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("ga4_bigquery source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	now := c.Clock().Now()
	// The last day that has ended in the property's zone.
	until := httpkit.AccountUntil(connectors.Day(req.Until), now, s.loc)
	start := s.start
	if start.IsZero() {
		start = until.AddDate(0, 0, -89) // 90 days: raw events are billed by bytes scanned
	}
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: start, Until: until, Backfill: req.Backfill}
	// The client is made only when there is something to read.
	var bq *bigquery.Client
	defer func() {
		if bq != nil {
			bq.Close()
		}
	}()
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerQuery, out, func(w connectors.DateRange) (int, error) {
		if bq == nil {
			if bq, err = s.newBQ(ctx, c); err != nil {
				return 0, err
			}
		}
		return s.readWindow(ctx, c, bq, req.Stream, w, out)
	}, "stream", req.Stream, "dataset", s.project+"."+s.dataset)
}

// Query returns the query of a stream's window with its parameters.
func (s *Source) Query(bq *bigquery.Client, stream string, w connectors.DateRange) *bigquery.Query {
	q := bq.Query(SQL(stream, s.project, s.dataset))
	q.Parameters = []bigquery.QueryParameter{
		{Name: "from_day", Value: w.From.Format("20060102")},
		{Name: "to_day", Value: w.To.Format("20060102")},
		{Name: "intraday", Value: s.intraday},
	}
	if stream == ConversionsStream {
		q.Parameters = append(q.Parameters, bigquery.QueryParameter{Name: "conversion_events", Value: eventNames(s.events)})
	}
	q.MaxBytesBilled = s.maxBytes
	q.Labels = map[string]string{"pacer_stream": stream}
	if s.location != "" {
		q.Location = s.location
	}
	return q
}

// readWindow runs one query job and turns its rows into batches.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, bq *bigquery.Client, stream string, w connectors.DateRange, out connectors.Emitter) (int, error) {
	st := &callState{op: stream + " " + w.String()}
	qctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	st.cancel = cancel
	qctx = context.WithValue(qctx, stateKey{}, st)

	it, err := s.Query(bq, stream, w).Read(qctx)
	if err != nil {
		return 0, s.fail(ctx, st, err)
	}
	b := newBuilder(s.schemas[stream])
	defer b.release()
	var conv *conversionRows
	var tp *touchpointRows
	if stream == ConversionsStream {
		conv = &conversionRows{s: s, seen: map[string]bool{}}
	} else {
		tp = &touchpointRows{s: s}
	}
	var row []bigquery.Value
	var cols columns
	read, emitted := 0, 0
	for {
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return 0, s.fail(ctx, st, err)
		}
		if cols == nil {
			cols = newColumns(it.Schema)
			if err := cols.require(stream); err != nil {
				return 0, fmt.Errorf("%s: %s: %w", Type, st.op, err)
			}
		}
		read++
		var ok bool
		var rej *connectors.Rejected
		if conv != nil {
			ok, rej = conv.add(b, cols, row)
		} else {
			ok, rej = tp.add(b, cols, row)
		}
		if rej != nil {
			rej.File = "bigquery " + st.op
			rej.Raw = c.Redactor().Redact(rej.Raw)
			if err := out.Quarantine(ctx, *rej); err != nil {
				return 0, err
			}
		}
		if ok {
			emitted++
		}
		if b.rows >= batchRows {
			if err := b.flush(ctx, out); err != nil {
				return 0, err
			}
		}
	}
	if err := b.flush(ctx, out); err != nil {
		return 0, err
	}
	c.Logger().DebugContext(ctx, "query read", "op", st.op, "rows_read", read, "rows", emitted, "total_rows", it.TotalRows)
	return emitted, nil
}

// fail returns the error of a failed query, cancelled ctx first.
func (s *Source) fail(ctx context.Context, st *callState, err error) error {
	e := st.result(err)
	if ctx.Err() != nil && !errors.Is(e, ctx.Err()) {
		return fmt.Errorf("%s: %s: %w", Type, st.op, ctx.Err())
	}
	return e
}

// columns maps result column names to positions.
type columns map[string]int

func newColumns(sc bigquery.Schema) columns {
	c := columns{}
	for i, f := range sc {
		c[f.Name] = i
	}
	return c
}

func (c columns) require(stream string) error {
	need := []string{"event_date", "event_timestamp", "event_name", "user_pseudo_id", "user_id", "ga_session_id", "is_intraday"}
	if stream == ConversionsStream {
		need = append(need, "dup_index", "transaction_id", "purchase_revenue", "value", "currency")
	} else {
		need = append(need, "lc_source", "lc_medium", "lc_campaign", "lc_campaign_id", "lc_channel_group",
			"cs_source", "cs_medium", "cs_campaign", "cs_campaign_id", "cs_gclid", "ts_source", "ts_medium", "ts_campaign")
	}
	var missing []string
	for _, n := range need {
		if _, ok := c[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the query's result lacks columns %s", strings.Join(missing, ", "))
	}
	return nil
}

func (c columns) str(row []bigquery.Value, name string) string {
	if v, ok := row[c[name]].(string); ok {
		return v
	}
	return ""
}

func (c columns) int(row []bigquery.Value, name string) (int64, bool) {
	v, ok := row[c[name]].(int64)
	return v, ok
}

func (c columns) rat(row []bigquery.Value, name string) *big.Rat {
	v, _ := row[c[name]].(*big.Rat)
	return v
}

func (c columns) bool(row []bigquery.Value, name string) bool {
	v, _ := row[c[name]].(bool)
	return v
}

// event is what both streams read of every row.
type event struct {
	date     time.Time
	tsMicros int64
	name     string
	pseudo   string
	user     string
	session  int64
	hasSess  bool
	intraday bool
}

// rawRow renders a rejected row for quarantine, truncated.
func rawRow(row []bigquery.Value) string {
	s := fmt.Sprint(row)
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

func (s *Source) readEvent(c columns, row []bigquery.Value) (event, *connectors.Rejected) {
	e := event{name: c.str(row, "event_name"), pseudo: c.str(row, "user_pseudo_id"), intraday: c.bool(row, "is_intraday")}
	d, err := time.Parse("20060102", c.str(row, "event_date"))
	if err != nil {
		return e, &connectors.Rejected{Field: "event_date", Reason: "event_date is not YYYYMMDD", Raw: rawRow(row)}
	}
	e.date = d
	ts, ok := c.int(row, "event_timestamp")
	if !ok {
		return e, &connectors.Rejected{Field: "event_timestamp", Reason: "event_timestamp is missing", Raw: rawRow(row)}
	}
	e.tsMicros = ts
	if e.pseudo == "" {
		return e, &connectors.Rejected{Field: "user_pseudo_id", Reason: "user_pseudo_id is missing (consent mode without analytics storage)", Raw: rawRow(row)}
	}
	e.user = e.pseudo
	if s.useUserID {
		if u := c.str(row, "user_id"); u != "" {
			e.user = u
		}
	}
	e.session, e.hasSess = c.int(row, "ga_session_id")
	return e, nil
}

// ConversionType maps a GA4 event name onto the canonical conversion type.
func ConversionType(event string) string {
	switch event {
	case "purchase", "in_app_purchase", "ecommerce_purchase":
		return "purchase"
	case "generate_lead", "qualify_lead", "close_convert_lead":
		return "lead"
	case "sign_up":
		return "signup"
	}
	return event
}

// ConversionID is the id of a conversion: a purchase's transaction id,
// else the export's event identity (user_pseudo_id, event_timestamp,
// event_name and the index among identical events).
func ConversionID(property, event, transactionID, pseudo string, tsMicros, dup int64) string {
	if transactionID != "" && transactionID != "(not set)" {
		return "ga4:" + property + ":" + event + ":" + transactionID
	}
	return "ga4:" + property + ":" + pseudo + ":" + strconv.FormatInt(tsMicros, 10) + ":" + event + ":" + strconv.FormatInt(dup, 10)
}

// conversionRows turns conversion events into rows, keeping the first of
// events that repeat a transaction id in one window.
type conversionRows struct {
	s    *Source
	seen map[string]bool
}

func (r *conversionRows) add(b *builder, c columns, row []bigquery.Value) (bool, *connectors.Rejected) {
	e, rej := r.s.readEvent(c, row)
	if rej != nil {
		return false, rej
	}
	dup, _ := c.int(row, "dup_index")
	tx := c.str(row, "transaction_id")
	id := ConversionID(r.s.propertyID(), e.name, tx, e.pseudo, e.tsMicros, dup)
	if r.seen[id] {
		return false, nil // GA4 logged the same transaction twice
	}
	r.seen[id] = true
	value, currency := c.rat(row, "purchase_revenue"), r.s.currency
	if value == nil {
		value = c.rat(row, "value")
		if cur := c.str(row, "currency"); value != nil && cur != "" {
			currency = strings.ToUpper(cur)
		}
	}
	if value == nil {
		value = new(big.Rat)
	}
	num, ok := decimal9(value)
	if !ok {
		return false, &connectors.Rejected{Field: "value", Reason: "value does not fit DECIMAL(38,9)", Raw: rawRow(row)}
	}
	b.str("conversion_id", id)
	b.str("user_id", e.user)
	b.ts("ts", e.tsMicros)
	b.str("type", ConversionType(e.name))
	b.dec("value", num)
	b.str("currency", currency)
	r.s.common(b, e)
	b.str("event_name", e.name)
	b.optStr("transaction_id", tx)
	b.end()
	return true, nil
}

// common fills the columns every stream has.
func (s *Source) common(b *builder, e event) {
	b.str("property_id", s.propertyID())
	b.date("event_date", e.date)
	b.str("account_timezone", s.tz)
	b.str("user_pseudo_id", e.pseudo)
	if e.hasSess {
		b.i64("session_id", e.session)
	} else {
		b.null("session_id")
	}
	b.boolean("intraday", e.intraday)
}

// Attribution is one event's traffic source.
type Attribution struct {
	Source, Medium, Campaign, CampaignID, ChannelGroup string
	// From is session_last_click, collected or first_user.
	From string
}

// Attribute picks an event's traffic source: on a session_start, the
// session's last-click source (session_traffic_source_last_click) when
// the export has it; on other events (a campaign hit mid-session), the
// collected one (collected_traffic_source; a gclid alone is google / cpc);
// then whichever of those is present; finally the user's first source
// (traffic_source).
func Attribute(eventName string, lc, cs, ts Attribution, gclid string) Attribution {
	lc.From, cs.From, ts.From = "session_last_click", "collected", "first_user"
	if cs.Source == "" && gclid != "" {
		cs.Source, cs.Medium = "google", "cpc"
	}
	order := []Attribution{cs, lc, ts}
	if eventName == "session_start" {
		order = []Attribution{lc, cs, ts}
	}
	for _, a := range order {
		if a.Source != "" {
			if a.Medium == "" {
				a.Medium = "(not set)"
			}
			return a
		}
	}
	return Attribution{Source: "(direct)", Medium: "(none)", From: "first_user"}
}

// touchpointRows keeps, per user and session, the first attributed event
// and every change of source, medium or campaign. Rows come ordered by
// user, session and time, so one previous row is all the state needed.
type touchpointRows struct {
	s        *Source
	prevKey  string
	prevAttr Attribution
}

func (r *touchpointRows) add(b *builder, c columns, row []bigquery.Value) (bool, *connectors.Rejected) {
	e, rej := r.s.readEvent(c, row)
	if rej != nil {
		return false, rej
	}
	a := Attribute(e.name,
		Attribution{Source: c.str(row, "lc_source"), Medium: c.str(row, "lc_medium"), Campaign: c.str(row, "lc_campaign"), CampaignID: c.str(row, "lc_campaign_id"), ChannelGroup: c.str(row, "lc_channel_group")},
		Attribution{Source: c.str(row, "cs_source"), Medium: c.str(row, "cs_medium"), Campaign: c.str(row, "cs_campaign"), CampaignID: c.str(row, "cs_campaign_id")},
		Attribution{Source: c.str(row, "ts_source"), Medium: c.str(row, "ts_medium"), Campaign: c.str(row, "ts_campaign")},
		c.str(row, "cs_gclid"))
	key := e.pseudo + "\x00" + strconv.FormatInt(e.session, 10) + "\x00" + strconv.FormatBool(e.hasSess)
	same := key == r.prevKey && a.Source == r.prevAttr.Source && a.Medium == r.prevAttr.Medium && a.Campaign == r.prevAttr.Campaign
	r.prevKey, r.prevAttr = key, a
	if same {
		return false, nil
	}
	channel := Channel(a.ChannelGroup, a.Source, a.Medium)
	b.str("user_id", e.user)
	b.ts("ts", e.tsMicros)
	b.str("channel", channel)
	b.str("source", a.Source)
	b.str("medium", a.Medium)
	b.optStr("campaign", a.Campaign)
	b.optStr("campaign_id", a.CampaignID)
	interaction := "visit"
	if rePaid.MatchString(strings.ToLower(a.Medium)) {
		interaction = "click"
	}
	b.str("interaction", interaction)
	r.s.common(b, e)
	b.optStr("channel_group", a.ChannelGroup)
	b.str("attribution", a.From)
	b.end()
	return true, nil
}

// decimal9 scales r to 9 decimals, rounding half away from zero, for
// DECIMAL(38,9).
func decimal9(r *big.Rat) (decimal128.Num, bool) {
	num := new(big.Int).Mul(r.Num(), billion)
	den := r.Denom()
	q, m := num.QuoRem(num, den, new(big.Int))
	if m.Sign() != 0 {
		if m.Abs(m).Lsh(m, 1).Cmp(den) >= 0 {
			q.Add(q, big.NewInt(int64(r.Sign())))
		}
	}
	if q.BitLen() > 126 {
		return decimal128.Num{}, false
	}
	n := decimal128.FromBigInt(q)
	if !n.FitsInPrecision(38) {
		return decimal128.Num{}, false
	}
	return n, true
}

var billion = big.NewInt(1_000_000_000)

// builder appends one stream's rows by column name.
type builder struct {
	rb    *array.RecordBuilder
	idx   map[string]int
	rows  int
	set   []bool
	names []string
}

func newBuilder(sc *arrow.Schema) *builder {
	b := &builder{rb: array.NewRecordBuilder(memory.DefaultAllocator, sc), idx: map[string]int{}}
	for i, f := range sc.Fields() {
		b.idx[f.Name] = i
		b.names = append(b.names, f.Name)
	}
	b.set = make([]bool, len(b.names))
	return b
}

func (b *builder) field(name string) array.Builder {
	i, ok := b.idx[name]
	if !ok {
		panic("ga4bigquery: no column " + name)
	}
	b.set[i] = true
	return b.rb.Field(i)
}

func (b *builder) str(name, v string) { b.field(name).(*array.StringBuilder).Append(v) }
func (b *builder) optStr(name, v string) {
	if v == "" {
		b.null(name)
		return
	}
	b.str(name, v)
}
func (b *builder) i64(name string, v int64) { b.field(name).(*array.Int64Builder).Append(v) }
func (b *builder) boolean(name string, v bool) {
	b.field(name).(*array.BooleanBuilder).Append(v)
}
func (b *builder) ts(name string, micros int64) {
	b.field(name).(*array.TimestampBuilder).Append(arrow.Timestamp(micros))
}
func (b *builder) date(name string, d time.Time) {
	b.field(name).(*array.Date32Builder).Append(arrow.Date32FromTime(d))
}
func (b *builder) dec(name string, n decimal128.Num) {
	b.field(name).(*array.Decimal128Builder).Append(n)
}
func (b *builder) null(name string) { b.field(name).AppendNull() }

// end closes a row: columns not set are NULL.
func (b *builder) end() {
	for i, ok := range b.set {
		if !ok {
			b.rb.Field(i).AppendNull()
		}
		b.set[i] = false
	}
	b.rows++
}

func (b *builder) flush(ctx context.Context, out connectors.Emitter) error {
	if b.rows == 0 {
		return nil
	}
	rec := b.rb.NewRecordBatch()
	b.rows = 0
	defer rec.Release()
	return out.Batch(ctx, rec)
}

func (b *builder) release() { b.rb.Release() }
