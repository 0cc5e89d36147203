package oceanengine

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// StreamName is the one stream: project_daily.
const StreamName = "project_daily"

// Source reads the daily custom report of one or more Ocean Engine
// advertisers into one stream, project_daily, feeding the canonical
// ad_performance stream. It is used by one goroutine at a time.
type Source struct {
	name           string
	advertisers    []string
	version        string
	channel        string
	campaignDim    string
	nameDim        string
	adGroupDim     string // "" at campaign grain
	adDim          string // "" above ad grain
	valueMetric    string
	currency       string
	timezone       string
	loc            *time.Location
	daysPerRequest int
	pageSize       int
	start          time.Time
	lookback       int
	client         *httpkit.Client
	classify       *classifier
	log            *slog.Logger
	schema         *arrow.Schema
	dec            *jsonarrow.Decoder
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["ad_performance"]
	return []connectors.Stream{{
		Name:         StreamName,
		Canonical:    canon.Name,
		Description:  "one row per day, advertiser and " + strings.Join(s.Dimensions()[1:], ", ") + " with delivery; spend in yuan as exact decimals, days in " + s.timezone,
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// compile builds the stream's schema and the JSON→Arrow decoder.
func (s *Source) compile() error {
	canon := connectors.Canonical["ad_performance"]
	fields := canon.ArrowSchema().Fields()
	for i := range fields {
		// "-" or no conversion_value_metric: NULL, never a made-up 0.
		if fields[i].Name == "conversions" || fields[i].Name == "conversion_value" {
			fields[i].Nullable = true
		}
	}
	s.schema = arrow.NewSchema(fields, nil)
	na := []string{"-"}
	spec := jsonarrow.Spec{
		Rows:    "data.rows",
		Capture: []string{"code", "message", "request_id", "data.page_info.total_page"},
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "dimensions.stat_time_day", Conv: jsonarrow.Date},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String, Default: s.timezone},
			{Column: "currency", Conv: jsonarrow.String, Default: s.currency},
			{Column: "channel", Conv: jsonarrow.String, Default: s.channel},
			{Column: "campaign_id", Path: "dimensions." + s.campaignDim, Conv: jsonarrow.String},
			// Yuan strings, exactly: "1234.56" is 1234.560000000.
			{Column: "spend", Path: "metrics.stat_cost", Conv: jsonarrow.Decimal},
			{Column: "impressions", Path: "metrics.show_cnt", Conv: jsonarrow.Int64},
			{Column: "clicks", Path: "metrics.click_cnt", Conv: jsonarrow.Int64},
			{Column: "conversions", Path: "metrics.convert_cnt", Conv: jsonarrow.Float64, Nulls: na},
		},
	}
	if s.nameDim != "" {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "campaign_name", Path: "dimensions." + s.nameDim, Conv: jsonarrow.String, Missing: jsonarrow.MissingZero})
	} else {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "campaign_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingDefault, Default: ""})
	}
	if s.adGroupDim != "" {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "ad_group_id", Path: "dimensions." + s.adGroupDim, Conv: jsonarrow.String})
	}
	if s.adDim != "" {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "ad_id", Path: "dimensions." + s.adDim, Conv: jsonarrow.String})
	}
	if s.valueMetric != "" {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "conversion_value", Path: "metrics." + s.valueMetric, Conv: jsonarrow.Decimal, Round: true, Nulls: na})
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("ocean_engine: %w", err)
	}
	s.dec = dec
	return nil
}

// Dimensions and Metrics return what a report request asks for.
func (s *Source) Dimensions() []string {
	d := []string{"stat_time_day", s.campaignDim}
	if s.nameDim != "" {
		d = append(d, s.nameDim)
	}
	for _, x := range []string{s.adGroupDim, s.adDim} {
		if x != "" {
			d = append(d, x)
		}
	}
	return d
}

// Metrics returns the metrics a report request asks for.
func (s *Source) Metrics() []string {
	m := []string{"stat_cost", "show_cnt", "click_cnt", "convert_cnt"}
	if s.valueMetric != "" {
		m = append(m, s.valueMetric)
	}
	return m
}

// ReportQuery returns the query of one page of one advertiser's window:
// arrays as JSON, filters always present.
func (s *Source) ReportQuery(advertiser string, w connectors.DateRange, page int) url.Values {
	dims, _ := json.Marshal(s.Dimensions())
	metrics, _ := json.Marshal(s.Metrics())
	order, _ := json.Marshal([]map[string]string{{"field": "stat_time_day", "type": "ASC"}})
	return url.Values{
		"advertiser_id": {advertiser},
		"dimensions":    {string(dims)},
		"metrics":       {string(metrics)},
		"filters":       {"[]"},
		"order_by":      {string(order)},
		"start_time":    {w.From.Format(time.DateOnly)},
		"end_time":      {w.To.Format(time.DateOnly)},
		"page":          {strconv.Itoa(page)},
		"page_size":     {strconv.Itoa(s.pageSize)},
	}
}

// Check asks for one row of yesterday's report of every advertiser: the
// token, the app and the advertiser ids must all work.
func (s *Source) Check(ctx context.Context) error {
	y := httpkit.AccountUntil(time.Time{}, s.client.Clock().Now(), s.loc)
	for _, a := range s.advertisers {
		q := s.ReportQuery(a, connectors.DateRange{From: y, To: y}, 1)
		q.Set("page_size", "1")
		err := s.client.DoDecode(ctx, &httpkit.Request{
			URL: "open_api/" + s.version + "/report/custom/get/", Query: q, RateKey: a, Op: "check advertiser " + a,
		}, func(resp *httpkit.Response) error {
			res, _, _, err := s.decodePage(resp.Body)
			if err == nil {
				res.Release()
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again, window by window, each committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("ocean_engine source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("ocean_engine source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	until := httpkit.AccountUntil(connectors.Day(req.Until), c.Clock().Now(), s.loc)
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until, Backfill: req.Backfill}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, a := range s.advertisers {
			n, err := s.readWindow(ctx, c, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "advertisers", len(s.advertisers))
}

// readWindow emits one advertiser's rows of one window, page by page.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, advertiser string, w connectors.DateRange, out connectors.Emitter) (int, error) {
	if err := s.dec.Set("account_id", advertiser); err != nil {
		return 0, err
	}
	rows := 0
	err := httpkit.PageNumbers(ctx, func(ctx context.Context, page int) (int, error) {
		op := fmt.Sprintf("custom report advertiser %s %s page %d", advertiser, w, page)
		var res *jsonarrow.Result
		var total int
		var reqID string
		err := c.DoDecode(ctx, &httpkit.Request{
			URL: "open_api/" + s.version + "/report/custom/get/", Query: s.ReportQuery(advertiser, w, page), RateKey: advertiser, Op: op,
		}, func(resp *httpkit.Response) error {
			r, t, id, err := s.decodePage(resp.Body)
			res, total, reqID = r, t, id
			return err
		})
		if err != nil {
			return 0, err
		}
		defer res.Release()
		if err := c.Emit(ctx, out, op, res.Batches, res.Rejected); err != nil {
			return 0, err
		}
		rows += res.Rows
		c.Logger().DebugContext(ctx, "report page read", "advertiser", advertiser, "from", w.From.Format(time.DateOnly),
			"to", w.To.Format(time.DateOnly), "page", page, "total_page", total, "rows", res.Rows, "rejected", len(res.Rejected), "request_id", reqID)
		return total, nil
	})
	return rows, err
}

// decodePage decodes one report page, reading the code, request id and
// page count in the same pass; a code≠0 is an *httpkit.Error with its action.
func (s *Source) decodePage(body []byte) (*jsonarrow.Result, int, string, error) {
	code, total := int64(-1), 0
	var msg, reqID string
	res, err := s.dec.Decode(body, func(path string, v jsonarrow.Value) error {
		switch path {
		case "code":
			n, err := strconv.ParseInt(v.Text(), 10, 64)
			if err != nil {
				return fmt.Errorf("%w: code %s", httpkit.ErrMalformed, v.Text())
			}
			code = n
		case "message":
			msg = v.Text()
		case "request_id":
			reqID = v.Text()
		case "data.page_info.total_page":
			total, _ = strconv.Atoi(v.Text())
		}
		return nil
	})
	if err != nil {
		return nil, 0, reqID, err
	}
	switch code {
	case CodeOK:
		return res, total, reqID, nil
	case -1:
		res.Release()
		return nil, 0, reqID, fmt.Errorf("%w: no code in the answer", httpkit.ErrMalformed)
	}
	res.Release()
	return nil, 0, reqID, s.classify.codeError(code, msg, reqID)
}
