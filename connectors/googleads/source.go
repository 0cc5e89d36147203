package googleads

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// level is a grain of the daily stream.
type level struct {
	name     string // campaign, ad_group, ad
	resource string // GAQL FROM
	fields   []string
}

var levels = map[string]level{
	"campaign": {"campaign", "campaign", nil},
	"ad_group": {"ad_group", "ad_group", []string{"ad_group.id", "ad_group.name"}},
	"ad":       {"ad", "ad_group_ad", []string{"ad_group.id", "ad_group.name", "ad_group_ad.ad.id"}},
}

// Source reads the daily performance of one or more Google Ads accounts
// into one stream, <level>_daily, feeding the canonical ad_performance
// stream. It is used by one goroutine at a time.
type Source struct {
	name           string
	customers      []string
	level          level
	version        string
	channel        string
	channels       map[string]string
	daysPerRequest int
	start          time.Time
	lookback       int
	client         *httpkit.Client
	log            *slog.Logger
	schema         *arrow.Schema
	dec            *jsonarrow.Decoder
	accounts       []account // loaded on first use
}

// account is what Google says about one customer.
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
	{Name: "campaign_type", Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: connectors.Comment("Google advertising_channel_type (SEARCH, DISPLAY, VIDEO, PERFORMANCE_MAX, ...), from which channel is mapped")},
	{Name: "ad_group_name", Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: connectors.Comment("ad group name, NULL at campaign grain")},
}

// StreamName is the stream of a level: campaign_daily, ad_group_daily or ad_daily.
func StreamName(level string) string { return level + "_daily" }

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["ad_performance"]
	return []connectors.Stream{{
		Name:         StreamName(s.level.name),
		Canonical:    canon.Name,
		Description:  "one row per day, account and " + strings.ReplaceAll(s.level.name, "_", " ") + " with delivery, in the account's currency and time zone",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases idle connections.
func (s *Source) Close() error { return nil }

// compile builds the stream's schema and the JSON→Arrow decoder.
func (s *Source) compile() error {
	canon := connectors.Canonical["ad_performance"]
	fields := append(canon.ArrowSchema().Fields(), extraColumns...)
	s.schema = arrow.NewSchema(fields, nil)
	spec := jsonarrow.Spec{
		Rows:    "*.results",
		Capture: []string{"*.requestId", "*.error", "error"},
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "segments.date", Conv: jsonarrow.Date},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String},
			{Column: "currency", Conv: jsonarrow.String},
			{Column: "campaign_id", Path: "campaign.id", Conv: jsonarrow.String},
			{Column: "campaign_name", Path: "campaign.name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero},
			{Column: "channel", Path: "campaign.advertisingChannelType", Conv: jsonarrow.String,
				Missing: jsonarrow.MissingDefault, Default: s.channel, Map: s.channels},
			{Column: "campaign_type", Path: "campaign.advertisingChannelType", Conv: jsonarrow.String},
			// proto3 JSON omits zero metrics: absent means 0.
			{Column: "spend", Path: "metrics.costMicros", Conv: jsonarrow.Decimal, Shift: 6, Missing: jsonarrow.MissingZero},
			{Column: "impressions", Path: "metrics.impressions", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "clicks", Path: "metrics.clicks", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "conversions", Path: "metrics.conversions", Conv: jsonarrow.Float64, Missing: jsonarrow.MissingZero},
			// conversions_value is a double on the wire: read its text exactly,
			// rounding past nine decimals.
			{Column: "conversion_value", Path: "metrics.conversionsValue", Conv: jsonarrow.Decimal, Round: true, Missing: jsonarrow.MissingZero},
		},
	}
	if s.level.name != "campaign" {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "ad_group_id", Path: "adGroup.id", Conv: jsonarrow.String},
			jsonarrow.Field{Column: "ad_group_name", Path: "adGroup.name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero})
	}
	if s.level.name == "ad" {
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "ad_id", Path: "adGroupAd.ad.id", Conv: jsonarrow.String})
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("google_ads: %w", err)
	}
	s.dec = dec
	return nil
}

// Query returns the GAQL query of one window: daily metrics segmented by
// date. Google leaves out rows whose metrics are all zero.
func (s *Source) Query(w connectors.DateRange) string {
	sel := []string{"segments.date", "campaign.id", "campaign.name", "campaign.advertising_channel_type"}
	sel = append(sel, s.level.fields...)
	sel = append(sel, "metrics.cost_micros", "metrics.impressions", "metrics.clicks", "metrics.conversions", "metrics.conversions_value")
	return fmt.Sprintf("SELECT %s FROM %s WHERE segments.date BETWEEN '%s' AND '%s'",
		strings.Join(sel, ", "), s.level.resource, w.From.Format(time.DateOnly), w.To.Format(time.DateOnly))
}

// Check fetches a token and each account's currency and time zone.
func (s *Source) Check(ctx context.Context) error {
	s.accounts = nil
	_, err := s.loadAccounts(ctx, s.client)
	return err
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced, restatements included), window by window,
// each window of every account committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if want := StreamName(s.level.name); req.Stream != want {
		return fmt.Errorf("google_ads source %s: unknown stream %q (it has %s)", s.name, req.Stream, want)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("google_ads source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	accounts, err := s.loadAccounts(ctx, c)
	if err != nil {
		return err
	}
	// The last complete day of every account, in its own time zone.
	until := connectors.Day(req.Until)
	now := c.Clock().Now()
	for _, a := range accounts {
		until = httpkit.AccountUntil(until, now, a.loc)
	}
	plan := httpkit.DayPlan{
		Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until,
		Backfill: req.Backfill, Earliest: until.AddDate(0, -37, 1), // Google keeps 37 months
	}
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
	}, "accounts", len(accounts), "level", s.level.name)
}

// readWindow emits one account's rows of one window.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, a account, w connectors.DateRange, out connectors.Emitter) (int, error) {
	for col, v := range map[string]string{"account_id": a.id, "currency": a.currency, "account_timezone": a.timeZone} {
		if err := s.dec.Set(col, v); err != nil {
			return 0, err
		}
	}
	body, _ := json.Marshal(map[string]string{"query": s.Query(w)})
	op := fmt.Sprintf("searchStream customer %s %s", a.id, w)
	var res *jsonarrow.Result
	var reqIDs []string
	err := c.DoDecode(ctx, &httpkit.Request{
		Method: "POST", URL: s.version + "/customers/" + a.id + "/googleAds:searchStream",
		Body: body, RateKey: a.id, Op: op,
	}, func(resp *httpkit.Response) error {
		reqIDs = reqIDs[:0]
		r, err := s.dec.Decode(resp.Body, func(path string, v jsonarrow.Value) error {
			switch path {
			case "*.requestId":
				reqIDs = append(reqIDs, v.Text())
			case "*.error", "error":
				// A stream that broke after its first batches.
				return streamError(resp, v)
			}
			return nil
		})
		res = r
		return err
	})
	if err != nil {
		return 0, err
	}
	defer res.Release()
	if err := c.Emit(ctx, out, op, res.Batches, res.Rejected); err != nil {
		return 0, err
	}
	reqID := ""
	if len(reqIDs) > 0 {
		reqID = reqIDs[0]
	}
	c.Logger().DebugContext(ctx, "searchStream read", "customer", a.id, "from", w.From.Format(time.DateOnly),
		"to", w.To.Format(time.DateOnly), "rows", res.Rows, "batches", len(reqIDs), "rejected", len(res.Rejected), "request_id", reqID)
	return res.Rows, nil
}

// loadAccounts fetches currency and time zone of every customer, once.
func (s *Source) loadAccounts(ctx context.Context, c *httpkit.Client) ([]account, error) {
	if s.accounts != nil {
		return s.accounts, nil
	}
	var out []account
	for _, id := range s.customers {
		body, _ := json.Marshal(map[string]string{
			"query": "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone FROM customer",
		})
		var batches []struct {
			Results []struct {
				Customer struct {
					ID              string `json:"id"`
					DescriptiveName string `json:"descriptiveName"`
					CurrencyCode    string `json:"currencyCode"`
					TimeZone        string `json:"timeZone"`
				} `json:"customer"`
			} `json:"results"`
		}
		reqID := ""
		err := c.DoDecode(ctx, &httpkit.Request{
			Method: "POST", URL: s.version + "/customers/" + id + "/googleAds:searchStream",
			Body: body, RateKey: id, Op: "customer " + id,
		}, func(resp *httpkit.Response) error {
			reqID = resp.RequestID
			batches = nil
			if err := json.Unmarshal(resp.Body, &batches); err != nil {
				return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(batches) == 0 || len(batches[0].Results) == 0 {
			return nil, fmt.Errorf("google_ads: customer %s: no customer row in the answer (request id %s)", id, reqID)
		}
		cu := batches[0].Results[0].Customer
		loc, err := time.LoadLocation(cu.TimeZone)
		if err != nil || cu.CurrencyCode == "" {
			return nil, fmt.Errorf("google_ads: customer %s: time zone %q or currency %q not usable", id, cu.TimeZone, cu.CurrencyCode)
		}
		out = append(out, account{id: id, name: cu.DescriptiveName, currency: cu.CurrencyCode, timeZone: cu.TimeZone, loc: loc})
		c.Logger().InfoContext(ctx, "account", "customer", id, "currency", cu.CurrencyCode, "time_zone", cu.TimeZone, "request_id", reqID)
	}
	s.accounts = out
	return out, nil
}
