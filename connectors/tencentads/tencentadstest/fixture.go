package tencentadstest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Fixture mode (Options.Fixture) serves the rows of a fixture.Set as
// daily_reports/get sends them:
//
//   - accounts: every tencent_ads account of the set, in its order. The
//     report carries no currency or time zone: Config sets currency and
//     time_zone to the first account's, so a set whose accounts differ in
//     currency or zone cannot be served by one source. Account ids must be
//     digits (the connector refuses others);
//   - the grain follows the rows: campaign rows are served at the legacy
//     REPORT_LEVEL_CAMPAIGN (group_by date, campaign_id) and Config sets
//     that level; ad group rows at REPORT_LEVEL_ADGROUP with the campaign_id
//     and campaign_name fields, and Config sets ad_group_grain: true. The
//     connector has no ad grain: ad rows (AdID set) are summed into their ad
//     group per day before serving, so ad_id lands NULL and the sums stay
//     equal. A request at another level or grouping is refused (11001);
//   - ids are JSON numbers when they are int64 digits (as Tencent sends
//     them, above 2^53 too), strings otherwise; adgroup_name (not in the
//     fixture) is "ad group <id>";
//   - cost and order_amount are integer fen: an amount finer than a fen is
//     rounded half away from zero to the fen;
//   - conversions_count is an integer JSON number: a fractional fixture
//     count is rounded half away from zero (2.5 → 3, 1.49 → 1), so
//     conversions land rounded (sums of rounded counts, not rounded sums);
//   - every row is served, zero rows included, in the set's order per day;
//   - Config adds channel (the first row's), currency, time_zone and the
//     level keys above; conversion_value_field is order_amount, as always.
//
// Values never change unless Restate is called; Restate(day) then changes
// that day's rows as in invented mode: conversions +1 and order_amount
// +88.01 per restatement, cost −2% (whole fen) once.
type fixtureData struct {
	rows               [][]fixture.AdRow // by account index, ordered by date
	grain              string            // campaign or adgroup
	channel            string
	currency, timezone string
}

func newFixtureData(o *Options) *fixtureData {
	ads := fakekit.SplitAds(o.Fixture, "tencent_ads")
	fx := &fixtureData{rows: ads.Rows, grain: "campaign", channel: "display", currency: "CNY", timezone: "Asia/Shanghai"}
	if ads.Grain != "campaign" {
		fx.grain = "adgroup" // ad rows are summed into their ad group
	}
	if ads.Channel != "" {
		fx.channel = ads.Channel
	}
	o.Accounts = nil
	for i, a := range ads.Accounts {
		o.Accounts = append(o.Accounts, Account{ID: a.ID, Name: a.Name})
		if i == 0 {
			fx.currency, fx.timezone = a.Currency, a.TimeZone
		}
	}
	for ai, rs := range fx.rows {
		fx.rows[ai] = adGroups(rs)
	}
	ads.DefaultDays(&o.From, &o.To)
	return fx
}

// adGroups sums ad rows into their ad group per day, in order of first
// appearance; other rows are kept as they are.
func adGroups(rows []fixture.AdRow) []fixture.AdRow {
	var out []fixture.AdRow
	at := map[string]int{}
	for _, r := range rows {
		if r.AdID == "" {
			out = append(out, r)
			continue
		}
		k := strings.Join([]string{r.Date.Format(time.DateOnly), r.CampaignID, r.AdGroupID}, "|")
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			r.AdID = ""
			out = append(out, r)
			continue
		}
		g := &out[i]
		g.Impressions += r.Impressions
		g.Clicks += r.Clicks
		g.Spend += r.Spend
		g.ConversionValue += r.ConversionValue
		g.Conversions += r.Conversions
	}
	return out
}

// config returns the keys Config adds in fixture mode.
func (fx *fixtureData) config() string {
	y := fmt.Sprintf("channel: %s\ncurrency: %s\ntime_zone: %s\n", fx.channel, fx.currency, fx.timezone)
	if fx.grain == "campaign" {
		return y + "level: REPORT_LEVEL_CAMPAIGN\n"
	}
	return y + "level: REPORT_LEVEL_ADGROUP\nad_group_grain: true\n"
}

// fen returns m in fen, rounded half away from zero.
func fen(m fixture.Micros) int64 {
	if m < 0 {
		return -fen(-m)
	}
	return (int64(m) + 5_000) / 10_000
}

// Conversions returns the conversions_count the fake sends for a fixture
// count: the nearest integer, halves away from zero.
func Conversions(c float64) int64 { return int64(math.Round(c)) }

// restated returns r as served at restatement version v.
func restated(r fixture.AdRow, v int) fixture.AdRow {
	if v > 0 {
		r.Conversions += float64(v)
		r.ConversionValue += fixture.Micros(v) * 88_010_000
		r.Spend -= fixture.Micros(fen(r.Spend) / 50 * 10_000)
	}
	return r
}

// fixtureRows returns account ai's rows of [from, to]. Callers hold s.mu.
func (s *Server) fixtureRows(ai int, from, to time.Time) []fakeRow {
	var out []fakeRow
	for _, r := range s.fx.rows[ai] {
		if r.Date.Before(from) || r.Date.After(to) {
			continue
		}
		r = restated(r, s.Version(r.Date))
		out = append(out, fakeRow{date: r.Date, fx: &r})
	}
	return out
}

var reInt64 = regexp.MustCompile(`^-?[0-9]{1,19}$`)

// jsonID writes an id as Tencent does: a JSON number (an int64), or a
// string when it is not one.
func jsonID(id string) string {
	if reInt64.MatchString(id) {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			return id
		}
	}
	return jsonString(id)
}

// renderFixtureRow writes one fixture row with the asked fields.
func renderFixtureRow(b *strings.Builder, r *fixture.AdRow, fields []string) {
	b.WriteByte('{')
	for j, f := range fields {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f + `":`)
		switch f {
		case "date":
			b.WriteString(`"` + r.Date.Format(time.DateOnly) + `"`)
		case "adgroup_id":
			b.WriteString(jsonID(r.AdGroupID))
		case "adgroup_name":
			b.WriteString(jsonString("ad group " + r.AdGroupID))
		case "campaign_id":
			b.WriteString(jsonID(r.CampaignID))
		case "campaign_name":
			b.WriteString(jsonString(r.CampaignName))
		case "view_count":
			b.WriteString(strconv.FormatInt(r.Impressions, 10))
		case "valid_click_count":
			b.WriteString(strconv.FormatInt(r.Clicks, 10))
		case "cost":
			b.WriteString(strconv.FormatInt(fen(r.Spend), 10))
		case "conversions_count":
			b.WriteString(strconv.FormatInt(Conversions(r.Conversions), 10))
		case "order_amount":
			b.WriteString(strconv.FormatInt(fen(r.ConversionValue), 10))
		}
	}
	b.WriteByte('}')
}

// expectedFixture is Expected in fixture mode. Callers hold s.mu.
func (s *Server) expectedFixture(r connectors.DateRange) []map[string]string {
	var out []map[string]string
	for ai, a := range s.opt.Accounts {
		for _, row := range s.fixtureRows(ai, r.From, r.To) {
			f := row.fx
			m := map[string]string{
				"date": row.date.Format(time.DateOnly), "platform": "tencent_ads", "account_id": a.ID,
				"account_timezone": s.fx.timezone, "campaign_id": f.CampaignID, "campaign_name": f.CampaignName,
				"ad_group_id": "NULL", "ad_id": "NULL", "channel": s.fx.channel, "currency": s.fx.currency,
				"spend": yuan(fen(f.Spend)), "impressions": strconv.FormatInt(f.Impressions, 10),
				"clicks": strconv.FormatInt(f.Clicks, 10), "conversions": strconv.FormatInt(Conversions(f.Conversions), 10),
				"conversion_value": yuan(fen(f.ConversionValue)),
			}
			if s.fx.grain == "adgroup" {
				m["ad_group_id"] = f.AdGroupID
			}
			out = append(out, m)
		}
	}
	return out
}
