package googleadstest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// Platform is the fixture platform name of Google Ads accounts and rows.
const Platform = "google_ads"

// fixRow is one ad row of a fixture, with the entities it renders.
type fixRow struct {
	date time.Time
	c    *campaign
	g    *adGroup // nil at campaign grain
	ad   string   // "" above ad grain
	row  fixture.AdRow
}

// fixtureData is what New derives from Options.Fixture.
type fixtureData struct {
	accounts []Account
	rows     [][]fixRow // per account, by date (fixture order within a day)
	level    string     // campaign, ad_group or ad
	// channelMap is the channel_map Config sets: advertising_channel_type
	// to pacer channel, for channels without a default type.
	channelMap map[string]string
	from, to   time.Time
}

// CustomerID returns a fixture account id as Google writes it: the
// digits, without dashes or spaces ("482-913-5570" → "4829135570").
func CustomerID(id string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(id)
}

// grain is the level of a fixture row.
func grain(r fixture.AdRow) string {
	switch {
	case r.AdID != "":
		return "ad"
	case r.AdGroupID != "":
		return "ad_group"
	}
	return "campaign"
}

var levelRank = map[string]int{"campaign": 0, "ad_group": 1, "ad": 2}

// defaultTypes are the advertising_channel_types the connector maps to
// each channel without a channel_map (see googleads.DefaultChannels; an
// unlisted type gets channel, default paid_search).
var defaultTypes = map[string]string{"paid_search": "SEARCH", "display": "DISPLAY", "short_video": "VIDEO"}

// spareTypes are the types given, through channel_map, to channels
// without a default type, in this order.
var spareTypes = []string{"SHOPPING", "MULTI_CHANNEL", "LOCAL", "SMART", "HOTEL", "TRAVEL", "PERFORMANCE_MAX", "DEMAND_GEN", "DISCOVERY"}

// CheckFixture reports why set cannot be served by a Google Ads fake:
// customer ids that are not ten digits, rows of accounts the set does not
// list, rows of different grains, or more channels than campaign types.
// New panics with this error.
func CheckFixture(set *fixture.Set) error {
	_, err := loadFixture(set)
	return err
}

func loadFixture(set *fixture.Set) (*fixtureData, error) {
	accts, rows := set.Platform(Platform)
	fd := &fixtureData{channelMap: map[string]string{}}
	index := map[string]int{}
	for _, a := range accts {
		id := CustomerID(a.ID)
		if len(id) != 10 || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("googleadstest: fixture account %q is not a customer id (ten digits, dashes allowed)", a.ID)
		}
		if _, dup := index[a.ID]; dup || slices.ContainsFunc(fd.accounts, func(b Account) bool { return b.ID == id }) {
			return nil, fmt.Errorf("googleadstest: fixture account %s is listed twice", a.ID)
		}
		if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "" || a.Currency == "" {
			return nil, fmt.Errorf("googleadstest: fixture account %s: time zone %q or currency %q not usable", a.ID, a.TimeZone, a.Currency)
		}
		index[a.ID] = len(fd.accounts)
		fd.accounts = append(fd.accounts, Account{ID: id, Name: a.Name, Currency: a.Currency, TimeZone: a.TimeZone})
	}
	fd.rows = make([][]fixRow, len(fd.accounts))
	// Channels → campaign types: the default type when there is one, else
	// a spare type mapped through channel_map.
	typeOf := maps.Clone(defaultTypes)
	claimed := map[string]bool{}
	for _, r := range rows {
		if _, ok := typeOf[r.Channel]; ok {
			continue
		}
		if r.Channel == "" {
			return nil, fmt.Errorf("googleadstest: fixture row %s %s %s has no channel", r.AccountID, r.Date.Format(time.DateOnly), r.CampaignID)
		}
		i := slices.IndexFunc(spareTypes, func(t string) bool { return !claimed[t] })
		if i < 0 {
			return nil, fmt.Errorf("googleadstest: fixture rows carry more channels than Google has campaign types")
		}
		typeOf[r.Channel] = spareTypes[i]
		claimed[spareTypes[i]] = true
		fd.channelMap[spareTypes[i]] = r.Channel
	}
	campaigns := map[[4]string]*campaign{}
	groups := map[[3]string]*adGroup{}
	for _, r := range rows {
		ai, ok := index[r.AccountID]
		if !ok {
			return nil, fmt.Errorf("googleadstest: fixture row of account %s, which the set does not list", r.AccountID)
		}
		g := grain(r)
		if fd.level == "" {
			fd.level = g
		} else if g != fd.level {
			return nil, fmt.Errorf("googleadstest: fixture rows mix %s and %s grain (campaign %s on %s); a source reads one level",
				fd.level, g, r.CampaignID, r.Date.Format(time.DateOnly))
		}
		if r.CampaignID == "" || strings.Trim(r.CampaignID, "0123456789") != "" {
			return nil, fmt.Errorf("googleadstest: fixture campaign id %q is not an int64 id", r.CampaignID)
		}
		typ := typeOf[r.Channel]
		if typ == "SEARCH" {
			// Any type without a mapping lands as paid_search: name the
			// campaign's kind when it says so and the type is free.
			n := strings.ToLower(r.CampaignName)
			switch {
			case strings.Contains(n, "shopping") && !claimed["SHOPPING"]:
				typ = "SHOPPING"
			case (strings.Contains(n, "pmax") || strings.Contains(n, "performance max")) && !claimed["PERFORMANCE_MAX"]:
				typ = "PERFORMANCE_MAX"
			}
		}
		ck := [4]string{r.AccountID, r.CampaignID, r.CampaignName, typ}
		c := campaigns[ck]
		if c == nil {
			c = &campaign{id: r.CampaignID, name: r.CampaignName, typ: typ, channel: r.Channel}
			campaigns[ck] = c
		}
		fr := fixRow{date: r.Date, c: c, ad: r.AdID, row: r}
		if r.AdGroupID != "" {
			gk := [3]string{r.AccountID, r.CampaignID, r.AdGroupID}
			if groups[gk] == nil {
				groups[gk] = &adGroup{id: r.AdGroupID}
			}
			fr.g = groups[gk]
		}
		fd.rows[ai] = append(fd.rows[ai], fr)
	}
	for ai := range fd.rows {
		slices.SortStableFunc(fd.rows[ai], func(a, b fixRow) int { return a.date.Compare(b.date) })
	}
	fd.from, fd.to = fixture.Span(rows)
	return fd, nil
}

// fixtureRows returns account ai's fixture rows at level for days in
// [from, to], restated per s.Version: rows of the fixture's grain as they
// are, summed up to a coarser level, none at a finer one. Rows whose
// metrics are all zero are served too (the fixture has them). Callers hold
// s.mu.
func (s *Server) fixtureRows(ai int, level string, from, to time.Time) []fakeRow {
	fd := s.fix
	if levelRank[level] > levelRank[fd.level] {
		return nil
	}
	var out []fakeRow
	at := map[string]int{} // aggregation key → index in out
	for _, fr := range fd.rows[ai] {
		if fr.date.Before(from) || fr.date.After(to) {
			continue
		}
		m := restate(fr.row, s.Version(fr.date))
		row := fakeRow{date: fr.date.Format(time.DateOnly), c: fr.c, fx: &m}
		if level != "campaign" {
			row.g = fr.g
		}
		if level == "ad" {
			row.ad = fr.ad
		}
		if level == fd.level {
			out = append(out, row)
			continue
		}
		k := row.date + "\x00" + fmt.Sprintf("%p", fr.c)
		if row.g != nil {
			k += "\x00" + row.g.id
		}
		if i, ok := at[k]; ok {
			add(out[i].fx, m)
			continue
		}
		at[k] = len(out)
		out = append(out, row)
	}
	return out
}

func add(a *fixture.AdRow, b fixture.AdRow) {
	a.Impressions += b.Impressions
	a.Clicks += b.Clicks
	a.Spend += b.Spend
	a.ConversionValue += b.ConversionValue
	a.Conversions += b.Conversions
}

// restate applies v restatements to a fixture row as adDay does to
// invented ones: late conversions credited (1.5 and 25.99 each), up to
// half the cost refunded as invalid clicks (in whole cents). Version 0 is
// the row unchanged.
func restate(r fixture.AdRow, v int) fixture.AdRow {
	if v <= 0 {
		return r
	}
	r.Conversions += 1.5 * float64(v)
	r.ConversionValue += fixture.Micros(v) * 25_990_000
	cents := int64(r.Spend) / 10_000
	r.Spend -= fixture.Micros(cents / 10 * int64(min(v, 5)) / 5 * 10_000)
	return r
}

// double renders a double as proto3 JSON does for these values: the
// shortest text that reads back as the same double.
func double(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// valueText is conversions_value on the wire: a double, so exact up to
// about 15 significant digits (micros of amounts below a billion).
func valueText(m fixture.Micros) string { return double(float64(m) / 1e6) }

// fixtureConfig is the extra source keys a fixture needs.
func (fd *fixtureData) config() string {
	if len(fd.channelMap) == 0 {
		return ""
	}
	var kv []string
	for _, t := range slices.Sorted(maps.Keys(fd.channelMap)) {
		kv = append(kv, t+": "+fd.channelMap[t])
	}
	return "channel_map: {" + strings.Join(kv, ", ") + "}\n"
}

// renderFixtureMetrics renders a fixture row's metrics as Google does:
// int64s (micros included) as strings, doubles as numbers, zeros omitted,
// in the order of the invented rows.
func renderFixtureMetrics(r fixture.AdRow, has func(string) bool) []string {
	var mt []string
	if has("metrics.clicks") && r.Clicks != 0 {
		mt = append(mt, `"clicks":"`+strconv.FormatInt(r.Clicks, 10)+`"`)
	}
	if has("metrics.conversions") && r.Conversions != 0 {
		mt = append(mt, `"conversions":`+double(r.Conversions))
	}
	if has("metrics.conversions_value") && r.ConversionValue != 0 {
		mt = append(mt, `"conversionsValue":`+valueText(r.ConversionValue))
	}
	if has("metrics.cost_micros") && r.Spend != 0 {
		mt = append(mt, `"costMicros":"`+strconv.FormatInt(int64(r.Spend), 10)+`"`)
	}
	if has("metrics.impressions") && r.Impressions != 0 {
		mt = append(mt, `"impressions":"`+strconv.FormatInt(r.Impressions, 10)+`"`)
	}
	return mt
}

// expectedFixture is the stored row of a fixture row, as Expected writes it.
func expectedFixture(a Account, row fakeRow) map[string]string {
	r := row.fx
	m := map[string]string{
		"date": row.date, "platform": Platform, "account_id": a.ID, "account_timezone": a.TimeZone,
		"campaign_id": row.c.id, "campaign_name": row.c.name, "ad_group_id": "NULL", "ad_id": "NULL",
		"channel": row.c.channel, "currency": a.Currency, "campaign_type": row.c.typ,
		"spend": money(int64(r.Spend), 6), "impressions": strconv.FormatInt(r.Impressions, 10),
		"clicks": strconv.FormatInt(r.Clicks, 10), "conversions": double(r.Conversions),
		"conversion_value": valueText(r.ConversionValue),
	}
	if row.g != nil {
		m["ad_group_id"] = row.g.id
	}
	if row.ad != "" {
		m["ad_id"] = row.ad
	}
	return m
}
