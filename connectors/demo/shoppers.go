package demo

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pacerhq/pacer/connectors"
)

// utcRange is what a timestamp stream emits: the instants on UTC days
// [from, to] (Replace compares timestamps by UTC day) that are not after the
// end of the local reporting day until. The few hours of UTC day until that
// already belong to the next local day come with the next read, whose
// restatement window re-reads that UTC day.
type utcRange struct{ from, to, until day }

func (u utcRange) has(ts int64) bool {
	d := utcDay(ts)
	return d >= u.from && d <= u.to && localDay(ts) <= u.until
}

// touchWriter writes touchpoints rows.
type touchWriter struct {
	*batchWriter
	userID, channel, source, medium, campaign, campaignID, interaction *strCol
	ts                                                                 *tsCol
	buf                                                                []byte
}

func newTouchWriter(out connectors.Emitter) *touchWriter {
	w := &touchWriter{batchWriter: newBatchWriter(out, connectors.Canonical["touchpoints"].ArrowSchema())}
	w.userID, w.channel, w.source = w.str("user_id"), w.str("channel"), w.str("source")
	w.medium, w.campaign, w.campaignID = w.str("medium"), w.str("campaign"), w.str("campaign_id")
	w.interaction = w.str("interaction")
	w.ts = w.batchWriter.ts("ts")
	w.buf = make([]byte, 0, 32)
	return w
}

func (w *touchWriter) write(ctx context.Context, user uint64, t *touch) error {
	w.buf = appendUserID(w.buf[:0], user)
	w.userID.AppendBytes(w.buf)
	w.ts.Append(arrow.Timestamp(t.ts))
	w.channel.Append(channelNames[t.ch])
	if t.c != nil {
		w.source.Append(t.c.plat.source)
		w.medium.Append(t.c.plat.medium)
		w.campaign.AppendBytes(t.c.name)
		w.campaignID.AppendBytes(t.c.id)
	} else {
		src := &nonPaidSources[t.ch][t.variant]
		w.source.Append(src.source)
		w.medium.Append(src.medium)
		w.campaign.Append(src.campaign)
		w.campaignID.AppendNull()
	}
	w.interaction.Append(interactionNames[t.how])
	return w.endRow(ctx)
}

// writeIn writes the touches that fall in in.
func (w *touchWriter) writeIn(ctx context.Context, in utcRange, user uint64, touches []touch) error {
	for k := range touches {
		if !in.has(touches[k].ts) {
			continue
		}
		if err := w.write(ctx, user, &touches[k]); err != nil {
			return err
		}
	}
	return nil
}

// emitTouchpoints writes the touches whose instant falls on a UTC day of in.
// Journeys are generated whole from the day they are keyed on (the purchase,
// signup or lead day, or a browsing journey's first visit), so every journey
// that can reach into the range is enumerated.
func (co *company) emitTouchpoints(ctx context.Context, in utcRange, out connectors.Emitter) error {
	w := newTouchWriter(out)
	defer w.release()
	var buf [maxTouches]touch
	for K := in.from; K <= in.to+maxSpanDays+1; K++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(K)
		for i := 0; i < p.purchases; i++ {
			orderTS := co.orderTime(K, i, 0, K)
			if utcDay(orderTS) < in.from {
				continue
			}
			n := co.purchaseTouches(K, i, p, orderTS, &buf)
			if err := w.writeIn(ctx, in, co.userHash(kindPurchase, K, i), buf[:n]); err != nil {
				return err
			}
		}
		for j := 0; j < p.signups; j++ {
			f := co.signupJourney(K, j)
			if err := w.writeIn(ctx, in, co.userHash(kindSignup, K, j), f.touches[:f.n]); err != nil {
				return err
			}
		}
		for j := 0; j < p.leads; j++ {
			f := co.leadJourney(K, j)
			if err := w.writeIn(ctx, in, co.userHash(kindLead, K, j), f.touches[:f.n]); err != nil {
				return err
			}
		}
	}
	err := co.eachRepeat(in.from, in.to+1, ctx.Err, func(K day, i, k int, on day) error {
		t := co.repeatTouch(K, i, k, co.orderTime(K, i, k, on))
		if !in.has(t.ts) {
			return nil
		}
		return w.write(ctx, co.userHash(kindPurchase, K, i), &t)
	})
	if err != nil {
		return err
	}
	for N := in.from - maxSpanDays - 1; N <= in.to+1; N++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(N)
		for j := 0; j < p.nulls; j++ {
			n := co.nullTouches(N, j, &buf)
			if err := w.writeIn(ctx, in, co.userHash(kindNull, N, j), buf[:n]); err != nil {
				return err
			}
		}
	}
	return w.flush(ctx)
}

// conversionWriter writes conversions rows.
type conversionWriter struct {
	*batchWriter
	conversionID, userID, kind, currency *strCol
	ts                                   *tsCol
	value                                *moneyCol
	buf                                  []byte
}

func newConversionWriter(out connectors.Emitter) *conversionWriter {
	w := &conversionWriter{batchWriter: newBatchWriter(out, connectors.Canonical["conversions"].ArrowSchema())}
	w.conversionID, w.userID = w.str("conversion_id"), w.str("user_id")
	w.kind, w.currency = w.str("type"), w.str("currency")
	w.ts = w.batchWriter.ts("ts")
	w.value = w.money("value")
	w.buf = make([]byte, 0, 32)
	return w
}

// conversion is one conversions row.
type conversion struct {
	kind       journeyKind
	key        day
	idx        uint64
	user       uint64
	ts         int64
	valueCents int64
}

var conversionTypes = [...]string{kindPurchase: "purchase", kindSignup: "signup", kindLead: "lead"}

func (w *conversionWriter) write(ctx context.Context, co *company, in utcRange, cv conversion) error {
	if !in.has(cv.ts) {
		return nil
	}
	w.buf = co.appendConversionID(w.buf[:0], cv.kind, cv.key, cv.idx)
	w.conversionID.AppendBytes(w.buf)
	w.buf = appendUserID(w.buf[:0], cv.user)
	w.userID.AppendBytes(w.buf)
	w.ts.Append(arrow.Timestamp(cv.ts))
	w.kind.Append(conversionTypes[cv.kind])
	w.value.AppendCents(cv.valueCents)
	w.currency.Append("CNY")
	return w.endRow(ctx)
}

// emitConversions writes the purchases (every order, first or repeat),
// newsletter signups and wholesale leads of the UTC days in.
func (co *company) emitConversions(ctx context.Context, in utcRange, out connectors.Emitter) error {
	w := newConversionWriter(out)
	defer w.release()
	for K := in.from; K <= in.to+1; K++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(K)
		for i := 0; i < p.purchases; i++ {
			o := co.makeOrder(K, i, 0, K)
			cv := conversion{kindPurchase, K, orderKey(i, 0), co.userHash(kindPurchase, K, i), o.ts, o.cents}
			if err := w.write(ctx, co, in, cv); err != nil {
				return err
			}
		}
		for j := 0; j < p.signups; j++ {
			f := co.signupJourney(K, j)
			cv := conversion{kindSignup, K, uint64(j), co.userHash(kindSignup, K, j), f.ts, 0}
			if err := w.write(ctx, co, in, cv); err != nil {
				return err
			}
		}
		for j := 0; j < p.leads; j++ {
			f := co.leadJourney(K, j)
			cv := conversion{kindLead, K, uint64(j), co.userHash(kindLead, K, j), f.ts, leadValueCents}
			if err := w.write(ctx, co, in, cv); err != nil {
				return err
			}
		}
	}
	err := co.eachRepeat(in.from, in.to+1, ctx.Err, func(K day, i, k int, on day) error {
		o := co.makeOrder(K, i, k, on)
		return w.write(ctx, co, in, conversion{kindPurchase, K, orderKey(i, k), co.userHash(kindPurchase, K, i), o.ts, o.cents})
	})
	if err != nil {
		return err
	}
	return w.flush(ctx)
}

// orderWriter writes orders rows.
type orderWriter struct {
	*batchWriter
	orderID, customerID, userID, currency, status *strCol
	region, productLine                           *strCol
	ts                                            *tsCol
	amount                                        *moneyCol
	buf                                           []byte
}

func newOrderWriter(out connectors.Emitter) *orderWriter {
	w := &orderWriter{batchWriter: newBatchWriter(out, connectors.Canonical["orders"].ArrowSchema())}
	w.orderID, w.customerID, w.userID = w.str("order_id"), w.str("customer_id"), w.str("user_id")
	w.currency, w.status = w.str("currency"), w.str("status")
	w.region, w.productLine = w.str("region"), w.str("product_line")
	w.ts = w.batchWriter.ts("ts")
	w.amount = w.money("amount")
	w.buf = make([]byte, 0, 32)
	return w
}

// writeOrder writes order k of customer (K, i) and its refund, each if it
// falls in in. Refunds of orders placed before the data starts are left out,
// like the orders themselves.
func (w *orderWriter) writeOrder(ctx context.Context, co *company, in utcRange, K day, i, k int, o order) error {
	if in.has(o.ts) {
		if err := w.row(ctx, co, K, i, k, o.ts, o.cents, o.status, o.firstItem); err != nil {
			return err
		}
	}
	if o.refundTS != 0 && in.has(o.refundTS) && utcDay(o.ts) >= co.start {
		return w.row(ctx, co, K, i, k, o.refundTS, o.refundCents, statusRefunded, o.firstItem)
	}
	return nil
}

func (w *orderWriter) row(ctx context.Context, co *company, K day, i, k int, ts, cents int64, status orderStatus, firstItem int64) error {
	w.buf = appendOrderID(w.buf[:0], K, i, k)
	w.orderID.AppendBytes(w.buf)
	w.buf = appendCustomerID(w.buf[:0], K, i)
	w.customerID.AppendBytes(w.buf)
	w.buf = appendUserID(w.buf[:0], co.userHash(kindPurchase, K, i))
	w.userID.AppendBytes(w.buf)
	w.ts.Append(arrow.Timestamp(ts))
	w.amount.AppendCents(cents)
	w.currency.Append("CNY")
	w.status.Append(statusNames[status])
	w.region.Append(co.regionOf(K, i))
	w.productLine.Append(co.productLineOf(K, i, k, firstItem))
	return w.endRow(ctx)
}

// emitOrders writes the orders and refunds of the UTC days in: first orders
// of new customers, repeat orders of earlier customers and refunds of
// orders placed up to three weeks before.
func (co *company) emitOrders(ctx context.Context, in utcRange, out connectors.Emitter) error {
	w := newOrderWriter(out)
	defer w.release()
	for K := in.from - refundMaxDays; K <= in.to+1; K++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := co.plan(K)
		for i := 0; i < p.purchases; i++ {
			if err := w.writeOrder(ctx, co, in, K, i, 0, co.makeOrder(K, i, 0, K)); err != nil {
				return err
			}
		}
	}
	err := co.eachRepeat(in.from-refundMaxDays, in.to+1, ctx.Err, func(K day, i, k int, on day) error {
		return w.writeOrder(ctx, co, in, K, i, k, co.makeOrder(K, i, k, on))
	})
	if err != nil {
		return err
	}
	return w.flush(ctx)
}
