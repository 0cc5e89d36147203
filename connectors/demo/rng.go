package demo

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// streamTag keeps the random streams of different kinds of entity apart: the
// same (day, index) under two tags gives unrelated numbers.
type streamTag uint64

const (
	tagCampaignSetup streamTag = iota + 1
	tagCampaignDay
	tagAdSplit
	tagDayPlan
	tagPurchaseTouches
	tagOrderTime
	tagOrder
	tagCustomer
	tagRepeatTouch
	tagNullJourney
	tagSignup
	tagLead
	tagDeal
	tagOfflineDeal
	tagWeb
	tagSurvey
	tagMarket
	tagFX
	tagBasketMean
	// tagOrderMix draws the region of a customer and the product line of an
	// order (mix.go); appended last so that no other stream changes.
	tagOrderMix
)

// mix64 is the splitmix64 finaliser: a cheap, well-spread 64-bit hash step.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashKey hashes the coordinates of one random stream.
func hashKey(seed int64, tag streamTag, d day, idx uint64) uint64 {
	h := mix64(uint64(seed) ^ 0x9e3779b97f4a7c15)
	h = mix64(h ^ uint64(tag)*0xd1b54a32d192ed03)
	h = mix64(h ^ uint64(uint32(d)))
	return mix64(h ^ idx)
}

// rng is a small PCG generator with the draws the generator needs. It is a
// value type so that creating one per entity does not allocate.
type rng struct{ src rand.PCG }

// newRNG returns the generator of the stream (seed, tag, d, idx).
func newRNG(seed int64, tag streamTag, d day, idx uint64) rng {
	h := hashKey(seed, tag, d, idx)
	var r rng
	r.src.Seed(h, mix64(h^0x6a09e667f3bcc909))
	return r
}

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.src.Uint64()>>11) * (1.0 / (1 << 53)) }

// between returns a uniform number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn returns a uniform integer in [0, n) (n > 0).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.src.Uint64(), uint64(n))
	return int(hi)
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// normal returns a standard normal draw (Box–Muller).
func (r *rng) normal() float64 {
	u := r.float()
	if u < 1e-300 {
		u = 1e-300
	}
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// lognormal returns a multiplicative noise factor with mean 1.
func (r *rng) lognormal(sigma float64) float64 {
	return math.Exp(sigma*r.normal() - sigma*sigma/2)
}

// expo returns an exponential draw with the given mean.
func (r *rng) expo(mean float64) float64 {
	return -mean * math.Log(1-r.float())
}

// round rounds x up or down at random so that the expected result is x.
func (r *rng) round(x float64) int64 {
	if x <= 0 {
		return 0
	}
	f := math.Floor(x)
	if r.float() < x-f {
		f++
	}
	return int64(f)
}

// pick returns an index drawn from a cumulative weight table (last entry is the total).
func (r *rng) pick(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// cumulative turns weights into a cumulative table for rng.pick.
func cumulative(w ...float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for i, v := range w {
		sum += v
		out[i] = sum
	}
	return out
}
