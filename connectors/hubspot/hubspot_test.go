package hubspot_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/hubspot"
	"github.com/pacerhq/pacer/connectors/hubspot/hubspottest"
)

// world is a fake, a clock and a DuckDB emitter.
type world struct {
	t     *testing.T
	fake  *hubspottest.Server
	clock *httpkit.FakeClock
	db    *sql.DB
	em    *conntest.Emitter
}

func newWorld(t *testing.T, o hubspottest.Options) *world {
	t.Helper()
	w := &world{t: t}
	w.clock = httpkit.NewFakeClock(time.Date(2026, 10, 22, 12, 0, 0, 0, time.UTC))
	if o.Now == nil {
		o.Now = w.clock.Now
	}
	w.fake = hubspottest.New(o)
	t.Cleanup(w.fake.Close)
	w.db = conntest.OpenDB(t)
	w.em = conntest.NewEmitter(t, w.db, "raw_deals", conntest.WithDateColumn("created_at"))
	return w
}

func (w *world) source(extra string) *hubspot.Source {
	w.t.Helper()
	y, vars := w.fake.Config()
	y = os.Expand(y+extra, func(k string) string { return vars[k] })
	src, err := hubspot.New(connectors.Config{
		Name: "crm", StartDate: w.fake.Days().From,
		Decode: conntest.Decode(y),
	}, httpkit.WithClock(w.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 }))
	if err != nil {
		w.t.Fatal(err)
	}
	return src
}

func (w *world) sync(backfill *connectors.DateRange) error {
	w.t.Helper()
	err := w.source("").Read(w.t.Context(), connectors.ReadRequest{Stream: hubspot.StreamName, Cursor: w.em.Cursor(), Backfill: backfill}, w.em)
	if err != nil {
		if rerr := w.em.Rollback(context.WithoutCancel(w.t.Context())); rerr != nil {
			w.t.Fatal(rerr)
		}
	}
	return err
}

// rows returns deal_id → column → text.
func (w *world) rows() map[string]map[string]string {
	w.t.Helper()
	rs, err := w.db.QueryContext(w.t.Context(), "SELECT deal_id, CAST(amount AS VARCHAR), stage, CAST(created_at AS VARCHAR), CAST(updated_at AS VARCHAR) FROM raw_deals")
	if err != nil {
		w.t.Fatal(err)
	}
	defer rs.Close()
	out := map[string]map[string]string{}
	for rs.Next() {
		var id string
		var amount, stage, created, updated sql.NullString
		if err := rs.Scan(&id, &amount, &stage, &created, &updated); err != nil {
			w.t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			w.t.Errorf("deal %s is stored twice", id)
		}
		out[id] = map[string]string{"amount": amount.String, "stage": stage.String, "created_at": created.String, "updated_at": updated.String}
	}
	if err := rs.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// checkAll checks that the table holds exactly the fake's deals.
func (w *world) checkAll() {
	w.t.Helper()
	got := w.rows()
	want := w.fake.Expected(w.fake.Days())
	if len(got) != len(want) {
		w.t.Errorf("%d deals stored, want %d", len(got), len(want))
	}
	for _, m := range want {
		g, ok := got[m["deal_id"]]
		if !ok {
			w.t.Errorf("deal %s missing", m["deal_id"])
			continue
		}
		if g["stage"] != m["stage"] || g["updated_at"] != m["updated_at"] {
			w.t.Errorf("deal %s: stored %v, want stage %s updated_at %s", m["deal_id"], g, m["stage"], m["updated_at"])
		}
	}
}

// TestResultCapSplitsTheSearch: a search reaching the cap restarts from the
// last timestamp, losing and duplicating nothing, on the first load and on
// the modification scan.
func TestResultCapSplitsTheSearch(t *testing.T) {
	w := newWorld(t, hubspottest.Options{MaxResults: 7, PageSize: 3, DealsPerDay: 6, WindowDays: 10})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	restarts := 0
	for _, b := range w.fake.Bodies() {
		if _, paged := b["after"]; !paged {
			restarts++
		}
	}
	// 2 windows of 10 days × 6 deals = 60 deals per window, 6 per query.
	if restarts < 10 {
		t.Errorf("%d searches started; want the windows split by the 7-result cap", restarts)
	}
	// Modify 30 deals: the scan itself must split.
	w.clock.Advance(time.Hour)
	for i := range 8 {
		for _, id := range w.fake.DealIDs(w.fake.Days().From.AddDate(0, 0, i))[:4] {
			w.clock.Advance(1500 * time.Millisecond)
			w.fake.Update(id, w.clock.Now(), func(d *hubspottest.Deal) { v := "42.00"; d.Props["amount"] = &v })
		}
	}
	w.clock.Advance(time.Hour)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	n := 0
	for _, r := range w.rows() {
		if r["amount"] == "42.000000000" {
			n++
		}
	}
	if n != 32 {
		t.Errorf("%d deals carry the new amount, want 32", n)
	}
}

// TestResultCapOneTimestamp: more deals than the cap sharing one
// hs_lastmodifieddate (a bulk update) are read by hs_object_id.
func TestResultCapOneTimestamp(t *testing.T) {
	w := newWorld(t, hubspottest.Options{MaxResults: 7, PageSize: 3})
	if err := w.sync(nil); err != nil {
		t.Fatal(err) // the first load searches by createdate
	}
	w.clock.Advance(time.Hour)
	bulk := w.clock.Now()
	for i := range w.fake.Days().Days() {
		for _, id := range w.fake.DealIDs(w.fake.Days().From.AddDate(0, 0, i)) {
			w.fake.Update(id, bulk, func(d *hubspottest.Deal) { v := "1.50"; d.Props["amount"] = &v })
		}
	}
	w.clock.Advance(time.Hour)
	n := len(w.fake.Bodies())
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	for id, r := range w.rows() {
		if r["amount"] != "1.500000000" {
			t.Errorf("deal %s: amount %s after the bulk update", id, r["amount"])
		}
	}
	byID := 0
	for _, b := range w.fake.Bodies()[n:] {
		if strings.Contains(fmt.Sprint(b["sorts"]), "hs_object_id") {
			byID++
		}
	}
	if byID < 80/7 {
		t.Errorf("%d searches by hs_object_id; want the 80 deals of one timestamp paged by id", byID)
	}
}

// TestSecondlyWaits: a SECONDLY 429 waits a second on the injected clock.
func TestSecondlyWaits(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	w.fake.Inject(1, hubspottest.Secondly)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(w.clock.Sleeps(), time.Second) {
		t.Errorf("waits %v; want 1s after SECONDLY", w.clock.Sleeps())
	}
	w.checkAll()
}

// TestDailyStops: DAILY stops the read at once with ErrRateLimited.
func TestDailyStops(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	w.fake.Inject(1, hubspottest.Daily)
	err := w.sync(nil)
	if !errors.Is(err, httpkit.ErrRateLimited) {
		t.Fatalf("DAILY: %v; want ErrRateLimited", err)
	}
	if n := w.fake.Requests(); n != 1 {
		t.Errorf("%d requests; DAILY must not be retried", n)
	}
	if w.clock.Slept() != 0 || w.em.Cursor() != nil {
		t.Errorf("slept %s, cursor %s; want neither", w.clock.Slept(), w.em.Cursor())
	}
}

// TestUpsertModifiedDeal: a deal modified after the last run replaces its
// row; only its created day is reloaded.
func TestUpsertModifiedDeal(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	day := w.fake.Days().From.AddDate(0, 0, 2)
	id := w.fake.DealIDs(day)[1]
	w.clock.Advance(time.Hour)
	w.fake.Update(id, w.clock.Now(), func(d *hubspottest.Deal) {
		v, s, won := "99999.99", "closedwon", "true"
		d.Props["amount"], d.Props["dealstage"], d.Props["hs_is_closed_won"] = &v, &s, &won
	})
	w.clock.Advance(time.Hour)
	before := w.fake.Bodies()
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	w.checkAll()
	if r := w.rows()[id]; r["amount"] != "99999.990000000" || r["stage"] != "won" {
		t.Errorf("deal %s after its update: %v", id, r)
	}
	bodies := w.fake.Bodies()[len(before):]
	if len(bodies) != 2 {
		t.Errorf("%d searches; want the scan and one reload", len(bodies))
	}
	// A run with no changes scans, and reloads the day of the deal
	// modified in the 10 minutes before the cursor (the overlap).
	n := len(w.fake.Bodies())
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	if got := len(w.fake.Bodies()) - n; got != 2 {
		t.Errorf("an idle run made %d searches; want 2", got)
	}
	w.checkAll()
}

// TestBackfill reloads exactly the backfilled days and keeps the cursor.
func TestBackfill(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	cursor := string(w.em.Cursor())
	day := w.fake.Days().From.AddDate(0, 0, 3)
	old := w.rows()
	w.fake.Restate(day)
	w.fake.Restate(day.AddDate(0, 0, 1))
	if err := w.sync(&connectors.DateRange{From: day, To: day}); err != nil {
		t.Fatal(err)
	}
	got := w.rows()
	for _, id := range w.fake.DealIDs(day) {
		if got[id]["amount"] != "777.770000000" {
			t.Errorf("backfilled deal %s: %v", id, got[id])
		}
	}
	for _, id := range w.fake.DealIDs(day.AddDate(0, 0, 1)) {
		if got[id]["amount"] != old[id]["amount"] {
			t.Errorf("deal %s outside the backfill changed: %v", id, got[id])
		}
	}
	if len(got) != len(old) {
		t.Errorf("%d deals after the backfill, %d before", len(got), len(old))
	}
	if string(w.em.Cursor()) != cursor {
		t.Errorf("the backfill moved the cursor from %s to %s", cursor, w.em.Cursor())
	}
}

// TestStaticTokenExpired: a private-app token rejected with 401 cannot be
// refreshed: the read stops with ErrAuth.
func TestStaticTokenExpired(t *testing.T) {
	w := newWorld(t, hubspottest.Options{Static: true})
	w.fake.Inject(1, hubspottest.ExpiredToken)
	err := w.sync(nil)
	if !errors.Is(err, httpkit.ErrAuth) {
		t.Fatalf("expired private-app token: %v; want ErrAuth", err)
	}
	if strings.Contains(err.Error(), "pat-na1-") {
		t.Errorf("error shows the token: %v", err)
	}
}

// TestSearchBody: filters are epoch milliseconds, sorted ascending, page 1
// has no after.
func TestSearchBody(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	w.fake.SetPageSize(3)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	b := w.fake.Bodies()
	if len(b) < 2 {
		t.Fatalf("%d searches", len(b))
	}
	first := b[0]
	if _, ok := first["after"]; ok {
		t.Errorf("page 1 sends after: %v", first)
	}
	f := first["filterGroups"].([]any)[0].(map[string]any)["filters"].([]any)
	gte := f[0].(map[string]any)
	if gte["propertyName"] != "createdate" || gte["operator"] != "GTE" || gte["value"] != "1790812800000" {
		t.Errorf("first filter %v; want createdate GTE 2026-10-01 in epoch ms", gte)
	}
	s := first["sorts"].([]any)[0].(map[string]any)
	if s["propertyName"] != "createdate" || s["direction"] != "ASCENDING" || first["limit"] != float64(200) {
		t.Errorf("sorts %v limit %v", s, first["limit"])
	}
	if _, ok := b[1]["after"]; !ok {
		t.Errorf("page 2 lacks after: %v", b[1])
	}
}

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]string{"1500.00": "1500", "-0.5": "-0.5", "1234567.123456789": "1234567.123456789", "7": "7"} {
		n, err := hubspot.ParseDecimal(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := strings.TrimRight(strings.TrimRight(n.ToString(9), "0"), "."); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{"", "1e3", "1.0000000001", "abc", "1,5"} {
		if _, err := hubspot.ParseDecimal(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

// TestNumericProperty: a property sent as a number (HubSpot sends strings)
// is read through the lenient path.
func TestNumericProperty(t *testing.T) {
	w := newWorld(t, hubspottest.Options{DealsPerDay: 1})
	id := w.fake.DealIDs(w.fake.Days().From)[0]
	w.fake.Update(id, w.clock.Now().Add(-time.Hour), func(d *hubspottest.Deal) { d.Numeric = []string{"amount"} })
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	if got := w.rows()[id]["amount"]; got == "" {
		t.Errorf("deal %s has no amount", id)
	}
}

// TestCheck runs the one-result search of pacer validate --online.
func TestCheck(t *testing.T) {
	w := newWorld(t, hubspottest.Options{})
	if err := w.source("").Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.fake.Inject(1, hubspottest.PermissionDenied)
	if err := w.source("").Check(t.Context()); !errors.Is(err, httpkit.ErrPermanent) || !strings.Contains(err.Error(), "MISSING_SCOPES") {
		t.Errorf("Check without scopes: %v", err)
	}
}

// TestConfigErrors: New reports every problem at once.
func TestConfigErrors(t *testing.T) {
	_, err := hubspot.New(connectors.Config{Name: "crm", Decode: func(v any) error {
		return yaml.Unmarshal([]byte("stage_map: {closedwon: victory}\npage_size: 500\ncurrency: eur\n"), v)
	}})
	for _, want := range []string{"access_token is required", "victory", "page_size 500", `currency "eur"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
