package demo

import "math"

// dealStage is the stage column of crm_deals.
type dealStage uint8

const (
	stageLead dealStage = iota
	stageQualified
	stageProposal
	stageWon
	stageLost
)

var stageNames = [...]string{"lead", "qualified", "proposal", "won", "lost"}

// Indexes into people.
const (
	ownerLiWei = iota
	ownerChenJie
	ownerWangFang
	ownerZhangMin
	ownerLiuYang
)

// deal is a wholesale lead (cafés, hotels, corporate gifting) and the whole
// future of its pipeline; stateAt tells what the CRM shows at a given instant.
type deal struct {
	id          uint64
	created     int64
	qualifiedAt int64 // 0: never
	proposalAt  int64 // 0: never
	closedAt    int64 // 0: never (stays open)
	won         bool
	amountCents int64
	leadSource  string
	campaign    *campaign
	// leadOwner works the lead; salesOwner takes it once qualified.
	leadOwner, salesOwner int
}

// offlineSources are where leads come from without the website.
var (
	offlineSources   = [...]string{"trade_show", "partner_referral", "outbound"}
	offlineSourceCum = cumulative(0.40, 0.35, 0.25)
)

// webDeal returns the deal created from wholesale inquiry j of local day L.
func (co *company) webDeal(L day, j int) deal {
	f := co.leadJourney(L, j)
	last := f.touches[f.n-1]
	r := newRNG(co.seed, tagDeal, L, uint64(j))
	d := deal{id: dealID(L, false, j), leadSource: channelNames[last.ch], campaign: last.c}
	d.created = f.ts + microsPerMin + int64(r.float()*float64(19*microsPerMin))
	d.leadOwner = ownerChenJie
	if r.chance(0.4) {
		d.leadOwner = ownerLiWei
	}
	d.salesOwner = ownerZhangMin
	if r.chance(0.4) {
		d.salesOwner = ownerLiuYang
	}
	co.drawPipeline(&r, &d, 18000)
	return d
}

// offlineDeal returns deal j of local day L that came from a trade show, a
// partner or outbound prospecting.
func (co *company) offlineDeal(L day, j int) deal {
	r := newRNG(co.seed, tagOfflineDeal, L, uint64(j))
	src := r.pick(offlineSourceCum)
	d := deal{id: dealID(L, true, j), leadSource: offlineSources[src]}
	d.created = L.localStart() + int64((9+r.float()*9)*3600e6)
	switch src {
	case 0:
		d.leadOwner, d.salesOwner = ownerZhangMin, ownerZhangMin
	case 1:
		d.leadOwner, d.salesOwner = ownerWangFang, ownerWangFang // co-branded gifting
	default:
		d.leadOwner, d.salesOwner = ownerLiuYang, ownerLiuYang
	}
	co.drawPipeline(&r, &d, 30000)
	return d
}

// drawPipeline draws a deal's path lead → qualified → proposal → won/lost
// and its amount (median medianCNY). Some deals stall and stay open.
func (co *company) drawPipeline(r *rng, d *deal, medianCNY float64) {
	amount := medianCNY * math.Exp(0.9*r.normal())
	d.amountCents = int64(math.Max(20, math.Round(amount/100))) * 10000 // whole hundreds of CNY
	days := func(lo, mean float64) int64 { return int64((lo + r.expo(mean)) * float64(microsPerDay)) }
	t := d.created
	if r.chance(0.08) {
		return // never worked
	}
	if !r.chance(0.62) {
		d.closedAt = t + days(2, 8) // disqualified
		return
	}
	t += days(0.5, 3)
	d.qualifiedAt = t
	if !r.chance(0.65) {
		if !r.chance(0.1) {
			d.closedAt = t + days(3, 12)
		}
		return
	}
	t += days(2, 6)
	d.proposalAt = t
	d.won = r.chance(0.5)
	d.closedAt = t + days(5, 15)
}

// stateAt returns the stage, closing time (0 while open) and owner the CRM
// shows at instant asOf.
func (d *deal) stateAt(asOf int64) (stage dealStage, closedAt int64, owner int) {
	stage, owner = stageLead, d.leadOwner
	if d.qualifiedAt != 0 && d.qualifiedAt < asOf {
		stage, owner = stageQualified, d.salesOwner
	}
	if d.proposalAt != 0 && d.proposalAt < asOf {
		stage = stageProposal
	}
	if d.closedAt != 0 && d.closedAt < asOf {
		closedAt = d.closedAt
		stage = stageLost
		if d.won {
			stage = stageWon
		}
	}
	return stage, closedAt, owner
}
