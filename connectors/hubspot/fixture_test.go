package hubspot_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/hubspot/hubspottest"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixtureDeals is a hand-made set of awkward deals: an open lead without
// amount or currency, a won and a lost deal, a unicode owner, two owners
// of the same name in different teams, nine decimals of CNY, a
// sub-millisecond time, five deals created at the same millisecond (more
// than the result cap of the test) and the two deals the source cannot
// land as they are (see wantDeals).
func fixtureDeals() *fixture.Set {
	deals := []fixture.Deal{
		{ID: "9001", Created: at("2026-10-02T08:00:00.123456Z"), Stage: "lead", LeadSource: "ORGANIC_SEARCH", Owner: "Zoë 王芳", Team: "华东 Sales"},
		{ID: "9002", Created: at("2026-10-03T09:30:00Z"), Closed: at("2026-10-10T16:00:00Z"), Stage: "won", Won: true,
			Amount: 1_234_567_890_000, HasAmount: true, Currency: "CNY", LeadSource: "PAID_SEARCH", CampaignID: "cmp-\"q\"-1", Owner: "Li Wei", Team: "Enterprise"},
		{ID: "9003", Created: at("2026-10-04T10:00:00Z"), Closed: at("2026-10-08T11:00:00.999Z"), Stage: "lost",
			Amount: 500_000, HasAmount: true, Currency: "USD", LeadSource: "DIRECT_TRAFFIC", Owner: "Li Wei", Team: "SMB"},
		{ID: "9004", Created: at("2026-10-05T11:11:11.111Z"), Stage: "qualified", Amount: 0, HasAmount: true, Currency: "EUR", Owner: "Zoë 王芳", Team: "华东 Sales"},
		{ID: "9005", Created: at("2026-10-06T00:00:00Z"), Stage: "proposal", Amount: 12_000_001, HasAmount: true, Currency: "JPY", Owner: "Bo Chen"},
		// Not landed as they are: an open deal with a close date, a team
		// without an owner.
		{ID: "9006", Created: at("2026-10-07T12:00:00Z"), Closed: at("2026-11-30T00:00:00Z"), Stage: "proposal", Amount: 99_990_000, HasAmount: true, Currency: "CNY", Owner: "Bo Chen"},
		{ID: "9007", Created: at("2026-10-08T12:00:00Z"), Stage: "lead", Team: "Orphans"},
	}
	for i := range 5 {
		deals = append(deals, fixture.Deal{ID: fmt.Sprint(9100 + i), Created: at("2026-10-09T15:00:00.250Z"), Stage: "qualified",
			Amount: fixture.Micros(i) * 1_000_000, HasAmount: true, Currency: "CNY", LeadSource: "PAID_SOCIAL", CampaignID: "cmp-2", Owner: "Li Wei", Team: "Enterprise"})
	}
	return &fixture.Set{Deals: deals}
}

// dealText is one crm_deals row as text: times as epoch microseconds,
// amounts as DuckDB's exact DECIMAL(38,9) text, NULL as "NULL".
func dealText(d fixture.Deal) string {
	null := func(s string) string {
		if s == "" {
			return "NULL"
		}
		return s
	}
	closed, amount := "NULL", "NULL"
	if !d.Closed.IsZero() {
		closed = fmt.Sprint(d.Closed.UnixMicro())
	}
	if d.HasAmount {
		amount = d.Amount.Decimal(9)
	}
	return strings.Join([]string{d.ID, fmt.Sprint(d.Created.UnixMicro()), closed, d.Stage, fmt.Sprint(d.Won), amount,
		null(d.Currency), null(d.LeadSource), null(d.CampaignID), null(d.Owner), null(d.Team)}, "|")
}

// wantDeals returns the rows the source must land for the fixture: the
// fixture's, with times truncated to the millisecond (HubSpot's datetimes
// carry milliseconds), closed_at NULL on deals not won or lost (the source
// keeps the close date of closed deals only) and no team without an owner
// (teams are mapped from owner ids).
func wantDeals(set *fixture.Set) []string {
	var out []string
	for _, d := range set.Deals {
		d.Created = d.Created.Truncate(time.Millisecond)
		d.Closed = d.Closed.Truncate(time.Millisecond)
		if d.Stage != "won" && d.Stage != "lost" {
			d.Closed = time.Time{}
		}
		if d.Owner == "" {
			d.Team = ""
		}
		out = append(out, dealText(d))
	}
	slices.Sort(out)
	return out
}

// landedDeals reads every landed row in the text of dealText.
func landedDeals(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := conntest.Strings(t, db, `SELECT concat_ws('|', deal_id, CAST(epoch_us(created_at) AS VARCHAR),
		coalesce(CAST(epoch_us(closed_at) AS VARCHAR), 'NULL'), stage, CAST(is_won AS VARCHAR), coalesce(CAST(amount AS VARCHAR), 'NULL'),
		coalesce(currency, 'NULL'), coalesce(lead_source, 'NULL'), coalesce(campaign_id, 'NULL'), coalesce(owner, 'NULL'), coalesce(team, 'NULL'))
		FROM raw_deals`)
	slices.Sort(out)
	return out
}

func TestFixtureRoundTrip(t *testing.T) {
	set := fixtureDeals()
	w := newWorld(t, hubspottest.Options{Fixture: set, MaxResults: 4, PageSize: 2, WindowDays: 3})
	// Faults still work on fixture data.
	w.fake.Inject(2, hubspottest.ServerError)
	w.fake.Inject(4, hubspottest.Throttle)
	w.fake.Inject(6, hubspottest.ExpiredToken)
	w.fake.Inject(8, hubspottest.Malformed)
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	if q := w.em.Quarantined(); len(q) > 0 {
		t.Errorf("quarantined %v", q)
	}
	got := landedDeals(t, w.db)
	conntest.CompareRows(t, got, wantDeals(set))
	// The exact differences from the fixture.
	for i, d := range set.Deals {
		if d.ID == "9001" || d.ID == "9006" || d.ID == "9007" {
			fixed := wantDeals(&fixture.Set{Deals: set.Deals[i : i+1]})[0]
			t.Logf("fixture %s\n    lands %s", dealText(d), fixed)
		}
	}
	for _, w := range []string{
		// 08:00:00.123456 lands as 08:00:00.123.
		"9001|" + fmt.Sprint(at("2026-10-02T08:00:00.123Z").UnixMicro()) + "|NULL|lead|false|NULL|NULL|ORGANIC_SEARCH|NULL|Zoë 王芳|华东 Sales",
		// The open proposal's close date of 2026-11-30 lands NULL.
		"9006|" + fmt.Sprint(at("2026-10-07T12:00:00Z").UnixMicro()) + "|NULL|proposal|false|99.990000000|CNY|NULL|NULL|Bo Chen|NULL",
		// The team without an owner lands NULL.
		"9007|" + fmt.Sprint(at("2026-10-08T12:00:00Z").UnixMicro()) + "|NULL|lead|false|NULL|NULL|NULL|NULL|NULL|NULL",
		"9002|" + fmt.Sprint(at("2026-10-03T09:30:00Z").UnixMicro()) + "|" + fmt.Sprint(at("2026-10-10T16:00:00Z").UnixMicro()) +
			`|won|true|1234567.890000000|CNY|PAID_SEARCH|cmp-"q"-1|Li Wei|Enterprise`,
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no row %s", w)
		}
	}
	byID := 0
	for _, b := range w.fake.Bodies() {
		if strings.Contains(fmt.Sprint(b["filterGroups"]), "hs_object_id") {
			byID++
		}
	}
	if byID == 0 {
		t.Error("five deals at one millisecond over a cap of 4 were not read by id")
	}
}

func TestFixtureRoundTripDemoCompany(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	set := conntest.DemoSet(t, start, start.AddDate(0, 0, 29), "crm_deals")
	stages := map[string]int{}
	subMilli, openClosed := 0, 0
	for _, d := range set.Deals {
		stages[d.Stage]++
		if d.Created.Nanosecond()%1e6 != 0 || d.Closed.Nanosecond()%1e6 != 0 {
			subMilli++
		}
		if !d.Closed.IsZero() && d.Stage != "won" && d.Stage != "lost" {
			openClosed++
		}
	}
	if len(set.Deals) < 20 || stages["won"] == 0 || stages["lead"] == 0 {
		t.Fatalf("%d deals %v: not a useful slice", len(set.Deals), stages)
	}
	w := newWorld(t, hubspottest.Options{Fixture: set, PageSize: 50})
	if err := w.sync(nil); err != nil {
		t.Fatal(err)
	}
	if q := w.em.Quarantined(); len(q) > 0 {
		t.Errorf("quarantined %v", q)
	}
	got, want := landedDeals(t, w.db), wantDeals(set)
	conntest.CompareRows(t, got, want)
	t.Logf("%d deals %v round-tripped; %d had sub-millisecond times (truncated), %d open deals had a close date (NULL)", len(set.Deals), stages, subMilli, openClosed)
}
