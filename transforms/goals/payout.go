package goals

import (
	"fmt"
	"math"
)

// Payout applies a team's incentive rule to its attainment a (1 = 100%)
// and explains the calculation in words, so that people can check it:
//
//   - linear: base × a once a reaches the threshold; a counts up to the cap
//     (no limit when cap is 0). Below the threshold nothing is paid.
//   - step: like linear, but a is rounded down to whole 10-point steps
//     (a = 0.97 pays base × 0.9).
//   - capped: a ramp: nothing at the threshold rising evenly to base at
//     100%, then base × a above it, up to base × cap.
func Payout(in Incentive, a float64, money func(float64) string) (float64, string) {
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	if math.IsNaN(a) {
		return 0, "no attainment yet: nothing to pay"
	}
	if a < in.Threshold {
		return 0, fmt.Sprintf("attainment %s is below the threshold %s: no payout", pct(a), pct(in.Threshold))
	}
	capped, capNote := a, ""
	if in.Cap > 0 && a > in.Cap {
		capped, capNote = in.Cap, fmt.Sprintf(", counted up to the cap %s", pct(in.Cap))
	}
	switch in.Rule {
	case "linear":
		v := in.Base * capped
		return v, fmt.Sprintf("attainment %s ≥ threshold %s%s: base %s × %s = %s",
			pct(a), pct(in.Threshold), capNote, money(in.Base), pct(capped), money(v))
	case "step":
		step := math.Floor(capped*10+1e-9) / 10
		v := in.Base * step
		return v, fmt.Sprintf("attainment %s ≥ threshold %s%s, rounded down to the step %s: base %s × %s = %s",
			pct(a), pct(in.Threshold), capNote, pct(step), money(in.Base), pct(step), money(v))
	case "capped":
		if a < 1 {
			share := (a - in.Threshold) / (1 - in.Threshold)
			v := in.Base * share
			return v, fmt.Sprintf("attainment %s is between the threshold %s and 100%%: base %s × (%s − %s) ÷ (100%% − %s) = %s",
				pct(a), pct(in.Threshold), money(in.Base), pct(a), pct(in.Threshold), pct(in.Threshold), money(v))
		}
		v := in.Base * capped
		return v, fmt.Sprintf("attainment %s ≥ 100%%%s: base %s × %s = %s", pct(a), capNote, money(in.Base), pct(capped), money(v))
	}
	return 0, "unknown rule " + in.Rule
}
