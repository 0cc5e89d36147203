package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// StreamName is the source's one stream.
const StreamName = "deals"

// Properties HubSpot is asked for besides the configured ones.
const (
	propCreated  = "createdate"
	propModified = "hs_lastmodifieddate"
)

// Source reads HubSpot deals. It is used by one goroutine at a time.
type Source struct {
	name           string
	portal         string
	version        string
	currency       string
	stageMap       map[string]string
	ownerMap       map[string]string
	teamMap        map[string]string
	leadSourceProp string
	campaignProp   string
	windowDays     int
	pageSize       int
	maxResults     int
	start          time.Time
	lookback       int
	client         *httpkit.Client
	log            *slog.Logger
	schema         *arrow.Schema
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Schema is the stream's schema: crm_deals, then HubSpot's extras.
func Schema() *arrow.Schema {
	fields := connectors.Canonical["crm_deals"].ArrowSchema().Fields()
	fields = append(fields,
		arrow.Field{Name: "updated_at", Type: connectors.ArrowType("TIMESTAMPTZ"), Nullable: true, Metadata: connectors.Comment("hs_lastmodifieddate: the version of the deal this row holds")},
		arrow.Field{Name: "source_stage", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("HubSpot dealstage id, before stage_map")},
		arrow.Field{Name: "pipeline", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("HubSpot pipeline id")},
	)
	return arrow.NewSchema(fields, nil)
}

// Streams returns the deals stream.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["crm_deals"]
	return []connectors.Stream{{
		Name:        StreamName,
		Canonical:   canon.Name,
		Description: "one row per HubSpot deal, latest state: deals modified since the last run replace their created_at days (see package doc); amounts in the deal currency",
		Schema:      s.schema,
		Key:         canon.Key,
		DateColumn:  canon.DateColumn,
		// lookback_days only marks recent created_at days provisional:
		// changed deals are re-read whatever their age.
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// Check runs a one-result search.
func (s *Source) Check(ctx context.Context) error {
	body, _ := json.Marshal(map[string]any{"limit": 1, "properties": []string{propModified}})
	return s.client.DoDecode(ctx, &httpkit.Request{Method: "POST", URL: s.searchPath(), Body: body, RateKey: s.portal, Op: "deals search (check)"},
		func(r *httpkit.Response) error { return decodePage(r.Body, &searchPage{}) })
}

func (s *Source) searchPath() string { return "crm/objects/" + s.version + "/deals/search" }

// Read syncs the deals stream (see the package doc for the two passes).
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("hubspot source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	return httpkit.ModifiedSync{
		Name: "hubspot source " + s.name, Start: s.start, WindowDays: s.windowDays, Overlap: Overlap, Log: log,
		Oldest: func(ctx context.Context) (time.Time, bool, error) { return s.oldest(ctx, c) },
		Changed: func(ctx context.Context, since time.Time) ([]time.Time, time.Time, error) {
			return s.scan(ctx, c, since)
		},
		Reload: func(ctx context.Context, w connectors.DateRange) error { return s.reload(ctx, c, w, out) },
	}.Read(ctx, req, c.Clock().Now(), out)
}

// oldest returns the UTC day of the oldest createdate.
func (s *Source) oldest(ctx context.Context, c *httpkit.Client) (time.Time, bool, error) {
	body, _ := json.Marshal(map[string]any{
		"sorts":      []any{map[string]string{"propertyName": propCreated, "direction": "ASCENDING"}},
		"properties": []string{propCreated}, "limit": 1,
	})
	var p searchPage
	err := c.DoDecode(ctx, &httpkit.Request{Method: "POST", URL: s.searchPath(), Body: body, RateKey: s.portal, Op: "deals search oldest"},
		func(r *httpkit.Response) error { p = searchPage{}; return decodePage(r.Body, &p) })
	if err != nil || len(p.Results) == 0 {
		return time.Time{}, false, err
	}
	t, ok := p.Results[0].time(propCreated)
	if !ok {
		return time.Time{}, false, fmt.Errorf("hubspot: the oldest deal %s has no createdate", p.Results[0].ID)
	}
	return connectors.Day(t), true, nil
}

// scan returns the sorted UTC created days of the deals modified since
// since, and the newest modification time seen.
func (s *Source) scan(ctx context.Context, c *httpkit.Client, since time.Time) ([]time.Time, time.Time, error) {
	set := map[time.Time]bool{}
	var newest time.Time
	op := "deals search modified since " + since.UTC().Format(time.RFC3339)
	err := s.search(ctx, c, op, propModified, since, time.Time{}, []string{propCreated, propModified}, func(deals []deal) error {
		for _, d := range deals {
			if t, ok := d.time(propModified); ok && t.After(newest) {
				newest = t
			}
			t, ok := d.time(propCreated)
			if !ok {
				c.Logger().WarnContext(ctx, "deal without createdate skipped", "deal_id", d.ID)
				continue
			}
			set[connectors.Day(t.UTC())] = true
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	days := make([]time.Time, 0, len(set))
	for d := range set {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	return days, newest, nil
}

// properties are the deal properties a reload asks for.
func (s *Source) properties() []string {
	p := []string{propCreated, "closedate", "dealstage", "pipeline", "amount", "deal_currency_code", propModified, "hs_is_closed_won", "hubspot_owner_id", s.leadSourceProp}
	if s.campaignProp != "" {
		p = append(p, s.campaignProp)
	}
	return p
}

// reload replaces the deals created on the days of r with HubSpot's.
func (s *Source) reload(ctx context.Context, c *httpkit.Client, r connectors.DateRange, out connectors.Emitter) error {
	if err := out.Replace(ctx, r); err != nil {
		return err
	}
	op := "deals search created " + r.String()
	rows := 0
	err := s.search(ctx, c, op, propCreated, r.From, r.To.AddDate(0, 0, 1), s.properties(), func(deals []deal) error {
		rec, rejected := s.toArrow(deals, op)
		defer rec.Release()
		var batches []arrow.RecordBatch
		if rec.NumRows() > 0 {
			batches = []arrow.RecordBatch{rec}
		}
		if err := c.Emit(ctx, out, op, batches, rejected); err != nil {
			return err
		}
		rows += int(rec.NumRows())
		return nil
	})
	if err != nil {
		return err
	}
	c.Logger().InfoContext(ctx, "days reloaded", "from", r.From.Format(time.DateOnly), "to", r.To.Format(time.DateOnly), "rows", rows)
	return nil
}

// Filter is one search filter; values are epoch milliseconds or ids.
type Filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// searchBody is one search request: filters ANDed, sorted ascending by sort.
func (s *Source) searchBody(filters []Filter, sort string, props []string, after string) []byte {
	body := map[string]any{
		"filterGroups": []any{map[string]any{"filters": filters}},
		"sorts":        []any{map[string]string{"propertyName": sort, "direction": "ASCENDING"}},
		"properties":   props,
		"limit":        s.pageSize,
	}
	if after != "" {
		body["after"] = after
	}
	b, _ := json.Marshal(body)
	return b
}

// search runs a search over prop in [from, to) (to zero: open), sorted
// ascending by prop, calling fn with each page's deals not seen before.
// On reaching the result cap it restarts from GTE the last value of prop;
// when more deals than the cap share that value, it reads them by
// hs_object_id (EQ the value, GT the last id) and goes on after it.
func (s *Source) search(ctx context.Context, c *httpkit.Client, op, prop string, from, to time.Time, props []string, fn func([]deal) error) error {
	seen := map[string]bool{}
	emit := func(ds []deal) error {
		fresh := ds[:0]
		for _, d := range ds {
			if d.ID != "" && !seen[d.ID] {
				seen[d.ID] = true
				fresh = append(fresh, d)
			}
		}
		return fn(fresh)
	}
	lo := from
	for {
		filters := []Filter{{prop, "GTE", ms(lo)}}
		if !to.IsZero() {
			filters = append(filters, Filter{prop, "LT", ms(to)})
		}
		last, capped, err := s.pages(ctx, c, op, filters, prop, props, emit)
		if err != nil || !capped {
			return err
		}
		t, ok := last.time(prop)
		if !ok {
			return &httpkit.Error{Platform: Type, Op: op, Action: httpkit.Fatal, Permanent: true,
				Message: fmt.Sprintf("deal %s has no %s although the search filtered on it", last.ID, prop)}
		}
		if t.After(lo) {
			c.Logger().InfoContext(ctx, "search result cap reached: restarting", "op", op, "from", t.Format(time.RFC3339Nano))
			lo = t
			continue
		}
		// More deals than the cap share lo: read them by id.
		c.Logger().InfoContext(ctx, "search result cap reached on one timestamp: reading it by id", "op", op, "at", lo.Format(time.RFC3339Nano))
		idLo := "0"
		for {
			last, capped, err := s.pages(ctx, c, op, []Filter{{prop, "EQ", ms(lo)}, {"hs_object_id", "GT", idLo}}, "hs_object_id", props, emit)
			if err != nil {
				return err
			}
			if !capped {
				break
			}
			if last.ID == idLo {
				return &httpkit.Error{Platform: Type, Op: op, Action: httpkit.Fatal, Permanent: true,
					Message: "the search by hs_object_id did not advance past " + idLo}
			}
			idLo = last.ID
		}
		lo = lo.Add(time.Millisecond)
		if !to.IsZero() && !lo.Before(to) {
			return nil
		}
	}
}

// pages reads one search's pages with after, calling emit on each, until
// the last page (capped false) or until the next page would pass the result
// cap (capped true). It returns the last deal read.
func (s *Source) pages(ctx context.Context, c *httpkit.Client, op string, filters []Filter, sort string, props []string, emit func([]deal) error) (deal, bool, error) {
	var last deal
	after, got := "", 0
	for page := 1; ; page++ {
		var p searchPage
		body := s.searchBody(filters, sort, props, after)
		pop := fmt.Sprintf("%s (%s %s %s) page %d", op, filters[0].PropertyName, filters[0].Operator, filters[0].Value, page)
		err := c.DoDecode(ctx, &httpkit.Request{Method: "POST", URL: s.searchPath(), Body: body, RateKey: s.portal, Op: pop},
			func(r *httpkit.Response) error { p = searchPage{}; return decodePage(r.Body, &p) })
		if err != nil {
			return last, false, err
		}
		if n := len(p.Results); n > 0 {
			last = p.Results[n-1]
		}
		got += len(p.Results)
		if err := emit(p.Results); err != nil {
			return last, false, err
		}
		if p.Paging == nil || p.Paging.Next == nil || p.Paging.Next.After == "" {
			return last, false, nil
		}
		after = p.Paging.Next.After
		if got+s.pageSize > s.maxResults {
			return last, true, nil // the next page would pass the cap
		}
	}
}

// searchPage is a search answer.
type searchPage struct {
	Total   int         `json:"total"`
	Results []deal      `json:"results"`
	Paging  *pagingJSON `json:"paging"`
}

func decodePage(body []byte, p *searchPage) error {
	if err := json.Unmarshal(body, p); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("%w: search answer: %v", httpkit.ErrMalformed, err)
		}
		// A property that is not a string: the slow, lenient path.
		var lp struct {
			Total   int         `json:"total"`
			Results []lenient   `json:"results"`
			Paging  *pagingJSON `json:"paging"`
		}
		if err := json.Unmarshal(body, &lp); err != nil {
			return fmt.Errorf("%w: search answer: %v", httpkit.ErrMalformed, err)
		}
		*p = searchPage{Paging: lp.Paging}
		p.Total = lp.Total
		for _, r := range lp.Results {
			d := deal{ID: r.ID, CreatedAt: r.CreatedAt, Archived: r.Archived, Properties: map[string]*string{}}
			for k, v := range r.Properties {
				if v.ok {
					d.Properties[k] = &v.s
				} else {
					d.Properties[k] = nil
				}
			}
			p.Results = append(p.Results, d)
		}
	}
	return nil
}

type pagingJSON struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

// lenient is a deal whose property values may be numbers or booleans.
type lenient struct {
	ID         string          `json:"id"`
	Properties map[string]prop `json:"properties"`
	CreatedAt  string          `json:"createdAt"`
	Archived   bool            `json:"archived"`
}

// deal is one search result.
type deal struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  string             `json:"createdAt"`
	Archived   bool               `json:"archived"`
}

// prop is a property value: a string, or null (ok false). Numbers and
// booleans, which HubSpot does not send, are kept as their JSON text.
type prop struct {
	s  string
	ok bool
}

func (p *prop) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*p = prop{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = prop{s, true}
	default:
		*p = prop{string(b), true}
	}
	return nil
}

func (d deal) str(name string) (string, bool) {
	p := d.Properties[name]
	if p == nil || *p == "" {
		return "", false
	}
	return *p, true
}

func (d deal) time(name string) (time.Time, bool) {
	v, ok := d.str(name)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseTime(v)
	return t, err == nil
}

// ParseTime reads a HubSpot datetime: ISO 8601 or epoch milliseconds.
func ParseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(n).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err
}

// ParseDecimal parses a decimal string exactly into DECIMAL(38,9).
func ParseDecimal(v string) (decimal128.Num, error) {
	s := strings.TrimSpace(v)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" && frac == "" || len(frac) > 9 || !digits(whole) || !digits(frac) || len(whole) > 29 {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal with at most 9 decimals", v)
	}
	n, ok := new(big.Int).SetString(whole+frac+strings.Repeat("0", 9-len(frac)), 10)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal", v)
	}
	if neg {
		n.Neg(n)
	}
	return decimal128.FromBigInt(n), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// toArrow builds a batch of deals; deals it cannot map are rejected.
func (s *Source) toArrow(deals []deal, op string) (arrow.RecordBatch, []connectors.Rejected) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.schema)
	defer b.Release()
	f := b.Fields()
	var rejected []connectors.Rejected
	str := func(i int, v string, ok bool) {
		if ok {
			f[i].(*array.StringBuilder).Append(v)
		} else {
			f[i].AppendNull()
		}
	}
	ts := func(i int, t time.Time, ok bool) {
		if ok {
			f[i].(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
		} else {
			f[i].AppendNull()
		}
	}
	for _, d := range deals {
		amountText, _ := d.str("amount")
		reject := func(field, reason string) {
			stage, _ := d.str("dealstage")
			rejected = append(rejected, connectors.Rejected{File: op, Field: field, Reason: reason,
				Raw: fmt.Sprintf("id=%s dealstage=%s amount=%s", d.ID, stage, amountText)})
		}
		created, ok := d.time(propCreated)
		if !ok {
			reject("created_at", "createdate is missing or not a datetime")
			continue
		}
		srcStage, _ := d.str("dealstage")
		stage, ok := s.stageMap[srcStage]
		if !ok {
			reject("stage", fmt.Sprintf("dealstage %q is not in stage_map", srcStage))
			continue
		}
		var amount decimal128.Num
		amountStr, hasAmount := d.str("amount")
		if hasAmount {
			n, err := ParseDecimal(amountStr)
			if err != nil {
				reject("amount", err.Error())
				continue
			}
			amount = n
		}
		f[0].(*array.StringBuilder).Append(d.ID)
		ts(1, created, true)
		closed, hasClosed := d.time("closedate")
		ts(2, closed, hasClosed && (stage == "won" || stage == "lost"))
		f[3].(*array.StringBuilder).Append(stage)
		won := stage == "won"
		if v, ok := d.str("hs_is_closed_won"); ok {
			won = v == "true"
		}
		f[4].(*array.BooleanBuilder).Append(won)
		if hasAmount {
			f[5].(*array.Decimal128Builder).Append(amount)
		} else {
			f[5].AppendNull()
		}
		cur, ok := d.str("deal_currency_code")
		if !ok && s.currency != "" {
			cur, ok = s.currency, true
		}
		str(6, cur, ok)
		ls, lsOK := d.str(s.leadSourceProp)
		str(7, ls, lsOK)
		if s.campaignProp != "" {
			cp, cpOK := d.str(s.campaignProp)
			str(8, cp, cpOK)
		} else {
			f[8].AppendNull()
		}
		owner, hasOwner := d.str("hubspot_owner_id")
		name, team := owner, ""
		if n, ok := s.ownerMap[owner]; ok && hasOwner {
			name = n
		}
		if hasOwner {
			team = s.teamMap[owner]
		}
		str(9, name, hasOwner)
		str(10, team, team != "")
		mod, ok := d.time(propModified)
		ts(11, mod, ok)
		str(12, srcStage, srcStage != "")
		pl, plOK := d.str("pipeline")
		str(13, pl, plOK)
	}
	return b.NewRecordBatch(), rejected
}
