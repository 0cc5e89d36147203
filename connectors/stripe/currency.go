package stripe

// Stripe's decimal exponents (CONNECTORS.md §8, Stripe's "Supported
// currencies"): amounts are integers in the currency's minor unit. Every
// currency not listed here has two decimals.
var (
	// zeroDecimal currencies are sent in whole units (¥100 is 100).
	zeroDecimal = map[string]bool{
		"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true, "mga": true,
		"pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true,
	}
	// threeDecimal currencies are sent in thousandths (5.124 KWD is 5124).
	threeDecimal = map[string]bool{"bhd": true, "jod": true, "kwd": true, "omr": true, "tnd": true}
)

// Exponent returns the number of decimals of a lower-case Stripe currency
// in the API: 0, 3 or (default) 2.
//
// isk, huf and twd have special rules at Stripe (they are sent with two
// decimals for compatibility, unverified here): they read as two-decimal;
// override with currency_exponents if an account's data says otherwise.
func Exponent(currency string) int32 {
	switch {
	case zeroDecimal[currency]:
		return 0
	case threeDecimal[currency]:
		return 3
	}
	return 2
}
