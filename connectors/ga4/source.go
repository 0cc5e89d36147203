package ga4

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// StreamName is the one stream of a ga4 source.
const StreamName = "traffic_daily"

// Source reads the daily traffic of one or more GA4 properties into one
// stream, traffic_daily, feeding the canonical web_traffic stream. It is
// used by one goroutine at a time.
type Source struct {
	name               string
	properties         []string
	version            string
	dimensions         []string
	metrics            []string
	daysPerRequest     int
	limit              int
	hourlyQuotaReserve int
	start              time.Time
	lookback           int
	client             *httpkit.Client
	log                *slog.Logger
	schema             *arrow.Schema
	dec                *jsonarrow.Decoder
	flagCols           [2]int     // thresholded, sampled
	props              []property // loaded on first use
}

// property is what GA4 says about one property.
type property struct {
	id, currency, timeZone string
	loc                    *time.Location
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Key is the upsert key of the stream.
var Key = []string{"property_id", "date", "channel_group", "source", "medium", "campaign"}

// Extra columns beyond the canonical web_traffic stream.
var extraColumns = []arrow.Field{
	{Name: "property_id", Type: arrow.BinaryTypes.String, Nullable: false,
		Metadata: connectors.Comment("GA4 property id")},
	{Name: "account_timezone", Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: connectors.Comment("IANA time zone of the property (the zone of date), from runReport metadata.timeZone")},
	{Name: "thresholded", Type: arrow.FixedWidthTypes.Boolean, Nullable: true,
		Metadata: connectors.Comment("true when GA4 applied thresholding to the report this row came from (metadata.subjectToThresholding): rows with few users may be withheld, totals understated")},
	{Name: "sampled", Type: arrow.FixedWidthTypes.Boolean, Nullable: true,
		Metadata: connectors.Comment("true when the report this row came from was sampled (metadata.samplingMetadatas): values are estimates")},
}

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["web_traffic"]
	return []connectors.Stream{{
		Name:         StreamName,
		Canonical:    canon.Name,
		Description:  "one row per day, property, channel group, source, medium and campaign, in the property's currency and time zone",
		Schema:       s.schema,
		Key:          slices.Clone(Key),
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing; the client keeps no state worth closing.
func (s *Source) Close() error { return nil }

var sourceMediumSep = []byte(" / ")

// notSet is GA4's own word for a missing value.
var notSet = []byte("(not set)")

// splitSourceMedium extracts the source (part 0) or medium (part 1) of a
// "google / cpc" value, splitting at the first " / "; without one the
// medium is "(not set)".
func splitSourceMedium(part int) func(v jsonarrow.Value) ([]byte, bool, error) {
	return func(v jsonarrow.Value) ([]byte, bool, error) {
		if v.IsNull() {
			return nil, false, nil
		}
		var s []byte
		switch {
		case !v.IsString():
			s = v
		case bytes.IndexByte(v, '\\') < 0:
			s = v[1 : len(v)-1]
		default:
			s = []byte(v.Text())
		}
		i := bytes.Index(s, sourceMediumSep)
		switch {
		case i < 0 && part == 0:
			return s, true, nil
		case i < 0:
			return notSet, true, nil
		case part == 0:
			return s[:i], true, nil
		}
		return s[i+len(sourceMediumSep):], true, nil
	}
}

// compile builds the stream's schema and the JSON→Arrow decoder.
func (s *Source) compile() error {
	canon := connectors.Canonical["web_traffic"]
	fields := append(canon.ArrowSchema().Fields(), extraColumns...)
	s.schema = arrow.NewSchema(fields, nil)
	s.flagCols = [2]int{s.schema.FieldIndices("thresholded")[0], s.schema.FieldIndices("sampled")[0]}
	spec := jsonarrow.Spec{
		Rows:    "rows",
		Capture: []string{"rowCount", "metadata", "propertyQuota"},
		// One batch per page (page_limit is at most 250,000).
		BatchRows: MaxPageLimit,
		Fields: []jsonarrow.Field{
			{Column: "property_id", Conv: jsonarrow.String},
			{Column: "currency", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String},
		},
	}
	for i, d := range s.dimensions {
		path := "dimensionValues." + strconv.Itoa(i) + ".value"
		switch dimensionRoles[d] {
		case roleDate:
			spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "date", Path: path, Conv: jsonarrow.Date})
		case roleChannel:
			spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "channel_group", Path: path, Conv: jsonarrow.String})
		case roleCampaign:
			spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "campaign", Path: path, Conv: jsonarrow.String})
		case roleSource:
			spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "source", Path: path, Conv: jsonarrow.String})
		case roleMedium:
			spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "medium", Path: path, Conv: jsonarrow.String})
		case roleSourceMedia:
			spec.Fields = append(spec.Fields,
				jsonarrow.Field{Column: "source", Path: path, Conv: jsonarrow.String, Extract: splitSourceMedium(0)},
				jsonarrow.Field{Column: "medium", Path: path, Conv: jsonarrow.String, Extract: splitSourceMedium(1)})
		}
	}
	for j, m := range s.metrics {
		path := "metricValues." + strconv.Itoa(j) + ".value"
		col := metricColumns[m]
		f := jsonarrow.Field{Column: col, Path: path, Conv: jsonarrow.Int64}
		switch col {
		case "key_events":
			f.Conv = jsonarrow.Float64
		case "revenue":
			// Money is parsed from the text, exactly; digits past nine
			// decimals are rounded.
			f.Conv, f.Round = jsonarrow.Decimal, true
		}
		spec.Fields = append(spec.Fields, f)
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("ga4: %w", err)
	}
	s.dec = dec
	return nil
}

// name is a {"name": …} element of a runReport request.
type name struct {
	Name string `json:"name"`
}

type dateRange struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
}

type orderBy struct {
	Dimension struct {
		DimensionName string `json:"dimensionName"`
	} `json:"dimension"`
}

// reportRequest is a runReport body. int64s (limit, offset) are strings in
// proto3 JSON.
type reportRequest struct {
	DateRanges          []dateRange `json:"dateRanges"`
	Dimensions          []name      `json:"dimensions,omitempty"`
	Metrics             []name      `json:"metrics"`
	OrderBys            []orderBy   `json:"orderBys,omitempty"`
	Limit               string      `json:"limit"`
	Offset              string      `json:"offset,omitempty"`
	ReturnPropertyQuota bool        `json:"returnPropertyQuota"`
}

// Request returns the runReport body of one page of one window. Rows are
// ordered by every dimension so that offset paging is stable.
func (s *Source) Request(w connectors.DateRange, offset int) []byte {
	r := reportRequest{
		DateRanges:          []dateRange{{w.From.Format(time.DateOnly), w.To.Format(time.DateOnly)}},
		Limit:               strconv.Itoa(s.limit),
		ReturnPropertyQuota: true,
	}
	if offset > 0 {
		r.Offset = strconv.Itoa(offset)
	}
	for _, d := range s.dimensions {
		r.Dimensions = append(r.Dimensions, name{d})
		var o orderBy
		o.Dimension.DimensionName = d
		r.OrderBys = append(r.OrderBys, o)
	}
	for _, m := range s.metrics {
		r.Metrics = append(r.Metrics, name{m})
	}
	b, _ := json.Marshal(r)
	return b
}

// metadata is a runReport's ResponseMetaData.
type metadata struct {
	CurrencyCode          string            `json:"currencyCode"`
	TimeZone              string            `json:"timeZone"`
	SubjectToThresholding bool              `json:"subjectToThresholding"`
	SamplingMetadatas     []json.RawMessage `json:"samplingMetadatas"`
	DataLossFromOtherRow  bool              `json:"dataLossFromOtherRow"`
}

type quotaStatus struct {
	Consumed  int64 `json:"consumed"`
	Remaining int64 `json:"remaining"`
}

// propertyQuota is what returnPropertyQuota adds to an answer.
type propertyQuota struct {
	TokensPerDay                          *quotaStatus `json:"tokensPerDay"`
	TokensPerHour                         *quotaStatus `json:"tokensPerHour"`
	ConcurrentRequests                    *quotaStatus `json:"concurrentRequests"`
	ServerErrorsPerProjectPerHour         *quotaStatus `json:"serverErrorsPerProjectPerHour"`
	PotentiallyThresholdedRequestsPerHour *quotaStatus `json:"potentiallyThresholdedRequestsPerHour"`
	TokensPerProjectPerHour               *quotaStatus `json:"tokensPerProjectPerHour"`
}

// hourly is the fewest hourly tokens left (property, or project per property).
func (q propertyQuota) hourly() (int64, bool) {
	left, ok := int64(0), false
	for _, st := range []*quotaStatus{q.TokensPerHour, q.TokensPerProjectPerHour} {
		if st != nil && (!ok || st.Remaining < left) {
			left, ok = st.Remaining, true
		}
	}
	return left, ok
}

// Check fetches a token and each property's currency and time zone.
func (s *Source) Check(ctx context.Context) error {
	s.props = nil
	_, err := s.loadProperties(ctx, s.client)
	return err
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced, restatements included), window by window,
// each window of every property committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("ga4 source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("ga4 source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	props, err := s.loadProperties(ctx, c)
	if err != nil {
		return err
	}
	// The last complete day of every property, in its own time zone.
	until := connectors.Day(req.Until)
	now := c.Clock().Now()
	for _, p := range props {
		until = httpkit.AccountUntil(until, now, p.loc)
	}
	plan := httpkit.DayPlan{
		Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until,
		Backfill: req.Backfill, Earliest: time.Date(2015, 8, 14, 0, 0, 0, 0, time.UTC), // the Data API's earliest date
	}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, p := range props {
			n, err := s.readWindow(ctx, c, p, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "properties", len(props))
}

// page is what one runReport answer said besides its rows.
type page struct {
	total int // rowCount; -1 when absent (no data)
	meta  metadata
	quota propertyQuota
}

// readWindow emits one property's rows of one window, page by page.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, p property, w connectors.DateRange, out connectors.Emitter) (int, error) {
	for col, v := range map[string]string{"property_id": p.id, "currency": p.currency, "account_timezone": p.timeZone} {
		if err := s.dec.Set(col, v); err != nil {
			return 0, err
		}
	}
	rows, warned := 0, false
	err := httpkit.Offsets(ctx, s.limit, func(ctx context.Context, off int) (int, int, error) {
		op := fmt.Sprintf("runReport property %s %s offset %d", p.id, w, off)
		var res *jsonarrow.Result
		var pg page
		var reqID string
		err := c.DoDecode(ctx, &httpkit.Request{
			Method: "POST", URL: s.version + "/properties/" + p.id + ":runReport",
			Body: s.Request(w, off), RateKey: p.id, Op: op,
		}, func(resp *httpkit.Response) error {
			pg = page{total: -1}
			reqID = resp.RequestID
			r, err := s.dec.Decode(resp.Body, func(path string, v jsonarrow.Value) error {
				var err error
				switch path {
				case "rowCount":
					pg.total, err = strconv.Atoi(v.Text())
				case "metadata":
					err = json.Unmarshal(v, &pg.meta)
				case "propertyQuota":
					err = json.Unmarshal(v, &pg.quota)
				}
				if err != nil {
					return fmt.Errorf("%w: %s: %v", httpkit.ErrMalformed, path, err)
				}
				return nil
			})
			res = r
			return err
		})
		if err != nil {
			return 0, 0, err
		}
		defer res.Release()
		thr, smp := pg.meta.SubjectToThresholding, len(pg.meta.SamplingMetadatas) > 0
		if (thr || smp) && !warned {
			warned = true
			c.Logger().WarnContext(ctx, "report thresholded or sampled: rows are flagged (columns thresholded, sampled)",
				"property", p.id, "from", w.From.Format(time.DateOnly), "to", w.To.Format(time.DateOnly),
				"thresholded", thr, "sampled", smp, "request_id", reqID)
		}
		if cur := pg.meta.CurrencyCode; cur != "" && cur != p.currency {
			c.Logger().WarnContext(ctx, "property currency changed during the run", "property", p.id, "was", p.currency, "now", cur)
		}
		for _, b := range res.Batches {
			nb := s.flag(b, thr, smp)
			err := out.Batch(ctx, nb)
			nb.Release()
			if err != nil {
				return 0, 0, err
			}
		}
		if err := c.Emit(ctx, out, op, nil, res.Rejected); err != nil {
			return 0, 0, err
		}
		got := res.Rows + len(res.Rejected)
		rows += res.Rows
		c.Logger().DebugContext(ctx, "runReport read", "property", p.id, "from", w.From.Format(time.DateOnly),
			"to", w.To.Format(time.DateOnly), "offset", off, "rows", got, "row_count", pg.total, "rejected", len(res.Rejected), "request_id", reqID)
		if err := s.mindQuota(ctx, c, p, pg.quota); err != nil {
			return 0, 0, err
		}
		total := pg.total
		if total < 0 && got == 0 {
			total = 0 // rows and rowCount absent: no data
		}
		return got, total, nil
	})
	return rows, err
}

// mindQuota logs the tokens left and, when the hourly ones fall below
// hourly_quota_reserve, waits on the client's clock until the next hour.
func (s *Source) mindQuota(ctx context.Context, c *httpkit.Client, p property, q propertyQuota) error {
	left, ok := q.hourly()
	if !ok {
		return nil
	}
	attrs := []any{"property", p.id, "hourly_tokens_remaining", left}
	if q.TokensPerDay != nil {
		attrs = append(attrs, "daily_tokens_remaining", q.TokensPerDay.Remaining)
	}
	c.Logger().DebugContext(ctx, "ga4 quota", attrs...)
	if q.TokensPerDay != nil && q.TokensPerDay.Remaining < int64(s.hourlyQuotaReserve) {
		c.Logger().WarnContext(ctx, "ga4 daily quota nearly spent; it resets at midnight Pacific", attrs...)
	}
	if s.hourlyQuotaReserve == 0 || left >= int64(s.hourlyQuotaReserve) {
		return nil
	}
	wait := untilNextHour(c.Clock().Now())
	c.Logger().WarnContext(ctx, "ga4 hourly quota low: pausing until the next hour", append(attrs, "wait", wait.String(), "hourly_quota_reserve", s.hourlyQuotaReserve)...)
	return c.Clock().Sleep(ctx, wait)
}

// flag returns b with the thresholded and sampled columns set for every
// row (the decoder leaves them NULL: the flags come after the rows).
func (s *Source) flag(b arrow.RecordBatch, thresholded, sampled bool) arrow.RecordBatch {
	cols := slices.Clone(b.Columns())
	n := int(b.NumRows())
	var made []arrow.Array
	for k, v := range []bool{thresholded, sampled} {
		bb := array.NewBooleanBuilder(memory.DefaultAllocator)
		bb.Reserve(n)
		for range n {
			bb.UnsafeAppend(v)
		}
		a := bb.NewArray()
		bb.Release()
		cols[s.flagCols[k]] = a
		made = append(made, a)
	}
	nb := array.NewRecordBatch(b.Schema(), cols, b.NumRows())
	for _, a := range made {
		a.Release()
	}
	return nb
}

// loadProperties fetches each property's currency and time zone once, with
// a one-row runReport whose metadata carries them.
func (s *Source) loadProperties(ctx context.Context, c *httpkit.Client) ([]property, error) {
	if s.props != nil {
		return s.props, nil
	}
	var out []property
	for _, id := range s.properties {
		body, _ := json.Marshal(reportRequest{
			DateRanges: []dateRange{{"yesterday", "yesterday"}},
			Metrics:    []name{{"sessions"}}, Limit: "1", ReturnPropertyQuota: true,
		})
		var resp struct {
			Metadata metadata `json:"metadata"`
		}
		reqID := ""
		err := c.DoDecode(ctx, &httpkit.Request{
			Method: "POST", URL: s.version + "/properties/" + id + ":runReport",
			Body: body, RateKey: id, Op: "runReport metadata property " + id,
		}, func(r *httpkit.Response) error {
			reqID = r.RequestID
			resp.Metadata = metadata{}
			if err := json.Unmarshal(r.Body, &resp); err != nil {
				return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		md := resp.Metadata
		loc, err := time.LoadLocation(md.TimeZone)
		if err != nil || md.TimeZone == "" || md.CurrencyCode == "" {
			return nil, fmt.Errorf("ga4: property %s: time zone %q or currency %q not usable (request id %s)", id, md.TimeZone, md.CurrencyCode, reqID)
		}
		out = append(out, property{id: id, currency: md.CurrencyCode, timeZone: md.TimeZone, loc: loc})
		c.Logger().InfoContext(ctx, "property", "property", id, "currency", md.CurrencyCode, "time_zone", md.TimeZone, "request_id", reqID)
	}
	s.props = out
	return out, nil
}
