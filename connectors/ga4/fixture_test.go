package ga4_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/ga4/ga4test"
)

// fixtureTraffic is a hand-made set of awkward rows: (direct) / (none),
// a campaign with quotes, a backslash and Chinese, a source holding " / ",
// fractional key events (0.1 has no exact binary form: it must come back
// as the same float64), revenue of 1,234,567.89 and of a micro, zero new
// users, and a row in another currency than the property's.
func fixtureTraffic() *fixture.Set {
	d := func(s string) time.Time { return day(s) }
	return &fixture.Set{Traffic: []fixture.Traffic{
		{Date: d("2026-10-01"), Source: "(direct)", Medium: "(none)", Campaign: "(direct)", ChannelGroup: "Direct",
			Sessions: 120, Users: 100, NewUsers: 60, KeyEvents: 2.5, Revenue: 1_234_567_890_000, Currency: "CNY"},
		{Date: d("2026-10-01"), Source: "google", Medium: "cpc", Campaign: `Spring "Sale" 春节 \ 特卖`, ChannelGroup: "Paid Search",
			Sessions: 33, Users: 30, NewUsers: 0, KeyEvents: 0.1, Revenue: 1, Currency: "CNY"},
		{Date: d("2026-10-02"), Source: "partner / feed", Medium: "referral", Campaign: "(referral)", ChannelGroup: "Referral",
			Sessions: 7, Users: 7, NewUsers: 7, KeyEvents: 1.0 / 3, Revenue: 0, Currency: "CNY"},
		{Date: d("2026-10-03"), Source: "baidu", Medium: "organic", Campaign: "(organic)", ChannelGroup: "Organic Search",
			Sessions: 1, Users: 1, NewUsers: 1, KeyEvents: 0, Revenue: 99_990_000, Currency: "CNY"},
		// Not landed as it is: a GA4 property has one currency, so this
		// row lands in CNY (see wantTraffic).
		{Date: d("2026-10-04"), Source: "newsletter", Medium: "email", Campaign: "nov_sale", ChannelGroup: "Email",
			Sessions: 5, Users: 4, NewUsers: 2, KeyEvents: 1, Revenue: 25_990_000, Currency: "USD"},
	}}
}

func trafficText(t fixture.Traffic) string {
	return strings.Join([]string{t.Date.Format(time.DateOnly), t.Source, t.Medium, t.Campaign, t.ChannelGroup,
		fmt.Sprint(t.Sessions), fmt.Sprint(t.Users), fmt.Sprint(t.NewUsers),
		strconv.FormatFloat(t.KeyEvents, 'g', -1, 64), t.Revenue.Decimal(9), t.Currency}, "|")
}

// wantTraffic is the fixture's rows as the source must land them: in the
// property's currency.
func wantTraffic(set *fixture.Set, currency string) []string {
	var out []string
	for _, t := range set.Traffic {
		t.Currency = currency
		out = append(out, trafficText(t))
	}
	slices.Sort(out)
	return out
}

// landedTraffic reads the rows back: key events as the shortest text that
// parses to the same float64, revenue as DuckDB's exact decimal text.
func landedTraffic(t *testing.T, h *harness) []string {
	t.Helper()
	rs, err := h.em.Query(t.Context(), `SELECT CAST(date AS VARCHAR), source, medium, campaign, channel_group, sessions, users,
		new_users, key_events, CAST(revenue AS VARCHAR), currency FROM traffic_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var r fixture.Traffic
		var date, revenue string
		var newUsers sql.NullInt64
		if err := rs.Scan(&date, &r.Source, &r.Medium, &r.Campaign, &r.ChannelGroup, &r.Sessions, &r.Users, &newUsers, &r.KeyEvents, &revenue, &r.Currency); err != nil {
			t.Fatal(err)
		}
		if !newUsers.Valid {
			t.Errorf("new_users NULL on %s %s", date, r.Source)
		}
		r.NewUsers = newUsers.Int64
		out = append(out, strings.Join([]string{date, r.Source, r.Medium, r.Campaign, r.ChannelGroup,
			fmt.Sprint(r.Sessions), fmt.Sprint(r.Users), fmt.Sprint(r.NewUsers),
			strconv.FormatFloat(r.KeyEvents, 'g', -1, 64), revenue, r.Currency}, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestFixtureRoundTrip(t *testing.T) {
	set := fixtureTraffic()
	// Two rows a page, an hourly quota that runs low after a few requests.
	h := newHarness(t, ga4test.Options{Fixture: set, PageLimit: 2, DaysPerRequest: 3, HourlyTokens: 540}, "", time.Time{}, time.Time{})
	h.fake.Inject(2, ga4test.ServerError)
	h.fake.Inject(4, ga4test.ExpiredToken)
	h.fake.Inject(5, ga4test.Malformed)
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	if q := h.em.Quarantined(); len(q) > 0 {
		t.Errorf("quarantined %v", q)
	}
	p := ga4test.FixtureProperty(set)
	if p.Currency != "CNY" || p.TimeZone != "UTC" {
		t.Errorf("property %+v", p)
	}
	got := landedTraffic(t, h)
	conntest.CompareRows(t, got, wantTraffic(set, p.Currency))
	// The exact difference: the USD row lands in the property's CNY.
	usd := set.Traffic[4]
	cny := usd
	cny.Currency = "CNY"
	if !slices.Contains(got, trafficText(cny)) || slices.Contains(got, trafficText(usd)) {
		t.Errorf("fixture row %s should land as %s", trafficText(usd), trafficText(cny))
	}
	for _, w := range []string{
		`2026-10-01|google|cpc|Spring "Sale" 春节 \ 特卖|Paid Search|33|30|0|0.1|0.000001000|CNY`,
		"2026-10-01|(direct)|(none)|(direct)|Direct|120|100|60|2.5|1234567.890000000|CNY",
		"2026-10-02|partner / feed|referral|(referral)|Referral|7|7|7|0.3333333333333333|0.000000000|CNY",
	} {
		if !slices.Contains(got, w) {
			t.Errorf("no row %s", w)
		}
	}
	if h.fake.Pages() < 3 {
		t.Errorf("%d pages: offset paging not exercised", h.fake.Pages())
	}
	if !strings.Contains(h.logs.String(), "hourly quota low") {
		t.Error("the quota never ran low: the quota pause was not exercised")
	}
	if got := h.strings(t, "SELECT DISTINCT property_id || ' ' || account_timezone FROM traffic_daily"); !slices.Equal(got, []string{"123456789 UTC"}) {
		t.Errorf("property and zone %v", got)
	}
}

func TestFixtureRoundTripDemoCompany(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	set := conntest.DemoSet(t, start, start.AddDate(0, 0, 29), "web_traffic")
	currencies := map[string]int{}
	keys := map[string]bool{}
	for _, r := range set.Traffic {
		currencies[r.Currency]++
		k := strings.Join([]string{r.Date.String(), r.ChannelGroup, r.Source, r.Medium, r.Campaign}, "\x00")
		if keys[k] {
			t.Errorf("two rows share %q: GA4 would sum them", k)
		}
		keys[k] = true
	}
	if len(set.Traffic) < 30 || len(currencies) != 1 {
		t.Fatalf("%d rows in currencies %v: not a slice one property can serve", len(set.Traffic), currencies)
	}
	h := newHarness(t, ga4test.Options{Fixture: set}, "", time.Time{}, time.Time{})
	if err := h.read(t, h.fake.Days().To); err != nil {
		t.Fatal(err)
	}
	conntest.CompareRows(t, landedTraffic(t, h), wantTraffic(set, ga4test.FixtureProperty(set).Currency))
	t.Logf("%d rows in %v round-tripped", len(set.Traffic), currencies)
}
