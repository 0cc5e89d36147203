package stripetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/fixture"
)

// FromFixture turns orders into the charges and refunds the fake serves,
// so that a stripe source configured by Config lands each order and
// refund as it is:
//
//   - order i is charge ch_fx<i> (payment intent pi_fx<i>) with
//     metadata order_id = Order.ID and user_id = Order.UserID (left out
//     when empty), customer Order.CustomerID (null when empty), created
//     Order.Created in unix seconds, currency in lower case;
//   - Status paid is a succeeded, paid, captured charge (amount_captured
//     the amount), pending a pending charge, cancelled a failed charge;
//     any other status is served as Stripe would never send it, and the
//     connector quarantines the charge; Restate of its day makes a pending
//     charge succeed (paid);
//   - the amount is in the currency's minor units (¥1234 is 1234, 12.34
//     CNY is 1234, 1.234 KWD is 1234);
//   - refund k of order i is re_fx<i>_<k>, succeeded, on its own created
//     time, of its own amount in minor units.
//
// What the wire cannot carry: times are whole seconds (sub-second parts
// are truncated), and an amount finer than the currency's minor unit is
// rounded half away from zero to it (MinorUnits says whether it was
// exact). Region and product line are not in fixture.Order, so region and
// product_line land NULL.
func FromFixture(orders []fixture.Order) ([]Charge, []Refund) {
	var charges []Charge
	var refunds []Refund
	for i, o := range orders {
		cur := strings.ToLower(o.Currency)
		minor, _ := MinorUnits(o.Amount, cur)
		status := map[string]string{"paid": "succeeded", "pending": "pending", "cancelled": "failed"}[o.Status]
		if status == "" {
			status = o.Status
		}
		charges = append(charges, Charge{
			ID: fmt.Sprintf("ch_fx%08d", i), PaymentIntent: fmt.Sprintf("pi_fx%08d", i),
			Currency: cur, Customer: o.CustomerID, Status: status,
			OrderID: o.ID, UserID: o.UserID, Amount: minor, Created: o.Created.Unix(),
		})
		if status == "pending" {
			charges[len(charges)-1].RestatedStatus = "succeeded" // Restate: the payment goes through
		}
		for k, r := range o.Refunds {
			m, _ := MinorUnits(r.Amount, cur)
			refunds = append(refunds, Refund{ID: fmt.Sprintf("re_fx%08d_%d", i, k), Status: "succeeded", Charge: i,
				Amount: m, Created: r.Created.Unix()})
		}
	}
	return charges, refunds
}

// MinorUnits returns m in the minor units of the lower-case currency cur
// as Stripe sends it (rounded half away from zero), and whether that is
// exact.
func MinorUnits(m fixture.Micros, cur string) (int64, bool) {
	exp := exponent(cur)
	d := int64(1)
	for range 6 - exp {
		d *= 10
	}
	q, r := int64(m)/d, int64(m)%d
	switch {
	case 2*r >= d:
		q++
	case -2*r >= d:
		q--
	}
	return q, r == 0
}

// fixtureSpan is the first and last UTC day with an order or a refund
// (zero when there are none).
func fixtureSpan(orders []fixture.Order) (from, to time.Time) {
	see := func(t time.Time) {
		d := connectors.Day(t.UTC())
		if from.IsZero() || d.Before(from) {
			from = d
		}
		if to.IsZero() || d.After(to) {
			to = d
		}
	}
	for _, o := range orders {
		see(o.Created)
		for _, r := range o.Refunds {
			see(r.Created)
		}
	}
	return from, to
}
