package demo

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
)

// adWriter writes ad_performance rows.
type adWriter struct {
	*batchWriter
	date                                             *dateCol
	platform, accountID, accountTZ, campaignID       *strCol
	campaignName, adGroupID, adID, channel, currency *strCol
	spend, conversionValue                           *moneyCol
	impressions, clicks                              *i64Col
	conversions                                      *f64Col
}

func newAdWriter(out connectors.Emitter) *adWriter {
	w := &adWriter{batchWriter: newBatchWriter(out, connectors.Canonical["ad_performance"].ArrowSchema())}
	w.date = w.batchWriter.date("date")
	w.platform, w.accountID, w.accountTZ = w.str("platform"), w.str("account_id"), w.str("account_timezone")
	w.campaignID, w.campaignName = w.str("campaign_id"), w.str("campaign_name")
	w.adGroupID, w.adID = w.str("ad_group_id"), w.str("ad_id")
	w.channel, w.currency = w.str("channel"), w.str("currency")
	w.spend, w.conversionValue = w.money("spend"), w.money("conversion_value")
	w.impressions, w.clicks = w.i64("impressions"), w.i64("clicks")
	w.conversions = w.f64("conversions")
	return w
}

// adMetrics is the delivery of one ad group or ad on one day.
type adMetrics struct {
	impressions, clicks int64
	spendCents          int64
	conversions         float64
	valueCents          int64
}

// split returns a share of a campaign's day, with its own noise. Zero
// impressions means the row is absent.
func split(cd *campaignDay, share float64, r *rng) adMetrics {
	var m adMetrics
	m.impressions = r.round(float64(cd.impressions) * share)
	if m.impressions == 0 {
		return m
	}
	m.clicks = min(r.round(float64(cd.clicks)*share*(0.85+0.3*r.float())), m.impressions)
	m.spendCents = int64(math.Round(float64(cd.spendCents) * share))
	conv := cd.claimed * share * (0.7 + 0.6*r.float())
	if cd.c.plat.fractional {
		m.conversions = math.Round(conv*100) / 100
	} else {
		m.conversions = float64(r.round(conv))
	}
	if m.conversions > 0 && cd.claimed > 0 {
		m.valueCents = int64(math.Round(float64(cd.claimedValueCents) * m.conversions / cd.claimed))
	}
	return m
}

// emitAdPerformance writes the ad rows of local days [from, to].
func (co *company) emitAdPerformance(ctx context.Context, from, to day, out connectors.Emitter) error {
	w := newAdWriter(out)
	defer w.release()
	for d := from; d <= to; d++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(d)
		for k := range p.ads {
			cd := &p.ads[k]
			if !cd.delivered || cd.impressions == 0 {
				continue
			}
			r := newRNG(co.seed, tagAdSplit, d, cd.c.idNum)
			var err error
			if co.scale.adGrain {
				err = w.writeAds(ctx, d, cd, &r)
			} else {
				err = w.writeAdGroups(ctx, d, cd, &r)
			}
			if err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// writeAdGroups writes one row per ad group; a group is sometimes paused.
func (w *adWriter) writeAdGroups(ctx context.Context, d day, cd *campaignDay, r *rng) error {
	groups := cd.c.groups
	var shares [32]float64
	total := 0.0
	for g := range groups {
		if r.chance(0.04) {
			continue
		}
		shares[g] = groups[g].weight * (0.7 + 0.6*r.float())
		total += shares[g]
	}
	for g := range groups {
		if shares[g] == 0 {
			continue
		}
		m := split(cd, shares[g]/total, r)
		if m.impressions == 0 {
			continue
		}
		if err := w.row(ctx, d, cd, groups[g].id, nil, m); err != nil {
			return err
		}
	}
	return nil
}

// writeAds writes one row per running ad.
func (w *adWriter) writeAds(ctx context.Context, d day, cd *campaignDay, r *rng) error {
	c := cd.c
	for g := range c.groups {
		group := &c.groups[g]
		groupShare := group.weight * (0.8 + 0.4*r.float()) / group.slotWeightSum
		for s := range group.slots {
			if r.chance(0.03) {
				continue // paused today
			}
			m := split(cd, groupShare*group.slots[s].weight*(0.6+0.8*r.float()), r)
			if m.impressions == 0 {
				continue
			}
			if err := w.row(ctx, d, cd, group.id, c.adID(g, s, d), m); err != nil {
				return err
			}
		}
	}
	return nil
}

// row appends one ad_performance row; a nil adID means ad-group grain.
func (w *adWriter) row(ctx context.Context, d day, cd *campaignDay, groupID, adID []byte, m adMetrics) error {
	c := cd.c
	w.date.Append(arrow.Date32(d))
	w.platform.Append(c.plat.name)
	w.accountID.Append(c.plat.accountID)
	w.accountTZ.Append(c.plat.timezone)
	w.campaignID.AppendBytes(c.id)
	w.campaignName.AppendBytes(c.name)
	w.adGroupID.AppendBytes(groupID)
	if adID == nil {
		w.adID.AppendNull()
	} else {
		w.adID.AppendBytes(adID)
	}
	w.channel.Append(channelNames[c.plat.channel])
	w.currency.Append(c.plat.currency)
	w.spend.AppendCents(m.spendCents)
	w.impressions.Append(m.impressions)
	w.clicks.Append(m.clicks)
	w.conversions.Append(m.conversions)
	w.conversionValue.AppendCents(m.valueCents)
	return w.endRow(ctx)
}
