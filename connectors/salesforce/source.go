package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net/http"
	"net/url"
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
const StreamName = "opportunities"

// Source reads Salesforce Opportunities. One goroutine at a time.
type Source struct {
	name          string
	version       string
	multiCurrency bool
	currency      string
	stageMap      map[string]string
	teamMap       map[string]string
	windowDays    int
	batchSize     int
	useBase       bool
	start         time.Time
	lookback      int
	client        *httpkit.Client
	auth          *auth
	log           *slog.Logger
	schema        *arrow.Schema
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Schema is crm_deals plus Salesforce's extras.
func Schema() *arrow.Schema {
	fields := connectors.Canonical["crm_deals"].ArrowSchema().Fields()
	fields = append(fields,
		arrow.Field{Name: "updated_at", Type: connectors.ArrowType("TIMESTAMPTZ"), Nullable: true, Metadata: connectors.Comment("SystemModstamp: the version of the Opportunity this row holds")},
		arrow.Field{Name: "source_stage", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("Salesforce StageName, before stage_map")},
		arrow.Field{Name: "owner_id", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: connectors.Comment("Salesforce OwnerId")},
	)
	return arrow.NewSchema(fields, nil)
}

// Streams returns the opportunities stream.
func (s *Source) Streams() []connectors.Stream {
	canon := connectors.Canonical["crm_deals"]
	return []connectors.Stream{{
		Name: StreamName, Canonical: canon.Name,
		Description:  "one row per Salesforce Opportunity, latest state: changed Opportunities replace their CreatedDate days (see package doc); deleted ones are dropped",
		Schema:       s.schema,
		Key:          canon.Key,
		DateColumn:   canon.DateColumn,
		LookbackDays: s.lookback,
	}}
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// Check runs a one-row query.
func (s *Source) Check(ctx context.Context) error {
	return s.query(ctx, s.client, "SELECT Id FROM Opportunity LIMIT 1", func([]record) error { return nil })
}

// Read syncs the stream.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != StreamName {
		return fmt.Errorf("salesforce source %s: unknown stream %q (it has %s)", s.name, req.Stream, StreamName)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	c := s.client.WithLogger(log)
	return httpkit.ModifiedSync{
		Name: "salesforce source " + s.name, Start: s.start, WindowDays: s.windowDays, Overlap: Overlap, Log: log,
		Oldest: func(ctx context.Context) (time.Time, bool, error) { return s.oldest(ctx, c) },
		Changed: func(ctx context.Context, since time.Time) ([]time.Time, time.Time, error) {
			return s.changed(ctx, c, since)
		},
		Reload: func(ctx context.Context, w connectors.DateRange) error { return s.reload(ctx, c, w, out) },
	}.Read(ctx, req, c.Clock().Now(), out)
}

// changed returns the sorted UTC created days of the Opportunities
// modified since since, and the newest SystemModstamp seen.
func (s *Source) changed(ctx context.Context, c *httpkit.Client, since time.Time) ([]time.Time, time.Time, error) {
	set := map[time.Time]bool{}
	var newest time.Time
	soql := "SELECT Id, CreatedDate, SystemModstamp FROM Opportunity WHERE SystemModstamp >= " + literal(since) + " ORDER BY SystemModstamp, Id"
	err := s.query(ctx, c, soql, func(recs []record) error {
		for _, r := range recs {
			if t, err := ParseTime(r.SystemModstamp); err == nil && t.After(newest) {
				newest = t
			}
			if t, err := ParseTime(r.CreatedDate); err == nil {
				set[connectors.Day(t)] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return slices.SortedFunc(maps.Keys(set), time.Time.Compare), newest, nil
}

// oldest returns the UTC day of the oldest CreatedDate; ok is false when
// there is no Opportunity.
func (s *Source) oldest(ctx context.Context, c *httpkit.Client) (time.Time, bool, error) {
	var oldest string
	err := s.query(ctx, c, "SELECT CreatedDate FROM Opportunity ORDER BY CreatedDate LIMIT 1", func(recs []record) error {
		if len(recs) > 0 {
			oldest = recs[0].CreatedDate
		}
		return nil
	})
	if err != nil {
		return time.Time{}, false, err
	}
	t, err := ParseTime(oldest)
	if err != nil {
		return time.Time{}, false, nil // no Opportunities
	}
	return connectors.Day(t), true, nil
}

// literal is a SOQL datetime literal (no quotes).
func literal(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Fields returns the SELECT list of a reload.
func (s *Source) Fields() []string {
	f := []string{"Id", "IsDeleted", "CreatedDate", "CloseDate", "StageName", "IsWon", "IsClosed", "Amount"}
	if s.multiCurrency {
		f = append(f, "CurrencyIsoCode")
	}
	return append(f, "LeadSource", "CampaignId", "OwnerId", "Owner.Name", "SystemModstamp")
}

// ReloadQuery is the SOQL of a reload of r's days.
func (s *Source) ReloadQuery(r connectors.DateRange) string {
	return "SELECT " + strings.Join(s.Fields(), ", ") + " FROM Opportunity WHERE CreatedDate >= " + literal(r.From) +
		" AND CreatedDate < " + literal(r.To.AddDate(0, 0, 1)) + " ORDER BY CreatedDate, Id"
}

// reload replaces the Opportunities created on r's days.
func (s *Source) reload(ctx context.Context, c *httpkit.Client, r connectors.DateRange, out connectors.Emitter) error {
	if err := out.Replace(ctx, r); err != nil {
		return err
	}
	op := "queryAll Opportunity created " + r.String()
	rows := 0
	err := s.query(ctx, c, s.ReloadQuery(r), func(recs []record) error {
		rec, rejected := s.toArrow(recs, op)
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

// url returns where a /services/data path goes: base_url when set, else
// the token's instance.
func (s *Source) url(ctx context.Context, path string) (string, error) {
	if s.useBase {
		return path, nil
	}
	inst, err := s.auth.Instance(ctx)
	if err != nil {
		return "", err
	}
	return inst + path, nil
}

// query runs soql through queryAll and follows nextRecordsUrl.
func (s *Source) query(ctx context.Context, c *httpkit.Client, soql string, fn func([]record) error) error {
	next := "/services/data/" + s.version + "/queryAll"
	q := url.Values{"q": {soql}}
	for page := 1; ; page++ {
		u, err := s.url(ctx, next)
		if err != nil {
			return err
		}
		var p queryPage
		err = c.DoDecode(ctx, &httpkit.Request{URL: u, Query: q, Op: fmt.Sprintf("queryAll page %d", page),
			Header: http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(s.batchSize)}}},
			func(r *httpkit.Response) error { p = queryPage{}; return decodePage(r.Body, &p) })
		if err != nil {
			return err
		}
		if err := fn(p.Records); err != nil {
			return err
		}
		if p.Done || p.NextRecordsURL == "" {
			return nil
		}
		next, q = p.NextRecordsURL, nil
		if u, err := url.Parse(next); err == nil && u.IsAbs() && s.useBase {
			// An absolute instance URL: rebase it onto base_url.
			next = u.RequestURI()
		}
	}
}

type queryPage struct {
	TotalSize      int      `json:"totalSize"`
	Done           bool     `json:"done"`
	NextRecordsURL string   `json:"nextRecordsUrl"`
	Records        []record `json:"records"`
}

type record struct {
	ID              string       `json:"Id"`
	IsDeleted       bool         `json:"IsDeleted"`
	CreatedDate     string       `json:"CreatedDate"`
	CloseDate       *string      `json:"CloseDate"`
	StageName       string       `json:"StageName"`
	IsWon           bool         `json:"IsWon"`
	IsClosed        bool         `json:"IsClosed"`
	Amount          *json.Number `json:"Amount"`
	CurrencyIsoCode *string      `json:"CurrencyIsoCode"`
	LeadSource      *string      `json:"LeadSource"`
	CampaignID      *string      `json:"CampaignId"`
	OwnerID         *string      `json:"OwnerId"`
	Owner           *struct {
		Name string `json:"Name"`
	} `json:"Owner"`
	SystemModstamp string `json:"SystemModstamp"`
}

func decodePage(body []byte, p *queryPage) error {
	if err := json.Unmarshal(body, p); err != nil {
		return fmt.Errorf("%w: query answer: %v", httpkit.ErrMalformed, err)
	}
	return nil
}

// ParseTime reads a Salesforce datetime (2026-11-02T14:03:11.000+0000).
func ParseTime(v string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Salesforce datetime", v)
}

// ParseDecimal reads a JSON number exactly into DECIMAL(38,9).
func ParseDecimal(v string) (decimal128.Num, error) {
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("%q is not a number", v)
	}
	r.Mul(r, new(big.Rat).SetInt(big.NewInt(1_000_000_000)))
	if !r.IsInt() || r.Num().BitLen() > 126 {
		return decimal128.Num{}, fmt.Errorf("%q does not fit DECIMAL(38,9) exactly", v)
	}
	return decimal128.FromBigInt(r.Num()), nil
}

// toArrow builds a batch; deleted records are dropped, unmappable ones rejected.
func (s *Source) toArrow(recs []record, op string) (arrow.RecordBatch, []connectors.Rejected) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.schema)
	defer b.Release()
	f := b.Fields()
	var rejected []connectors.Rejected
	str := func(i int, v *string) {
		if v != nil && *v != "" {
			f[i].(*array.StringBuilder).Append(*v)
		} else {
			f[i].AppendNull()
		}
	}
	for _, r := range recs {
		if r.IsDeleted {
			continue
		}
		reject := func(field, reason string) {
			rejected = append(rejected, connectors.Rejected{File: op, Field: field, Reason: reason, Raw: fmt.Sprintf("Id=%s StageName=%s", r.ID, r.StageName)})
		}
		created, err := ParseTime(r.CreatedDate)
		if err != nil {
			reject("created_at", err.Error())
			continue
		}
		stage, ok := s.stageMap[r.StageName]
		if !ok {
			reject("stage", fmt.Sprintf("StageName %q is not in stage_map", r.StageName))
			continue
		}
		var amount decimal128.Num
		if r.Amount != nil {
			if amount, err = ParseDecimal(r.Amount.String()); err != nil {
				reject("amount", err.Error())
				continue
			}
		}
		f[0].(*array.StringBuilder).Append(r.ID)
		f[1].(*array.TimestampBuilder).Append(arrow.Timestamp(created.UnixMicro()))
		if closed, err := time.Parse(time.DateOnly, deref(r.CloseDate)); err == nil && r.IsClosed {
			f[2].(*array.TimestampBuilder).Append(arrow.Timestamp(closed.UnixMicro()))
		} else {
			f[2].AppendNull()
		}
		f[3].(*array.StringBuilder).Append(stage)
		f[4].(*array.BooleanBuilder).Append(r.IsWon)
		if r.Amount != nil {
			f[5].(*array.Decimal128Builder).Append(amount)
		} else {
			f[5].AppendNull()
		}
		if s.multiCurrency {
			str(6, r.CurrencyIsoCode)
		} else {
			str(6, &s.currency)
		}
		str(7, r.LeadSource)
		str(8, r.CampaignID)
		var owner *string
		if r.Owner != nil {
			owner = &r.Owner.Name
		}
		str(9, owner)
		var team *string
		if t, ok := s.teamMap[deref(r.OwnerID)]; ok {
			team = &t
		}
		str(10, team)
		if t, err := ParseTime(r.SystemModstamp); err == nil {
			f[11].(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
		} else {
			f[11].AppendNull()
		}
		str(12, &r.StageName)
		str(13, r.OwnerID)
	}
	return b.NewRecordBatch(), rejected
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
