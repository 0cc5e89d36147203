package microsoftads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// StreamName is the source's one stream.
const StreamName = "campaign_daily"

// Source reads the daily campaign performance of Microsoft Advertising
// accounts into one stream, campaign_daily, feeding the canonical
// ad_performance stream. It is used by one goroutine at a time.
type Source struct {
	name           string
	accounts       []account
	customerID     string
	version        string
	channel        string
	daysPerRequest int
	reportTimeZone string
	headerFooter   bool
	pollInterval   time.Duration
	jobTimeout     time.Duration
	start          time.Time
	lookback       int
	client         *httpkit.Client
	auth           httpkit.TokenSource
	developerToken httpkit.Secret
	log            *slog.Logger
	schema         *arrow.Schema
}

// account is one configured account and its time zone.
type account struct {
	id, timeZone string
	loc          *time.Location
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
		Description:  "one row per day, account and campaign with impressions, in the account's currency and time zone",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing; the client's connections idle out.
func (s *Source) Close() error { return nil }

// Check fetches an access token: it proves client_id, client_secret and
// refresh_token without starting a report (which would cost quota).
func (s *Source) Check(ctx context.Context) error {
	_, err := s.auth.Token(ctx)
	return err
}

// SubmitBody returns the SubmitGenerateReport body of one account and window.
func (s *Source) SubmitBody(accountID string, w connectors.DateRange) []byte {
	type day struct{ Day, Month, Year int }
	d := func(t time.Time) day { return day{t.Day(), int(t.Month()), t.Year()} }
	tm := map[string]any{"CustomDateRangeStart": d(w.From), "CustomDateRangeEnd": d(w.To)}
	if s.reportTimeZone != "" {
		tm["ReportTimeZone"] = s.reportTimeZone
	}
	id, _ := json.Number(accountID).Int64()
	body, _ := json.Marshal(map[string]any{"ReportRequest": map[string]any{
		"Type": "CampaignPerformanceReportRequest", "ReportName": "pacer " + StreamName + " " + accountID + " " + w.String(),
		"Format": "Csv", "FormatVersion": "2.0",
		"ExcludeReportHeader": !s.headerFooter, "ExcludeReportFooter": !s.headerFooter, "ExcludeColumnHeaders": false,
		"ReturnOnlyCompleteData": false,
		"Aggregation":            "Daily", "Columns": Columns,
		"Scope": map[string]any{"AccountIds": []int64{id}},
		"Time":  tm,
	}})
	return body
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again (replaced, restatements included), window by window,
// each window of every account committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("microsoft_ads source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("microsoft_ads source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	until := connectors.Day(req.Until)
	now := c.Clock().Now()
	for _, a := range s.accounts {
		until = httpkit.AccountUntil(until, now, a.loc)
	}
	plan := httpkit.DayPlan{
		Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until,
		// Microsoft keeps daily data for 36 months (unverified).
		Backfill: req.Backfill, Earliest: until.AddDate(0, -36, 1),
	}
	dec := NewReportDecoder(s.schema, s.channel)
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		rows := 0
		for _, a := range s.accounts {
			n, err := s.readWindow(ctx, c, dec, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "accounts", len(s.accounts))
}

// pollAnswer is PollGenerateReport's answer.
type pollAnswer struct {
	ReportRequestStatus *struct {
		Status            string  `json:"Status"`
		ReportDownloadURL *string `json:"ReportDownloadUrl"`
	} `json:"ReportRequestStatus"`
}

// readWindow runs one report job for one account and window, downloads
// and decodes it, and emits the rows.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, dec *ReportDecoder, a account, w connectors.DateRange, out connectors.Emitter) (int, error) {
	// API headers go on Submit and Poll only: the download URL is another
	// host's, pre-signed, and gets no credentials.
	hdr := map[string][]string{
		"DeveloperToken":    {s.developerToken.Reveal()},
		"CustomerId":        {s.customerID},
		"CustomerAccountId": {a.id},
	}
	base := s.version + "/GenerateReport/"
	op := fmt.Sprintf("report account %s %s", a.id, w)
	var download string
	poll := func(ctx context.Context, id string) (httpkit.JobStatus, int, error) {
		body, _ := json.Marshal(map[string]string{"ReportRequestId": id})
		st := httpkit.JobRunning
		err := c.DoDecode(ctx, &httpkit.Request{
			Method: "POST", URL: base + "Poll", Body: body, Header: hdr,
			RateKey: a.id, Op: "PollGenerateReport " + op + " request " + id,
		}, func(resp *httpkit.Response) error {
			var ans pollAnswer
			if err := json.Unmarshal(resp.Body, &ans); err != nil || ans.ReportRequestStatus == nil {
				return fmt.Errorf("%w: PollGenerateReport answered without a ReportRequestStatus", httpkit.ErrMalformed)
			}
			rs := ans.ReportRequestStatus
			download = ""
			if rs.ReportDownloadURL != nil {
				download = *rs.ReportDownloadURL
				forget(c.Redactor(), download)
			}
			switch rs.Status {
			case "Success":
				st = httpkit.JobDone
			case "Error":
				st = httpkit.JobFailed
			case "Pending":
				st = httpkit.JobRunning
			default:
				return fmt.Errorf("%w: unknown report status %q", httpkit.ErrMalformed, rs.Status)
			}
			return nil
		})
		return st, -1, err
	}
	id, err := c.RunJob(ctx, httpkit.Job{
		Interval: s.pollInterval, Timeout: s.jobTimeout,
		Submit: func(ctx context.Context) (string, error) {
			var id string
			err := c.DoDecode(ctx, &httpkit.Request{
				Method: "POST", URL: base + "Submit", Body: s.SubmitBody(a.id, w), Header: hdr,
				RateKey: a.id, Op: "SubmitGenerateReport " + op,
			}, func(resp *httpkit.Response) error {
				var ans struct {
					ReportRequestID string `json:"ReportRequestId"`
				}
				if err := json.Unmarshal(resp.Body, &ans); err != nil || ans.ReportRequestID == "" {
					return fmt.Errorf("%w: SubmitGenerateReport answered without a ReportRequestId", httpkit.ErrMalformed)
				}
				id = ans.ReportRequestID
				return nil
			})
			return id, err
		},
		Poll: poll,
	})
	if err != nil {
		var he *httpkit.Error
		if errors.As(err, &he) {
			return 0, err // already names the call
		}
		return 0, fmt.Errorf("microsoft_ads: %s: %w", op, err)
	}
	if download == "" {
		// Success without a URL: the report has no rows.
		c.Logger().DebugContext(ctx, "report empty", "account", a.id, "report_request_id", id)
		return 0, nil
	}
	dec.TimeZone = a.timeZone
	var rep *Report
	for attempt := 1; ; attempt++ {
		rep, err = s.download(ctx, c, dec, download, op+" request "+id)
		var he *httpkit.Error
		if err == nil || attempt > 1 || !errors.As(err, &he) || he.Status != 403 && he.Status != 404 {
			break
		}
		// The pre-signed URL expired (it lives minutes): poll again for a
		// fresh one, once.
		c.Logger().WarnContext(ctx, "report download refused; polling for a fresh URL", "account", a.id, "report_request_id", id, "status", he.Status)
		st, _, perr := poll(ctx, id)
		if perr != nil {
			return 0, perr
		}
		if st != httpkit.JobDone || download == "" {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	defer rep.Release()
	if err := c.Emit(ctx, out, op+" request "+id, rep.Batches, rep.Rejected); err != nil {
		return 0, err
	}
	c.Logger().DebugContext(ctx, "report read", "account", a.id, "from", w.From.Format(time.DateOnly),
		"to", w.To.Format(time.DateOnly), "rows", rep.Rows, "rejected", len(rep.Rejected), "report_request_id", id)
	return rep.Rows, nil
}

// download fetches and decodes a report file from its pre-signed URL,
// without credentials. A cut or invalid zip is retried.
func (s *Source) download(ctx context.Context, c *httpkit.Client, dec *ReportDecoder, u, op string) (*Report, error) {
	var rep *Report
	err := c.DoDecode(ctx, &httpkit.Request{
		Method: "GET", URL: u, NoAuth: true, RateKey: "download",
		Header: map[string][]string{"Accept": {"application/zip, text/csv, */*"}},
		Op:     "download " + op,
		Classify: func(r *httpkit.Response) httpkit.Verdict {
			// The storage host answers in its own words (403 when the
			// signature expired): the status decides.
			return httpkit.Verdict{Message: httpkit.Redact(snippet(r.Body))}
		},
	}, func(resp *httpkit.Response) error {
		csvBody, err := Unzip(resp.Body)
		if err != nil {
			return err
		}
		r, err := dec.Decode(csvBody)
		if err != nil {
			return err
		}
		rep = r
		return nil
	})
	return rep, err
}

// forget registers the query of a pre-signed download URL, and each of its
// values, with the redactor: whatever shape the signature takes, it never
// reaches a log or an error.
func forget(red *httpkit.Redactor, raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		red.Add(raw)
		return
	}
	if u.RawQuery == "" {
		return
	}
	red.Add(u.RawQuery)
	for k, vs := range u.Query() {
		k = strings.ToLower(k)
		if strings.Contains(k, "sig") || strings.Contains(k, "token") || strings.Contains(k, "credential") || k == "skoid" {
			red.Add(vs...)
		}
	}
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
