package demo

import "strconv"

// journeyKind separates the id spaces of the kinds of journey.
type journeyKind uint64

const (
	kindPurchase journeyKind = iota + 1
	kindSignup
	kindLead
	kindNull
)

const hexDigits = "0123456789abcdef"

// appendHex appends v as 16 lowercase hex digits.
func appendHex(buf []byte, v uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		buf = append(buf, hexDigits[(v>>uint(shift))&0xf])
	}
	return buf
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(buf []byte, v uint64, width int) []byte {
	for n := numDigits(v); n < width; n++ {
		buf = append(buf, '0')
	}
	return strconv.AppendUint(buf, v, 10)
}

// scramble maps n in [0, 10^digits) to a random-looking number of the same
// range, one to one (multiplying by a number coprime to 10 is a bijection
// modulo a power of ten).
func scramble(n uint64, digits int) uint64 {
	const odd = 387_361
	m := pow10[digits]
	return (n % m) * odd % m
}

// userHash identifies the pseudonymous web user of a journey.
func (co *company) userHash(kind journeyKind, d day, i int) uint64 {
	return hashKey(co.seed, streamTag(0x100+kind), d, uint64(i))
}

// appendUserID appends a user id like "u3f9c0a1b2c3d4e5f".
func appendUserID(buf []byte, h uint64) []byte {
	return appendHex(append(buf, 'u'), h)
}

// appendCustomerID appends the customer id of the customer first ordering on
// day K as number i: "C" and 11 digits.
func appendCustomerID(buf []byte, K day, i int) []byte {
	n := uint64(uint32(K))*1_000_000 + uint64(i)
	return appendPadded(append(buf, 'C'), scramble(n, 11), 11)
}

// appendOrderID appends the id of order k of customer (K, i): "LT" and 12 digits.
func appendOrderID(buf []byte, K day, i, k int) []byte {
	n := (uint64(uint32(K))*1_000_000+uint64(i))*10 + uint64(k)
	return appendPadded(append(buf, 'L', 'T'), scramble(n, 12), 12)
}

// appendConversionID appends the id of a web conversion event.
func (co *company) appendConversionID(buf []byte, kind journeyKind, d day, idx uint64) []byte {
	return appendHex(append(buf, 'c', 'v', '_'), hashKey(co.seed, streamTag(0x200+kind), d, idx))
}

// dealID returns the CRM id of deal j of source kind on day L: 11 digits.
func dealID(L day, offline bool, j int) uint64 {
	n := uint64(uint32(L))*100_000 + uint64(j)
	if offline {
		n += 50_000
	}
	return 10_000_000_000 + scramble(n, 10)
}
