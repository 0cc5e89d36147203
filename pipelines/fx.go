package pipelines

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/warehouse"
)

// Exchange rates convert every amount to the reporting currency in staging
// (see sql/intermediate/int_fx_rates__daily.sql). They come from a file, or
// from an HTTP API speaking Frankfurter's time-series format (the open
// source ECB reference rates service at api.frankfurter.dev, which can also
// be self-hosted):
//
//	GET {url}/2026-01-01..2026-11-24?base=USD&symbols=CNY
//	{"amount":1.0,"base":"USD","start_date":"2026-01-02","end_date":"2026-11-24",
//	 "rates":{"2026-01-02":{"CNY":7.1875},"2026-01-05":{"CNY":7.1932},...}}
//
// One request per currency asks for the whole range, so a rate the source
// corrects is picked up; banks publish no rates at weekends and holidays,
// and staging carries the last rate forward for up to 7 days. Rates are
// kept as the decimals the API sends, never through float64.

// validate checks the fx block.
func (f *FXConfig) validate(file, reporting string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(file+": fx: "+format, a...)) }
	if f.Path != "" && f.URL != "" {
		bad("set path or url, not both")
	}
	if f.URL == "" {
		if len(f.Currencies) > 0 || f.StartDate != "" {
			bad("currencies and start_date go with url")
		}
		return errs
	}
	if u, err := url.Parse(f.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("url %q is not an http(s) URL", f.URL)
	}
	if len(f.Currencies) == 0 {
		bad("url needs currencies: the currencies your sources report in, e.g. [USD, EUR]")
	}
	for i, c := range f.Currencies {
		f.Currencies[i] = strings.ToUpper(c)
		switch {
		case !currencyCode.MatchString(f.Currencies[i]):
			bad("currency %q must be an ISO 4217 code", c)
		case f.Currencies[i] == reporting:
			bad("currency %s is the reporting currency (it converts at 1)", c)
		}
	}
	if f.StartDate != "" {
		if _, err := time.Parse(time.DateOnly, f.StartDate); err != nil {
			bad("start_date %q must be YYYY-MM-DD", f.StartDate)
		}
	}
	return errs
}

// loadFX replaces raw.fx_rates with the configured rates, and notes the
// first day whose rates changed so that money from then on is converted
// anew. When the rates API fails, the stored rates stay and the run goes on
// (staging carries rates forward a week; older gaps show in meta.fx_missing).
func (j *Job) loadFX(ctx context.Context, runID int64, day time.Time) error {
	var path, from string
	switch {
	case j.Config.FX.URL != "":
		tmp, err := os.MkdirTemp("", "pacer-fx-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		path = filepath.Join(tmp, "fx_rates.csv")
		n, err := j.fetchFX(ctx, day, path)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			j.Logger.WarnContext(ctx, "fx rates not fetched; the stored rates stay", "url", j.Config.FX.URL, "error", err)
			return nil
		}
		from = fmt.Sprintf("%s (%d rates)", j.Config.FX.URL, n)
	case j.Config.FX.Path != "":
		path = j.Config.Abs(j.Config.FX.Path)
		from = path
	default:
		return nil
	}
	load, err := j.DB.NewLoad(ctx, warehouse.LoadSpec{Schema: "raw", Table: "fx_rates", RunID: runID, SyncedAt: time.Now()})
	if err != nil {
		return err
	}
	defer load.Close(ctx)
	if _, err := load.Exec(ctx, `CREATE OR REPLACE TEMP TABLE fx_new AS SELECT "date", upper(currency) AS currency, rate FROM read_csv(?, header = true,
		columns = {'date': 'DATE', 'currency': 'VARCHAR', 'rate': 'DECIMAL(38,12)'})`, path); err != nil {
		return fmt.Errorf("%w: fx rates %s (expected a header date,currency,rate with dates as YYYY-MM-DD): %v", ErrInvalid, path, err)
	}
	if _, err := load.Exec(ctx, `INSERT INTO meta.dirty_days (source, stream, relation, dirty_from, reason, run_id, noted_at)
		SELECT 'fx', 'fx_rates', 'raw.fx_rates', min("date"), 'rates changed', ?, now()
		FROM ((SELECT "date", currency, rate FROM raw.fx_rates EXCEPT ALL SELECT * FROM fx_new)
		      UNION ALL (SELECT * FROM fx_new EXCEPT ALL SELECT "date", currency, rate FROM raw.fx_rates))
		HAVING min("date") IS NOT NULL`, runID); err != nil {
		return fmt.Errorf("compare fx rates: %w", err)
	}
	if _, err := load.Exec(ctx, "DELETE FROM raw.fx_rates"); err != nil {
		return err
	}
	n, err := load.AppendSelect(ctx, `SELECT * FROM fx_new`)
	if err != nil {
		return err
	}
	if _, err := load.Exec(ctx, "DROP TABLE fx_new"); err != nil {
		return err
	}
	if err := load.Commit(ctx); err != nil {
		return err
	}
	j.Logger.InfoContext(ctx, "fx rates loaded", "rows", n, "from", from)
	return nil
}

// fxStart is the first day of rates to fetch.
func (j *Job) fxStart(day time.Time) time.Time {
	if t, err := time.Parse(time.DateOnly, j.Config.FX.StartDate); err == nil {
		return t
	}
	var first time.Time
	for _, s := range j.Config.SourceList {
		if !s.Start.IsZero() && (first.IsZero() || s.Start.Before(first)) {
			first = s.Start
		}
	}
	if first.IsZero() {
		first = day.AddDate(-1, -1, 0)
	}
	// A week more, so that the first days can carry a rate forward.
	return first.AddDate(0, 0, -7)
}

// fetchFX writes the rates of every configured currency, from fxStart to
// day, as date,currency,rate to path, and returns how many it wrote.
func (j *Job) fetchFX(ctx context.Context, day time.Time, path string) (int, error) {
	base := strings.TrimRight(j.Config.FX.URL, "/") + "/"
	client, err := httpkit.New(httpkit.Config{Platform: "fx", BaseURL: base, DefaultBaseURL: base,
		Classify: classifyFX, Logger: j.Logger, MaxTries: 4})
	if err != nil {
		return 0, err
	}
	from, to := j.fxStart(day).Format(time.DateOnly), day.Format(time.DateOnly)
	var b bytes.Buffer
	b.WriteString("date,currency,rate\n")
	n := 0
	for _, cur := range j.Config.FX.Currencies {
		resp, err := client.Do(ctx, &httpkit.Request{URL: from + ".." + to, Op: "fx rates " + cur,
			Query: url.Values{"base": {cur}, "symbols": {j.Config.Currency}}})
		if err != nil {
			return 0, err
		}
		rates, err := decodeFrankfurter(resp.Body, cur, j.Config.Currency)
		if err != nil {
			return 0, fmt.Errorf("fx rates %s from %s: %w", cur, resp.URL, err)
		}
		for _, r := range rates {
			fmt.Fprintf(&b, "%s,%s,%s\n", r.date, cur, r.rate)
		}
		n += len(rates)
	}
	return n, os.WriteFile(path, b.Bytes(), 0o600)
}

type fxRate struct{ date, rate string }

// decodeFrankfurter reads a time-series answer: rates of one unit of base
// in quote, per day, sorted by day.
func decodeFrankfurter(body []byte, base, quote string) ([]fxRate, error) {
	var doc struct {
		Base  string                                `json:"base"`
		Rates map[string]map[string]json.RawMessage `json:"rates"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a rates time series: %w", err)
	}
	if !strings.EqualFold(doc.Base, base) {
		return nil, fmt.Errorf("base is %q, asked for %s", doc.Base, base)
	}
	out := make([]fxRate, 0, len(doc.Rates))
	for d, quotes := range doc.Rates {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, fmt.Errorf("day %q is not YYYY-MM-DD", d)
		}
		raw, ok := quotes[quote]
		if !ok {
			continue // no rate that day
		}
		var num json.Number
		if err := json.Unmarshal(raw, &num); err != nil {
			return nil, fmt.Errorf("%s: rate %s is not a number", d, raw)
		}
		out = append(out, fxRate{d, num.String()})
	}
	if len(out) == 0 && len(doc.Rates) > 0 {
		return nil, fmt.Errorf("no %s rates in the answer", quote)
	}
	slices.SortFunc(out, func(a, b fxRate) int { return strings.Compare(a.date, b.date) })
	return out, nil
}

// classifyFX reads Frankfurter's errors: {"message": "not found"} with a
// 4xx is permanent (an unknown currency), 429 and 5xx are retried.
func classifyFX(r *httpkit.Response) httpkit.Verdict {
	v := httpkit.Verdict{Action: httpkit.DefaultAction(r.Status)}
	if r.Status >= 400 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(r.Body, &e) == nil && e.Message != "" {
			v.Message = e.Message
		}
	}
	return v
}
