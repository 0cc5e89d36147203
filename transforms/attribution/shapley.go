package attribution

// shapleyCredit adds the simplified Shapley value to conv and val: each
// path's conversions and value split equally over its distinct channels.
// This is the exact Shapley value of v(S) = Σ conversions of the paths
// whose channel set is a subset of S (see the package documentation for
// why), for any number of channels.
func shapleyCredit(j *Journeys, conv, val []float64) {
	// seen[c] == i+1 when channel c was already counted in path i.
	seen := make([]int, len(j.Channels))
	for i := range j.Paths {
		p := &j.Paths[i]
		if p.Conversions == 0 && p.Value == 0 {
			continue
		}
		mark := i + 1
		k := 0
		for _, c := range p.Channels {
			if seen[c] != mark {
				seen[c] = mark
				k++
			}
		}
		cs, vs := p.Conversions/float64(k), p.Value/float64(k)
		mark = -mark
		for _, c := range p.Channels {
			if seen[c] != mark {
				seen[c] = mark
				conv[c] += cs
				val[c] += vs
			}
		}
	}
}
