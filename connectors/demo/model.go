package demo

import (
	"math"
	"sync"
)

// scaleSpec sizes the company.
type scaleSpec struct {
	name string
	// volume multiplies budgets and every count of people (shoppers, leads).
	volume float64
	// adGrain emits one row per ad; otherwise one per ad group.
	adGrain     bool
	adGroups    [2]int // min, max ad groups per campaign
	adsPerGroup [2]int // min, max ad slots per ad group (ad grain only)
}

var scales = map[string]scaleSpec{
	"small": {name: "small", volume: 1, adGroups: [2]int{2, 4}},
	"large": {name: "large", volume: 42, adGrain: true, adGroups: [2]int{10, 14}, adsPerGroup: [2]int{140, 210}},
}

// Daily volumes of the small company before seasonality and growth.
const (
	nonPaidFirstOrdersPerDay = 18.0
	nullJourneysPerDay       = 70.0
	signupsPerDay            = 10.0
	leadsPerDay              = 2.2
	offlineDealsPerDay       = 0.6
	// leadValueCents is the value the company books for a wholesale inquiry.
	leadValueCents = 50000
)

// nonPaidShare splits new customers who arrive without paid media.
var nonPaidShare = [numChannels]float64{email: 0.15, organic: 0.40, direct: 0.25, referral: 0.20}

// repeatShare is how returning customers come back (their last touch).
var repeatShare = [numChannels]float64{email: 0.45, direct: 0.30, organic: 0.12, paidSocial: 0.13}

// weekdayLeads: wholesale buyers write on weekdays.
var weekdayLeads = [7]float64{0.35, 1.2, 1.25, 1.2, 1.15, 1.0, 0.4}

// company is the synthetic company for one (seed, scale, start date).
type company struct {
	seed      int64
	scale     scaleSpec
	start     day
	campaigns []*campaign
	plans     planCache
	// aov is the expected order amount in CNY, from the basket model.
	aov float64
	// incidentFrom is the first day of the planted problem (see
	// incidentChannel); noIncident when there is none.
	incidentFrom day
}

// The planted problem the evaluation must find: from the source's
// incident_from (pacer demo sets it three weeks before the last day it
// loads), the landing pages of the paid social campaigns break on most
// phones. Spend, impressions and clicks hold; orders from those clicks
// fall by incidentDrop. The plan (the expected model, which sets the
// demo's targets and budgets) does not know about it.
const (
	incidentChannel = paidSocial
	incidentDrop    = 0.75
	noIncident      = day(1 << 30)
)

func newCompany(seed int64, sc scaleSpec, start day) *company {
	co := &company{seed: seed, scale: sc, start: start, aov: expectedBasketCNY()}
	co.incidentFrom = noIncident
	co.campaigns = buildCampaigns(seed, sc, start)
	co.plans.origin = start - 800
	return co
}

// campaignDay is what one campaign did on one day.
type campaignDay struct {
	c         *campaign
	delivered bool
	spendCNY  float64
	// spendCents is the spend in the account currency.
	spendCents          int64
	impressions, clicks int64
	// realOrders is how many orders the campaign truly drove (expected, with noise).
	realOrders float64
	// claimed is the conversions the platform reports; claimedValueCents
	// their value in the account currency.
	claimed           float64
	claimedValueCents int64
	// firstOrders is the drawn number of first orders whose last paid click
	// was this campaign today.
	firstOrders int
}

// purchaseSource says where the purchase journeys of a day come from: the
// journeys [previous end, end) of the day share this last touch.
type purchaseSource struct {
	end int
	ad  int // index into dayPlan.ads; -1 for non-paid channels
	ch  channel
}

// dayPlan is everything about a local day that the streams share: campaign
// delivery and how many journeys, orders and leads start on it.
type dayPlan struct {
	d             day
	trend, demand float64
	peak          float64
	mega          bool
	fx            float64 // CNY per USD
	ads           []campaignDay
	active        [numPaidChannels][]*campaign
	sources       []purchaseSource
	purchases     int
	nonPaidOrders [numChannels]int
	nulls         int
	signups       int
	leads         int
	offlineDeals  int
	// repeats are the later orders of the customers acquired on this day
	// (see company.repeatsOf).
	repeats      []repeatOrder
	repeatsReady bool
}

// planCache keeps day plans in a slice indexed from origin.
type planCache struct {
	origin day
	plans  []*dayPlan
}

// plan returns the plan of local day d.
func (co *company) plan(d day) *dayPlan {
	i := int(d - co.plans.origin)
	if i < 0 || i > 40000 {
		return co.buildPlan(d)
	}
	if i >= len(co.plans.plans) {
		co.plans.plans = append(co.plans.plans, make([]*dayPlan, i+1-len(co.plans.plans))...)
	}
	if co.plans.plans[i] == nil {
		co.plans.plans[i] = co.buildPlan(d)
	}
	return co.plans.plans[i]
}

// buildPlan lays out local day d: each running campaign's delivery, then
// the day's counts of purchase journeys by last touch, browsing journeys,
// signups, leads and offline deals.
func (co *company) buildPlan(d day) *dayPlan {
	p := &dayPlan{d: d, trend: growth(co.start, d), demand: demandSeason(d), peak: peakFactor(d),
		mega: megaSale(d), fx: usdRate(d)}
	for _, c := range co.campaigns {
		if !c.active(d) {
			continue
		}
		ch := c.plat.channel
		p.active[ch] = append(p.active[ch], c)
		r := newRNG(co.seed, tagCampaignDay, d, c.idNum)
		p.ads = append(p.ads, co.campaignDay(c, p, &r))
	}
	r := newRNG(co.seed, tagDayPlan, d, 0)
	for k := range p.ads {
		ad := &p.ads[k]
		ad.firstOrders = int(r.round(ad.realOrders))
		p.purchases += ad.firstOrders
		p.sources = append(p.sources, purchaseSource{end: p.purchases, ad: k, ch: ad.c.plat.channel})
	}
	vol := co.scale.volume * p.trend
	for ch := email; ch < numChannels; ch++ {
		n := int(r.round(nonPaidFirstOrdersPerDay * nonPaidShare[ch] * vol * p.demand * r.lognormal(0.1)))
		p.nonPaidOrders[ch] = n
		p.purchases += n
		p.sources = append(p.sources, purchaseSource{end: p.purchases, ad: -1, ch: ch})
	}
	p.nulls = int(r.round(nullJourneysPerDay * vol * math.Sqrt(p.demand) * r.lognormal(0.05)))
	p.signups = int(r.round(signupsPerDay * vol * math.Sqrt(p.demand) * r.lognormal(0.1)))
	wd := d.weekday()
	p.leads = int(r.round(leadsPerDay * vol * weekdayLeads[wd] * r.lognormal(0.2)))
	p.offlineDeals = int(r.round(offlineDealsPerDay * vol * weekdayLeads[wd] * r.lognormal(0.3)))
	return p
}

// noise is a mean-1 multiplicative noise, or exactly 1 for the expected model (r nil).
func noise(r *rng, sigma float64) float64 {
	if r == nil {
		return 1
	}
	return r.lognormal(sigma)
}

// campaignDay computes a campaign's delivery on plan p's day. With r nil it
// returns the expected (noise-free) delivery.
//
// Spend follows the budget, growth and the season. Real orders follow
// diminishing returns, orders ∝ spend^0.7, scaled by the day's demand; the
// platform then claims more conversions than there were real orders.
func (co *company) campaignDay(c *campaign, p *dayPlan, r *rng) campaignDay {
	spec := c.spec
	ch := c.plat.channel
	cd := campaignDay{c: c}
	if r != nil && r.chance(0.012) {
		return cd // paused for the day: budget cap hit early, policy review
	}
	base := spec.budget * co.scale.volume * p.trend
	season := spendSeason(ch, p.peak, p.d)
	spend := base * season * noise(r, 0.15)
	cpm := spec.cpm * math.Pow(math.Max(p.peak, 0.5), 0.25) * noise(r, 0.08) // auctions heat up in festivals
	impressions := spend / cpm * 1000
	clicks := impressions * spec.ctr * noise(r, 0.1)
	demandLift := p.demand / math.Pow(season, 0.7)
	cd.realOrders = base / spec.cpa * math.Pow(spend/base, 0.7) * demandLift * noise(r, 0.2)
	if r != nil && ch == incidentChannel && p.d >= co.incidentFrom {
		cd.realOrders *= 1 - incidentDrop
	}
	cd.claimed = cd.realOrders * spec.overclaim * noise(r, 0.1)
	claimedValueCNY := cd.claimed * co.aov * 1.05 * noise(r, 0.12)
	cd.spendCNY = spend
	cd.delivered = true

	rate := 1.0
	if c.plat.currency == "USD" {
		rate = p.fx
	}
	cd.spendCents = int64(math.Round(spend / rate * 100))
	cd.claimedValueCents = int64(math.Round(claimedValueCNY / rate * 100))
	if r == nil {
		cd.impressions, cd.clicks = int64(impressions), int64(clicks)
		return cd
	}
	cd.impressions = r.round(impressions)
	cd.clicks = min(r.round(clicks), cd.impressions)
	if c.plat.fractional {
		cd.claimed = math.Round(cd.claimed*100) / 100
	} else {
		cd.claimed = float64(r.round(cd.claimed))
	}
	return cd
}

// sourceOf returns the last-touch source of purchase journey i of plan p.
func (p *dayPlan) sourceOf(i int) purchaseSource {
	for _, s := range p.sources {
		if i < s.end {
			return s
		}
	}
	return purchaseSource{ad: -1, ch: direct}
}

// expectedBasketCNY is the mean order amount of the basket model (an
// ordinary day, first orders), measured once on a fixed sample.
var expectedBasketCNY = sync.OnceValue(func() float64 {
	r := newRNG(0, tagBasketMean, 0, 0)
	const n = 20000
	var sum int64
	for range n {
		b := drawBasket(&r, false, 1.0, false)
		sum += b.cents
	}
	return float64(sum) / n / 100
})
