package attribution

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Path is one distinct journey shape and the journeys that followed it.
type Path struct {
	// Channels are the touches in time order (first touch first), as
	// indices into Journeys.Channels. A path has at least one touch.
	Channels []int32
	// Times is nil or has one entry per touch: the days from the touch to
	// the conversion (to the end of the lookback window for null
	// journeys), >= 0. Only time decay with a half-life in days reads it.
	Times []float64
	// Conversions counts the converting journeys that followed the path;
	// Value is their total conversion value in the reporting currency;
	// Nulls counts the journeys that did not convert. Counts may be
	// fractional (weights) but never negative.
	Conversions, Value, Nulls float64
}

// Journeys is a set of aggregated paths over a channel dictionary. Build
// one with a [Builder] or [ParsePaths]; a hand-built value is checked by
// [Journeys.Validate] before any model runs. Models only read it, so one
// Journeys may be shared by concurrent calls of [Run].
type Journeys struct {
	// Channels names the channels; Path.Channels index it. Names are
	// unique and non-empty.
	Channels []string
	// Paths are the distinct paths. The same touch sequence may appear
	// more than once (a model sums them), but a Builder aggregates.
	Paths []Path
}

// Channel returns the index of the channel called name.
func (j *Journeys) Channel(name string) (int32, bool) {
	for i, c := range j.Channels {
		if c == name {
			return int32(i), true
		}
	}
	return -1, false
}

// Totals returns the sums of conversions, value and nulls over all paths,
// with compensated summation so that the order of the paths does not
// matter to the last digits.
func (j *Journeys) Totals() (conversions, value, nulls float64) {
	var c, v, n ksum
	for i := range j.Paths {
		p := &j.Paths[i]
		c.add(p.Conversions)
		v.add(p.Value)
		n.add(p.Nulls)
	}
	return c.sum(), v.sum(), n.sum()
}

// Count returns the number of journeys: conversions plus nulls.
func (j *Journeys) Count() float64 {
	c, _, n := j.Totals()
	return c + n
}

// Validate reports every way j breaks the rules of [Journeys] and [Path]
// (up to 20 problems), or nil.
func (j *Journeys) Validate() error {
	var errs []error
	bad := func(format string, a ...any) bool {
		errs = append(errs, fmt.Errorf(format, a...))
		return len(errs) >= 20
	}
	seen := make(map[string]int, len(j.Channels))
	for i, c := range j.Channels {
		if strings.TrimSpace(c) == "" {
			if bad("channel %d has an empty name", i) {
				return errors.Join(errs...)
			}
			continue
		}
		if k, dup := seen[c]; dup {
			if bad("channels %d and %d are both called %q", k, i, c) {
				return errors.Join(errs...)
			}
		}
		seen[c] = i
	}
	if len(j.Channels) > math.MaxInt32 {
		return fmt.Errorf("%d channels: at most %d", len(j.Channels), math.MaxInt32)
	}
	nc := int32(len(j.Channels))
	for i := range j.Paths {
		p := &j.Paths[i]
		if err := checkCounts(p.Conversions, p.Value, p.Nulls); err != nil {
			if bad("path %d: %v", i, err) {
				return errors.Join(errs...)
			}
		}
		if len(p.Channels) == 0 {
			if bad("path %d has no touches", i) {
				return errors.Join(errs...)
			}
		}
		for k, c := range p.Channels {
			if c < 0 || c >= nc {
				if bad("path %d, touch %d: channel index %d out of range [0,%d)", i, k, c, nc) {
					return errors.Join(errs...)
				}
				break
			}
		}
		if p.Times != nil {
			if len(p.Times) != len(p.Channels) {
				if bad("path %d has %d touches but %d times", i, len(p.Channels), len(p.Times)) {
					return errors.Join(errs...)
				}
				continue
			}
			for k, t := range p.Times {
				if !(t >= 0) || math.IsInf(t, 0) {
					if bad("path %d, touch %d: time %v must be finite days >= 0", i, k, t) {
						return errors.Join(errs...)
					}
					break
				}
			}
		}
	}
	return errors.Join(errs...)
}

// checkCounts checks one path's counts.
func checkCounts(conversions, value, nulls float64) error {
	switch {
	case !(conversions >= 0) || math.IsInf(conversions, 0):
		return fmt.Errorf("conversions %v must be finite and >= 0", conversions)
	case !(nulls >= 0) || math.IsInf(nulls, 0):
		return fmt.Errorf("nulls %v must be finite and >= 0", nulls)
	case math.IsNaN(value) || math.IsInf(value, 0):
		return fmt.Errorf("value %v must be finite", value)
	}
	return nil
}

// Collapse returns the journeys with consecutive repeats of a channel
// merged into one touch (a > a > b becomes a > b), identical paths
// aggregated again. A merged touch keeps the time of the last touch of
// its run, the one nearest the conversion. j must be valid.
func (j *Journeys) Collapse() *Journeys {
	b := &Builder{channels: j.Channels}
	var ch []int32
	var ts []float64
	for i := range j.Paths {
		p := &j.Paths[i]
		ch = ch[:0]
		ts = ts[:0]
		for k, c := range p.Channels {
			if k > 0 && c == p.Channels[k-1] {
				if p.Times != nil {
					ts[len(ts)-1] = p.Times[k]
				}
				continue
			}
			ch = append(ch, c)
			if p.Times != nil {
				ts = append(ts, p.Times[k])
			}
		}
		var times []float64
		if p.Times != nil {
			times = ts
		}
		b.add(ch, times, p.Conversions, p.Value, p.Nulls)
	}
	return b.Journeys()
}

// Builder aggregates journeys into [Journeys]: identical paths (the same
// channels in the same order, and the same times when times are given)
// become one Path whose counts are summed. It is not safe for concurrent
// use.
type Builder struct {
	channels []string
	ids      map[string]int32
	cache    [256]int32 // see channelBytes
	index    pathTable
	// paths in chunks of pathChunk, so that growing never copies them;
	// Journeys joins them.
	paths [][]Path
	n     int
	slab  []int32
	tslab []float64
	// distinct keeps every added path apart (NewDistinctBuilder).
	distinct bool
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{} }

// Channel returns the index of the channel called name, adding it to the
// dictionary if it is new. Names are used as given (not trimmed).
func (b *Builder) Channel(name string) int32 {
	// A handful of channels is the usual case: comparing beats hashing.
	if len(b.channels) <= 16 {
		for i, c := range b.channels {
			if c == name {
				return int32(i)
			}
		}
	} else {
		if b.ids == nil {
			b.ids = make(map[string]int32, 2*len(b.channels))
			for i, c := range b.channels {
				b.ids[c] = int32(i)
			}
		}
		if id, ok := b.ids[name]; ok {
			return id
		}
	}
	id := int32(len(b.channels))
	name = strings.Clone(name)
	b.channels = append(b.channels, name)
	if b.ids != nil {
		b.ids[name] = id
	}
	return id
}

// channelBytes is Channel for a name in a byte slice. A small direct-
// mapped cache keyed by the name's length and end bytes answers most
// lookups with one comparison.
func (b *Builder) channelBytes(name []byte) int32 {
	k := (len(name)*31 + int(name[0])*7 + int(name[len(name)-1])) & (len(b.cache) - 1)
	if id := b.cache[k] - 1; id >= 0 && b.channels[id] == string(name) {
		return id
	}
	var id int32 = -1
	if len(b.channels) <= 16 {
		for i, c := range b.channels {
			if c == string(name) {
				id = int32(i)
				break
			}
		}
	} else {
		if b.ids == nil {
			b.Channel(b.channels[0]) // builds ids
		}
		if i, ok := b.ids[string(name)]; ok {
			id = i
		}
	}
	if id < 0 {
		id = b.Channel(string(name))
	}
	b.cache[k] = id + 1
	return id
}

// Add adds the journeys that followed one path: channels are indices
// returned by Channel, times nil or the days before conversion of each
// touch. Add copies both slices.
func (b *Builder) Add(channels []int32, times []float64, conversions, value, nulls float64) error {
	if len(channels) == 0 {
		return errors.New("a path needs at least one touch")
	}
	for k, c := range channels {
		if c < 0 || int(c) >= len(b.channels) {
			return fmt.Errorf("touch %d: channel index %d is not in the dictionary (%d channels)", k, c, len(b.channels))
		}
	}
	if times != nil {
		if len(times) != len(channels) {
			return fmt.Errorf("%d touches but %d times", len(channels), len(times))
		}
		for k, t := range times {
			if !(t >= 0) || math.IsInf(t, 0) {
				return fmt.Errorf("touch %d: time %v must be finite days >= 0", k, t)
			}
		}
	}
	if err := checkCounts(conversions, value, nulls); err != nil {
		return err
	}
	b.add(channels, times, conversions, value, nulls)
	return nil
}

// AddNames is Add with channel names instead of indices.
func (b *Builder) AddNames(channels []string, times []float64, conversions, value, nulls float64) error {
	ids := make([]int32, len(channels))
	for i, c := range channels {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("touch %d: empty channel name", i)
		}
		ids[i] = b.Channel(c)
	}
	return b.Add(ids, times, conversions, value, nulls)
}

// pathHash hashes a path's channels and times (a multiply–xorshift mix;
// equal hashes are confirmed by comparing the paths).
func pathHash(channels []int32, times []float64) uint64 {
	const m = 0x9e3779b97f4a7c15
	h := uint64(len(channels)) * m
	for _, c := range channels {
		h = (h ^ uint64(uint32(c))) * m
		h ^= h >> 29
	}
	if times != nil {
		h = (h ^ 0xff51afd7ed558ccd) * m
		for _, t := range times {
			h = (h ^ math.Float64bits(t+0)) * m // t+0 turns -0 into 0
			h ^= h >> 29
		}
	}
	h ^= h >> 32
	h *= m
	return h ^ h>>29
}

// pathTable is an open-addressing hash table (linear probing, at most
// half full) from a path's hash to its index in Builder.paths: faster than
// a map on hundreds of thousands of paths, and without per-path keys.
type pathTable struct {
	slots []pathSlot
	n     int
}

type pathSlot struct {
	hash uint64
	idx  int32 // path index + 1; 0 for an empty slot
}

// find returns the slot of the path with hash h that equals channels and
// times, or the empty slot where it belongs.
func (t *pathTable) find(b *Builder, h uint64, channels []int32, times []float64) *pathSlot {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.idx == 0 || (s.hash == h && samePath(b.path(s.idx-1), channels, times)) {
			return s
		}
	}
}

// grow doubles the table when it would be more than half full.
func (t *pathTable) grow() {
	if 2*(t.n+1) <= len(t.slots) {
		return
	}
	old := t.slots
	t.slots = make([]pathSlot, max(1024, 2*len(old)))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.idx == 0 {
			continue
		}
		i := s.hash & mask
		for t.slots[i].idx != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// samePath reports whether p has these channels and times.
func samePath(p *Path, channels []int32, times []float64) bool {
	if len(p.Channels) != len(channels) || (p.Times == nil) != (times == nil) {
		return false
	}
	for i, c := range channels {
		if p.Channels[i] != c {
			return false
		}
	}
	for i, t := range times {
		if p.Times[i] != t {
			return false
		}
	}
	return true
}

const pathChunk = 1 << 12

// path returns path i.
func (b *Builder) path(i int32) *Path { return &b.paths[i/pathChunk][i%pathChunk] }

// add aggregates a checked path.
func (b *Builder) add(channels []int32, times []float64, conversions, value, nulls float64) {
	if b.distinct {
		b.appendPath(channels, times, conversions, value, nulls)
		return
	}
	b.index.grow()
	h := pathHash(channels, times)
	s := b.index.find(b, h, channels, times)
	if s.idx != 0 {
		p := b.path(s.idx - 1)
		p.Conversions += conversions
		p.Value += value
		p.Nulls += nulls
		return
	}
	if b.n%pathChunk == 0 {
		b.paths = append(b.paths, make([]Path, 0, pathChunk))
	}
	last := &b.paths[len(b.paths)-1]
	*last = append(*last, Path{Conversions: conversions, Value: value, Nulls: nulls})
	b.n++
	*s = pathSlot{hash: h, idx: int32(b.n)}
	b.index.n++
	p := &(*last)[len(*last)-1]
	p.Channels = b.copyChannels(channels)
	if times != nil {
		p.Times = b.copyTimes(times)
	}
}

// appendPath stores a checked path as a new one, without looking for an
// equal path.
func (b *Builder) appendPath(channels []int32, times []float64, conversions, value, nulls float64) {
	if b.n%pathChunk == 0 {
		b.paths = append(b.paths, make([]Path, 0, pathChunk))
	}
	last := &b.paths[len(b.paths)-1]
	*last = append(*last, Path{Conversions: conversions, Value: value, Nulls: nulls, Channels: b.copyChannels(channels)})
	b.n++
	if times != nil {
		(*last)[len(*last)-1].Times = b.copyTimes(times)
	}
}

// NewDistinctBuilder returns a Builder that keeps every journey as a path
// of its own instead of aggregating equal ones: for journeys with touch
// times, which are almost never equal, it saves the hashing. Models give
// the same credits either way.
func NewDistinctBuilder() *Builder { return &Builder{distinct: true} }

const slabSize = 1 << 16

// copyChannels copies c into a shared slab, so that many short paths cost
// few allocations.
func (b *Builder) copyChannels(c []int32) []int32 {
	if len(c) > slabSize/8 {
		return append([]int32(nil), c...)
	}
	if cap(b.slab)-len(b.slab) < len(c) {
		b.slab = make([]int32, 0, slabSize)
	}
	n := len(b.slab)
	b.slab = append(b.slab, c...)
	return b.slab[n:len(b.slab):len(b.slab)]
}

func (b *Builder) copyTimes(t []float64) []float64 {
	if len(t) > slabSize/8 {
		return append([]float64(nil), t...)
	}
	if cap(b.tslab)-len(b.tslab) < len(t) {
		b.tslab = make([]float64, 0, slabSize)
	}
	n := len(b.tslab)
	b.tslab = append(b.tslab, t...)
	return b.tslab[n:len(b.tslab):len(b.tslab)]
}

// Len returns the number of distinct paths so far.
func (b *Builder) Len() int { return b.n }

// Journeys returns the aggregated journeys. The Builder must not be used
// afterwards.
func (b *Builder) Journeys() *Journeys {
	j := &Journeys{Channels: b.channels}
	if b.n > 0 {
		j.Paths = make([]Path, 0, b.n)
		for _, c := range b.paths {
			j.Paths = append(j.Paths, c...)
		}
	}
	*b = Builder{}
	return j
}

// ksum is Neumaier's compensated sum.
type ksum struct{ s, c float64 }

func (k *ksum) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k *ksum) sum() float64 { return k.s + k.c }
