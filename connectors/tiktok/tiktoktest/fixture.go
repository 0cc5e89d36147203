package tiktoktest

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fakekit"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// Fixture mode (Options.Fixture) serves the rows of a fixture.Set as TikTok
// sends them:
//
//   - advertisers: every tiktok account of the set, in its order: id, name,
//     currency, the IANA zone as display_timezone and an offset zone
//     (Etc/GMT-8 for UTC+8) as timezone;
//   - data_level follows the rows: ad rows (AdID set) AUCTION_AD, ad group
//     rows AUCTION_ADGROUP, else AUCTION_CAMPAIGN; a request at another
//     level is refused with 40002 (TikTok would aggregate; the fake does not);
//   - ids are strings, as TikTok sends them; metrics are strings: spend and
//     total_complete_payment_rate with two decimals (an amount finer than a
//     cent is rounded half away from zero to the cent, the only change on
//     the way), conversion as the shortest decimal of the float64 (so a
//     fractional conversion count goes through exactly); a fixture row is
//     never "-" (the set has no "not available");
//   - the fixture has no ad group or ad names: adgroup_name is
//     "ad group <id>" and ad_name "ad <id>";
//   - every row of a day is served, zero rows included, in the set's order;
//   - Config adds channel: the channel of the rows (the first row's: one
//     source has one channel).
//
// Values never change unless Restate is called; Restate(day) then changes
// that day's rows as in invented mode: conversions +2, conversion value
// +12.50 and spend -5% (whole cents) per restatement.

// fixtureData is the fixture's rows by advertiser.
type fixtureData struct {
	rows    [][]fixture.AdRow // by advertiser index, ordered by date
	channel string
}

var fixtureDataLevel = map[string]string{"campaign": "AUCTION_CAMPAIGN", "adgroup": "AUCTION_ADGROUP", "ad": "AUCTION_AD"}

// newFixtureData sets o's advertisers, level and days from o.Fixture.
func newFixtureData(o *Options) *fixtureData {
	ads := fakekit.SplitAds(o.Fixture, "tiktok")
	fx := &fixtureData{rows: ads.Rows, channel: "short_video"}
	if ads.Channel != "" {
		fx.channel = ads.Channel
	}
	o.Advertisers = nil
	for _, a := range ads.Accounts {
		o.Advertisers = append(o.Advertisers, Advertiser{ID: a.ID, Name: a.Name, Currency: a.Currency,
			DisplayTimezone: a.TimeZone, Timezone: offsetZone(a.TimeZone)})
	}
	o.Level = ads.Grain
	ads.DefaultDays(&o.From, &o.To)
	return fx
}

// offsetZone returns the Etc/GMT zone of tz's offset (mid-year), as TikTok's
// "timezone" field; tz itself when the offset is not whole hours.
func offsetZone(tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return tz
	}
	_, off := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone()
	if off%3600 != 0 {
		return tz
	}
	h := -off / 3600 // Etc/GMT signs are inverted
	switch {
	case h == 0:
		return "Etc/GMT"
	case h > 0:
		return fmt.Sprintf("Etc/GMT+%d", h)
	}
	return fmt.Sprintf("Etc/GMT%d", h)
}

// restated returns r as served at restatement version v.
func restated(r fixture.AdRow, v int) fixture.AdRow {
	if v > 0 {
		r.Conversions += float64(2 * v)
		r.ConversionValue += fixture.Micros(v) * 12_500_000
		r.Spend -= r.Spend / 20 / 10_000 * 10_000
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

func adGroupName(id string) string { return "ad group " + id }
func adName(id string) string      { return "ad " + id }

// renderFixtureRow writes one fixture row as renderRow does.
func renderFixtureRow(b *bytes.Buffer, dim string, r *fixture.AdRow, mets []string) {
	id := r.CampaignID
	switch dim {
	case "adgroup_id":
		id = r.AdGroupID
	case "ad_id":
		id = r.AdID
	}
	fmt.Fprintf(b, `{"dimensions":{%q:%q,"stat_time_day":"%s 00:00:00"},"metrics":{`, dim, id, r.Date.Format(time.DateOnly))
	for i, m := range mets {
		if i > 0 {
			b.WriteByte(',')
		}
		var v string
		switch m {
		case "campaign_id":
			v = r.CampaignID
		case "campaign_name":
			v = r.CampaignName
		case "adgroup_id":
			v = r.AdGroupID
		case "adgroup_name":
			v = adGroupName(r.AdGroupID)
		case "ad_name":
			v = adName(r.AdID)
		case "spend":
			v = r.Spend.Decimal(2)
		case "impressions":
			v = strconv.FormatInt(r.Impressions, 10)
		case "clicks":
			v = strconv.FormatInt(r.Clicks, 10)
		case "conversion":
			v = strconv.FormatFloat(r.Conversions, 'f', -1, 64)
		case "total_complete_payment_rate":
			v = r.ConversionValue.Decimal(2)
		case "cpc", "ctr":
			v = "-"
		}
		fmt.Fprintf(b, `%q:%s`, m, jsonString(v))
	}
	b.WriteString("}}")
}

// expectedFixture is Expected in fixture mode. Callers hold s.mu.
func (s *Server) expectedFixture(r connectors.DateRange) []map[string]string {
	var out []map[string]string
	for ai, a := range s.opt.Advertisers {
		for _, row := range s.fixtureRows(ai, r.From, r.To) {
			f := row.fx
			m := map[string]string{
				"date": row.date, "platform": "tiktok", "account_id": a.ID, "account_timezone": a.DisplayTimezone,
				"campaign_id": f.CampaignID, "campaign_name": f.CampaignName, "ad_group_id": "NULL", "ad_id": "NULL",
				"ad_group_name": "NULL", "ad_name": "NULL", "channel": s.fx.channel, "currency": a.Currency,
				"spend": f.Spend.Decimal(2), "impressions": strconv.FormatInt(f.Impressions, 10),
				"clicks": strconv.FormatInt(f.Clicks, 10), "conversions": strconv.FormatFloat(f.Conversions, 'f', -1, 64),
				"conversion_value": f.ConversionValue.Decimal(2),
			}
			if s.opt.Level != "campaign" {
				m["ad_group_id"], m["ad_group_name"] = f.AdGroupID, adGroupName(f.AdGroupID)
			}
			if s.opt.Level == "ad" {
				m["ad_id"], m["ad_name"] = f.AdID, adName(f.AdID)
			}
			out = append(out, m)
		}
	}
	return out
}
