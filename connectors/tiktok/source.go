package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// level is a grain of the daily stream.
type level struct {
	name      string // campaign, adgroup, ad
	dataLevel string // data_level
	dimension string // the id dimension next to stat_time_day
	// attrs are the attribute metrics asked for besides the numbers.
	attrs []string
}

var levels = map[string]level{
	"campaign": {"campaign", "AUCTION_CAMPAIGN", "campaign_id", []string{"campaign_name"}},
	"adgroup":  {"adgroup", "AUCTION_ADGROUP", "adgroup_id", []string{"campaign_id", "campaign_name", "adgroup_name"}},
	"ad":       {"ad", "AUCTION_AD", "ad_id", []string{"campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name"}},
}

// Source reads the daily integrated report of one or more TikTok
// advertisers into one stream, <level>_daily, feeding the canonical
// ad_performance stream. It is used by one goroutine at a time.
type Source struct {
	name           string
	advertisers    []string
	level          level
	version        string
	channel        string
	convMetric     string
	valueMetric    string
	currency       string // configured, instead of advertiser/info
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
	accounts       []account // loaded on first use
}

// account is what TikTok says about one advertiser.
type account struct {
	id, name, currency, timeZone string
	loc                          *time.Location
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Extra columns beyond the canonical ad_performance stream.
var extraColumns = []arrow.Field{
	{Name: "ad_group_name", Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: connectors.Comment("TikTok ad group name, NULL at campaign grain")},
	{Name: "ad_name", Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: connectors.Comment("TikTok ad name, NULL above ad grain")},
}

// StreamName is the stream of a level: campaign_daily, adgroup_daily or ad_daily.
func StreamName(level string) string { return level + "_daily" }

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["ad_performance"]
	return []connectors.Stream{{
		Name:         StreamName(s.level.name),
		Canonical:    canon.Name,
		Description:  "one row per day, advertiser and " + s.level.name + " TikTok reports, in the advertiser's currency and time zone; conversions and conversion_value are NULL where TikTok says \"-\" (not available)",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing: the client's connections are shared and idle.
func (s *Source) Close() error { return nil }

// compile builds the stream's schema and the JSON→Arrow decoder.
func (s *Source) compile() error {
	canon := connectors.Canonical["ad_performance"]
	fields := canon.ArrowSchema().Fields()
	for i := range fields {
		// "-" is TikTok's "not available": store NULL, never a made-up 0.
		if fields[i].Name == "conversions" || fields[i].Name == "conversion_value" {
			fields[i].Nullable = true
		}
	}
	fields = append(fields, extraColumns...)
	s.schema = arrow.NewSchema(fields, nil)
	na := []string{"-"}
	attr := func(name string) string {
		if name == s.level.dimension {
			return "dimensions." + name
		}
		return "metrics." + name
	}
	spec := jsonarrow.Spec{
		Rows:    "data.list",
		Capture: []string{"code", "message", "request_id", "data.page_info.total_page"},
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "dimensions.stat_time_day", Conv: jsonarrow.Date},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String},
			{Column: "currency", Conv: jsonarrow.String},
			{Column: "channel", Conv: jsonarrow.String, Default: s.channel},
			{Column: "campaign_id", Path: attr("campaign_id"), Conv: jsonarrow.String},
			{Column: "campaign_name", Path: "metrics.campaign_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero},
			{Column: "spend", Path: "metrics.spend", Conv: jsonarrow.Decimal},
			{Column: "impressions", Path: "metrics.impressions", Conv: jsonarrow.Int64},
			{Column: "clicks", Path: "metrics.clicks", Conv: jsonarrow.Int64},
			{Column: "conversions", Path: "metrics." + s.convMetric, Conv: jsonarrow.Float64, Nulls: na},
			{Column: "conversion_value", Path: "metrics." + s.valueMetric, Conv: jsonarrow.Decimal, Round: true, Nulls: na},
		},
	}
	if s.level.name != "campaign" {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "ad_group_id", Path: attr("adgroup_id"), Conv: jsonarrow.String},
			jsonarrow.Field{Column: "ad_group_name", Path: "metrics.adgroup_name", Conv: jsonarrow.String, Nulls: na})
	}
	if s.level.name == "ad" {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "ad_id", Path: "dimensions.ad_id", Conv: jsonarrow.String},
			jsonarrow.Field{Column: "ad_name", Path: "metrics.ad_name", Conv: jsonarrow.String, Nulls: na})
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("tiktok: %w", err)
	}
	s.dec = dec
	return nil
}

// Metrics returns the metrics a report request asks for: the level's
// attributes, then the numbers.
func (s *Source) Metrics() []string {
	m := append([]string{}, s.level.attrs...)
	return append(m, "spend", "impressions", "clicks", s.convMetric, s.valueMetric)
}

// ReportQuery returns the query of one page of one advertiser's window.
// Array parameters are JSON inside the query string.
func (s *Source) ReportQuery(advertiser string, w connectors.DateRange, page int) url.Values {
	dims, _ := json.Marshal([]string{s.level.dimension, "stat_time_day"})
	metrics, _ := json.Marshal(s.Metrics())
	return url.Values{
		"advertiser_id": {advertiser},
		"report_type":   {"BASIC"},
		"service_type":  {"AUCTION"},
		"data_level":    {s.level.dataLevel},
		"dimensions":    {string(dims)},
		"metrics":       {string(metrics)},
		"start_date":    {w.From.Format(time.DateOnly)},
		"end_date":      {w.To.Format(time.DateOnly)},
		"page":          {strconv.Itoa(page)},
		"page_size":     {strconv.Itoa(s.pageSize)},
	}
}

func (s *Source) path(p string) string { return "open_api/" + s.version + "/" + p }

// Check reads each advertiser's currency and time zone.
func (s *Source) Check(ctx context.Context) error {
	s.accounts = nil
	_, err := s.loadAccounts(ctx, s.client)
	return err
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced, restatements included), window by window,
// each window of every advertiser committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if want := StreamName(s.level.name); req.Stream != want {
		return fmt.Errorf("tiktok source %s: unknown stream %q (it has %s)", s.name, req.Stream, want)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("tiktok source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	accounts, err := s.loadAccounts(ctx, c)
	if err != nil {
		return err
	}
	// The last complete day of every advertiser, in its own time zone.
	until := connectors.Day(req.Until)
	now := c.Clock().Now()
	for _, a := range accounts {
		until = httpkit.AccountUntil(until, now, a.loc)
	}
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until, Backfill: req.Backfill}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, a := range accounts {
			n, err := s.readWindow(ctx, c, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "advertisers", len(accounts), "level", s.level.name)
}

// readWindow emits one advertiser's rows of one window, page by page.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, a account, w connectors.DateRange, out connectors.Emitter) (int, error) {
	for col, v := range map[string]string{"account_id": a.id, "currency": a.currency, "account_timezone": a.timeZone} {
		if err := s.dec.Set(col, v); err != nil {
			return 0, err
		}
	}
	rows := 0
	err := httpkit.PageNumbers(ctx, func(ctx context.Context, page int) (int, error) {
		op := fmt.Sprintf("report advertiser %s %s page %d", a.id, w, page)
		var res *jsonarrow.Result
		var total int
		var reqID string
		err := c.DoDecode(ctx, &httpkit.Request{
			URL: s.path("report/integrated/get/"), Query: s.ReportQuery(a.id, w, page), RateKey: a.id, Op: op,
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
		c.Logger().DebugContext(ctx, "report page read", "advertiser", a.id, "from", w.From.Format(time.DateOnly),
			"to", w.To.Format(time.DateOnly), "page", page, "total_page", total, "rows", res.Rows, "rejected", len(res.Rejected), "request_id", reqID)
		return total, nil
	})
	return rows, err
}

// decodePage decodes one report page into batches, reading TikTok's code,
// request id and page count in the same pass. A code≠0 is an
// *httpkit.Error carrying the action (retry 40100, refresh 40105, fatal).
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

// loadAccounts reads every advertiser's currency and time zone once, from
// advertiser/info (or the configured currency and timezone).
func (s *Source) loadAccounts(ctx context.Context, c *httpkit.Client) ([]account, error) {
	if s.accounts != nil {
		return s.accounts, nil
	}
	if s.currency != "" {
		var out []account
		for _, id := range s.advertisers {
			out = append(out, account{id: id, currency: s.currency, timeZone: s.timezone, loc: s.loc})
		}
		s.accounts = out
		return out, nil
	}
	info := map[string]account{}
	for i := 0; i < len(s.advertisers); i += 100 { // 100 ids per call
		ids := s.advertisers[i:min(i+100, len(s.advertisers))]
		idsJSON, _ := json.Marshal(ids)
		fields, _ := json.Marshal([]string{"advertiser_id", "name", "currency", "timezone", "display_timezone"})
		var data struct {
			List []struct {
				AdvertiserID    json.Number `json:"advertiser_id"`
				Name            string      `json:"name"`
				Currency        string      `json:"currency"`
				Timezone        string      `json:"timezone"`
				DisplayTimezone string      `json:"display_timezone"`
			} `json:"list"`
		}
		reqID := ""
		err := c.DoDecode(ctx, &httpkit.Request{
			URL: s.path("advertiser/info/"), Query: url.Values{"advertiser_ids": {string(idsJSON)}, "fields": {string(fields)}},
			RateKey: ids[0], Op: "advertiser/info",
		}, func(resp *httpkit.Response) error {
			var e envelope
			if err := json.Unmarshal(resp.Body, &e); err != nil {
				return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
			}
			reqID = e.RequestID
			if err := json.Unmarshal(e.Data, &data); err != nil {
				return fmt.Errorf("%w: data: %v", httpkit.ErrMalformed, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, a := range data.List {
			// display_timezone is IANA; timezone may be an offset zone (Etc/GMT+8).
			var loc *time.Location
			zone := ""
			for _, z := range []string{a.DisplayTimezone, a.Timezone} {
				if l, err := time.LoadLocation(z); z != "" && err == nil {
					loc, zone = l, z
					break
				}
			}
			if loc == nil || a.Currency == "" {
				return nil, fmt.Errorf("tiktok: advertiser %s: time zone %q/%q or currency %q not usable (set currency and timezone in the config) (request id %s)",
					a.AdvertiserID, a.DisplayTimezone, a.Timezone, a.Currency, reqID)
			}
			info[a.AdvertiserID.String()] = account{id: a.AdvertiserID.String(), name: a.Name, currency: a.Currency, timeZone: zone, loc: loc}
			c.Logger().InfoContext(ctx, "advertiser", "advertiser", a.AdvertiserID.String(), "currency", a.Currency, "time_zone", zone, "request_id", reqID)
		}
	}
	var out []account
	for _, id := range s.advertisers {
		a, ok := info[id]
		if !ok {
			return nil, &httpkit.Error{Platform: Type, Op: "advertiser/info", Message: "advertiser " + id + " is not in the answer: the token cannot reach it, or the id is wrong",
				Permanent: true, Action: httpkit.Fatal}
		}
		out = append(out, a)
	}
	s.accounts = out
	return out, nil
}
