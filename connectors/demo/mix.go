package demo

// The marketing mix the demo's orders carry: the region a customer orders
// from (place) and the product line of each order (product). Both are drawn
// from their own random stream (tagOrderMix), after every other draw of the
// order, so adding them changed no other generated value.

var (
	regionNames = [...]string{"华东 East China", "华南 South China", "华北 North China", "西部 West", "海外 Overseas"}
	regionCum   = cumulative(38, 24, 20, 12, 6)

	productLineNames = [...]string{"绿茶 Green tea", "乌龙 Oolong", "普洱 Pu-erh", "礼盒 Gift boxes", "茶具 Teaware"}
	// The first item's price leans the line: samplers and everyday tins are
	// mostly green tea and oolong, the dearest items gift boxes and teaware.
	productLineCheap = cumulative(46, 30, 16, 2, 6)   // first item under 168 CNY
	productLineMid   = cumulative(26, 28, 24, 12, 10) // 168 to 298 CNY
	productLineDear  = cumulative(6, 10, 16, 44, 24)  // 398 CNY and up
)

// Stream indexes under tagOrderMix: a customer's region uses its first
// order's key with the top bit set, so it never meets an order's key.
const regionKeyBit = 1 << 63

// regionOf returns the region of customer (K, i): one per customer, the
// same on every order and refund.
func (co *company) regionOf(K day, i int) string {
	r := newRNG(co.seed, tagOrderMix, K, orderKey(i, 0)|regionKeyBit)
	return regionNames[r.pick(regionCum)]
}

// productLineOf returns the product line of order k of customer (K, i),
// whose first item costs firstItem cents; its refund repeats it.
func (co *company) productLineOf(K day, i, k int, firstItem int64) string {
	r := newRNG(co.seed, tagOrderMix, K, orderKey(i, k))
	cum := productLineMid
	switch {
	case firstItem < 16800:
		cum = productLineCheap
	case firstItem >= 39800:
		cum = productLineDear
	}
	return productLineNames[r.pick(cum)]
}
