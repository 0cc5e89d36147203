package oceanenginetest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Names the fake serves in fixture mode beyond the default ones (all
// unverified): the ad dimension and the conversion value metric (yuan).
const (
	AdGroupDimension = "cdp_promotion_id"
	AdDimension      = "material_id"
	ValueMetric      = "attribution_convert_amount"
)

// Fixture mode (Options.Fixture) serves the rows of a fixture.Set as the
// custom report sends them:
//
//   - advertisers: every ocean_engine account of the set, in its order. The
//     report carries no currency or time zone: Config sets currency and
//     timezone to the first account's, so a set whose accounts differ in
//     currency or zone cannot be served by one source (the other accounts'
//     rows would land with the first one's);
//   - the grain follows the rows: campaign rows are (stat_time_day,
//     cdp_project_id, cdp_project_name); ad group rows add cdp_promotion_id
//     (AdGroupDimension), ad rows material_id (AdDimension), and Config sets
//     ad_group_dimension and ad_dimension to match; a request without one of
//     these dimensions is refused with 40001 (the platform would aggregate;
//     the fake does not);
//   - every value is a string, as the platform sends it: ids as given;
//     stat_cost and attribution_convert_amount (ValueMetric, which Config
//     sets as conversion_value_metric) in yuan with two decimals (an amount
//     finer than a fen is rounded half away from zero to the fen, the only
//     change on the way); convert_cnt as the shortest decimal of the
//     float64, so a fractional count goes through exactly (the real API
//     sends whole counts);
//   - every row is served, zero rows included (the invented data has no
//     rows without delivery), in the set's order within a day;
//   - Config adds channel: the first row's.
//
// Values never change unless Restate is called; Restate(day) then changes
// that day's rows as in invented mode: convert_cnt +3 and cost -2% (whole
// fen) per restatement.
type fixtureData struct {
	rows               [][]fixture.AdRow // by advertiser index, ordered by date
	grain              string            // campaign, adgroup or ad
	channel            string
	currency, timezone string
}

func newFixtureData(o *Options) *fixtureData {
	ads := fakekit.SplitAds(o.Fixture, "ocean_engine")
	fx := &fixtureData{rows: ads.Rows, grain: ads.Grain, channel: "short_video", currency: "CNY", timezone: "Asia/Shanghai"}
	if ads.Channel != "" {
		fx.channel = ads.Channel
	}
	o.Advertisers = nil
	for i, a := range ads.Accounts {
		o.Advertisers = append(o.Advertisers, a.ID)
		if i == 0 {
			fx.currency, fx.timezone = a.Currency, a.TimeZone
		}
	}
	ads.DefaultDays(&o.From, &o.To)
	return fx
}

// dims returns the dimensions a request must ask for.
func (fx *fixtureData) dims() []string {
	switch fx.grain {
	case "ad":
		return []string{"cdp_project_id", AdGroupDimension, AdDimension}
	case "adgroup":
		return []string{"cdp_project_id", AdGroupDimension}
	}
	return []string{"cdp_project_id"}
}

// config returns the keys Config adds in fixture mode.
func (fx *fixtureData) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "channel: %s\ncurrency: %s\ntimezone: %s\nconversion_value_metric: %s\n", fx.channel, fx.currency, fx.timezone, ValueMetric)
	if fx.grain != "campaign" {
		fmt.Fprintf(&b, "ad_group_dimension: %s\n", AdGroupDimension)
	}
	if fx.grain == "ad" {
		fmt.Fprintf(&b, "ad_dimension: %s\n", AdDimension)
	}
	return b.String()
}

// restated returns r as served at restatement version v.
func restated(r fixture.AdRow, v int) fixture.AdRow {
	if v > 0 {
		r.Conversions += float64(3 * v)
		r.Spend -= r.Spend / 50 / 10_000 * 10_000
	}
	return r
}

// fixtureRows returns advertiser ai's rows of [from, to]. Callers hold s.mu.
func (s *Server) fixtureRows(ai int, from, to time.Time) []fakeRow {
	var out []fakeRow
	for _, r := range s.fx.rows[ai] {
		if r.Date.Before(from) || r.Date.After(to) {
			continue
		}
		r = restated(r, s.Version(r.Date))
		out = append(out, fakeRow{date: r.Date.Format(time.DateOnly), fx: &r})
	}
	return out
}

// renderFixtureRow writes one fixture row with the asked dimensions and
// metrics, every value a string.
func renderFixtureRow(b *bytes.Buffer, r *fixture.AdRow, dims, mets []string) {
	b.WriteString(`{"dimensions":{`)
	for j, d := range dims {
		if j > 0 {
			b.WriteByte(',')
		}
		v := ""
		switch d {
		case "stat_time_day":
			v = r.Date.Format(time.DateOnly)
		case "cdp_project_id":
			v = r.CampaignID
		case "cdp_project_name":
			v = r.CampaignName
		case AdGroupDimension:
			v = r.AdGroupID
		case "cdp_promotion_name":
			v = "promotion " + r.AdGroupID
		case AdDimension:
			v = r.AdID
		}
		fmt.Fprintf(b, "%q:%s", d, jsonString(v))
	}
	b.WriteString(`},"metrics":{`)
	for j, m := range mets {
		if j > 0 {
			b.WriteByte(',')
		}
		v := "0"
		switch m {
		case "stat_cost":
			v = r.Spend.Decimal(2)
		case "show_cnt":
			v = strconv.FormatInt(r.Impressions, 10)
		case "click_cnt":
			v = strconv.FormatInt(r.Clicks, 10)
		case "convert_cnt":
			v = strconv.FormatFloat(r.Conversions, 'f', -1, 64)
		case ValueMetric:
			v = r.ConversionValue.Decimal(2)
		}
		fmt.Fprintf(b, "%q:%q", m, v)
	}
	b.WriteString(`}}`)
}

// expectedFixture is Expected in fixture mode. Callers hold s.mu.
func (s *Server) expectedFixture(r connectors.DateRange) []map[string]string {
	var out []map[string]string
	for ai, a := range s.opt.Advertisers {
		for _, row := range s.fixtureRows(ai, r.From, r.To) {
			f := row.fx
			m := map[string]string{
				"date": row.date, "platform": "ocean_engine", "account_id": a, "account_timezone": s.fx.timezone,
				"campaign_id": f.CampaignID, "campaign_name": f.CampaignName, "ad_group_id": "NULL", "ad_id": "NULL",
				"channel": s.fx.channel, "currency": s.fx.currency, "spend": f.Spend.Decimal(2),
				"impressions": strconv.FormatInt(f.Impressions, 10), "clicks": strconv.FormatInt(f.Clicks, 10),
				"conversions": strconv.FormatFloat(f.Conversions, 'f', -1, 64), "conversion_value": f.ConversionValue.Decimal(2),
			}
			if s.fx.grain != "campaign" {
				m["ad_group_id"] = f.AdGroupID
			}
			if s.fx.grain == "ad" {
				m["ad_id"] = f.AdID
			}
			out = append(out, m)
		}
	}
	return out
}
