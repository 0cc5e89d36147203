package salesforce_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/salesforce"
	"github.com/pacerhq/pacer/connectors/salesforce/salesforcetest"
)

type world struct {
	t     *testing.T
	fake  *salesforcetest.Server
	clock *httpkit.FakeClock
	db    *sql.DB
	em    *conntest.Emitter
}

func newWorld(t *testing.T, o salesforcetest.Options) *world {
	t.Helper()
	w := &world{t: t, clock: httpkit.NewFakeClock(time.Date(2026, 10, 22, 12, 0, 0, 0, time.UTC))}
	if o.Now == nil {
		o.Now = w.clock.Now
	}
	w.fake = salesforcetest.New(o)
	t.Cleanup(w.fake.Close)
	w.db = conntest.OpenDB(t)
	w.em = conntest.NewEmitter(t, w.db, "raw_opps", conntest.WithDateColumn("created_at"))
	return w
}

func (w *world) newSource(extra string) (*salesforce.Source, error) {
	y, vars := w.fake.Config()
	y = os.Expand(y+extra, func(k string) string { return vars[k] })
	return salesforce.New(connectors.Config{
		Name: "crm", StartDate: w.fake.Days().From,
		Decode: conntest.Decode(y),
	}, httpkit.WithClock(w.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
}

func (w *world) syncWith(extra string, backfill *connectors.DateRange) error {
	w.t.Helper()
	src, err := w.newSource(extra)
	if err != nil {
		w.t.Fatal(err)
	}
	err = src.Read(w.t.Context(), connectors.ReadRequest{Stream: salesforce.StreamName, Cursor: w.em.Cursor(), Backfill: backfill}, w.em)
	if err != nil {
		if rerr := w.em.Rollback(context.WithoutCancel(w.t.Context())); rerr != nil {
			w.t.Fatal(rerr)
		}
	}
	return err
}

func (w *world) sync(backfill *connectors.DateRange) error {
	w.t.Helper()
	return w.syncWith("", backfill)
}

func (w *world) rows() map[string]map[string]string {
	w.t.Helper()
	rs, err := w.db.QueryContext(w.t.Context(), "SELECT deal_id, CAST(amount AS VARCHAR), stage, owner FROM raw_opps")
	if err != nil {
		w.t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]map[string]string{}
	for rs.Next() {
		var id string
		var amount, stage, owner sql.NullString
		if err := rs.Scan(&id, &amount, &stage, &owner); err != nil {
			w.t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			w.t.Errorf("%s stored twice", id)
		}
		out[id] = map[string]string{"amount": amount.String, "stage": stage.String, "owner": owner.String}
	}
	return out
}

func (w *world) checkAll() {
	w.t.Helper()
	got := w.rows()
	want := w.fake.Expected(w.fake.Days())
	if len(got) != len(want) {
		w.t.Errorf("%d rows, want %d", len(got), len(want))
	}
	for _, m := range want {
		if g, ok := got[m["deal_id"]]; !ok || g["stage"] != m["stage"] {
			w.t.Errorf("%s: stored %v, want stage %s", m["deal_id"], g, m["stage"])
		}
	}
}

// TestNextRecordsURLRebased: an absolute nextRecordsUrl on the instance
// host is rebased onto base_url (the loopback guard would refuse it).
func TestNextRecordsURLRebased(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{AbsoluteNext: true})
	w.fake.SetPageSize(3)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	locators := 0
	for _, p := range w.fake.Paths() {
		if !strings.HasPrefix(p, "/salesforce/services/data/v68.0/") {
			t.Errorf("request to %s, outside base_url", p)
		}
		if strings.Contains(p, "/query/01g") {
			locators++
		}
	}
	if locators == 0 {
		t.Error("no nextRecordsUrl followed")
	}
}

// TestUpsertAndDelete: a modified Opportunity replaces its row; a deleted
// one (IsDeleted through queryAll) loses it; deleted ones never load.
func TestUpsertAndDelete(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	day := w.fake.Days().From.AddDate(0, 0, 4)
	ids := w.fake.IDs(day)
	if _, ok := w.rows()[ids[0]]; !ok {
		t.Fatalf("%s not loaded", ids[0])
	}
	w.clock.Advance(time.Hour)
	w.fake.Update(ids[0], w.clock.Now(), func(o *salesforcetest.Opp) { o.Deleted = true })
	w.fake.Update(ids[1], w.clock.Now().Add(time.Second), func(o *salesforcetest.Opp) { o.Amount, o.Stage = "12500.0", "Closed Won" })
	w.clock.Advance(time.Hour)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	got := w.rows()
	if _, ok := got[ids[0]]; ok {
		t.Errorf("deleted %s still stored", ids[0])
	}
	if r := got[ids[1]]; r["amount"] != "12500.000000000" || r["stage"] != "won" {
		t.Errorf("updated %s: %v", ids[1], r)
	}
	q := w.fake.Queries()
	if last := q[len(q)-1]; !strings.Contains(last, "CreatedDate >= 2026-10-05T00:00:00Z AND CreatedDate < 2026-10-06T00:00:00Z") {
		t.Errorf("reload query %s; want day 2026-10-05 only", last)
	}
	if scan := q[len(q)-2]; !strings.Contains(scan, "WHERE SystemModstamp >= ") || !strings.Contains(scan, "ORDER BY SystemModstamp, Id") {
		t.Errorf("scan query %s", scan)
	}
}

// TestRequestLimitStops: REQUEST_LIMIT_EXCEEDED (403) stops until tomorrow.
func TestRequestLimitStops(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{})
	w.fake.Inject(1, salesforcetest.RequestLimit)
	err := w.sync(nil)
	if !errors.Is(err, httpkit.ErrRateLimited) || errors.Is(err, httpkit.ErrPermanent) {
		t.Fatalf("REQUEST_LIMIT_EXCEEDED: %v; want ErrRateLimited, not permanent", err)
	}
	if n := w.fake.Requests(); n != 1 || w.clock.Slept() != 0 {
		t.Errorf("%d requests, slept %s; want 1 and none", n, w.clock.Slept())
	}
	if !strings.Contains(err.Error(), "TotalRequests Limit exceeded.") {
		t.Errorf("error lacks Salesforce's message: %v", err)
	}
}

// TestBackfill reloads exactly its days and keeps the cursor.
func TestBackfill(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	cursor := string(w.em.Cursor())
	day := w.fake.Days().From.AddDate(0, 0, 3)
	w.fake.Restate(day)
	w.fake.Restate(day.AddDate(0, 0, 1))
	if err := w.sync(&connectors.DateRange{From: day, To: day}); err != nil {
		t.Fatal(err)
	}
	got := w.rows()
	for _, id := range w.fake.IDs(day) {
		if r, ok := got[id]; ok && r["amount"] != "777.770000000" {
			t.Errorf("backfilled %s: %v", id, r)
		}
	}
	for _, id := range w.fake.IDs(day.AddDate(0, 0, 1)) {
		if r, ok := got[id]; ok && r["amount"] == "777.770000000" {
			t.Errorf("%s outside the backfill changed", id)
		}
	}
	if string(w.em.Cursor()) != cursor {
		t.Errorf("cursor moved from %s to %s", cursor, w.em.Cursor())
	}
}

// TestMultiCurrency: multi_currency reads CurrencyIsoCode per record.
func TestMultiCurrency(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{MultiCurrency: true})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	var n int
	if err := w.db.QueryRowContext(t.Context(), "SELECT count(DISTINCT currency) FROM raw_opps").Scan(&n); err != nil || n != 2 {
		t.Errorf("%d currencies (%v); want EUR and GBP", n, err)
	}
	if q := w.fake.Queries(); !strings.Contains(q[0], "CurrencyIsoCode") {
		t.Errorf("query %s lacks CurrencyIsoCode", q[0])
	}
}

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]string{"12500.0": "12500.000000000", "1.25E+4": "12500.000000000", "-0.000000001": "-0.000000001"} {
		n, err := salesforce.ParseDecimal(in)
		if err != nil || n.ToString(9) != want {
			t.Errorf("%s → %s, %v; want %s", in, n.ToString(9), err, want)
		}
	}
	if _, err := salesforce.ParseDecimal("0.0000000001"); err == nil {
		t.Error("10 decimals accepted")
	}
}

// TestCheck runs a one-row query.
func TestCheck(t *testing.T) {
	w := newWorld(t, salesforcetest.Options{NoBaseURL: true})
	src, err := w.newSource("")
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if q := w.fake.Queries(); len(q) != 1 || q[0] != "SELECT Id FROM Opportunity LIMIT 1" {
		t.Errorf("queries %q", q)
	}
}
