package hubspottest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// StageIDs are the dealstage ids of the default sales pipeline the fake
// serves for each pacer stage; the default stage_map maps them back.
var StageIDs = map[string]string{
	"lead":      "appointmentscheduled",
	"qualified": "qualifiedtobuy",
	"proposal":  "presentationscheduled",
	"won":       "closedwon",
	"lost":      "closedlost",
}

// FromFixture turns deals into the deals the fake serves, with the
// owner_map and team_map (hubspot_owner_id → name) Config passes:
//
//   - the deal id is Deal.ID (HubSpot's are numeric; any text is served);
//   - createdate and closedate are ISO 8601 with milliseconds, so times
//     are truncated to the millisecond; closedate is null while Closed is
//     zero; hs_lastmodifieddate is a second after the later of the two;
//   - dealstage is StageIDs[Deal.Stage] (a stage outside them is served as
//     it is, and the source quarantines the deal), hs_is_closed_won is
//     Deal.Won, pipeline "default";
//   - amount is the exact decimal text of Deal.Amount (null without
//     HasAmount), deal_currency_code Deal.Currency (null when empty);
//   - hs_analytics_source is LeadSource and hs_campaign CampaignID (null
//     when empty);
//   - each distinct (Owner, Team) gets an owner id 1001, 1002, … in order
//     of appearance, named Owner in owner_map and, when Team is set, Team
//     in team_map.
//
// What the source cannot land as the fixture says: a closed time of a deal
// still open (the source keeps closed_at for won and lost deals only: it
// lands NULL), a team without an owner (a team belongs to an owner id: it
// lands NULL), and sub-millisecond times.
func FromFixture(deals []fixture.Deal) ([]*Deal, map[string]string, map[string]string) {
	owners, teams := map[string]string{}, map[string]string{}
	ids := map[[2]string]string{}
	var out []*Deal
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return str(v)
	}
	for _, d := range deals {
		stage, ok := StageIDs[d.Stage]
		if !ok {
			stage = d.Stage
		}
		modified := d.Created
		if d.Closed.After(modified) {
			modified = d.Closed
		}
		p := map[string]*string{
			"createdate":          str(iso(d.Created)),
			"hs_lastmodifieddate": str(iso(modified.Add(time.Second))),
			"closedate":           nil,
			"dealstage":           str(stage),
			"pipeline":            str("default"),
			"amount":              nil,
			"deal_currency_code":  opt(d.Currency),
			"hs_is_closed_won":    str(strconv.FormatBool(d.Won)),
			"hubspot_owner_id":    nil,
			"hs_analytics_source": opt(d.LeadSource),
			"hs_campaign":         opt(d.CampaignID),
			"dealname":            str("Deal " + d.ID),
		}
		if !d.Closed.IsZero() {
			p["closedate"] = str(iso(d.Closed))
		}
		if d.HasAmount {
			p["amount"] = str(decimalText(d.Amount))
		}
		if d.Owner != "" {
			k := [2]string{d.Owner, d.Team}
			id, ok := ids[k]
			if !ok {
				id = strconv.Itoa(1001 + len(ids))
				ids[k] = id
				owners[id] = d.Owner
				if d.Team != "" {
					teams[id] = d.Team
				}
			}
			p["hubspot_owner_id"] = str(id)
		}
		out = append(out, &Deal{ID: d.ID, Props: p})
	}
	return out, owners, teams
}

// decimalText is an amount as HubSpot holds it: the shortest exact decimal
// ("1234567.89", "500", "-0.5").
func decimalText(m fixture.Micros) string {
	t := m.Decimal(6)
	t = strings.TrimRight(t, "0")
	return strings.TrimSuffix(t, ".")
}

// fixtureSpan is the first and last UTC created day (zero when none).
func fixtureSpan(deals []fixture.Deal) (from, to time.Time) {
	for i, d := range deals {
		day := connectors.Day(d.Created.UTC())
		if i == 0 || day.Before(from) {
			from = day
		}
		if i == 0 || day.After(to) {
			to = day
		}
	}
	return from, to
}

// cmpID orders deal ids: as numbers when both are, else as text.
func cmpID(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmpInt(x, y)
	}
	return strings.Compare(a, b)
}

func currencyLine(cur string) string {
	if cur == "" {
		return ""
	}
	return "currency: " + cur + "\n"
}

// yamlMap renders m as a YAML flow mapping of double-quoted strings.
func yamlMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %s", strconv.Quote(k), strconv.Quote(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
