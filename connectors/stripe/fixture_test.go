package stripe_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/stripe/stripetest"
)

// fixtureOrders is a hand-made set of awkward orders: a zero-decimal JPY
// order refunded in part, a CNY order of 1,234,567.89 refunded in full in
// two refunds, a pending USD order without customer and user, a cancelled
// three-decimal KWD order, and times with sub-second parts (Stripe carries
// whole seconds).
func fixtureOrders() *fixture.Set {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return &fixture.Set{Orders: []fixture.Order{
		{ID: "JP-1001", CustomerID: "cus_山田", UserID: "u_jp_1", Created: at("2026-10-02T03:04:05Z"),
			Amount: fixture.MicrosOf(4800), Currency: "JPY", Status: "paid",
			Refunds: []fixture.Refund{{Created: at("2026-10-04T09:00:00Z"), Amount: fixture.MicrosOf(1000)}}},
		{ID: "CN-2002", CustomerID: "cus_wang", UserID: "u_cn_2", Created: at("2026-10-03T23:59:59.999999Z"),
			Amount: 1_234_567_890_000, Currency: "CNY", Status: "paid",
			Refunds: []fixture.Refund{
				{Created: at("2026-10-05T00:00:00.5Z"), Amount: 1_000_000_000_000},
				{Created: at("2026-10-09T12:30:00Z"), Amount: 234_567_890_000},
			}},
		{ID: "US-3003", Created: at("2026-10-06T12:00:00Z"), Amount: 19_990_000, Currency: "USD", Status: "pending"},
		{ID: "KW-4004", CustomerID: "cus_sabah", UserID: "u_kw", Created: at("2026-10-07T08:15:00Z"),
			Amount: 12_345_000, Currency: "KWD", Status: "cancelled"},
		{ID: "EU-5005", CustomerID: "cus_eva", UserID: "u_eu", Created: at("2026-10-01T00:00:00Z"),
			Amount: 25_990_000, Currency: "EUR", Status: "paid",
			Refunds: []fixture.Refund{{Created: at("2026-10-12T18:00:00Z"), Amount: 10_000}}},
	}}
}

// wantOrders renders the fixture's orders as the rows the connector must
// land, in the text of landedOrders. Times are truncated to the second:
// Stripe's created is unix seconds.
func wantOrders(set *fixture.Set) []string {
	var out []string
	row := func(object, orderID, customer, user string, ts time.Time, amount fixture.Micros, cur, status string) string {
		return strings.Join([]string{object, orderID, customer, user, fmt.Sprint(ts.Truncate(time.Second).UnixMicro()),
			amount.Decimal(9), strings.ToUpper(cur), status}, "|")
	}
	for _, o := range set.Orders {
		out = append(out, row("charge", o.ID, o.CustomerID, o.UserID, o.Created, o.Amount, o.Currency, o.Status))
		for _, r := range o.Refunds {
			// A refund row carries the order's customer and user (from the
			// expanded charge).
			out = append(out, row("refund", o.ID, o.CustomerID, o.UserID, r.Created, r.Amount, o.Currency, "refunded"))
		}
	}
	slices.Sort(out)
	return out
}

// landedOrders reads every landed row: amounts as DuckDB's exact decimal
// text, times as microseconds since the epoch.
func landedOrders(t *testing.T, h *harness) []string {
	t.Helper()
	out := h.strings(t, `SELECT concat_ws('|', object, order_id, coalesce(customer_id, ''), coalesce(user_id, ''),
		CAST(epoch_us(ts) AS VARCHAR), CAST(amount AS VARCHAR), currency, status) FROM orders`)
	slices.Sort(out)
	return out
}

// subSecond counts the fixture times Stripe's whole seconds truncate.
func subSecond(set *fixture.Set) int {
	n := 0
	for _, o := range set.Orders {
		if o.Created.Nanosecond() != 0 {
			n++
		}
		for _, r := range o.Refunds {
			if r.Created.Nanosecond() != 0 {
				n++
			}
		}
	}
	return n
}

func syncFixture(t *testing.T, set *fixture.Set, page int) *harness {
	t.Helper()
	h := newHarness(t, stripetest.Options{Fixture: set}, nil)
	if page > 0 {
		h.fake.SetPageSize(page)
	}
	// Faults still work on fixture data: a 429, a 500 and a cut body are
	// retried.
	h.fake.Inject(2, stripetest.Throttle)
	h.fake.Inject(4, stripetest.ServerError)
	h.fake.Inject(6, stripetest.Malformed)
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	if q := h.em.Quarantined(); len(q) > 0 {
		t.Errorf("quarantined %v", q)
	}
	return h
}

func TestFixtureRoundTrip(t *testing.T) {
	set := fixtureOrders()
	h := syncFixture(t, set, 2)
	got, want := landedOrders(t, h), wantOrders(set)
	conntest.CompareRows(t, got, want)
	if h.fake.Pages() < 4 {
		t.Errorf("%d pages: paging by starting_after was not exercised", h.fake.Pages())
	}
	// The exact differences: the CNY order at 23:59:59.999999 lands at
	// 23:59:59 and its first refund at 00:00:00.5 at 00:00:00.
	for _, w := range []string{
		"charge|CN-2002|cus_wang|u_cn_2|" + fmt.Sprint(time.Date(2026, 10, 3, 23, 59, 59, 0, time.UTC).UnixMicro()) + "|1234567.890000000|CNY|paid",
		"refund|CN-2002|cus_wang|u_cn_2|" + fmt.Sprint(time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC).UnixMicro()) + "|1000000.000000000|CNY|refunded",
		"charge|JP-1001|cus_山田|u_jp_1|" + fmt.Sprint(time.Date(2026, 10, 2, 3, 4, 5, 0, time.UTC).UnixMicro()) + "|4800.000000000|JPY|paid",
		"charge|US-3003|||" + fmt.Sprint(time.Date(2026, 10, 6, 12, 0, 0, 0, time.UTC).UnixMicro()) + "|19.990000000|USD|pending",
		"charge|KW-4004|cus_sabah|u_kw|" + fmt.Sprint(time.Date(2026, 10, 7, 8, 15, 0, 0, time.UTC).UnixMicro()) + "|12.345000000|KWD|cancelled",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no row %s", w)
		}
	}
	if n := subSecond(set); n != 2 {
		t.Errorf("%d sub-second times, want the 2 above", n)
	}
	// The wire amounts are minor units: ¥4800 is 4800, 1,234,567.89 CNY is
	// 123456789 fen, 12.345 KWD is 12345.
	for _, c := range []struct {
		m    fixture.Micros
		cur  string
		want int64
	}{{fixture.MicrosOf(4800), "jpy", 4800}, {1_234_567_890_000, "cny", 123456789}, {12_345_000, "kwd", 12345}, {19_990_000, "usd", 1999}} {
		if n, exact := stripetest.MinorUnits(c.m, c.cur); n != c.want || !exact {
			t.Errorf("MinorUnits(%d, %s) = %d, %v, want %d exact", c.m, c.cur, n, exact, c.want)
		}
	}
	// An amount finer than the minor unit cannot be carried: it is rounded.
	if n, exact := stripetest.MinorUnits(1_500_000, "jpy"); n != 2 || exact {
		t.Errorf("¥1.5 is sent as %d (exact %v), want 2, inexact", n, exact)
	}
}

func TestFixtureRoundTripDemoCompany(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	set := conntest.DemoSet(t, start, start.AddDate(0, 0, 29), "orders")
	refunds := 0
	for _, o := range set.Orders {
		refunds += len(o.Refunds)
		if _, exact := stripetest.MinorUnits(o.Amount, strings.ToLower(o.Currency)); !exact {
			t.Errorf("order %s: %s %s is not whole minor units", o.ID, o.Amount.Decimal(6), o.Currency)
		}
	}
	if len(set.Orders) < 100 || refunds == 0 {
		t.Fatalf("%d orders, %d refunds: not a useful slice", len(set.Orders), refunds)
	}
	h := syncFixture(t, set, 0)
	got, want := landedOrders(t, h), wantOrders(set)
	conntest.CompareRows(t, got, want)
	t.Logf("%d orders and %d refunds round-tripped; %d times had sub-second parts, truncated to the second", len(set.Orders), refunds, subSecond(set))
}
