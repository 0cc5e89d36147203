package demo

import "math"

// priceCents is the catalogue: from a 68 CNY sampler to a 588 CNY gift box.
var (
	priceCents = [...]int64{6800, 9800, 12800, 16800, 22800, 29800, 39800, 58800}
	priceCum   = cumulative(18, 22, 18, 14, 10, 8, 6, 4)
	itemsCum   = cumulative(0.55, 0.28, 0.12, 0.05)
)

// basket is a drawn shopping cart.
type basket struct {
	cents     int64 // amount paid, CNY cents
	firstItem int64 // price of the first item, for partial refunds
}

// drawBasket draws a cart. On the big festivals the platform-wide
// "满300减40" discount applies; in other promotion weeks 5% off; returning
// customers sometimes redeem a 10 CNY coupon; small carts pay shipping.
func drawBasket(r *rng, mega bool, peak float64, repeat bool) basket {
	items := r.pick(itemsCum) + 1
	var b basket
	for k := 0; k < items; k++ {
		p := priceCents[r.pick(priceCum)]
		if k == 0 {
			b.firstItem = p
		}
		b.cents += p
	}
	switch {
	case mega:
		b.cents -= b.cents / 30000 * 4000
	case peak > 1.25:
		b.cents -= int64(math.Round(float64(b.cents) * 0.05))
	}
	if repeat && b.cents > 10000 && r.chance(0.3) {
		b.cents -= 1000
	}
	if b.cents < 9900 {
		b.cents += 1200
	}
	return b
}

// orderStatus is the status column of orders.
type orderStatus uint8

const (
	statusPaid orderStatus = iota
	statusCancelled
	statusPending
	statusRefunded
)

var statusNames = [...]string{"paid", "cancelled", "pending", "refunded"}

// order is one order and its refund, if any.
type order struct {
	ts          int64 // µs UTC
	cents       int64
	status      orderStatus
	refundTS    int64 // 0: not refunded
	refundCents int64
	firstItem   int64 // price of the first item, CNY cents (it sets the product line)
}

// Customers reorder up to three times within maxRepeatSpan days of their
// first order (mean ~0.44 repeat orders per customer).
const (
	maxRepeats    = 3
	maxRepeatSpan = 340
	refundMaxDays = 21
)

var repeatCountCum = cumulative(0.70, 0.195, 0.07, 0.035)

// orderKey packs (first-order day, customer index, order number) into the
// index of the order's random streams.
func orderKey(i, k int) uint64 { return uint64(i)<<2 | uint64(k) }

// orderTime returns when order k of customer (K, i) is placed on local day on.
func (co *company) orderTime(K day, i, k int, on day) int64 {
	r := newRNG(co.seed, tagOrderTime, K, orderKey(i, k))
	return timeOnDay(&r, on, co.plan(on).mega)
}

// makeOrder draws order k (0 = first) of customer (K, i), placed on day on.
func (co *company) makeOrder(K day, i, k int, on day) order {
	p := co.plan(on)
	r := newRNG(co.seed, tagOrder, K, orderKey(i, k))
	o := order{ts: co.orderTime(K, i, k, on)}
	b := drawBasket(&r, p.mega, p.peak, k > 0)
	o.cents, o.firstItem = b.cents, b.firstItem
	switch u := r.float(); {
	case u < 0.015:
		o.status = statusCancelled
	case u < 0.019:
		o.status = statusPending // cash on delivery, awaiting payment
	}
	refundRate := 0.06
	if p.mega {
		refundRate = 0.095 // festival impulse buys come back
	}
	if o.status == statusPaid && r.chance(refundRate) {
		o.refundTS = o.ts + int64((1+19*r.float())*float64(microsPerDay))
		o.refundCents = o.cents
		if r.chance(0.3) && b.firstItem < o.cents {
			o.refundCents = b.firstItem // one item returned
		}
	}
	return o
}

// repeatDays fills out with the days of customer (K, i)'s later orders and
// returns how many there are. Orders that would fall shortly before a
// festival are often held back until the festival itself.
func (co *company) repeatDays(K day, i int, out *[maxRepeats]day) int {
	r := newRNG(co.seed, tagCustomer, K, uint64(i))
	n := r.pick(repeatCountCum)
	d, count := K, 0
	for range n {
		d += day(14 + r.expo(50))
		if d > K+maxRepeatSpan-10 {
			break
		}
		d = holdForFestival(&r, d)
		out[count] = d
		count++
	}
	return count
}

// holdForFestival moves 40% of orders due in the 10 days before 11.11 or 618
// to the festival day.
func holdForFestival(r *rng, d day) day {
	y := d.time().Year()
	for _, a := range [...]anchor{singlesDay, mid618} {
		f := anchorDay(a, y)
		if d >= f-10 && d < f && r.chance(0.4) {
			return f
		}
	}
	return d
}

// repeatOrder is a later order of a customer acquired on a plan's day.
type repeatOrder struct {
	customer int32 // index of the customer's first order on its day
	k        int32 // order number, 1..maxRepeats
	on       day   // local day the order is placed
}

// repeatsOf returns the later orders of the customers acquired on plan p's
// day, computing them once.
func (co *company) repeatsOf(p *dayPlan) []repeatOrder {
	if p.repeatsReady {
		return p.repeats
	}
	var days [maxRepeats]day
	for i := 0; i < p.purchases; i++ {
		n := co.repeatDays(p.d, i, &days)
		for k := 0; k < n; k++ {
			p.repeats = append(p.repeats, repeatOrder{customer: int32(i), k: int32(k + 1), on: days[k]})
		}
	}
	p.repeatsReady = true
	return p.repeats
}

// eachRepeat calls fn for every repeat order placed on a local day in
// [from, to], in a fixed order.
func (co *company) eachRepeat(from, to day, cancelled func() error, fn func(K day, i, k int, on day) error) error {
	for K := from - maxRepeatSpan; K <= to; K++ {
		if err := cancelled(); err != nil {
			return err
		}
		for _, r := range co.repeatsOf(co.plan(K)) {
			if r.on < from || r.on > to {
				continue
			}
			if err := fn(K, int(r.customer), int(r.k), r.on); err != nil {
				return err
			}
		}
	}
	return nil
}
