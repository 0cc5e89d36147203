package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// level is a grain of the daily stream.
type level struct {
	name   string // campaign, adset, ad
	fields []string
}

var levels = map[string]level{
	"campaign": {"campaign", []string{"campaign_id", "campaign_name"}},
	"adset":    {"adset", []string{"campaign_id", "campaign_name", "adset_id", "adset_name"}},
	"ad":       {"ad", []string{"campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name"}},
}

// Source reads the daily insights of one or more Meta ad accounts into one
// stream, <level>_daily, feeding the canonical ad_performance stream. It is
// used by one goroutine at a time.
type Source struct {
	name           string
	accounts       []string // digits, without act_
	level          level
	version        string
	windows        []string
	actionTypes    []string
	sumTypes       bool
	reportTime     string
	channel        string
	daysPerRequest int
	asyncAfter     int
	start          time.Time
	lookback       int
	pageSize       int
	client         *httpkit.Client
	log            *slog.Logger
	schema         *arrow.Schema
	dec            *jsonarrow.Decoder
	acts, vals     *actionPicker
	loaded         []account // loaded on first use
}

// account is what Meta says about one ad account.
type account struct {
	id, name, currency, timeZone string
	loc                          *time.Location
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// StreamName is the stream of a level: campaign_daily, adset_daily or ad_daily.
func StreamName(level string) string { return level + "_daily" }

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["ad_performance"]
	return []connectors.Stream{{
		Name:         StreamName(s.level.name),
		Canonical:    canon.Name,
		Description:  "one row per day, ad account and " + s.level.name + " with delivery, in the account's currency and time zone",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing: the client keeps no open resources.
func (s *Source) Close() error { return nil }

// compile builds the stream's schema and the JSON→Arrow decoder.
func (s *Source) compile() error {
	canon := connectors.Canonical["ad_performance"]
	fields := canon.ArrowSchema().Fields()
	fields = append(fields,
		arrow.Field{Name: "ad_group_name", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("ad set name, NULL at campaign grain")},
		arrow.Field{Name: "ad_name", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("ad name, NULL above ad grain")})
	money := connectors.ArrowType(connectors.Money)
	for _, w := range s.windows {
		fields = append(fields,
			arrow.Field{Name: "conversions_" + w, Type: arrow.PrimitiveTypes.Float64, Nullable: true,
				Metadata: connectors.Comment("conversions attributed in the " + w + " window (part of conversions)")},
			arrow.Field{Name: "conversion_value_" + w, Type: money, Nullable: true,
				Metadata: connectors.Comment("conversion value attributed in the " + w + " window, in the account currency (part of conversion_value)")})
	}
	s.schema = arrow.NewSchema(fields, nil)
	s.acts = &actionPicker{types: s.actionTypes, sum: s.sumTypes, windows: s.windows}
	s.vals = &actionPicker{types: s.actionTypes, sum: s.sumTypes, windows: s.windows}
	spec := jsonarrow.Spec{
		Rows:    "data",
		Capture: []string{"paging.next"},
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "date_start", Conv: jsonarrow.Date},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String},
			{Column: "currency", Conv: jsonarrow.String},
			{Column: "channel", Conv: jsonarrow.String, Default: s.channel},
			{Column: "campaign_id", Path: "campaign_id", Conv: jsonarrow.String},
			{Column: "campaign_name", Path: "campaign_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero},
			// Every metric is a string; spend is in major units of the
			// account currency, read exactly.
			{Column: "spend", Path: "spend", Conv: jsonarrow.Decimal, Missing: jsonarrow.MissingZero},
			{Column: "impressions", Path: "impressions", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "clicks", Path: "clicks", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			// actions and action_values are absent when empty: 0.
			{Column: "conversions", Path: "actions", Conv: jsonarrow.Float64, Missing: jsonarrow.MissingZero, Extract: s.acts.extract(-1), Scan: s.acts.scan},
			{Column: "conversion_value", Path: "action_values", Conv: jsonarrow.Decimal, Round: true, Missing: jsonarrow.MissingZero, Extract: s.vals.extract(-1), Scan: s.vals.scan},
		},
	}
	for i, w := range s.windows {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "conversions_" + w, Path: "actions", Conv: jsonarrow.Float64, Missing: jsonarrow.MissingZero, Extract: s.acts.extract(i)},
			jsonarrow.Field{Column: "conversion_value_" + w, Path: "action_values", Conv: jsonarrow.Decimal, Round: true, Missing: jsonarrow.MissingZero, Extract: s.vals.extract(i)})
	}
	if s.level.name != "campaign" {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "ad_group_id", Path: "adset_id", Conv: jsonarrow.String},
			jsonarrow.Field{Column: "ad_group_name", Path: "adset_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero})
	}
	if s.level.name == "ad" {
		spec.Fields = append(spec.Fields,
			jsonarrow.Field{Column: "ad_id", Path: "ad_id", Conv: jsonarrow.String},
			jsonarrow.Field{Column: "ad_name", Path: "ad_name", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero})
	}
	dec, err := jsonarrow.New(s.schema, spec, nil)
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	s.dec = dec
	return nil
}

// Params returns the insights parameters of one window: daily rows
// (time_increment=1) at the level, with actions per attribution window.
func (s *Source) Params(w connectors.DateRange) url.Values {
	tr, _ := json.Marshal(map[string]string{"since": w.From.Format(time.DateOnly), "until": w.To.Format(time.DateOnly)})
	win, _ := json.Marshal(s.windows)
	fields := append(append([]string(nil), s.level.fields...), "spend", "impressions", "clicks", "actions", "action_values")
	q := url.Values{
		"level":                      {s.level.name},
		"time_increment":             {"1"},
		"limit":                      {fmt.Sprint(s.pageSize)},
		"time_range":                 {string(tr)},
		"fields":                     {strings.Join(fields, ",")},
		"action_attribution_windows": {string(win)},
	}
	if s.reportTime != "" {
		q.Set("action_report_time", s.reportTime)
	}
	return q
}

// Check reads each ad account's currency and time zone.
func (s *Source) Check(ctx context.Context) error {
	s.loaded = nil
	_, err := s.loadAccounts(ctx, s.client)
	return err
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced, restatements included), window by window,
// each window of every account committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if want := StreamName(s.level.name); req.Stream != want {
		return fmt.Errorf("meta source %s: unknown stream %q (it has %s)", s.name, req.Stream, want)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("meta source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	accounts, err := s.loadAccounts(ctx, c)
	if err != nil {
		return err
	}
	until := connectors.Day(req.Until)
	now := c.Clock().Now()
	for _, a := range accounts {
		until = httpkit.AccountUntil(until, now, a.loc)
	}
	plan := httpkit.DayPlan{
		Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until,
		Backfill: req.Backfill, Earliest: until.AddDate(0, -37, 1), // Meta keeps 37 months of insights
	}
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, a := range accounts {
			n, err := s.emitWindow(ctx, c, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "accounts", len(accounts), "level", s.level.name)
}

// pages is what one account's window produced, held until every page
// arrived so that a switch to an async run cannot duplicate rows.
type pages struct {
	batches  []arrow.RecordBatch
	rejected []connectors.Rejected
	rows     int
}

func (p *pages) release() {
	for _, b := range p.batches {
		b.Release()
	}
	p.batches = nil
}

// emitWindow reads one account's window, synchronously or as an async
// report run, and emits it.
func (s *Source) emitWindow(ctx context.Context, c *httpkit.Client, a account, w connectors.DateRange, out connectors.Emitter) (int, error) {
	for col, v := range map[string]string{"account_id": a.id, "currency": a.currency, "account_timezone": a.timeZone} {
		if err := s.dec.Set(col, v); err != nil {
			return 0, err
		}
	}
	op := fmt.Sprintf("insights act_%s %s", a.id, w)
	var p pages
	defer p.release()
	var err error
	if w.Days() > s.asyncAfter {
		err = s.readAsync(ctx, c, a, w, op, &p)
	} else {
		err = s.readSync(ctx, c, a, w, op, &p)
		if err != nil && tooLarge(err) && ctx.Err() == nil {
			c.Logger().WarnContext(ctx, "synchronous insights call too large; reading the window with an async report run",
				"account", a.id, "from", w.From.Format(time.DateOnly), "to", w.To.Format(time.DateOnly), "error", err)
			p.release()
			p = pages{}
			err = s.readAsync(ctx, c, a, w, op, &p)
		}
	}
	if err != nil {
		return 0, err
	}
	if err := c.Emit(ctx, out, op, p.batches, p.rejected); err != nil {
		return 0, err
	}
	return p.rows, nil
}

// readSync pages through GET /act_{id}/insights.
func (s *Source) readSync(ctx context.Context, c *httpkit.Client, a account, w connectors.DateRange, op string, p *pages) error {
	first := s.version + "/act_" + a.id + "/insights?" + s.Params(w).Encode()
	return s.readPages(ctx, c, a, first, op, p)
}

// readPages follows paging.next from first, decoding every page.
func (s *Source) readPages(ctx context.Context, c *httpkit.Client, a account, first, op string, p *pages) error {
	page := 0
	return httpkit.NextURLs(ctx, first, func(ctx context.Context, u string) (string, error) {
		page++
		var res *jsonarrow.Result
		var next string
		var usage float64
		err := c.DoDecode(ctx, &httpkit.Request{URL: u, RateKey: a.id, Op: fmt.Sprintf("%s page %d", op, page)},
			func(resp *httpkit.Response) error {
				next = ""
				usage = usagePct(resp)
				s.acts.reset()
				s.vals.reset()
				r, err := s.dec.Decode(resp.Body, func(path string, v jsonarrow.Value) error {
					if path == "paging.next" {
						next = v.Text()
					}
					return nil
				})
				res = r
				return err
			})
		if err != nil {
			return "", err
		}
		p.batches = append(p.batches, res.Batches...)
		p.rejected = append(p.rejected, res.Rejected...)
		p.rows += res.Rows
		if err := s.pace(ctx, c, a, usage); err != nil {
			return "", err
		}
		return next, nil
	})
}

// readAsync runs the window as an async report run: POST the insights
// parameters, poll GET /{report_run_id} until "Job Completed", then page
// through GET /{report_run_id}/insights. A run Meta fails (Job Failed,
// Job Skipped, or error -2 on the download) is submitted again.
func (s *Source) readAsync(ctx context.Context, c *httpkit.Client, a account, w connectors.DateRange, op string, p *pages) error {
	params := s.Params(w)
	params.Del("limit")
	job := httpkit.Job{
		Interval: 5 * time.Second, MaxInterval: time.Minute, Timeout: time.Hour,
		Submit: func(ctx context.Context) (string, error) {
			var id string
			err := c.DoDecode(ctx, &httpkit.Request{
				Method: "POST", URL: s.version + "/act_" + a.id + "/insights", Body: []byte(params.Encode()),
				ContentType: "application/x-www-form-urlencoded", RateKey: a.id, Op: op + " report run",
			}, func(resp *httpkit.Response) error {
				var r struct {
					ID string `json:"report_run_id"`
				}
				if err := json.Unmarshal(resp.Body, &r); err != nil {
					return fmt.Errorf("%w: report run: %v", httpkit.ErrMalformed, err)
				}
				if r.ID == "" {
					return fmt.Errorf("%w: report run: no report_run_id in %.200s", httpkit.ErrMalformed, resp.Body)
				}
				id = r.ID
				return nil
			})
			if err == nil {
				c.Logger().DebugContext(ctx, "report run submitted", "account", a.id, "report_run_id", id)
			}
			return id, err
		},
		Poll: func(ctx context.Context, id string) (httpkit.JobStatus, int, error) {
			var st struct {
				Status  string `json:"async_status"`
				Percent int    `json:"async_percent_completion"`
			}
			err := c.DoDecode(ctx, &httpkit.Request{URL: s.version + "/" + id, RateKey: a.id, Op: op + " report run " + id},
				func(resp *httpkit.Response) error {
					if err := json.Unmarshal(resp.Body, &st); err != nil {
						return fmt.Errorf("%w: report run status: %v", httpkit.ErrMalformed, err)
					}
					return nil
				})
			if err != nil {
				return 0, 0, err
			}
			switch st.Status {
			case "Job Completed":
				return httpkit.JobDone, st.Percent, nil
			case "Job Failed", "Job Skipped":
				return httpkit.JobFailed, st.Percent, nil
			}
			return httpkit.JobRunning, st.Percent, nil
		},
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var id string
		if id, err = c.RunJob(ctx, job); err != nil {
			return fmt.Errorf("meta: %s: %w", op, err)
		}
		q := url.Values{"limit": {fmt.Sprint(s.pageSize)}}
		*p = pages{}
		err = s.readPages(ctx, c, a, s.version+"/"+id+"/insights?"+q.Encode(), op+" report run "+id, p)
		if err == nil || !asyncFailed(err) {
			return err
		}
		p.release()
		c.Logger().WarnContext(ctx, "report run failed on download; submitting again", "account", a.id, "report_run_id", id, "error", err)
	}
	return err
}

// usagePct is the highest usage Meta reports in the response's
// X-Business-Use-Case-Usage, X-Ad-Account-Usage and
// x-fb-ads-insights-throttle headers, in percent.
func usagePct(resp *httpkit.Response) float64 {
	_, pct := httpkit.MetaRegainWait(resp.Header)
	for _, name := range []string{"X-Ad-Account-Usage", "X-Fb-Ads-Insights-Throttle"} {
		var u struct {
			App float64 `json:"app_id_util_pct"`
			Acc float64 `json:"acc_id_util_pct"`
		}
		if h := resp.Header.Get(name); h != "" && json.Unmarshal([]byte(h), &u) == nil {
			pct = max(pct, u.App, u.Acc)
		}
	}
	return pct
}

// pace slows down above 75 % usage, as Meta asks: a pause growing from 0
// at 75 % to a minute at 100 %.
func (s *Source) pace(ctx context.Context, c *httpkit.Client, a account, pct float64) error {
	if pct <= 75 {
		return nil
	}
	d := time.Duration(min(pct-75, 25) / 25 * float64(time.Minute))
	c.Logger().InfoContext(ctx, "slowing down: Meta reports high usage", "account", a.id, "usage_pct", pct, "pause_ms", d.Milliseconds())
	return c.Clock().Sleep(ctx, d)
}

// loadAccounts fetches currency and time zone of every ad account, once.
func (s *Source) loadAccounts(ctx context.Context, c *httpkit.Client) ([]account, error) {
	if s.loaded != nil {
		return s.loaded, nil
	}
	var out []account
	for _, id := range s.accounts {
		var a struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Currency string `json:"currency"`
			TimeZone string `json:"timezone_name"`
		}
		reqID := ""
		err := c.DoDecode(ctx, &httpkit.Request{
			URL: s.version + "/act_" + id + "?fields=name,currency,timezone_name", RateKey: id, Op: "ad account act_" + id,
		}, func(resp *httpkit.Response) error {
			reqID = resp.RequestID
			if err := json.Unmarshal(resp.Body, &a); err != nil {
				return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(a.TimeZone)
		if err != nil || a.TimeZone == "" || a.Currency == "" {
			return nil, fmt.Errorf("meta: ad account act_%s: time zone %q or currency %q not usable (request id %s)", id, a.TimeZone, a.Currency, reqID)
		}
		out = append(out, account{id: id, name: a.Name, currency: a.Currency, timeZone: a.TimeZone, loc: loc})
		c.Logger().InfoContext(ctx, "ad account", "account", id, "currency", a.Currency, "time_zone", a.TimeZone, "request_id", reqID)
	}
	s.loaded = out
	return out, nil
}
