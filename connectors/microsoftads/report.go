package microsoftads

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
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

// Columns are the CampaignPerformanceReportColumn values requested, in order.
var Columns = []string{"TimePeriod", "AccountId", "CampaignId", "CampaignName", "CurrencyCode",
	"Spend", "Impressions", "Clicks", "Conversions", "Revenue"}

// batchRows is the largest batch a report becomes.
const batchRows = 65_536

// Unzip returns the one CSV file of a report download. A body that is not a
// zip, or a zip cut short, wraps httpkit.ErrMalformed (the download is
// retried); a plain CSV (Format Csv without compression, unverified) is
// returned as is.
func Unzip(body []byte) ([]byte, error) {
	if len(body) >= 2 && body[0] == 'P' && body[1] == 'K' {
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			return nil, fmt.Errorf("%w: report zip: %v", httpkit.ErrMalformed, err)
		}
		var csvFiles []*zip.File
		for _, f := range zr.File {
			if !f.FileInfo().IsDir() {
				csvFiles = append(csvFiles, f)
			}
		}
		if len(csvFiles) != 1 {
			return nil, fmt.Errorf("%w: report zip holds %d files, want one CSV", httpkit.ErrMalformed, len(csvFiles))
		}
		rc, err := csvFiles[0].Open()
		if err != nil {
			return nil, fmt.Errorf("%w: report zip: %v", httpkit.ErrMalformed, err)
		}
		defer rc.Close()
		out, err := io.ReadAll(io.LimitReader(rc, 4<<30))
		if err != nil {
			return nil, fmt.Errorf("%w: report zip: %v", httpkit.ErrMalformed, err)
		}
		return out, nil
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(body, bom), " \r\n"); len(t) > 0 && t[0] == '"' {
		return body, nil
	}
	return nil, fmt.Errorf("%w: the report download is neither a zip nor a CSV (%d bytes)", httpkit.ErrMalformed, len(body))
}

var bom = []byte("\xef\xbb\xbf")

// ReportDecoder turns a report CSV into Arrow batches of the ad_performance
// schema. It is reusable but not safe for concurrent use.
type ReportDecoder struct {
	schema   *arrow.Schema
	mem      memory.Allocator
	platform string
	channel  string
	// Per report: the account's IANA zone.
	TimeZone string
}

// NewReportDecoder returns a decoder into schema (the canonical
// ad_performance columns, in their order).
func NewReportDecoder(schema *arrow.Schema, channel string) *ReportDecoder {
	return &ReportDecoder{schema: schema, mem: memory.DefaultAllocator, platform: Type, channel: channel}
}

// Report is a decoded report.
type Report struct {
	Batches  []arrow.RecordBatch
	Rows     int
	Rejected []connectors.Rejected
	// Header holds the "Key: value" lines of Microsoft's report header
	// ("Report Name", "Time Zone", "Rows"...), when it was sent.
	Header map[string]string
}

// Release releases the batches.
func (r *Report) Release() {
	if r == nil {
		return
	}
	for _, b := range r.Batches {
		b.Release()
	}
	r.Batches = nil
}

// Decode parses a report CSV as Microsoft writes it: an optional UTF-8 BOM,
// an optional header block of one-field lines ("Report Name: …", "Rows: 2"),
// the column row, data rows, and an optional footer ("©2026 Microsoft
// Corporation. All rights reserved."). Columns are found by name, so their
// order does not matter. Money is parsed exactly from its text. A row that
// does not convert is left out and reported in Rejected. A body without a
// column row is malformed (httpkit.ErrMalformed), unless it is empty.
func (d *ReportDecoder) Decode(body []byte) (res *Report, err error) {
	res = &Report{}
	body = bytes.TrimPrefix(body, bom)
	if len(bytes.TrimSpace(body)) == 0 {
		return res, nil
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	r.LazyQuotes = true
	idx := map[string]int{}
	var header []string
	line := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%w: report CSV line %d: %v", httpkit.ErrMalformed, line, err)
		}
		if len(rec) == 1 {
			k, v, ok := strings.Cut(rec[0], ":")
			if ok && !strings.HasPrefix(rec[0], "©") {
				if res.Header == nil {
					res.Header = map[string]string{}
				}
				res.Header[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		for i, name := range rec {
			idx[strings.TrimSpace(name)] = i
		}
		header = append([]string(nil), rec...)
		break
	}
	if header == nil {
		if res.Header != nil {
			return res, nil // a header block and no rows
		}
		return nil, fmt.Errorf("%w: report CSV has no column row", httpkit.ErrMalformed)
	}
	col := make([]int, len(Columns))
	for i, name := range Columns {
		j, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("%w: report CSV lacks the column %s (columns: %s)", httpkit.ErrMalformed, name, strings.Join(header, ", "))
		}
		col[i] = j
	}
	b := newBuilder(d, res)
	defer b.release()
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			res.Release()
			return nil, fmt.Errorf("%w: report CSV line %d: %v", httpkit.ErrMalformed, line, err)
		}
		if len(rec) != len(header) {
			if len(rec) == 1 {
				continue // the footer, or a blank quoted line
			}
			res.Rejected = append(res.Rejected, connectors.Rejected{Line: int64(line),
				Reason: fmt.Sprintf("%d fields, the column row has %d", len(rec), len(header)), Raw: truncate(strings.Join(rec, ","), 500)})
			continue
		}
		if field, reason := b.add(rec, col); reason != "" {
			res.Rejected = append(res.Rejected, connectors.Rejected{Line: int64(line), Field: field,
				Reason: reason, Raw: truncate(strings.Join(rec, ","), 500)})
		}
	}
	b.flush()
	return res, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// builder appends rows to the ad_performance columns.
type builder struct {
	d   *ReportDecoder
	res *Report
	rb  *array.RecordBuilder
	n   int
	// columns in canonical order
	date                                    *array.Date32Builder
	platform, accountID, accountTZ          *array.StringBuilder
	campaignID, campaignName, adGroup, adID *array.StringBuilder
	channel, currency                       *array.StringBuilder
	spend, value                            *array.Decimal128Builder
	impressions, clicks                     *array.Int64Builder
	conversions                             *array.Float64Builder
	lastDateText                            string
	lastDate                                arrow.Date32
}

func newBuilder(d *ReportDecoder, res *Report) *builder {
	b := &builder{d: d, res: res}
	b.reset()
	return b
}

func (b *builder) reset() {
	b.rb = array.NewRecordBuilder(b.d.mem, b.d.schema)
	get := func(name string) array.Builder {
		i := b.d.schema.FieldIndices(name)
		return b.rb.Field(i[0])
	}
	b.date = get("date").(*array.Date32Builder)
	b.platform = get("platform").(*array.StringBuilder)
	b.accountID = get("account_id").(*array.StringBuilder)
	b.accountTZ = get("account_timezone").(*array.StringBuilder)
	b.campaignID = get("campaign_id").(*array.StringBuilder)
	b.campaignName = get("campaign_name").(*array.StringBuilder)
	b.adGroup = get("ad_group_id").(*array.StringBuilder)
	b.adID = get("ad_id").(*array.StringBuilder)
	b.channel = get("channel").(*array.StringBuilder)
	b.currency = get("currency").(*array.StringBuilder)
	b.spend = get("spend").(*array.Decimal128Builder)
	b.impressions = get("impressions").(*array.Int64Builder)
	b.clicks = get("clicks").(*array.Int64Builder)
	b.conversions = get("conversions").(*array.Float64Builder)
	b.value = get("conversion_value").(*array.Decimal128Builder)
	b.n = 0
}

func (b *builder) release() {
	if b.rb != nil {
		b.rb.Release()
		b.rb = nil
	}
}

func (b *builder) flush() {
	if b.n == 0 {
		return
	}
	rec := b.rb.NewRecordBatch()
	b.res.Batches = append(b.res.Batches, rec)
	b.res.Rows += b.n
	b.n = 0
}

// add converts one data row (values indexed by col, in Columns order) and
// appends it; it returns the column and reason of a value that does not
// convert, appending nothing.
func (b *builder) add(rec []string, col []int) (string, string) {
	v := func(i int) string { return strings.TrimSpace(rec[col[i]]) }
	dateText := v(0)
	if dateText != b.lastDateText || b.lastDateText == "" {
		d, err := parseDay(dateText)
		if err != nil {
			return "TimePeriod", err.Error()
		}
		b.lastDateText, b.lastDate = dateText, d
	}
	acct, camp, name, cur := v(1), v(2), rec[col[3]], v(4)
	if acct == "" || camp == "" {
		return "CampaignId", "empty AccountId or CampaignId"
	}
	if cur == "" {
		return "CurrencyCode", "empty CurrencyCode"
	}
	spend, err := ParseMoney(v(5))
	if err != nil {
		return "Spend", err.Error()
	}
	impr, err := parseCount(v(6))
	if err != nil {
		return "Impressions", err.Error()
	}
	clicks, err := parseCount(v(7))
	if err != nil {
		return "Clicks", err.Error()
	}
	conv, err := parseFloat(v(8))
	if err != nil {
		return "Conversions", err.Error()
	}
	rev, err := ParseMoney(v(9))
	if err != nil {
		return "Revenue", err.Error()
	}
	b.date.Append(b.lastDate)
	b.platform.Append(b.d.platform)
	b.accountID.Append(acct)
	b.accountTZ.Append(b.d.TimeZone)
	b.campaignID.Append(camp)
	b.campaignName.Append(name)
	b.adGroup.AppendNull()
	b.adID.AppendNull()
	b.channel.Append(b.d.channel)
	b.currency.Append(cur)
	b.spend.Append(spend)
	b.impressions.Append(impr)
	b.clicks.Append(clicks)
	b.conversions.Append(conv)
	b.value.Append(rev)
	b.n++
	if b.n >= batchRows {
		b.flush()
	}
	return "", ""
}

// parseDay reads a TimePeriod of a Daily report: YYYY-MM-DD, or M/D/YYYY
// (the format is unverified; both are accepted).
func parseDay(s string) (arrow.Date32, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return arrow.Date32FromTime(t), nil
	}
	if t, err := time.Parse("1/2/2006", s); err == nil {
		return arrow.Date32FromTime(t), nil
	}
	return 0, fmt.Errorf("TimePeriod %q is not a day (YYYY-MM-DD or M/D/YYYY)", s)
}

// empty reports a value Microsoft leaves blank or writes as "--" when it
// does not apply (unverified); such counts and money read as zero.
func empty(s string) bool { return s == "" || s == "--" }

func parseCount(s string) (int64, error) {
	if empty(s) {
		return 0, nil
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return n, nil
}

func parseFloat(s string) (float64, error) {
	if empty(s) {
		return 0, nil
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// moneyScale is the scale of DECIMAL(38,9).
const moneyScale = 9

var errMoney = errors.New("not a decimal amount")

// ParseMoney parses a decimal amount ("183.25", "-0.5", "1,234.56") exactly
// into a decimal128 at scale 9, never through float64. More than nine
// decimals is an error; blank and "--" are zero.
func ParseMoney(s string) (decimal128.Num, error) {
	if empty(s) {
		return decimal128.Num{}, nil
	}
	// Fast path: at most 18 significant digits accumulate in an int64.
	var u int64
	digits, frac, neg, dot, ok := 0, 0, false, false, true
	for i := 0; i < len(s) && ok; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if u != 0 || c != '0' {
				digits++
			}
			u = u*10 + int64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		case c == ',' && !dot:
		case (c == '-' || c == '+') && i == 0:
			neg = c == '-'
		default:
			ok = false
		}
	}
	if ok && digits+moneyScale-frac <= 18 && frac <= moneyScale && len(s) > 0 && s != "." && s != "-" && s != "+" {
		for range moneyScale - frac {
			u *= 10
		}
		if neg {
			u = -u
		}
		return decimal128.FromI64(u), nil
	}
	return parseMoneySlow(s)
}

func parseMoneySlow(s string) (decimal128.Num, error) {
	t := strings.ReplaceAll(s, ",", "")
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" && frac == "" || len(frac) > moneyScale || !allDigits(whole) || !allDigits(frac) {
		return decimal128.Num{}, fmt.Errorf("%q: %w at scale %d", s, errMoney, moneyScale)
	}
	bi, ok := new(big.Int).SetString(whole+frac+strings.Repeat("0", moneyScale-len(frac)), 10)
	if !ok || bi.BitLen() > 126 {
		return decimal128.Num{}, fmt.Errorf("%q: %w", s, errMoney)
	}
	n := decimal128.FromBigInt(bi)
	if neg {
		n = n.Negate()
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
