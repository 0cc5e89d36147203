package demo

// interaction is the interaction column of touchpoints.
type interaction uint8

const (
	impression interaction = iota
	click
	visit
)

var interactionNames = [...]string{"impression", "click", "visit"}

// trafficSource is how a non-paid visit is tagged in web analytics.
type trafficSource struct {
	source, medium, campaign string
	weight                   float64
}

// nonPaidSources lists the tagged sources of each non-paid channel.
var nonPaidSources = [numChannels][]trafficSource{
	organic: {
		{"google", "organic", "(organic)", 0.50},
		{"baidu", "organic", "(organic)", 0.35},
		{"bing", "organic", "(organic)", 0.15},
	},
	direct: {{"(direct)", "(none)", "(direct)", 1}},
	email: {
		{"newsletter", "email", "weekly_digest", 0.40},
		{"newsletter", "email", "winback_90d", 0.25},
		{"newsletter", "email", "new_arrivals", 0.20},
		{"newsletter", "email", "vip_early_access", 0.15},
	},
	referral: {
		{"xiaohongshu.com", "referral", "(referral)", 0.45},
		{"zhihu.com", "referral", "(referral)", 0.20},
		{"smzdm.com", "referral", "(referral)", 0.20},
		{"weibo.com", "referral", "(referral)", 0.15},
	},
}

// channelGroups is the GA4-style channel group of each non-paid channel.
var channelGroups = [numChannels]string{email: "Email", organic: "Organic Search", direct: "Direct", referral: "Referral"}

// nonPaidSourceCum holds cumulative weights for picking a source variant.
var nonPaidSourceCum = func() (out [numChannels][]float64) {
	for ch, list := range nonPaidSources {
		w := make([]float64, len(list))
		for i, s := range list {
			w[i] = s.weight
		}
		if len(w) > 0 {
			out[ch] = cumulative(w...)
		}
	}
	return
}()

// touch is one marketing interaction of a user.
type touch struct {
	ts      int64 // µs UTC
	ch      channel
	c       *campaign // paid touches only
	variant uint8     // index into nonPaidSources[ch]
	how     interaction
}

const (
	maxTouches   = 8
	maxSpanDays  = 30
	microsPerMin = int64(60_000_000)
)

var (
	// Touches per journey: purchase journeys are longer than browsing ones.
	purchaseTouchCum = cumulative(0.30, 0.25, 0.17, 0.11, 0.07, 0.05, 0.03, 0.02)
	nullTouchCum     = cumulative(0.45, 0.25, 0.12, 0.08, 0.04, 0.03, 0.02, 0.01)
	// assistCum: the channels of the touches before the last one.
	assistCum = cumulative(0.12, 0.18, 0.20, 0.08, 0.08, 0.16, 0.12, 0.06) // in channel order
	// Last touches of signups and leads, in channel order.
	signupLastCum = cumulative(0, 0.25, 0.20, 0, 0, 0.30, 0.10, 0.15)
	leadLastCum   = cumulative(0.35, 0.10, 0, 0, 0, 0.30, 0.15, 0.10)
	// Returning customers come back through these channels.
	repeatLastCum = cumulative(0, repeatShare[paidSocial], 0, 0, repeatShare[email],
		repeatShare[organic], repeatShare[direct], 0)
)

// touchOn builds a touch of channel ch at ts. Paid touches pick a campaign of
// the channel running that day and fall back to an organic visit when none runs.
func (co *company) touchOn(r *rng, ch channel, ts int64, last bool) touch {
	t := touch{ts: ts, ch: ch}
	if ch.paid() {
		list := co.plan(localDay(ts)).active[ch]
		if len(list) == 0 {
			t.ch = organic
		} else {
			t.c = list[r.intn(len(list))]
			t.how = click
			if ch != paidSearch && !last && r.chance(0.65) {
				t.how = impression
			}
			return t
		}
	}
	t.variant = uint8(r.pick(nonPaidSourceCum[t.ch]))
	t.how = visit
	if t.ch == email {
		t.how = click
	}
	return t
}

// touchesBefore fills buf with n touches ending a few minutes before end:
// the last one is last, the others are assists spread over the days before.
func (co *company) touchesBefore(r *rng, end int64, n int, spanMeanDays float64, last touch, buf *[maxTouches]touch) int {
	last.ts = end - 2*microsPerMin - int64(r.float()*float64(88*microsPerMin))
	if n > 1 {
		span := min(r.expo(spanMeanDays), maxSpanDays-1) * float64(microsPerDay)
		first := last.ts - int64(span)
		for k := 0; k < n-1; k++ {
			ts := first + int64(r.float()*span)
			buf[k] = co.touchOn(r, channel(r.pick(assistCum)), ts, false)
		}
		sortTouches(buf[:n-1])
	}
	buf[n-1] = last
	return n
}

// lastTouchOf builds the converting touch of a purchase journey.
func (co *company) lastTouchOf(r *rng, src purchaseSource, p *dayPlan, orderTS int64) touch {
	if src.ad >= 0 {
		return touch{ch: src.ch, c: p.ads[src.ad].c, how: click}
	}
	return co.touchOn(r, src.ch, orderTS, true)
}

// purchaseTouches fills buf with the journey of first order (K, i), which is
// placed at orderTS, and returns the number of touches.
func (co *company) purchaseTouches(K day, i int, p *dayPlan, orderTS int64, buf *[maxTouches]touch) int {
	r := newRNG(co.seed, tagPurchaseTouches, K, uint64(i))
	n := r.pick(purchaseTouchCum) + 1
	last := co.lastTouchOf(&r, p.sourceOf(i), p, orderTS)
	return co.touchesBefore(&r, orderTS, n, 4, last, buf)
}

// repeatTouch is the visit right before a returning customer's order.
func (co *company) repeatTouch(K day, i, k int, orderTS int64) touch {
	r := newRNG(co.seed, tagRepeatTouch, K, orderKey(i, k))
	ts := orderTS - microsPerMin - int64(r.float()*float64(59*microsPerMin))
	return co.touchOn(&r, channel(r.pick(repeatLastCum)), ts, true)
}

// nullTouches fills buf with a browsing journey that starts on local day N
// and never buys: touches move forward from the first visit.
func (co *company) nullTouches(N day, j int, buf *[maxTouches]touch) int {
	r := newRNG(co.seed, tagNullJourney, N, uint64(j))
	n := r.pick(nullTouchCum) + 1
	first := timeOnDay(&r, N, false)
	limit := first + maxSpanDays*microsPerDay
	ts := first
	for k := 0; k < n; k++ {
		if k > 0 {
			ts += int64(r.expo(3) * float64(microsPerDay))
			if ts >= limit {
				return k
			}
		}
		buf[k] = co.touchOn(&r, channel(r.pick(assistCum)), ts, false)
	}
	return n
}

// formJourney is a journey that ends in a signup or a lead form.
type formJourney struct {
	ts      int64 // the conversion instant
	touches [maxTouches]touch
	n       int
}

// signupJourney returns newsletter signup j of local day S.
func (co *company) signupJourney(S day, j int) formJourney {
	r := newRNG(co.seed, tagSignup, S, uint64(j))
	var f formJourney
	f.ts = timeOnDay(&r, S, false)
	last := co.touchOn(&r, channel(r.pick(signupLastCum)), f.ts, true)
	f.n = co.touchesBefore(&r, f.ts, 1+r.intn(3), 3, last, &f.touches)
	return f
}

// leadJourney returns wholesale inquiry j of local day L.
func (co *company) leadJourney(L day, j int) formJourney {
	r := newRNG(co.seed, tagLead, L, uint64(j))
	var f formJourney
	f.ts = L.localStart() + int64((8.5+r.float()*10)*3600e6) // office hours
	last := co.touchOn(&r, channel(r.pick(leadLastCum)), f.ts, true)
	f.n = co.touchesBefore(&r, f.ts, 1+r.intn(4), 5, last, &f.touches)
	return f
}

// sortTouches sorts a few touches by time (insertion sort, no allocation).
func sortTouches(ts []touch) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].ts < ts[j-1].ts; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
