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
		// Read into a buffer of the declared size (checked by the zip
		// reader at EOF), not one doubled on the way; a size beyond 64 MiB
		// is not trusted up front.
		buf := bytes.NewBuffer(make([]byte, 0, min(csvFiles[0].UncompressedSize64, 64<<20)+bytes.MinRead))
		_, err = buf.ReadFrom(io.LimitReader(rc, 4<<30))
		out := buf.Bytes()
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
	r := recordReader{body: body}
	idx := map[string]int{}
	var header []string
	line := 0
	for {
		rec, err := r.read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%w: report CSV line %d: %v", httpkit.ErrMalformed, line, err)
		}
		if len(rec) == 1 {
			f := string(rec[0])
			k, v, ok := strings.Cut(f, ":")
			if ok && !strings.HasPrefix(f, "©") {
				if res.Header == nil {
					res.Header = map[string]string{}
				}
				res.Header[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		header = make([]string, len(rec))
		for i, name := range rec {
			header[i] = string(name)
			idx[strings.TrimSpace(header[i])] = i
		}
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
	// Rows are at most the lines left: size the builders once.
	b.reserve(min(bytes.Count(body[r.pos:], []byte{'\n'})+1, batchRows))
	for {
		rec, err := r.read()
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
				Reason: fmt.Sprintf("%d fields, the column row has %d", len(rec), len(header)), Raw: truncate(joinFields(rec), 500)})
			continue
		}
		if field, reason := b.add(rec, col); reason != "" {
			res.Rejected = append(res.Rejected, connectors.Rejected{Line: int64(line), Field: field,
				Reason: reason, Raw: truncate(joinFields(rec), 500)})
		}
	}
	b.flush()
	return res, nil
}

func joinFields(rec [][]byte) string { return string(bytes.Join(rec, []byte{','})) }

// recordReader reads the records of a CSV body as encoding/csv does with
// LazyQuotes and any number of fields per record, but without a string per
// record: the fields of a plain record (one line; quoted fields with ""
// at most) are slices of the body, or of a scratch buffer for unescaped
// ones. Any other record is read by encoding/csv itself, so the results
// are the same.
type recordReader struct {
	body    []byte
	pos     int
	fields  [][]byte
	scratch []byte // unescaped quoted fields of the record
}

// read returns the next record, valid until the next call, or io.EOF.
func (r *recordReader) read() ([][]byte, error) {
	b := r.body
	for r.pos < len(b) {
		start := r.pos
		end := len(b) // end of the line's content
		next := len(b)
		if nl := bytes.IndexByte(b[start:], '\n'); nl >= 0 {
			end, next = start+nl, start+nl+1
			if end > start && b[end-1] == '\r' {
				end-- // \r\n reads as \n
			}
		} else if end > start && b[end-1] == '\r' {
			end-- // a trailing \r before EOF is dropped
		}
		if end == start {
			r.pos = next // an empty line
			continue
		}
		if rec, ok := r.plain(b[start:end]); ok {
			r.pos = next
			return rec, nil
		}
		return r.slow()
	}
	return nil, io.EOF
}

// plain splits a line whose quoted fields all end on it, with "" for a
// quote and no bare quote after a closing one; ok is false for any other
// line.
func (r *recordReader) plain(line []byte) ([][]byte, bool) {
	r.fields = r.fields[:0]
	r.scratch = r.scratch[:0]
	i := 0
	for {
		if i < len(line) && line[i] == '"' {
			// A quoted field: "" is a quote; it ends at a quote followed
			// by a comma or the end of the line.
			from := i + 1
			st, escaped := 0, false // the unescaped text is r.scratch[st:], once a "" was met
			for {
				q := bytes.IndexByte(line[from:], '"')
				if q < 0 {
					return nil, false // a quoted line break, or no closing quote
				}
				e := from + q
				if e+1 < len(line) && line[e+1] == '"' {
					if !escaped {
						escaped, st = true, len(r.scratch)
					}
					r.scratch = append(r.scratch, line[from:e+1]...)
					from = e + 2
					continue
				}
				if e+1 != len(line) && line[e+1] != ',' {
					return nil, false // a bare quote after the field
				}
				if escaped {
					// Earlier fields keep the old array if this append
					// moves the buffer.
					r.scratch = append(r.scratch, line[from:e]...)
					r.fields = append(r.fields, r.scratch[st:])
				} else {
					r.fields = append(r.fields, line[i+1:e])
				}
				i = e + 2
				break
			}
			if i > len(line) {
				return r.fields, true
			}
			continue
		}
		// An unquoted field; a quote in it is kept as is (LazyQuotes).
		c := bytes.IndexByte(line[i:], ',')
		if c < 0 {
			r.fields = append(r.fields, line[i:])
			return r.fields, true
		}
		r.fields = append(r.fields, line[i:i+c])
		i += c + 1
	}
}

// slow reads one record at r.pos with encoding/csv.
func (r *recordReader) slow() ([][]byte, error) {
	cr := csv.NewReader(bytes.NewReader(r.body[r.pos:]))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rec, err := cr.Read()
	r.pos += int(cr.InputOffset())
	if err != nil {
		return nil, err
	}
	r.fields = r.fields[:0]
	for _, f := range rec {
		r.fields = append(r.fields, []byte(f))
	}
	return r.fields, nil
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

// reserve sizes the builders for n more rows.
func (b *builder) reserve(n int) {
	for i := range b.rb.Fields() {
		b.rb.Field(i).Reserve(n)
	}
	b.platform.ReserveData(n * len(b.d.platform))
	b.accountTZ.ReserveData(n * len(b.d.TimeZone))
	b.channel.ReserveData(n * len(b.d.channel))
}

// add converts one data row (values indexed by col, in Columns order) and
// appends it; it returns the column and reason of a value that does not
// convert, appending nothing.
func (b *builder) add(rec [][]byte, col []int) (string, string) {
	v := func(i int) []byte { return trimSpace(rec[col[i]]) }
	dateText := v(0)
	if string(dateText) != b.lastDateText || b.lastDateText == "" {
		d, err := parseDay(string(dateText))
		if err != nil {
			return "TimePeriod", err.Error()
		}
		b.lastDateText, b.lastDate = string(dateText), d
	}
	acct, camp, name, cur := v(1), v(2), rec[col[3]], v(4)
	if len(acct) == 0 || len(camp) == 0 {
		return "CampaignId", "empty AccountId or CampaignId"
	}
	if len(cur) == 0 {
		return "CurrencyCode", "empty CurrencyCode"
	}
	spend, err := parseMoney(v(5))
	if err != nil {
		return "Spend", err.Error()
	}
	impr, err := parseCountBytes(v(6))
	if err != nil {
		return "Impressions", err.Error()
	}
	clicks, err := parseCountBytes(v(7))
	if err != nil {
		return "Clicks", err.Error()
	}
	conv, err := parseFloatBytes(v(8))
	if err != nil {
		return "Conversions", err.Error()
	}
	rev, err := parseMoney(v(9))
	if err != nil {
		return "Revenue", err.Error()
	}
	b.date.Append(b.lastDate)
	b.platform.Append(b.d.platform)
	b.accountID.BinaryBuilder.Append(acct)
	b.accountTZ.Append(b.d.TimeZone)
	b.campaignID.BinaryBuilder.Append(camp)
	b.campaignName.BinaryBuilder.Append(name)
	b.adGroup.AppendNull()
	b.adID.AppendNull()
	b.channel.Append(b.d.channel)
	b.currency.BinaryBuilder.Append(cur)
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

// trimSpace is bytes.TrimSpace with a fast exit for ASCII text that needs
// no trimming.
func trimSpace(s []byte) []byte {
	if len(s) == 0 || s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80 {
		return s
	}
	return bytes.TrimSpace(s)
}

// parseCountBytes is parseCount without a string for plain digits.
func parseCountBytes(s []byte) (int64, error) {
	if len(s) > 0 && len(s) <= 18 {
		var n int64
		ok := true
		for _, c := range s {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if ok {
			return n, nil
		}
	}
	return parseCount(string(s))
}

var float64pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseFloatBytes is parseFloat with an exact fast path (Clinger) for
// short plain decimals: a mantissa below 2^53 and a power of ten below
// 10^16 are exact, so one division rounds correctly, as strconv does.
func parseFloatBytes(s []byte) (float64, error) {
	if len(s) > 0 && len(s) <= 15 {
		var m uint64
		frac, dot, ok := 0, false, true
		for _, c := range s {
			switch {
			case c >= '0' && c <= '9':
				m = m*10 + uint64(c-'0')
				if dot {
					frac++
				}
			case c == '.' && !dot:
				dot = true
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && s[0] != '.' && s[len(s)-1] != '.' {
			return float64(m) / float64pow10[frac], nil
		}
	}
	return parseFloat(string(s))
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
func ParseMoney(s string) (decimal128.Num, error) { return parseMoney(s) }

func parseMoney[T string | []byte](s T) (decimal128.Num, error) {
	if len(s) == 0 || len(s) == 2 && s[0] == '-' && s[1] == '-' {
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
	if ok && digits+moneyScale-frac <= 18 && frac <= moneyScale && len(s) > 0 && !(len(s) == 1 && (s[0] == '.' || s[0] == '-' || s[0] == '+')) {
		for range moneyScale - frac {
			u *= 10
		}
		if neg {
			u = -u
		}
		return decimal128.FromI64(u), nil
	}
	return parseMoneySlow(string(s))
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
