package demo

import (
	"context"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
)

// dealWriter writes crm_deals rows.
type dealWriter struct {
	*batchWriter
	dealID, stage, currency, leadSource, campaignID, owner, team *strCol
	createdAt, closedAt                                          *tsCol
	isWon                                                        *boolCol
	amount                                                       *moneyCol
	buf                                                          []byte
}

func newDealWriter(out connectors.Emitter) *dealWriter {
	w := &dealWriter{batchWriter: newBatchWriter(out, connectors.Canonical["crm_deals"].ArrowSchema())}
	w.dealID, w.stage, w.currency = w.str("deal_id"), w.str("stage"), w.str("currency")
	w.leadSource, w.campaignID = w.str("lead_source"), w.str("campaign_id")
	w.owner, w.team = w.str("owner"), w.str("team")
	w.createdAt, w.closedAt = w.ts("created_at"), w.ts("closed_at")
	w.isWon = w.boolean("is_won")
	w.amount = w.money("amount")
	w.buf = make([]byte, 0, 16)
	return w
}

// write appends the deal as the CRM shows it at asOf. Unqualified leads have
// no amount yet.
func (w *dealWriter) write(ctx context.Context, d *deal, asOf int64) error {
	stage, closedAt, owner := d.stateAt(asOf)
	w.buf = strconv.AppendUint(w.buf[:0], d.id, 10)
	w.dealID.AppendBytes(w.buf)
	w.createdAt.Append(arrow.Timestamp(d.created))
	if closedAt != 0 {
		w.closedAt.Append(arrow.Timestamp(closedAt))
	} else {
		w.closedAt.AppendNull()
	}
	w.stage.Append(stageNames[stage])
	w.isWon.Append(stage == stageWon)
	if stage == stageLead || (stage == stageLost && d.qualifiedAt == 0) {
		w.amount.AppendNull()
		w.currency.AppendNull()
	} else {
		w.amount.AppendCents(d.amountCents)
		w.currency.Append("CNY")
	}
	w.leadSource.Append(d.leadSource)
	if d.campaign != nil {
		w.campaignID.AppendBytes(d.campaign.id)
	} else {
		w.campaignID.AppendNull()
	}
	w.owner.Append(people[owner].owner)
	w.team.Append(people[owner].team)
	return w.endRow(ctx)
}

// emitDeals writes the deals created in in, each in the state the CRM shows
// at the end of local day asOfDay.
func (co *company) emitDeals(ctx context.Context, in utcRange, asOfDay day, out connectors.Emitter) error {
	w := newDealWriter(out)
	defer w.release()
	asOf := (asOfDay + 1).localStart()
	for L := in.from; L <= in.to+1; L++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(L)
		for j := 0; j < p.leads+p.offlineDeals; j++ {
			var d deal
			if j < p.leads {
				d = co.webDeal(L, j)
			} else {
				d = co.offlineDeal(L, j-p.leads)
			}
			if !in.has(d.created) {
				continue
			}
			if err := w.write(ctx, &d, asOf); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}
