package attribution

import (
	"fmt"
	"math"
)

// ruleCredit adds the credit of a rule-based model (s.Model is one of
// first touch, last touch, last non-direct, linear, time decay and
// position based) to conv and val, indexed by channel. A path with no
// conversions and no value carries no credit.
func ruleCredit(j *Journeys, s Spec, conv, val []float64) error {
	paths := j.Paths
	switch s.Model {
	case FirstTouch:
		for i := range paths {
			p := &paths[i]
			if p.Conversions == 0 && p.Value == 0 {
				continue
			}
			c := p.Channels[0]
			conv[c] += p.Conversions
			val[c] += p.Value
		}
	case LastTouch:
		for i := range paths {
			p := &paths[i]
			if p.Conversions == 0 && p.Value == 0 {
				continue
			}
			c := p.Channels[len(p.Channels)-1]
			conv[c] += p.Conversions
			val[c] += p.Value
		}
	case LastNonDirect:
		direct, ok := j.Channel(s.Direct)
		if !ok {
			direct = -1 // no direct touches: last touch
		}
		for i := range paths {
			p := &paths[i]
			if p.Conversions == 0 && p.Value == 0 {
				continue
			}
			c := p.Channels[len(p.Channels)-1]
			for k := len(p.Channels) - 1; k >= 0; k-- {
				if p.Channels[k] != direct {
					c = p.Channels[k]
					break
				}
			}
			conv[c] += p.Conversions
			val[c] += p.Value
		}
	case Linear:
		for i := range paths {
			p := &paths[i]
			if p.Conversions == 0 && p.Value == 0 {
				continue
			}
			n := float64(len(p.Channels))
			cw, vw := p.Conversions/n, p.Value/n
			for _, c := range p.Channels {
				conv[c] += cw
				val[c] += vw
			}
		}
	case TimeDecay:
		if s.HalfLifeDays > 0 {
			return timeDecayDays(paths, s.HalfLifeDays, conv, val)
		}
		timeDecayTouches(paths, s.HalfLifeTouches, conv, val)
	case PositionBased:
		positionBased(paths, s.Positions, conv, val)
	default:
		return fmt.Errorf("%s is not a rule-based model", s.Model)
	}
	return nil
}

// timeDecayTouches gives touch i of an n-touch path the weight
// 2^-((n-1-i)/h), normalised within the path.
func timeDecayTouches(paths []Path, h float64, conv, val []float64) {
	f := math.Exp2(-1 / h)
	for i := range paths {
		p := &paths[i]
		if p.Conversions == 0 && p.Value == 0 {
			continue
		}
		// The weights form a geometric series from the last touch back:
		// sum them first, then credit in a second pass.
		sum, w := 0.0, 1.0
		for k := len(p.Channels) - 1; k >= 0 && w != 0; k-- {
			sum += w
			w *= f
		}
		cs, vs := p.Conversions/sum, p.Value/sum
		w = 1
		for k := len(p.Channels) - 1; k >= 0 && w != 0; k-- {
			c := p.Channels[k]
			conv[c] += cs * w
			val[c] += vs * w
			w *= f
		}
	}
}

// timeDecayDays gives a touch t days before the conversion the weight
// 2^-(t/h), normalised within the path. Weights are computed relative to
// the most recent touch, so that old paths do not underflow.
func timeDecayDays(paths []Path, h float64, conv, val []float64) error {
	for i := range paths {
		p := &paths[i]
		if p.Conversions == 0 && p.Value == 0 {
			continue
		}
		if p.Times == nil {
			return fmt.Errorf("path %d has no touch times: a half-life in days needs them (or set a half-life in touches)", i)
		}
		tmin := p.Times[0]
		for _, t := range p.Times {
			tmin = math.Min(tmin, t)
		}
		sum := 0.0
		for _, t := range p.Times {
			sum += math.Exp2(-(t - tmin) / h)
		}
		cs, vs := p.Conversions/sum, p.Value/sum
		for k, c := range p.Channels {
			w := math.Exp2(-(p.Times[k] - tmin) / h)
			conv[c] += cs * w
			val[c] += vs * w
		}
	}
	return nil
}

// positionBased splits each path by pos (first, middle, last): a 1-touch
// path gives its touch everything; a 2-touch path splits in the ratio
// first:last (50/50 when both are 0); a longer path gives pos[0] to the
// first touch, pos[2] to the last and pos[1]/(n-2) to each middle touch.
func positionBased(paths []Path, pos [3]float64, conv, val []float64) {
	first2, last2 := 0.5, 0.5
	if pos[0]+pos[2] > 0 {
		first2, last2 = pos[0]/(pos[0]+pos[2]), pos[2]/(pos[0]+pos[2])
	}
	for i := range paths {
		p := &paths[i]
		if p.Conversions == 0 && p.Value == 0 {
			continue
		}
		ch := p.Channels
		n := len(ch)
		switch n {
		case 1:
			conv[ch[0]] += p.Conversions
			val[ch[0]] += p.Value
		case 2:
			conv[ch[0]] += p.Conversions * first2
			val[ch[0]] += p.Value * first2
			conv[ch[1]] += p.Conversions * last2
			val[ch[1]] += p.Value * last2
		default:
			conv[ch[0]] += p.Conversions * pos[0]
			val[ch[0]] += p.Value * pos[0]
			conv[ch[n-1]] += p.Conversions * pos[2]
			val[ch[n-1]] += p.Value * pos[2]
			m := pos[1] / float64(n-2)
			cm, vm := p.Conversions*m, p.Value*m
			for _, c := range ch[1 : n-1] {
				conv[c] += cm
				val[c] += vm
			}
		}
	}
}
