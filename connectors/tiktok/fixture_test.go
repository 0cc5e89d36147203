package tiktok_test

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/tiktok"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

// handSet is a small fixture with awkward values: two advertisers in
// different currencies and zones, a unicode name with quotes, a zero-click
// row, a zero row, a large spend, a fractional conversion count, 9 days
// (paged 5 rows at a time by the test).
func handSet(grain string) *fixture.Set {
	set := &fixture.Set{Accounts: []fixture.Account{
		{Platform: "tiktok", ID: "7301234567890123457", Name: "流明茶 TikTok", Currency: "CNY", TimeZone: "Asia/Singapore"},
		{Platform: "tiktok", ID: "7000000000000000002", Name: `Lumen "US"`, Currency: "USD", TimeZone: "America/Los_Angeles"},
		{Platform: "google_ads", ID: "482-913-5570", Currency: "USD", TimeZone: "Asia/Shanghai"},
	}}
	campaigns := [][2]string{{"1780000000000000001", `抖音 "直播" 引流`}, {"1780000000000000002", "Spark, Ads — 秋季 \\ back\\slash"}}
	for d := range 9 {
		date := time.Date(2026, 9, 1+d, 0, 0, 0, 0, time.UTC)
		for ai, a := range set.Accounts[:2] {
			for ci, c := range campaigns {
				r := fixture.AdRow{Date: date, Platform: "tiktok", AccountID: a.ID, CampaignID: c[0], CampaignName: c[1], Channel: "short_video",
					Impressions: int64(1000*(d+1) + 17*ci + ai), Clicks: int64(10*d + ci),
					Spend: fixture.Micros(int64(d*10007+ci*31+ai)*10_000 + 990_000), Conversions: float64(d % 3), ConversionValue: fixture.Micros(int64(d%3) * 19_990_000)}
				if grain != "campaign" {
					r.AdGroupID = fmt.Sprintf("179000000000%04d%d%d", d%2, ai, ci)
				}
				if grain == "ad" {
					r.AdID = fmt.Sprintf("180000000000%04d%d%d", d%2, ai, ci)
				}
				switch {
				case d == 0 && ci == 0:
					r.Clicks, r.Conversions, r.ConversionValue = 0, 0, 0 // a zero-click row
				case d == 1 && ci == 1:
					r.Impressions, r.Clicks, r.Spend, r.Conversions, r.ConversionValue = 0, 0, 0, 0, 0 // nothing at all
				case d == 4 && ci == 0 && ai == 0:
					r.Spend, r.ConversionValue, r.Conversions = 1_234_567_890_000, 9_876_543_210_000, 2.5 // 1234567.89
				}
				set.Ads = append(set.Ads, r)
			}
		}
	}
	set.Ads = append(set.Ads, fixture.AdRow{Date: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), Platform: "google_ads", AccountID: "482-913-5570",
		CampaignID: "1", CampaignName: "not tiktok", Impressions: 1, Spend: 1_000_000})
	return set
}

// demoSet is the demo company's tiktok rows: the company starts on
// 2026-06-01 and its first TikTok campaign 30 days later; 70 days are
// collected, so about 40 have TikTok rows.
func demoSet(t *testing.T) *fixture.Set {
	t.Helper()
	src, err := demo.New(connectors.Config{Name: "demo", StartDate: day("2026-06-01")})
	if err != nil {
		t.Fatal(err)
	}
	set, err := fixture.Collect(t.Context(), src, day("2026-08-09"), "ad_performance")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestFixtureRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		set       func(t *testing.T) *fixture.Set
		level     string
		pageSize  int
		minPages  int
		fractions bool
	}{
		{name: "hand-made, campaign grain", set: func(*testing.T) *fixture.Set { return handSet("campaign") }, level: "campaign", pageSize: 5, minPages: 8},
		{name: "hand-made, ad group grain", set: func(*testing.T) *fixture.Set { return handSet("adgroup") }, level: "adgroup", pageSize: 5, minPages: 8},
		{name: "hand-made, ad grain", set: func(*testing.T) *fixture.Set { return handSet("ad") }, level: "ad", pageSize: 5, minPages: 8},
		{name: "demo company", set: demoSet, level: "adgroup", pageSize: 7, minPages: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := tt.set(t)
			accts, rows := set.Platform("tiktok")
			if len(accts) == 0 || len(rows) < 20 {
				t.Fatalf("%d accounts, %d rows", len(accts), len(rows))
			}
			h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
			if got := h.fake.Options().Level; got != tt.level {
				t.Fatalf("level %s, want %s", got, tt.level)
			}
			from, to := fixture.Span(rows)
			if d := h.fake.Days(); !d.From.Equal(from) || !d.To.Equal(to) {
				t.Fatalf("days %s, want %s..%s", d, from, to)
			}
			h.fake.SetPageSize(tt.pageSize)
			if err := h.read(t, to); err != nil {
				t.Fatal(err)
			}
			if h.fake.Pages() < tt.minPages {
				t.Errorf("%d pages, want at least %d", h.fake.Pages(), tt.minPages)
			}
			// Every value goes through exactly: TikTok's strings carry the
			// cents and the fractional conversion count (2.5) unchanged.
			checkLanded(t, h.em, tiktok.StreamName(tt.level), accts, rows)
			got := h.strings(t, `SELECT DISTINCT concat_ws('|', account_id, coalesce(ad_group_name, 'NULL'), coalesce(ad_name, 'NULL')) FROM `+tiktok.StreamName(tt.level)+` ORDER BY 1 LIMIT 1`)
			if tt.level == "campaign" && !strings.HasSuffix(got[0], "|NULL|NULL") || tt.level == "adgroup" && !strings.Contains(got[0], "|ad group ") {
				t.Errorf("names %v", got)
			}
		})
	}
}

// TestFixtureSubCentAmounts shows the one value that does not go through:
// TikTok sends money with two decimals, so a fixture amount finer than a
// cent arrives rounded half away from zero to the cent.
func TestFixtureSubCentAmounts(t *testing.T) {
	set := &fixture.Set{Accounts: []fixture.Account{{Platform: "tiktok", ID: "7000000000000000009", Currency: "USD", TimeZone: "UTC"}}}
	for i, m := range []fixture.Micros{1_234_567, 1_235_000, 1_234_999, 5_000} {
		set.Ads = append(set.Ads, fixture.AdRow{Date: day("2026-09-01"), Platform: "tiktok", AccountID: "7000000000000000009",
			CampaignID: strconv.Itoa(i + 1), CampaignName: "c", Channel: "short_video", Spend: m, ConversionValue: m})
	}
	h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
	if err := h.read(t, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', campaign_id, spend, conversion_value) FROM campaign_daily ORDER BY campaign_id`)
	want := []string{"1 1.230000000 1.230000000", "2 1.240000000 1.240000000", "3 1.230000000 1.230000000", "4 0.010000000 0.010000000"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFixtureRestatement: fixture values stay put until Restate is called.
func TestFixtureRestatement(t *testing.T) {
	set := handSet("adgroup")
	h := newHarness(t, tiktoktest.Options{Fixture: set}, nil, nil)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	before := h.strings(t, `SELECT sum(spend)::VARCHAR FROM adgroup_daily`)
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	if again := h.strings(t, `SELECT sum(spend)::VARCHAR FROM adgroup_daily`); again[0] != before[0] {
		t.Errorf("values changed without a restatement: %s, then %s", before[0], again[0])
	}
	h.fake.Restate(day("2026-09-08"))
	if err := h.read(t, day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	got := h.strings(t, `SELECT concat_ws(' ', sum(conversions), sum(conversion_value)) FROM adgroup_daily WHERE date = '2026-09-08'`)
	_, rows := set.Platform("tiktok")
	var conv float64
	var value fixture.Micros
	for _, r := range rows {
		if r.Date.Equal(day("2026-09-08")) {
			conv, value = conv+r.Conversions+2, value+r.ConversionValue+12_500_000
		}
	}
	if want := fmt.Sprintf("%.1f %s", conv, value.Decimal(9)); got[0] != want {
		t.Errorf("restated day: %s, want %s", got[0], want)
	}
}

// TestFixtureConformance runs the conformance suite on a fake serving a
// fixture: paging, throttling, token expiry, restatement... keep working.
func TestFixtureConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: tiktok.Type,
		New:  conformance.Factory(tiktok.New),
		Start: func(t testing.TB) conformance.Fake {
			s := tiktoktest.New(tiktoktest.Options{Fixture: handSetDays("ad", 14)})
			t.Cleanup(s.Close)
			return s
		},
	})
}

// handSetDays is handSet over n days (the suite wants at least 12).
func handSetDays(grain string, n int) *fixture.Set {
	set := handSet(grain)
	last := set.Ads[:0:0]
	for _, r := range set.Ads {
		if r.Platform == "tiktok" && r.Date.Equal(time.Date(2026, 9, 9, 0, 0, 0, 0, time.UTC)) {
			last = append(last, r)
		}
	}
	for d := 1; d <= n-9; d++ {
		for _, r := range last {
			r.Date = r.Date.AddDate(0, 0, d)
			r.Spend += fixture.Micros(d) * 10_000
			set.Ads = append(set.Ads, r)
		}
	}
	return set
}

// checkLanded compares every landed row of table with the fixture rows:
// text columns exactly, counts as integers, conversions as float64 bit for
// bit, money as micros parsed from the decimal text; then sums by account.
func checkLanded(t *testing.T, em *conntest.Emitter, table string, accts []fixture.Account, rows []fixture.AdRow) {
	t.Helper()
	acct := map[string]fixture.Account{}
	for _, a := range accts {
		acct[a.ID] = a
	}
	key := func(date, account, campaign, group, ad string) string {
		return strings.Join([]string{date, account, campaign, group, ad}, "|")
	}
	want := map[string]fixture.AdRow{}
	for _, r := range rows {
		want[key(r.Date.Format(time.DateOnly), r.AccountID, r.CampaignID, r.AdGroupID, r.AdID)] = r
	}
	if len(want) != len(rows) {
		t.Fatalf("fixture has duplicate keys: %d rows, %d keys", len(rows), len(want))
	}
	q := `SELECT strftime(date, '%Y-%m-%d'), platform, account_id, campaign_id, campaign_name, coalesce(ad_group_id, ''), coalesce(ad_id, ''),
		channel, currency, account_timezone, impressions, clicks, conversions, spend::VARCHAR, conversion_value::VARCHAR FROM ` + table
	res, err := em.Query(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	type sums struct {
		impressions, clicks int64
		conversions         float64
		spend, value        fixture.Micros
	}
	gotSums, wantSums := map[string]*sums{}, map[string]*sums{}
	seen := map[string]bool{}
	n := 0
	for res.Next() {
		n++
		var date, platform, account, campaign, name, group, ad, channel, currency, tz, spend, value string
		var impressions, clicks int64
		var conv sql.NullFloat64
		if err := res.Scan(&date, &platform, &account, &campaign, &name, &group, &ad, &channel, &currency, &tz, &impressions, &clicks, &conv, &spend, &value); err != nil {
			t.Fatal(err)
		}
		k := key(date, account, campaign, group, ad)
		w, ok := want[k]
		if !ok || seen[k] {
			t.Errorf("landed row %s is not in the fixture (or twice)", k)
			continue
		}
		seen[k] = true
		a := acct[account]
		diff := func(col string, got, want any) {
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, want %v", k, col, got, want)
			}
		}
		diff("platform", platform, w.Platform)
		diff("campaign_name", name, w.CampaignName)
		diff("channel", channel, w.Channel)
		diff("currency", currency, a.Currency)
		diff("account_timezone", tz, a.TimeZone)
		diff("impressions", impressions, w.Impressions)
		diff("clicks", clicks, w.Clicks)
		if !conv.Valid {
			t.Errorf("%s: conversions NULL, want %v", k, w.Conversions)
		} else {
			diff("conversions", strconv.FormatFloat(conv.Float64, 'g', -1, 64), strconv.FormatFloat(w.Conversions, 'g', -1, 64))
		}
		sp, sv := micros(t, spend), micros(t, value)
		diff("spend", sp.Decimal(6), w.Spend.Decimal(6))
		diff("conversion_value", sv.Decimal(6), w.ConversionValue.Decimal(6))
		if gotSums[account] == nil {
			gotSums[account], wantSums[account] = &sums{}, &sums{}
		}
		g := gotSums[account]
		g.impressions, g.clicks, g.conversions, g.spend, g.value = g.impressions+impressions, g.clicks+clicks, g.conversions+conv.Float64, g.spend+sp, g.value+sv
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(rows) {
		t.Errorf("%d rows landed, want %d", n, len(rows))
	}
	for _, r := range rows {
		if wantSums[r.AccountID] == nil {
			wantSums[r.AccountID], gotSums[r.AccountID] = &sums{}, &sums{}
		}
		w := wantSums[r.AccountID]
		w.impressions, w.clicks, w.conversions, w.spend, w.value = w.impressions+r.Impressions, w.clicks+r.Clicks, w.conversions+r.Conversions, w.spend+r.Spend, w.value+r.ConversionValue
	}
	for a, w := range wantSums {
		if g := gotSums[a]; *g != *w {
			t.Errorf("account %s sums %+v, want %+v", a, *g, *w)
		}
	}
	if len(wantSums) < len(accts) {
		t.Logf("%d of %d accounts have rows", len(wantSums), len(accts))
	}
}

// micros parses a decimal string exactly; more than six decimals must be
// zeros.
func micros(t *testing.T, s string) fixture.Micros {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac += "000000"
	if strings.Trim(frac[6:], "0") != "" {
		t.Errorf("%s has more than six decimals", s)
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac[:6], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("not a decimal: %q", s)
	}
	m := fixture.Micros(w*1_000_000 + f)
	if neg {
		m = -m
	}
	return m
}
