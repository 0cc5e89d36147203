package attribution

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Names of the chain's special states in Transition.
const (
	StateStart      = "(start)"
	StateConversion = "(conversion)"
	StateNull       = "(null)"
)

// denseMax is the largest number of transient states solved by dense LU
// decomposition; larger chains use Gauss–Seidel. A variable so that tests
// can force either solver.
var denseMax = 300

// maxSweeps bounds Gauss–Seidel; it is reached only by chains whose cycles
// almost never end, and Solve then returns ErrNoConvergence.
const maxSweeps = 1 << 20

// ErrNoConvergence is returned (wrapped) by [Chain.Solve] and [Run] when
// Gauss–Seidel has not converged to float64 precision after 2^20 sweeps.
var ErrNoConvergence = errors.New("markov solver did not converge")

// Chain is the absorbing Markov chain of order k of a set of journeys; see
// the package documentation for its construction. Its transient states
// are (start) and the k-tuples of channels seen in the paths; the
// absorbing states are (conversion) and (null). A Chain is read-only after
// NewChain and safe for concurrent use.
type Chain struct {
	order    int
	channels []string
	// tuples[s] holds the last order touches of state s, oldest first;
	// -1 is the (start) padding. State 0 is (start).
	tuples [][MaxMarkovOrder]int32
	// Transitions between transient states, self-loops excluded, by
	// source state in compressed sparse rows.
	rowStart []int32
	col      []int32
	weight   []float64
	// self, conv and null are each state's self-loop weight and weights
	// into (conversion) and (null); out is its total outgoing weight.
	self, conv, null, out []float64
	// byChannel[c] lists the states whose tuple contains channel c.
	byChannel [][]int32
}

// MarkovStats are a Markov model's figures.
type MarkovStats struct {
	Order int
	// States counts the transient states, (start) included.
	States int
	// Transitions counts the distinct transitions with positive weight,
	// self-loops and absorptions included.
	Transitions int
	// ConversionProbability is P(conv): the probability of absorption in
	// (conversion) from (start).
	ConversionProbability float64
	// RemovalEffects holds each channel's removal effect
	// 1 - P_without(conv)/P(conv), indexed like Journeys.Channels (0 for a
	// channel in no path, and for every channel when P(conv) is 0).
	RemovalEffects []float64
	// Solver is "dense LU" or "Gauss-Seidel"; Sweeps counts the
	// Gauss–Seidel sweeps over all solves (0 for dense LU).
	Solver string
	Sweeps int
}

// NewChain builds the chain of order 1 to MaxMarkovOrder from j. Paths
// with neither conversions nor nulls add nothing.
func NewChain(j *Journeys, order int) (*Chain, error) {
	if order < 1 || order > MaxMarkovOrder {
		return nil, fmt.Errorf("markov order %d: it must be 1 to %d", order, MaxMarkovOrder)
	}
	if err := j.Validate(); err != nil {
		return nil, fmt.Errorf("invalid journeys: %w", err)
	}
	return newChain(j, order), nil
}

// denseSuccessors is the most channels for which newChain keeps the
// successor of every (state, channel) pair in a slice rather than a map
// (a variable so that tests can force the map).
var denseSuccessors = 64

// newChain builds the chain of a valid j.
func newChain(j *Journeys, order int) *Chain {
	ch := &Chain{order: order, channels: j.Channels}
	nc := len(j.Channels)
	// The state after state s and a touch of channel c is determined by
	// (s, c), and so is the transition between them: succ and edge cache
	// both, by s*nc+c (or in trans for many channels). succ holds the
	// state + 1 (0: not seen yet); edge the transition's index, or -1 for
	// a self-loop.
	dense := nc <= denseSuccessors
	var succ, edge []int32
	var trans map[uint64][2]int32
	if !dense {
		trans = make(map[uint64][2]int32, 1024)
	}
	newState := func(t [MaxMarkovOrder]int32) int32 {
		ch.tuples = append(ch.tuples, t)
		ch.self = append(ch.self, 0)
		ch.conv = append(ch.conv, 0)
		ch.null = append(ch.null, 0)
		if dense {
			for range nc {
				succ = append(succ, 0)
				edge = append(edge, 0)
			}
		}
		return int32(len(ch.tuples) - 1)
	}
	var start [MaxMarkovOrder]int32
	for i := range start {
		start[i] = -1
	}
	newState(start)
	// States by tuple, for the first sight of each (state, channel).
	ids := make(map[[MaxMarkovOrder]int32]int32, 1024)
	var from, to []int32
	var weight []float64

	for i := range j.Paths {
		p := &j.Paths[i]
		w := p.Conversions + p.Nulls
		if w == 0 {
			continue
		}
		prev := int32(0)
		for _, c := range p.Channels {
			var s, e int32
			k := int(prev)*nc + int(c)
			found := false
			if dense {
				if x := succ[k]; x > 0 {
					s, e, found = x-1, edge[k], true
				}
			} else if x, ok := trans[uint64(k)]; ok {
				s, e, found = x[0], x[1], true
			}
			if !found {
				t := ch.tuples[prev]
				copy(t[:order-1], t[1:order])
				t[order-1] = c
				var ok bool
				if s, ok = ids[t]; !ok {
					s = newState(t)
					ids[t] = s
				}
				e = -1
				if s != prev {
					e = int32(len(from))
					from = append(from, prev)
					to = append(to, s)
					weight = append(weight, 0)
				}
				if dense {
					succ[k], edge[k] = s+1, e
				} else {
					trans[uint64(k)] = [2]int32{s, e}
				}
			}
			if e < 0 {
				ch.self[s] += w
			} else {
				weight[e] += w
			}
			prev = s
		}
		ch.conv[prev] += p.Conversions
		ch.null[prev] += p.Nulls
	}

	n := len(ch.tuples)
	ch.rowStart = make([]int32, n+1)
	for _, f := range from {
		ch.rowStart[f+1]++
	}
	for s := 0; s < n; s++ {
		ch.rowStart[s+1] += ch.rowStart[s]
	}
	ch.col = make([]int32, len(from))
	ch.weight = make([]float64, len(from))
	next := append([]int32(nil), ch.rowStart[:n]...)
	// Edges in order of first appearance, so that the sums below and
	// hence the solution do not depend on map iteration.
	for e := range from {
		k := next[from[e]]
		next[from[e]]++
		ch.col[k] = to[e]
		ch.weight[k] = weight[e]
	}
	ch.out = make([]float64, n)
	for s := 0; s < n; s++ {
		o := ch.self[s] + ch.conv[s] + ch.null[s]
		for k := ch.rowStart[s]; k < ch.rowStart[s+1]; k++ {
			o += ch.weight[k]
		}
		ch.out[s] = o
	}

	ch.byChannel = make([][]int32, len(j.Channels))
	for s := 1; s < n; s++ {
		t := ch.tuples[s]
		for i := 0; i < order; i++ {
			c := t[i]
			if c < 0 {
				continue
			}
			dup := false
			for _, d := range t[:i] {
				dup = dup || d == c
			}
			if !dup {
				ch.byChannel[c] = append(ch.byChannel[c], int32(s))
			}
		}
	}
	return ch
}

// Order returns the chain's order.
func (ch *Chain) Order() int { return ch.order }

// States returns the number of transient states, (start) included.
func (ch *Chain) States() int { return len(ch.tuples) }

// Transition is a transition of a chain with its weight: the journeys
// (conversions plus nulls) that made it, or into (conversion) the
// conversions and into (null) the nulls.
type Transition struct {
	From, To string
	Weight   float64
}

// Label returns the name of transient state s: StateStart for state 0, the
// channel for order 1, and for higher orders the tuple of the last touches,
// oldest first, joined by ",", with StateStart for padding ("(start),a").
func (ch *Chain) Label(s int) string {
	if s == 0 {
		return StateStart
	}
	t := ch.tuples[s]
	parts := make([]string, ch.order)
	for i := range parts {
		if t[i] < 0 {
			parts[i] = StateStart
		} else {
			parts[i] = ch.channels[t[i]]
		}
	}
	return strings.Join(parts, ",")
}

// Transitions lists every transition with positive weight, self-loops
// included, sorted by From and To.
func (ch *Chain) Transitions() []Transition {
	var out []Transition
	for s := range ch.tuples {
		from := ch.Label(s)
		if ch.self[s] > 0 {
			out = append(out, Transition{from, from, ch.self[s]})
		}
		for k := ch.rowStart[s]; k < ch.rowStart[s+1]; k++ {
			out = append(out, Transition{from, ch.Label(int(ch.col[k])), ch.weight[k]})
		}
		if ch.conv[s] > 0 {
			out = append(out, Transition{from, StateConversion, ch.conv[s]})
		}
		if ch.null[s] > 0 {
			out = append(out, Transition{from, StateNull, ch.null[s]})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].From != out[b].From {
			return out[a].From < out[b].From
		}
		return out[a].To < out[b].To
	})
	return out
}

// Solve computes P(conv) and every channel's removal effect exactly:
// h = Qh + r, the absorption probabilities in (conversion), is solved by
// dense LU decomposition with partial pivoting up to 300 transient states
// and by Gauss–Seidel iterated to float64 convergence above (self-loops
// are eliminated exactly: h_s = (Σ_{t≠s} w_st h_t + conv_s)/(out_s -
// self_s)). Removing a channel fixes h = 0 on every state containing it,
// which is the same as redirecting every transition into those states to
// (null). The removal solves run in parallel; their results do not depend
// on scheduling.
func (ch *Chain) Solve(ctx context.Context) (*MarkovStats, error) {
	n := len(ch.tuples)
	st := &MarkovStats{
		Order:          ch.order,
		States:         n,
		RemovalEffects: make([]float64, len(ch.channels)),
		Solver:         "dense LU",
	}
	st.Transitions = len(ch.col)
	for s := 0; s < n; s++ {
		for _, w := range [3]float64{ch.self[s], ch.conv[s], ch.null[s]} {
			if w > 0 {
				st.Transitions++
			}
		}
	}
	if ch.out[0] == 0 {
		return st, nil // no journeys
	}
	dense := n <= denseMax
	if !dense {
		st.Solver = "Gauss-Seidel"
	}
	order := ch.sweepOrder()
	full := make([]float64, n)
	ws := ch.newWorkspace(dense)
	sw, err := ch.solve(ctx, ws, nil, full, dense, order)
	if err != nil {
		return nil, err
	}
	st.Sweeps += sw
	p := full[0]
	st.ConversionProbability = p
	if p == 0 {
		return st, nil
	}

	var todo []int
	for c := range ch.channels {
		if len(ch.byChannel[c]) > 0 {
			todo = append(todo, c)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	if dense || workers < 1 {
		workers = 1
	}
	pw := make([]float64, len(ch.channels))
	sweeps := make([]int, len(ch.channels))
	errs := make([]error, len(ch.channels))
	var wg sync.WaitGroup
	var mu sync.Mutex
	nextJob := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := ws
			if w > 0 {
				ws = ch.newWorkspace(dense)
			}
			h := make([]float64, n)
			removed := make([]bool, n)
			for {
				mu.Lock()
				i := nextJob
				nextJob++
				mu.Unlock()
				if i >= len(todo) {
					return
				}
				c := todo[i]
				// Start from the full solution, an upper bound of the
				// reduced one: Gauss–Seidel then decreases monotonically.
				copy(h, full)
				for _, s := range ch.byChannel[c] {
					removed[s] = true
					h[s] = 0
				}
				sweeps[c], errs[c] = ch.solve(ctx, ws, removed, h, dense, order)
				pw[c] = h[0]
				for _, s := range ch.byChannel[c] {
					removed[s] = false
				}
				if errs[c] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range todo {
		if errs[c] != nil {
			return nil, fmt.Errorf("without %s: %w", ch.channels[c], errs[c])
		}
		st.Sweeps += sweeps[c]
		// P_without <= P in exact arithmetic; clamp rounding.
		st.RemovalEffects[c] = min(1, max(0, 1-pw[c]/p))
	}
	return st, nil
}

// workspace is one solver's scratch memory.
type workspace struct {
	a   []float64 // dense matrix, row-major
	b   []float64
	idx []int32 // dense: transient state -> row, or -1
}

func (ch *Chain) newWorkspace(dense bool) *workspace {
	if !dense {
		return &workspace{}
	}
	n := len(ch.tuples)
	return &workspace{a: make([]float64, n*n), b: make([]float64, n), idx: make([]int32, n)}
}

// solve sets h to the absorption probabilities in (conversion) with h = 0
// on removed states (removed nil: none). For Gauss–Seidel h holds the
// starting point on entry. It returns the number of sweeps.
func (ch *Chain) solve(ctx context.Context, ws *workspace, removed []bool, h []float64, dense bool, order []int32) (int, error) {
	if dense {
		return 0, ch.solveDense(ws, removed, h)
	}
	return ch.gaussSeidel(ctx, removed, h, order)
}

// solveDense solves (I - Q)h = r over the kept states by Gaussian
// elimination with partial pivoting. Rows are normalised by each state's
// outgoing weight less its self-loop.
func (ch *Chain) solveDense(ws *workspace, removed []bool, h []float64) error {
	n := len(ch.tuples)
	m := 0
	for s := 0; s < n; s++ {
		if removed != nil && removed[s] {
			ws.idx[s] = -1
			h[s] = 0
			continue
		}
		ws.idx[s] = int32(m)
		m++
	}
	a, b := ws.a[:m*m], ws.b[:m]
	clear(a)
	for s := 0; s < n; s++ {
		r := int(ws.idx[s])
		if r < 0 {
			continue
		}
		d := ch.out[s] - ch.self[s]
		row := a[r*m : (r+1)*m]
		row[r] = 1
		b[r] = ch.conv[s] / d
		for k := ch.rowStart[s]; k < ch.rowStart[s+1]; k++ {
			if c := ws.idx[ch.col[k]]; c >= 0 {
				row[c] -= ch.weight[k] / d
			}
		}
	}
	for k := 0; k < m; k++ {
		piv, best := k, math.Abs(a[k*m+k])
		for i := k + 1; i < m; i++ {
			if v := math.Abs(a[i*m+k]); v > best {
				piv, best = i, v
			}
		}
		if best == 0 {
			return errors.New("singular chain: a state never reaches (conversion) or (null)")
		}
		if piv != k {
			rk, rp := a[k*m:(k+1)*m], a[piv*m:(piv+1)*m]
			for j := k; j < m; j++ {
				rk[j], rp[j] = rp[j], rk[j]
			}
			b[k], b[piv] = b[piv], b[k]
		}
		rk := a[k*m : (k+1)*m]
		for i := k + 1; i < m; i++ {
			ri := a[i*m : (i+1)*m]
			f := ri[k] / rk[k]
			if f == 0 {
				continue
			}
			ri[k] = 0
			for j := k + 1; j < m; j++ {
				ri[j] -= f * rk[j]
			}
			b[i] -= f * b[k]
		}
	}
	for k := m - 1; k >= 0; k-- {
		rk := a[k*m : (k+1)*m]
		x := b[k]
		for j := k + 1; j < m; j++ {
			x -= rk[j] * b[j]
		}
		b[k] = x / rk[k]
	}
	for s := 0; s < n; s++ {
		if r := ws.idx[s]; r >= 0 {
			h[s] = b[r]
		}
	}
	return nil
}

// sweepOrder returns the transient states in reverse breadth-first order
// from (start), so that a sweep updates a state after the states it leads
// to: one sweep solves an acyclic chain, and cycles converge fast.
func (ch *Chain) sweepOrder() []int32 {
	n := len(ch.tuples)
	seen := make([]bool, n)
	queue := make([]int32, 0, n)
	queue = append(queue, 0)
	seen[0] = true
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		for k := ch.rowStart[s]; k < ch.rowStart[s+1]; k++ {
			if t := ch.col[k]; !seen[t] {
				seen[t] = true
				queue = append(queue, t)
			}
		}
	}
	for i, j := 0, len(queue)-1; i < j; i, j = i+1, j-1 {
		queue[i], queue[j] = queue[j], queue[i]
	}
	return queue
}

// gaussSeidel iterates h_s = (Σ_{t≠s} w_st h_t + conv_s)/(out_s - self_s)
// over the kept states until the remaining error, estimated from the
// contraction rate of the last sweeps, is below 1e-15 of the largest h,
// or the sweeps stop changing h beyond rounding.
func (ch *Chain) gaussSeidel(ctx context.Context, removed []bool, h []float64, order []int32) (int, error) {
	prev, rhoPrev := math.Inf(1), 1.0
	for sweep := 1; sweep <= maxSweeps; sweep++ {
		if sweep%32 == 0 {
			if err := ctx.Err(); err != nil {
				return sweep, err
			}
		}
		delta, hmax := 0.0, 0.0
		for _, s := range order {
			if removed != nil && removed[s] {
				continue
			}
			x := ch.conv[s]
			for k := ch.rowStart[s]; k < ch.rowStart[s+1]; k++ {
				x += ch.weight[k] * h[ch.col[k]]
			}
			x /= ch.out[s] - ch.self[s]
			delta = max(delta, math.Abs(x-h[s]))
			hmax = max(hmax, x)
			h[s] = x
		}
		tol := 1e-15 * hmax
		if delta == 0 || (sweep > 1 && delta <= tol) {
			return sweep, nil
		}
		// The iteration is monotone; with contraction rate rho the
		// remaining error is at most about delta*rho/(1-rho). The rate is
		// the larger of the last two ratios of successive changes.
		rho := delta / prev
		if r := max(rho, rhoPrev); sweep > 2 && r < 1 && delta*r <= tol*(1-r) {
			return sweep, nil
		}
		prev, rhoPrev = delta, rho
	}
	return maxSweeps, ErrNoConvergence
}

// markovCredit adds the Markov credit of order k to conv and val:
// total × RE_c / Σ RE.
func markovCredit(ctx context.Context, j *Journeys, order int, conv, val []float64) (*MarkovStats, error) {
	st, err := newChain(j, order).Solve(ctx)
	if err != nil {
		return nil, err
	}
	var sum ksum
	for _, re := range st.RemovalEffects {
		sum.add(re)
	}
	totConv, totVal, _ := j.Totals()
	re := sum.sum()
	if re == 0 {
		if totConv != 0 || totVal != 0 {
			return st, fmt.Errorf("no channel has a removal effect but the paths have %v conversions and %v value (value without conversions cannot be credited)", totConv, totVal)
		}
		return st, nil
	}
	for c, e := range st.RemovalEffects {
		conv[c] = totConv * e / re
		val[c] = totVal * e / re
	}
	return st, nil
}
