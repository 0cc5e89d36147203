package bqtest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Event is one GA4 export event, as far as the connector reads it.
type Event struct {
	UserPseudoID string
	UserID       string // empty: NULL
	// Timestamp is event_timestamp (microseconds UTC); event_date is its
	// day in the fake's time zone.
	Timestamp time.Time
	Name      string
	SessionID int64 // ga_session_id; 0: no parameter
	// Source … ChannelGroup are session_traffic_source_last_click.cross_channel_campaign.
	Source, Medium, Campaign, CampaignID, ChannelGroup string
	// Collected* and Gclid are collected_traffic_source.
	CollectedSource, CollectedMedium, CollectedCampaign, CollectedCampaignID, Gclid string
	// First* are traffic_source (the user's first acquisition).
	FirstSource, FirstMedium, FirstCampaign string
	// Value and Currency are the value and currency event parameters
	// (decimal text; empty: absent).
	Value, Currency string
	// TransactionID and Revenue are ecommerce.transaction_id and
	// ecommerce.purchase_revenue (decimal text; empty: NULL).
	TransactionID, Revenue string
	// Intraday puts the event in events_intraday_YYYYMMDD instead of the
	// daily table.
	Intraday bool
}

type acquisition struct {
	source, medium, campaign, campaignID, group string
}

var acquisitions = []acquisition{
	{"google", "cpc", "brand_de", "2001", "Paid Search"},
	{"(direct)", "(none)", "(direct)", "", "Direct"},
	{"google", "organic", "(organic)", "", "Organic Search"},
	{"facebook", "paid_social", `Café "Winter" 茶`, "3001", "Paid Social"},
	{"newsletter", "email", "nov_promo", "", "Email"},
	{"news.example.com", "referral", "(referral)", "", "Referral"},
}

// Generate returns a small deterministic data set over days from..to in
// loc: per day a few users with a session each (session_start,
// page_view), some purchases (transaction id, revenue), leads (value and
// currency parameters), a mid-session campaign hit, sessions around local
// midnight, user ids for some users. The last day is only in the intraday
// table, and the day before it in both (the intraday copy holds one stale
// purchase that must not be read).
func Generate(seed uint64, from, to time.Time, loc *time.Location) []Event {
	r := rand.New(rand.NewPCG(seed, 7))
	var out []Event
	last := to
	for d, k := from, 0; !d.After(to); d, k = d.AddDate(0, 0, 1), k+1 {
		y, m, dd := d.Date()
		for u := range 6 {
			a := acquisitions[(u+k)%len(acquisitions)]
			pseudo := fmt.Sprintf("%d.%d", 1000000+u*7919, 1700000000+u)
			userID := ""
			if u%3 == 0 {
				userID = fmt.Sprintf("crm-%03d", u)
			}
			hour := 8 + (u*3+k)%12
			if u == 5 {
				hour = 0 // just after local midnight: the previous UTC day
			}
			start := time.Date(y, m, dd, hour, (u*11+k)%60, (u*7)%60, 0, loc).Add(time.Duration(r.IntN(1_000_000)) * time.Microsecond)
			sess := start.Unix()
			base := Event{UserPseudoID: pseudo, UserID: userID, SessionID: sess,
				Source: a.source, Medium: a.medium, Campaign: a.campaign, CampaignID: a.campaignID, ChannelGroup: a.group,
				FirstSource: "google", FirstMedium: "organic", FirstCampaign: "(organic)",
				Intraday: d.Equal(last)}
			ev := func(name string, at time.Time) Event {
				e := base
				e.Name, e.Timestamp = name, at.UTC()
				return e
			}
			ss := ev("session_start", start)
			if a.source != "(direct)" && a.source != "google" || a.medium == "cpc" {
				ss.CollectedSource, ss.CollectedMedium, ss.CollectedCampaign, ss.CollectedCampaignID = a.source, a.medium, a.campaign, a.campaignID
			}
			if a.medium == "cpc" {
				ss.Gclid = fmt.Sprintf("Cj0KCQ%d%d", k, u)
			}
			out = append(out, ss, ev("page_view", start.Add(2*time.Second)))
			if (u+k)%4 == 1 {
				// A campaign hit mid-session: a new touchpoint.
				mid := ev("page_view", start.Add(5*time.Minute))
				mid.CollectedSource, mid.CollectedMedium, mid.CollectedCampaign = "partner-feed", "affiliate", "feed_q4"
				out = append(out, mid)
			}
			if (u+k)%3 == 0 {
				p := ev("purchase", start.Add(9*time.Minute))
				p.TransactionID = fmt.Sprintf("T%04d%02d%02d-%d", y, m, dd, u)
				p.Revenue = fmt.Sprintf("%d.%02d", 20+r.IntN(300), r.IntN(100))
				p.Value, p.Currency = p.Revenue, "EUR"
				out = append(out, p)
			}
			if (u+k)%5 == 2 {
				l := ev("generate_lead", start.Add(4*time.Minute))
				l.Value, l.Currency = "25", "usd"
				out = append(out, l)
			}
			if (u+k)%7 == 3 {
				out = append(out, ev("generate_lead", start.Add(6*time.Minute))) // no value
			}
		}
		if d.Equal(last.AddDate(0, 0, -1)) {
			// The intraday table of a day whose daily table exists: never read.
			stale := Event{UserPseudoID: "stale.1", Name: "purchase", Timestamp: time.Date(y, m, dd, 12, 0, 0, 0, loc).UTC(),
				TransactionID: "STALE", Revenue: "999.00", Intraday: true, SessionID: 1}
			out = append(out, stale)
		}
	}
	return out
}
