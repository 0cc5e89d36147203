package conntest

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Querier runs a query: an *Emitter (inside its load transaction) or a
// *sql.DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// QueryContext is Query, so that an Emitter is a Querier.
func (e *Emitter) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return e.Query(ctx, query, args...)
}

// Strings runs query, which selects one text column, and returns its
// values in the order of the result.
func Strings(t testing.TB, q Querier, query string) []string {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Count runs query, which selects one integer (a count), and returns it;
// 0 when the result has no row.
func Count(t testing.TB, q Querier, query string) int {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// CompareRows checks that the landed rows got are the rows want, each row
// rendered as one text (compared exactly, order ignored).
func CompareRows(t testing.TB, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d rows landed, want %d", len(got), len(want))
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing row %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("unexpected row %s", g)
		}
	}
}

var demoSets sync.Map // demoKey → *demoResult

type demoKey struct {
	start, last time.Time
	streams     string
}

type demoResult struct {
	once sync.Once
	set  *fixture.Set
	err  error
}

// DemoSet returns the demo company's rows of streams, the company starting
// on start, collected through last: the fixture the round-trip tests serve
// from the fakes. Each set is collected once per test binary; treat it as
// read-only.
func DemoSet(t testing.TB, start, last time.Time, streams ...string) *fixture.Set {
	t.Helper()
	v, _ := demoSets.LoadOrStore(demoKey{start, last, strings.Join(streams, ",")}, &demoResult{})
	r := v.(*demoResult)
	r.once.Do(func() {
		src, err := demo.New(connectors.Config{Name: "demo", StartDate: start})
		if err != nil {
			r.err = err
			return
		}
		r.set, r.err = fixture.Collect(context.WithoutCancel(t.Context()), src, last, streams...)
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.set
}

// LandedAd is an ad_performance row: a fixture row with the currency and
// time zone of its account, which every landed row carries.
type LandedAd struct {
	fixture.AdRow
	Currency, TimeZone string
}

// Key identifies the row: date, account, campaign, ad group and ad.
func (r LandedAd) Key() string {
	return strings.Join([]string{r.Date.Format(time.DateOnly), r.AccountID, r.CampaignID, r.AdGroupID, r.AdID}, "|")
}

// WantAds returns the rows as they must land: each with its account's
// currency and zone (accts holds the accounts of the rows' platform).
func WantAds(accts []fixture.Account, rows []fixture.AdRow) []LandedAd {
	by := map[string]fixture.Account{}
	for _, a := range accts {
		by[a.ID] = a
	}
	out := make([]LandedAd, len(rows))
	for i, r := range rows {
		a := by[r.AccountID]
		out[i] = LandedAd{AdRow: r, Currency: a.Currency, TimeZone: a.TimeZone}
	}
	return out
}

// LandedAds reads every row of table, an ad_performance table. Money is
// read from DuckDB's exact DECIMAL(38,9) text: more than six nonzero
// decimals, another scale or a NULL fails the test, as does an empty ad
// group or ad id (above their grain they must be NULL, read as "").
func LandedAds(t testing.TB, q Querier, table string) []LandedAd {
	t.Helper()
	rows, err := q.QueryContext(t.Context(), `SELECT strftime(date, '%Y-%m-%d'), platform, account_id, campaign_id, campaign_name,
		ad_group_id, ad_id, channel, currency, account_timezone, impressions, clicks, conversions,
		spend::VARCHAR, conversion_value::VARCHAR FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []LandedAd
	for rows.Next() {
		var r LandedAd
		var date, spend, value string
		var group, ad sql.NullString
		var conv sql.NullFloat64
		if err := rows.Scan(&date, &r.Platform, &r.AccountID, &r.CampaignID, &r.CampaignName, &group, &ad,
			&r.Channel, &r.Currency, &r.TimeZone, &r.Impressions, &r.Clicks, &conv, &spend, &value); err != nil {
			t.Fatal(err)
		}
		if r.Date, err = time.Parse(time.DateOnly, date); err != nil {
			t.Fatal(err)
		}
		r.AdGroupID, r.AdID = group.String, ad.String
		k := r.Key()
		if group.Valid && group.String == "" || ad.Valid && ad.String == "" {
			t.Errorf("%s: empty ad_group_id or ad_id, want NULL", k)
		}
		if !conv.Valid {
			t.Errorf("%s: conversions NULL", k)
		}
		r.Conversions = conv.Float64
		r.Spend, r.ConversionValue = micros(t, k, spend), micros(t, k, value)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// micros parses DuckDB's text of a DECIMAL(38,9) exactly: nine decimals,
// the last three zeros.
func micros(t testing.TB, row, s string) fixture.Micros {
	t.Helper()
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if len(frac) != 9 || strings.Trim(frac[6:], "0") != "" {
		t.Errorf("%s: %s is not a DECIMAL(38,9) of whole micros", row, s)
		frac = (frac + "000000")[:6]
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac[:6], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: not a decimal: %q", row, s)
	}
	m := fixture.Micros(w*1_000_000 + f)
	if strings.HasPrefix(s, "-") {
		m = -m
	}
	return m
}

// AdOptions are the documented differences between the fixture rows and
// the landed ones that CompareAds allows for.
type AdOptions struct {
	// AccountID maps a fixture account id to the one the connector stores
	// (Google's digits without dashes, Meta's id without act_).
	AccountID func(string) string
	// RoundMoney rounds the fixture's spend and conversion value half away
	// from zero to a multiple of it: 10_000 for a platform that sends cents.
	RoundMoney fixture.Micros
	// SumsOnly compares the sums per account only: the rows landed at a
	// coarser grain than the fixture's.
	SumsOnly bool
}

// CompareAds checks the landed ad rows got against want, the fixture's
// rows as they must land (see WantAds). Row by row, keyed by date,
// account, campaign, ad group and ad: text columns and counts exactly,
// conversions as the same float64 (through its shortest text), money as
// exact micros. Then the sums per account, all as integers: money in
// micros, conversions in millionths.
func CompareAds(t testing.TB, got, want []LandedAd, o AdOptions) {
	t.Helper()
	want = slices.Clone(want)
	for i := range want {
		w := &want[i]
		if o.AccountID != nil {
			w.AccountID = o.AccountID(w.AccountID)
		}
		if o.RoundMoney > 0 {
			w.Spend, w.ConversionValue = round(w.Spend, o.RoundMoney), round(w.ConversionValue, o.RoundMoney)
		}
	}
	if !o.SumsOnly {
		compareAdRows(t, got, want)
	}
	if g, w := adSums(got), adSums(want); !maps.Equal(g, w) {
		t.Errorf("sums per account\n got %+v\nwant %+v", g, w)
	}
}

func compareAdRows(t testing.TB, got, want []LandedAd) {
	t.Helper()
	wantBy := map[string]LandedAd{}
	for _, w := range want {
		if _, dup := wantBy[w.Key()]; dup {
			t.Fatalf("fixture has two rows of %s", w.Key())
		}
		wantBy[w.Key()] = w
	}
	if len(got) != len(want) {
		t.Errorf("%d rows landed, fixture has %d", len(got), len(want))
	}
	seen := map[string]bool{}
	bad := 0
	for _, g := range got {
		k := g.Key()
		if seen[k] {
			t.Errorf("row %s landed twice", k)
		}
		seen[k] = true
		w, ok := wantBy[k]
		if !ok {
			t.Errorf("landed row %s is not in the fixture", k)
			continue
		}
		gc, wc := adColumns(g), adColumns(w)
		for i, c := range gc {
			if c[1] != wc[i][1] {
				bad++
				if bad <= 10 {
					t.Errorf("row %s: %s = %q, fixture %q", k, c[0], c[1], wc[i][1])
				}
			}
		}
	}
	for _, w := range want {
		if !seen[w.Key()] {
			t.Errorf("fixture row %s did not land", w.Key())
		}
	}
	if bad > 10 {
		t.Errorf("… %d differences in all", bad)
	}
}

// adColumns renders the compared columns (the key's aside) as text.
func adColumns(r LandedAd) [][2]string {
	return [][2]string{
		{"platform", r.Platform}, {"campaign_name", r.CampaignName}, {"channel", r.Channel},
		{"currency", r.Currency}, {"account_timezone", r.TimeZone},
		{"impressions", strconv.FormatInt(r.Impressions, 10)}, {"clicks", strconv.FormatInt(r.Clicks, 10)},
		// Equal shortest texts are equal doubles, bit for bit.
		{"conversions", strconv.FormatFloat(r.Conversions, 'g', -1, 64)},
		{"spend", r.Spend.Decimal(9)}, {"conversion_value", r.ConversionValue.Decimal(9)},
	}
}

type adSum struct {
	Impressions, Clicks       int64
	Spend, Value, Conversions int64 // micros; conversions in millionths
}

func adSums(rows []LandedAd) map[string]adSum {
	out := map[string]adSum{}
	for _, r := range rows {
		s := out[r.AccountID]
		s.Impressions += r.Impressions
		s.Clicks += r.Clicks
		s.Spend += int64(r.Spend)
		s.Value += int64(r.ConversionValue)
		s.Conversions += int64(fixture.MicrosOf(r.Conversions))
		out[r.AccountID] = s
	}
	return out
}

// round rounds m half away from zero to a multiple of unit.
func round(m, unit fixture.Micros) fixture.Micros {
	half := unit / 2
	if m < 0 {
		return -((-m + half) / unit * unit)
	}
	return (m + half) / unit * unit
}

// SumAds sums the rows into a coarser grain, "campaign" or "ad_group": the
// finer ids are dropped and the metrics of rows that then share a key
// added up (conversions in the rows' order), in the order the keys first
// appear.
func SumAds(rows []fixture.AdRow, grain string) []fixture.AdRow {
	var out []fixture.AdRow
	at := map[string]int{}
	for _, r := range rows {
		r.AdID = ""
		if grain == "campaign" {
			r.AdGroupID = ""
		}
		k := strings.Join([]string{r.Date.Format(time.DateOnly), r.Platform, r.AccountID, r.CampaignID, r.AdGroupID}, "|")
		if i, ok := at[k]; ok {
			g := &out[i]
			g.Impressions, g.Clicks, g.Spend, g.ConversionValue, g.Conversions = g.Impressions+r.Impressions, g.Clicks+r.Clicks,
				g.Spend+r.Spend, g.ConversionValue+r.ConversionValue, g.Conversions+r.Conversions
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// String renders the row for messages.
func (r LandedAd) String() string {
	return fmt.Sprintf("%s %s %s/%s imp %d clk %d conv %v spend %s value %s", r.Key(), r.Platform, r.Currency, r.TimeZone,
		r.Impressions, r.Clicks, r.Conversions, r.Spend.Decimal(6), r.ConversionValue.Decimal(6))
}

// Day parses a date ("2026-09-01") as UTC midnight, the form of
// fixture.AdRow.Date; it panics on anything else.
func Day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
