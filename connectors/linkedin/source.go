package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// MaxElements is the most elements an adAnalytics answer holds; a window
// that reaches it is read again in halves, because LinkedIn does not page.
const MaxElements = 15_000

// Fields are the adAnalytics fields requested.
const Fields = "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,externalWebsiteConversions,conversionValueInLocalCurrency"

const (
	campaignURN = "urn:li:sponsoredCampaign:"
	accountURN  = "urn:li:sponsoredAccount:"
)

// Source reads the daily campaign analytics of LinkedIn ad accounts into
// one stream, campaign_daily, feeding the canonical ad_performance stream.
// It is used by one goroutine at a time.
type Source struct {
	name           string
	accounts       []string
	names          bool
	timeZone       string
	loc            *time.Location
	channel        string
	daysPerRequest int
	start          time.Time
	lookback       int
	pageSize       int
	maxElements    int // MaxElements; tests lower it
	client         *httpkit.Client
	log            *slog.Logger
	schema         *arrow.Schema
	dec            *jsonarrow.Decoder
	campaigns      map[string][]byte // id → name of the account being decoded
	currency       map[string]string // account id → currency, loaded on first use
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// StreamName is the source's one stream.
const StreamName = "campaign_daily"

// Streams returns the one stream of the source.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["ad_performance"]
	return []connectors.Stream{{
		Name:         StreamName,
		Canonical:    canon.Name,
		Description:  "one row per day, ad account and campaign with delivery, in the account's currency",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// compile builds the schema and the decoder of adAnalytics answers.
func (s *Source) compile() error {
	canon := connectors.Canonical["ad_performance"]
	fields := append(canon.ArrowSchema().Fields(),
		arrow.Field{Name: "campaign_urn", Type: arrow.BinaryTypes.String, Nullable: true,
			Metadata: connectors.Comment("the pivot value as LinkedIn sent it, urn:li:sponsoredCampaign:<id>")})
	s.schema = arrow.NewSchema(fields, nil)
	dec, err := jsonarrow.New(s.schema, jsonarrow.Spec{
		Rows: "elements",
		Fields: []jsonarrow.Field{
			{Column: "date", Path: "dateRange", Conv: jsonarrow.Date, Extract: (&dateCache{}).startDate},
			{Column: "platform", Conv: jsonarrow.String, Default: Type},
			{Column: "account_id", Conv: jsonarrow.String},
			{Column: "account_timezone", Conv: jsonarrow.String, Default: s.timeZone},
			{Column: "currency", Conv: jsonarrow.String},
			{Column: "channel", Conv: jsonarrow.String, Default: s.channel},
			{Column: "campaign_id", Path: "pivotValues.0", Conv: jsonarrow.String, Extract: campaignID},
			{Column: "campaign_urn", Path: "pivotValues.0", Conv: jsonarrow.String},
			{Column: "campaign_name", Path: "pivotValues.0", Conv: jsonarrow.String, Missing: jsonarrow.MissingZero, Extract: s.campaignName},
			{Column: "spend", Path: "costInLocalCurrency", Conv: jsonarrow.Decimal, Missing: jsonarrow.MissingZero},
			{Column: "impressions", Path: "impressions", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "clicks", Path: "clicks", Conv: jsonarrow.Int64, Missing: jsonarrow.MissingZero},
			{Column: "conversions", Path: "externalWebsiteConversions", Conv: jsonarrow.Float64, Missing: jsonarrow.MissingZero},
			{Column: "conversion_value", Path: "conversionValueInLocalCurrency", Conv: jsonarrow.Decimal, Round: true, Missing: jsonarrow.MissingZero},
		},
	}, nil)
	if err != nil {
		return fmt.Errorf("linkedin: %w", err)
	}
	s.dec = dec
	return nil
}

// dateCache remembers the last dateRange decoded: an answer holds few
// distinct days. It belongs to one Decoder (not safe for concurrent use).
type dateCache struct {
	raw, text []byte
}

// startDate reads {"start":{"year":2026,"month":11,"day":1},…} as 2026-11-01.
func (c *dateCache) startDate(v jsonarrow.Value) ([]byte, bool, error) {
	if c.raw != nil && bytes.Equal(c.raw, v) {
		return c.text, true, nil
	}
	var parts [3]int
	for i, k := range []string{"year", "month", "day"} {
		x, ok := v.Get("start", k)
		if !ok {
			return nil, false, nil
		}
		n := 0
		for _, ch := range []byte(x.Text()) {
			if ch < '0' || ch > '9' {
				return nil, false, fmt.Errorf("dateRange.start.%s %s is not a number", k, x.Text())
			}
			n = n*10 + int(ch-'0')
		}
		parts[i] = n
	}
	c.raw = append(c.raw[:0], v...)
	c.text = fmt.Appendf(c.text[:0], "%04d-%02d-%02d", parts[0], parts[1], parts[2])
	return c.text, true, nil
}

// text returns a JSON string's content without copying when it has no
// escapes.
func text(v jsonarrow.Value) []byte {
	if len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	return []byte(v.Text())
}

// campaignID maps urn:li:sponsoredCampaign:612000001 to 612000001.
func campaignID(v jsonarrow.Value) ([]byte, bool, error) {
	if v.IsNull() {
		return nil, false, nil
	}
	t := text(v)
	id, ok := bytes.CutPrefix(t, []byte(campaignURN))
	if !ok || len(id) == 0 {
		return nil, false, fmt.Errorf("pivot value %q is not a %s URN", t, campaignURN)
	}
	return id, true, nil
}

// campaignName looks the campaign up in the names of the account decoded.
func (s *Source) campaignName(v jsonarrow.Value) ([]byte, bool, error) {
	id, ok, err := campaignID(v)
	if !ok || err != nil {
		return nil, false, err
	}
	name, ok := s.campaigns[string(id)]
	return name, ok, nil
}

// Query returns the raw Rest.li 2.0 query of one account's window: the
// reserved characters of dateRange and List stay literal, the URN inside
// is encoded.
func Query(account string, w connectors.DateRange) string {
	d := func(t time.Time) string {
		return fmt.Sprintf("(year:%d,month:%d,day:%d)", t.Year(), int(t.Month()), t.Day())
	}
	return "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY" +
		"&dateRange=(start:" + d(w.From) + ",end:" + d(w.To) + ")" +
		"&accounts=List(" + url.QueryEscape(accountURN+account) + ")" +
		"&fields=" + Fields
}

// Check fetches a token and each account's currency.
func (s *Source) Check(ctx context.Context) error {
	s.currency = nil
	return s.loadAccounts(ctx, s.client)
}

// Read syncs the stream: the days after the cursor and the last
// lookback_days again, window by window, each committed with the cursor.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("linkedin source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	cur, err := httpkit.ParseDayCursor(req.Cursor)
	if err != nil {
		return fmt.Errorf("linkedin source %s: %w (run with --full-refresh to start over)", s.name, err)
	}
	if err := s.loadAccounts(ctx, c); err != nil {
		return err
	}
	until := httpkit.AccountUntil(connectors.Day(req.Until), c.Clock().Now(), s.loc)
	plan := httpkit.DayPlan{Through: cur.Through, Lookback: s.lookback, Start: s.start, Until: until, Backfill: req.Backfill}
	// Campaign names are read once, before the first window.
	var names map[string]map[string][]byte
	return httpkit.ReadWindows(ctx, log, plan, cur, s.daysPerRequest, out, func(w connectors.DateRange) (int, error) {
		if names == nil {
			names = map[string]map[string][]byte{}
			for _, a := range s.accounts {
				var err error
				if names[a], err = s.loadCampaigns(ctx, c, a); err != nil {
					return 0, err
				}
			}
		}
		rows := 0
		for _, a := range s.accounts {
			s.campaigns = names[a]
			for col, v := range map[string]string{"account_id": a, "currency": s.currency[a]} {
				if err := s.dec.Set(col, v); err != nil {
					return 0, err
				}
			}
			n, err := s.readWindow(ctx, c, a, w, out)
			if err != nil {
				return 0, err
			}
			rows += n
		}
		return rows, nil
	}, "accounts", len(s.accounts))
}

// readWindow emits one account's window; a full answer (MaxElements) may be
// cut short, so the window is read again in halves.
func (s *Source) readWindow(ctx context.Context, c *httpkit.Client, account string, w connectors.DateRange, out connectors.Emitter) (int, error) {
	op := fmt.Sprintf("adAnalytics account %s %s", account, w)
	var res *jsonarrow.Result
	err := c.DoDecode(ctx, &httpkit.Request{URL: "rest/adAnalytics?" + Query(account, w), RateKey: account, Op: op},
		func(resp *httpkit.Response) error {
			r, err := s.dec.Decode(resp.Body, nil)
			res = r
			return err
		})
	if err != nil {
		return 0, err
	}
	defer res.Release()
	if res.Rows+len(res.Rejected) >= s.maxElements {
		if w.Days() == 1 {
			return 0, fmt.Errorf("linkedin: %s: %d elements for one day, LinkedIn's maximum; the answer may be incomplete", op, s.maxElements)
		}
		mid := w.From.AddDate(0, 0, w.Days()/2-1)
		c.Logger().InfoContext(ctx, "adAnalytics answer full; reading the window in halves", "account", account, "from", w.From.Format(time.DateOnly), "to", w.To.Format(time.DateOnly))
		n1, err := s.readWindow(ctx, c, account, connectors.DateRange{From: w.From, To: mid}, out)
		if err != nil {
			return 0, err
		}
		n2, err := s.readWindow(ctx, c, account, connectors.DateRange{From: mid.AddDate(0, 0, 1), To: w.To}, out)
		return n1 + n2, err
	}
	if err := c.Emit(ctx, out, op, res.Batches, res.Rejected); err != nil {
		return 0, err
	}
	return res.Rows, nil
}

// loadAccounts reads each account's currency from /rest/adAccounts/{id}, once.
func (s *Source) loadAccounts(ctx context.Context, c *httpkit.Client) error {
	if s.currency != nil {
		return nil
	}
	cur := map[string]string{}
	for _, id := range s.accounts {
		var a struct {
			Currency string `json:"currency"`
			Name     string `json:"name"`
		}
		err := c.DoDecode(ctx, &httpkit.Request{URL: "rest/adAccounts/" + id, RateKey: id, Op: "adAccount " + id},
			func(resp *httpkit.Response) error {
				if err := json.Unmarshal(resp.Body, &a); err != nil {
					return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
				}
				return nil
			})
		if err != nil {
			return err
		}
		if a.Currency == "" {
			return fmt.Errorf("linkedin: ad account %s: no currency in the answer", id)
		}
		cur[id] = a.Currency
		c.Logger().InfoContext(ctx, "ad account", "account", id, "currency", a.Currency)
	}
	s.currency = cur
	return nil
}

// loadCampaigns reads the account's campaign names from
// /rest/adAccounts/{id}/adCampaigns?q=search, following
// metadata.nextPageToken (cursor paging since 202401).
func (s *Source) loadCampaigns(ctx context.Context, c *httpkit.Client, account string) (map[string][]byte, error) {
	names := map[string][]byte{}
	if !s.names {
		return names, nil
	}
	page := 0
	err := httpkit.PageTokens(ctx, func(ctx context.Context, token string) (string, error) {
		page++
		q := fmt.Sprintf("q=search&pageSize=%d", s.pageSize)
		if token != "" {
			q += "&pageToken=" + url.QueryEscape(token)
		}
		var body struct {
			Elements []struct {
				ID   json.Number `json:"id"`
				Name string      `json:"name"`
			} `json:"elements"`
			Metadata struct {
				NextPageToken string `json:"nextPageToken"`
			} `json:"metadata"`
		}
		err := c.DoDecode(ctx, &httpkit.Request{URL: "rest/adAccounts/" + account + "/adCampaigns?" + q, RateKey: account,
			Op: fmt.Sprintf("adCampaigns account %s page %d", account, page)},
			func(resp *httpkit.Response) error {
				body.Elements, body.Metadata.NextPageToken = nil, ""
				if err := json.Unmarshal(resp.Body, &body); err != nil {
					return fmt.Errorf("%w: %v", httpkit.ErrMalformed, err)
				}
				return nil
			})
		if err != nil {
			return "", err
		}
		for _, e := range body.Elements {
			names[e.ID.String()] = []byte(e.Name)
		}
		return body.Metadata.NextPageToken, nil
	})
	return names, err
}
