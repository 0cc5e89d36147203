package tencentads

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

// StreamName is the source's one stream.
const StreamName = "daily"

// Source reads the daily performance of Tencent Ads accounts into one
// stream, daily, feeding the canonical ad_performance stream. It is used by
// one goroutine at a time.
type Source struct {
	name                      string
	accounts                  []string
	level, idField, nameField string
	adGroupGrain              bool // ad groups land in ad_group_id, under campaign_id
	valueField                string
	currency, timeZone        string
	loc                       *time.Location
	channel, version          string
	daysPerRequest, pageSize  int
	start                     time.Time
	lookback                  int
	client                    *httpkit.Client
	auth                      *tokenSource
	log                       *slog.Logger
	schema                    *arrow.Schema
	dec                       *jsonarrow.Decoder
	cls                       *classifier
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
		Description:  "one row per day, account and ad group (campaign at REPORT_LEVEL_CAMPAIGN) with delivery, cost in CNY",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// Check gets an access token (refreshing it when configured to).
func (s *Source) Check(ctx context.Context) error {
	_, err := s.auth.Token(ctx)
	return err
}

// Fields returns the report fields requested.
func (s *Source) Fields() []string {
	f := []string{"date", s.idField, s.nameField, "view_count", "valid_click_count", "cost", "conversions_count"}
	if s.adGroupGrain {
		f = []string{"date", s.idField, "campaign_id", "campaign_name", "view_count", "valid_click_count", "cost", "conversions_count"}
	}
	if s.valueField != "" {
		f = append(f, s.valueField)
	}
	return f
}

// compile builds the schema and the JSON→Arrow decoder: ids are int64
// numbers read from their text (never through float64), cost and value
// are fen read exactly and shifted two places into CNY.
func (s *Source) compile() error {
	s.schema = connectors.Canonical["ad_performance"].ArrowSchema()
	value := jsonarrow.Field{Column: "conversion_value", Conv: jsonarrow.Decimal, Default: "0"}
	if s.valueField != "" {
		value = jsonarrow.Field{Column: "conversion_value", Path: s.valueField, Conv: jsonarrow.Decimal, Shift: 2, Missing: jsonarrow.MissingZero}
	}
	spec := jsonarrow.Spec{
		Rows:    "data.list",
		Capture: []string{"code", "message", "message_cn", "errors", "trace_id", "data.page_info.total_page"},
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "date", Conv: jsonarrow.Date},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String, Default: s.timeZone},
			{Column: "currency", Conv: jsonarrow.String, Default: s.currency},
			{Column: "channel", Conv: jsonarrow.String, Default: s.channel},
			{Column: "campaign_id", Path: s.idField, Conv: jsonarrow.String},
			{Column: "campaign_name", Path: s.nameField, Conv: jsonarrow.String, Missing: jsonarrow.MissingZero},
			{Column: "spend", Path: "cost", Conv: jsonarrow.Decimal, Shift: 2, Missing: jsonarrow.MissingZero},
			{Column: "impressions", Path: "view_count", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "clicks", Path: "valid_click_count", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "conversions", Path: "conversions_count", Conv: jsonarrow.Float64, Missing: jsonarrow.MissingZero},
			value,
		},
	}
	if s.adGroupGrain {
		spec.Fields[6] = jsonarrow.Field{Column: "campaign_id", Path: "campaign_id", Conv: jsonarrow.String}
		spec.Fields[7] = jsonarrow.Field{Column: "campaign_name", Path: "campaign_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero}
		spec.Fields = append(spec.Fields, jsonarrow.Field{Column: "ad_group_id", Path: s.idField, Conv: jsonarrow.String})
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("tencent_ads: %w", err)
	}
	s.dec = dec
	return nil
}

// Query returns the daily_reports/get parameters of one account, window
// and page (credentials are added per attempt).
func (s *Source) Query(account string, w connectors.DateRange, page int) url.Values {
	dr, _ := json.Marshal(map[string]string{"start_date": w.From.Format(time.DateOnly), "end_date": w.To.Format(time.DateOnly)})
	gb, _ := json.Marshal([]string{"date", s.idField})
	fields, _ := json.Marshal(s.Fields())
	return url.Values{
		"account_id": {account}, "level": {s.level}, "date_range": {string(dr)},
		"group_by": {string(gb)}, "fields": {string(fields)},
		"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(s.pageSize)},
	}
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced), window by window, each window of every
// account committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("tencent_ads source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("tencent_ads source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	until := httpkit.AccountUntil(connectors.Day(req.Until), c.Clock().Now(), s.loc)
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until, Backfill: req.Backfill}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, a := range s.accounts {
			n, err := s.readWindow(ctx, c, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "accounts", len(s.accounts), "level", s.level)
}

// readWindow emits every page of one account's rows of one window.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, account string, w connectors.DateRange, out connectors.Emitter) (int, error) {
	if err := s.dec.Set("account_id", account); err != nil {
		return 0, err
	}
	rows := 0
	err := httpkit.PageNumbers(ctx, func(ctx context.Context, page int) (int, error) {
		op := fmt.Sprintf("daily_reports account %s %s page %d", account, w, page)
		var res *jsonarrow.Result
		total := 0
		err := c.DoDecode(ctx, &httpkit.Request{
			Method: "GET", URL: s.version + "/daily_reports/get", Query: s.Query(account, w, page),
			RateKey: account, Op: op,
		}, func(resp *httpkit.Response) error {
			var env envelope
			total = 0
			r, err := s.dec.Decode(resp.Body, func(path string, v jsonarrow.Value) error {
				switch path {
				case "code":
					env.Code = json.Number(v.Text())
				case "message":
					env.Message = v.Text()
				case "message_cn":
					env.MessageCN = v.Text()
				case "trace_id":
					env.TraceID = v.Text()
				case "errors":
					_ = json.Unmarshal(v, &env.Errors)
				case "data.page_info.total_page":
					total, _ = strconv.Atoi(v.Text())
				}
				return nil
			})
			if err != nil {
				return err
			}
			if env.Code == "" {
				r.Release()
				return fmt.Errorf("%w: the answer has no code", httpkit.ErrMalformed)
			}
			if env.Code != "0" {
				// HTTP 200 with code≠0: Tencent's error, classified here.
				r.Release()
				v := s.cls.verdict(env)
				return &httpkit.Error{Platform: Type, Status: resp.Status, Code: v.Code, Detail: v.Detail, Message: v.Message,
					RequestID: v.RequestID, Action: v.Action, Wait: v.Wait, Permanent: v.Action == httpkit.Fatal}
			}
			res = r
			return nil
		})
		if err != nil {
			return 0, err
		}
		defer res.Release()
		if err := c.Emit(ctx, out, op, res.Batches, res.Rejected); err != nil {
			return 0, err
		}
		rows += res.Rows
		return total, nil
	})
	return rows, err
}
