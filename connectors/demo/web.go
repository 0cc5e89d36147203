package demo

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
)

// conversionRate is the share of sessions that buy, for non-paid channels.
var conversionRate = [numChannels]float64{email: 0.035, organic: 0.012, direct: 0.028, referral: 0.010}

// newUserShare is the share of a non-paid channel's users who are new.
var newUserShare = [numChannels]float64{email: 0.08, organic: 0.72, direct: 0.35, referral: 0.78}

// webWriter writes web_traffic rows.
type webWriter struct {
	*batchWriter
	date                                             *dateCol
	source, medium, campaign, channelGroup, currency *strCol
	sessions, users, newUsers                        *i64Col
	keyEvents                                        *f64Col
	revenue                                          *moneyCol
}

func newWebWriter(out connectors.Emitter) *webWriter {
	w := &webWriter{batchWriter: newBatchWriter(out, connectors.Canonical["web_traffic"].ArrowSchema())}
	w.date = w.batchWriter.date("date")
	w.source, w.medium, w.campaign = w.str("source"), w.str("medium"), w.str("campaign")
	w.channelGroup, w.currency = w.str("channel_group"), w.str("currency")
	w.sessions, w.users, w.newUsers = w.i64("sessions"), w.i64("users"), w.i64("new_users")
	w.keyEvents = w.f64("key_events")
	w.revenue = w.money("revenue")
	return w
}

// webRow is one row of web_traffic.
type webRow struct {
	source, medium, campaign, channelGroup string
	campaignBytes                          []byte // used instead of campaign when set
	sessions, users, newUsers              int64
	keyEvents                              float64
	revenueCents                           int64
}

func (w *webWriter) write(ctx context.Context, d day, row *webRow) error {
	w.date.Append(arrow.Date32(d))
	w.source.Append(row.source)
	w.medium.Append(row.medium)
	if row.campaignBytes != nil {
		w.campaign.AppendBytes(row.campaignBytes)
	} else {
		w.campaign.Append(row.campaign)
	}
	w.channelGroup.Append(row.channelGroup)
	w.sessions.Append(row.sessions)
	w.users.Append(row.users)
	w.newUsers.Append(row.newUsers)
	w.keyEvents.Append(row.keyEvents)
	w.revenue.AppendCents(row.revenueCents)
	w.currency.Append("CNY")
	return w.endRow(ctx)
}

// emitWebTraffic writes web analytics rows of local days [from, to]: one per
// paid campaign (tagged with its campaign id) and one per non-paid source.
// Web analytics sees most but not all purchases, with its own noise.
func (co *company) emitWebTraffic(ctx context.Context, from, to day, out connectors.Emitter) error {
	w := newWebWriter(out)
	defer w.release()
	for d := from; d <= to; d++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(d)
		r := newRNG(co.seed, tagWeb, d, 0)
		for k := range p.ads {
			if err := co.writePaidWeb(ctx, w, p, &p.ads[k], &r); err != nil {
				return err
			}
		}
		for ch := email; ch < numChannels; ch++ {
			if err := co.writeNonPaidWeb(ctx, w, p, ch, &r); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

func (co *company) writePaidWeb(ctx context.Context, w *webWriter, p *dayPlan, cd *campaignDay, r *rng) error {
	sessions := r.round(float64(cd.clicks) * r.between(0.78, 0.92))
	if !cd.delivered || sessions == 0 {
		return nil
	}
	plat := cd.c.plat
	row := webRow{source: plat.source, medium: plat.medium, campaignBytes: cd.c.id, channelGroup: plat.channelGroup}
	row.sessions = sessions
	row.users = max(1, r.round(float64(sessions)*r.between(0.8, 0.9)))
	row.newUsers = r.round(float64(row.users) * r.between(0.55, 0.8))
	row.keyEvents = float64(r.round(float64(cd.firstOrders) * r.between(0.8, 0.95)))
	row.revenueCents = int64(math.Round(row.keyEvents * co.aov * 100 * r.lognormal(0.15)))
	return w.write(ctx, p.d, &row)
}

func (co *company) writeNonPaidWeb(ctx context.Context, w *webWriter, p *dayPlan, ch channel, r *rng) error {
	orders := float64(p.nonPaidOrders[ch]) + co.expectedRepeats(p.d)*repeatShare[ch]
	sessions := math.Max(orders, 2) / conversionRate[ch] * r.lognormal(0.08)
	for _, src := range nonPaidSources[ch] {
		row := webRow{source: src.source, medium: src.medium, campaign: src.campaign, channelGroup: channelGroups[ch]}
		row.sessions = r.round(sessions * src.weight * r.lognormal(0.1))
		if row.sessions == 0 {
			continue
		}
		row.users = max(1, r.round(float64(row.sessions)*r.between(0.75, 0.88)))
		row.newUsers = r.round(float64(row.users) * newUserShare[ch] * r.between(0.9, 1.1))
		row.keyEvents = float64(r.round(orders * src.weight * r.between(0.8, 0.95)))
		row.revenueCents = int64(math.Round(row.keyEvents * co.aov * 100 * r.lognormal(0.15)))
		if err := w.write(ctx, p.d, &row); err != nil {
			return err
		}
	}
	return nil
}

// expectedRepeats is the expected number of repeat orders on day d: repeat
// orders per customer times the first orders of about three months earlier.
func (co *company) expectedRepeats(d day) float64 {
	return meanRepeatOrders * co.baseFirstOrders() * growth(co.start, d-90)
}

// meanRepeatOrders is the mean of repeatCountCum.
const meanRepeatOrders = 0.195 + 2*0.07 + 3*0.035

// baseFirstOrders is the first orders of an ordinary day at the start date:
// the always-on campaigns' budget / CPA plus the non-paid channels.
func (co *company) baseFirstOrders() float64 {
	n := nonPaidFirstOrdersPerDay
	for i := range mediaPlan {
		s := &mediaPlan[i]
		if s.anchor == noAnchor && s.from == 0 {
			n += s.budget / s.cpa
		}
	}
	return n * co.scale.volume
}
