package transforms

import (
	"fmt"
	"regexp"
	"text/template"
)

// templateFuncs are the functions SQL templates may call besides the Vars.
var templateFuncs = template.FuncMap{"money": moneySQL}

var sqlRefRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// moneySQL renders {{money "amount" "rate"}}: a SQL expression converting
// amount (a DECIMAL in its own currency) at rate (a DECIMAL, reporting
// units per unit; NULL when unknown) to DECIMAL(18,4), rounded half away
// from zero like a DuckDB DECIMAL cast, and NULL when either is NULL.
//
// The result equals CAST(amount * rate AS DECIMAL(18,4)), but that cast
// divides a 128-bit product, which DuckDB 1.5 does bit by bit (about 1 µs
// a value). So the expression takes the cheapest exact route:
//
//  1. rate 1 (the reporting currency) and |amount| < 10^9: narrow to
//     DECIMAL(18,9) and round in 64-bit integers;
//  2. |amount × rate| < 10^8: multiply as DOUBLE and round. The double
//     product in units of 10^-4 is within 7·10^-4 of the exact one (six
//     roundings of 2^-53 relative error on a value below 10^12), so when it
//     is more than 10^-3 away from a half unit, rounding it gives the same
//     unit as rounding the exact product;
//  3. otherwise (a near-tie or a huge value), the exact DECIMAL(38) product.
//
// Arguments must be column references (checked at load time).
func moneySQL(amount, rate string) (string, error) {
	for _, s := range []string{amount, rate} {
		if !sqlRefRE.MatchString(s) {
			return "", fmt.Errorf("money: %q is not a column reference", s)
		}
	}
	p := fmt.Sprintf("(CAST(%s AS DOUBLE) * CAST(%s AS DOUBLE))", amount, rate)
	return fmt.Sprintf(`CASE
            WHEN %[2]s = 1 AND abs(%[1]s) < 1000000000
                THEN CAST(CAST(%[1]s AS DECIMAL(18,9)) AS DECIMAL(18,4))
            WHEN abs(%[3]s) < 100000000
             AND abs(abs(%[3]s * 10000) - floor(abs(%[3]s * 10000)) - 0.5) > 0.001
                THEN CAST(%[3]s AS DECIMAL(18,4))
            ELSE CAST(%[1]s * %[2]s AS DECIMAL(18,4))
        END`, amount, rate, p), nil
}
