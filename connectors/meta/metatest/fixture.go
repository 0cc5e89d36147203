package metatest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/fixture"
)

// Platform is the fixture platform name of Meta ad accounts and rows.
const Platform = "meta"

// fixRow is one ad row of a fixture, with the entities it renders.
type fixRow struct {
	date time.Time
	c    *campaign
	set  *adSet // nil at campaign grain
	ad   *ad    // nil above ad grain
	row  fixture.AdRow
}

// fixtureData is what New derives from Options.Fixture.
type fixtureData struct {
	accounts []Account
	rows     [][]fixRow // per account, by date (fixture order within a day)
	level    string     // campaign, adset or ad
	channel  string     // the one channel of the rows ("" when none)
	from, to time.Time
}

// AccountID returns a fixture account id as the connector stores it: the
// digits, without act_ ("act_1029384756" → "1029384756").
func AccountID(id string) string { return strings.TrimPrefix(strings.TrimSpace(id), "act_") }

// grain is the insights level of a fixture row.
func grain(r fixture.AdRow) string {
	switch {
	case r.AdID != "":
		return "ad"
	case r.AdGroupID != "":
		return "adset"
	}
	return "campaign"
}

var levelRank = map[string]int{"campaign": 0, "adset": 1, "ad": 2}

// CheckFixture reports why set cannot be served by a Meta fake: account
// ids that are not digits (act_ allowed), rows of accounts the set does
// not list, rows of different grains, or rows of different channels (a
// meta source gives every row its one configured channel). New panics
// with this error.
func CheckFixture(set *fixture.Set) error {
	_, err := loadFixture(set)
	return err
}

func loadFixture(set *fixture.Set) (*fixtureData, error) {
	accts, rows := set.Platform(Platform)
	fd := &fixtureData{}
	index := map[string]int{}
	for _, a := range accts {
		id := AccountID(a.ID)
		if id == "" || len(id) > 20 || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("metatest: fixture account %q is not an ad account id (digits, act_ allowed)", a.ID)
		}
		if _, dup := index[a.ID]; dup || slices.ContainsFunc(fd.accounts, func(b Account) bool { return b.ID == id }) {
			return nil, fmt.Errorf("metatest: fixture account %s is listed twice", a.ID)
		}
		if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "" || a.Currency == "" {
			return nil, fmt.Errorf("metatest: fixture account %s: time zone %q or currency %q not usable", a.ID, a.TimeZone, a.Currency)
		}
		index[a.ID] = len(fd.accounts)
		fd.accounts = append(fd.accounts, Account{ID: id, Name: a.Name, Currency: a.Currency, TimeZone: a.TimeZone})
	}
	fd.rows = make([][]fixRow, len(fd.accounts))
	campaigns := map[[3]string]*campaign{}
	sets := map[[3]string]*adSet{}
	ads := map[[4]string]*ad{}
	for _, r := range rows {
		ai, ok := index[r.AccountID]
		if !ok {
			return nil, fmt.Errorf("metatest: fixture row of account %s, which the set does not list", r.AccountID)
		}
		g := grain(r)
		if fd.level == "" {
			fd.level, fd.channel = g, r.Channel
		}
		if g != fd.level {
			return nil, fmt.Errorf("metatest: fixture rows mix %s and %s grain (campaign %s on %s); a source reads one level",
				fd.level, g, r.CampaignID, r.Date.Format(time.DateOnly))
		}
		if r.Channel != fd.channel {
			return nil, fmt.Errorf("metatest: fixture rows carry channels %q and %q; a meta source sets one channel for every row", fd.channel, r.Channel)
		}
		if r.CampaignID == "" {
			return nil, fmt.Errorf("metatest: fixture row of account %s on %s has no campaign id", r.AccountID, r.Date.Format(time.DateOnly))
		}
		ck := [3]string{r.AccountID, r.CampaignID, r.CampaignName}
		if campaigns[ck] == nil {
			campaigns[ck] = &campaign{id: r.CampaignID, name: r.CampaignName}
		}
		fr := fixRow{date: r.Date, c: campaigns[ck], row: r}
		if r.AdGroupID != "" {
			sk := [3]string{r.AccountID, r.CampaignID, r.AdGroupID}
			if sets[sk] == nil {
				sets[sk] = &adSet{id: r.AdGroupID}
			}
			fr.set = sets[sk]
		}
		if r.AdID != "" {
			ak := [4]string{r.AccountID, r.CampaignID, r.AdGroupID, r.AdID}
			if ads[ak] == nil {
				ads[ak] = &ad{id: r.AdID}
			}
			fr.ad = ads[ak]
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
// are, summed up to a coarser level, none at a finer one. Rows without
// delivery are served too (the fixture has them). Callers hold s.mu.
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
			row.set = fr.set
		}
		if level == "ad" {
			row.ad = fr.ad
		}
		if level == fd.level {
			out = append(out, row)
			continue
		}
		k := fmt.Sprintf("%s\x00%p\x00%p", row.date, row.c, row.set)
		if i, ok := at[k]; ok {
			o := out[i].fx
			o.Impressions += m.Impressions
			o.Clicks += m.Clicks
			o.Spend += m.Spend
			o.ConversionValue += m.ConversionValue
			o.Conversions += m.Conversions
			continue
		}
		at[k] = len(out)
		out = append(out, row)
	}
	return out
}

// restate applies v restatements to a fixture row as adDay does to
// invented ones: a late purchase worth 25.99 each, up to a twentieth of
// the spend adjusted away (in whole cents). Version 0 is the row unchanged.
func restate(r fixture.AdRow, v int) fixture.AdRow {
	if v <= 0 {
		return r
	}
	r.Conversions += float64(v)
	r.ConversionValue += fixture.Micros(v) * 25_990_000
	cents := int64(r.Spend) / 10_000
	r.Spend -= fixture.Micros(cents / 20 * int64(min(v, 5)) / 5 * 10_000)
	return r
}

// decimal renders money as Meta does, "154.30"; amounts with fractions of
// a cent keep their micros ("0.071234"), exactly.
func decimal(m fixture.Micros) string {
	if m%10_000 == 0 {
		return m.Decimal(2)
	}
	return strings.TrimRight(m.Decimal(6), "0")
}

// whole reports whether conversions are a whole count.
func whole(x float64) bool { return x == math.Trunc(x) && math.Abs(x) < 1<<53 }

// count renders conversions: whole counts as integers ("3"), fractional
// ones as the double's shortest text.
func count(x float64) string {
	if whole(x) {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// fixSplit is how a fixture row's purchases spread over the requested
// attribution windows: a quarter of a whole count (and its share of the
// value) in the second window, the rest in the first; fractional counts
// all in the first. conv and value are per window of ws.
type fixSplit struct {
	conv  []float64
	value []fixture.Micros
}

func splitWindows(r fixture.AdRow, ws []string) fixSplit {
	sp := fixSplit{conv: make([]float64, len(ws)), value: make([]fixture.Micros, len(ws))}
	if len(ws) == 0 {
		return sp
	}
	sp.conv[0], sp.value[0] = r.Conversions, r.ConversionValue
	if len(ws) < 2 || !whole(r.Conversions) || r.Conversions < 1 {
		return sp
	}
	view := math.Floor(r.Conversions / 4)
	// The view window's value in whole cents when the total is.
	unit := fixture.Micros(1)
	if r.ConversionValue%10_000 == 0 {
		unit = 10_000
	}
	vv := fixture.Micros(float64(r.ConversionValue/unit)*view/r.Conversions) * unit
	sp.conv[0], sp.conv[1] = r.Conversions-view, view
	sp.value[0], sp.value[1] = r.ConversionValue-vv, vv
	return sp
}

// purchaseTypes are the purchase action types rendered for an account's
// fixture rows: its ActionTypes, without the pixel's when another type is
// there (the pixel sees only part of the purchases; it is left out rather
// than given an inexact share).
func purchaseTypes(a Account) []string {
	var out []string
	for _, t := range a.ActionTypes {
		if t != "offsite_conversion.fb_pixel_purchase" || len(a.ActionTypes) == 1 {
			out = append(out, t)
		}
	}
	return out
}

// fixtureEntries renders actions (values false) or action_values of a
// fixture row: link clicks, then each purchase type with the total in
// "value" and the split over the requested windows.
func fixtureEntries(a Account, r fixture.AdRow, ws []string, values bool) string {
	var es []string
	if !values && r.Clicks > 0 {
		es = append(es, `{"action_type":"link_click","value":"`+strconv.FormatInt(r.Clicks*9/10, 10)+`"}`)
	}
	if r.Conversions != 0 || r.ConversionValue != 0 {
		sp := splitWindows(r, ws)
		for _, t := range purchaseTypes(a) {
			e := `{"action_type":"` + t + `","value":"`
			if values {
				e += decimal(r.ConversionValue) + `"`
			} else {
				e += count(r.Conversions) + `"`
			}
			for i, w := range ws {
				if values && sp.value[i] != 0 {
					e += `,"` + w + `":"` + decimal(sp.value[i]) + `"`
				}
				if !values && sp.conv[i] != 0 {
					e += `,"` + w + `":"` + count(sp.conv[i]) + `"`
				}
			}
			es = append(es, e+"}")
		}
	}
	if len(es) == 0 {
		return ""
	}
	return "[" + strings.Join(es, ",") + "]"
}

// expectedFixture is the stored row of a fixture row, as Expected writes
// it, for a source configured by Config.
func (s *Server) expectedFixture(a Account, row fakeRow) map[string]string {
	r := row.fx
	m := map[string]string{
		"date": row.date, "platform": Platform, "account_id": a.ID, "account_timezone": a.TimeZone,
		"campaign_id": row.c.id, "campaign_name": row.c.name, "ad_group_id": "NULL", "ad_id": "NULL",
		"channel": s.fix.channel, "currency": a.Currency,
		"spend": decimal(r.Spend), "impressions": strconv.FormatInt(r.Impressions, 10),
		"clicks": strconv.FormatInt(r.Clicks, 10),
	}
	if row.set != nil {
		m["ad_group_id"] = row.set.id
	}
	if row.ad != nil {
		m["ad_id"] = row.ad.id
	}
	picked := 0
	if r.Conversions != 0 || r.ConversionValue != 0 {
		types := purchaseTypes(a)
		for _, t := range s.opt.ActionTypes {
			if slices.Contains(types, t) {
				picked++
				if !s.opt.SumTypes {
					break
				}
			}
		}
	}
	sp := splitWindows(*r, s.opt.Windows)
	var conv float64
	var val fixture.Micros
	for i, w := range s.opt.Windows {
		c, v := sp.conv[i]*float64(picked), sp.value[i]*fixture.Micros(picked)
		m["conversions_"+w], m["conversion_value_"+w] = count(c), decimal(v)
		conv, val = conv+c, val+v
	}
	m["conversions"], m["conversion_value"] = count(conv), decimal(val)
	return m
}
