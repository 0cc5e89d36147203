package attribution

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The benchmarks run on a synthetic input built here, so that they need
// neither the demo nor the shared data: one million journeys over 12
// channels, aggregated into about 250 k distinct paths.

const benchJourneys = 1_000_000

// synthChannels and their popularity (a Zipf-like mix: search and social
// dominate, a long tail of small channels).
var synthChannels = []string{"paid_search", "organic_search", "paid_social", "direct", "email", "display",
	"affiliate", "referral", "video", "organic_social", "sms", "podcast"}
var synthWeights = []float64{0.20, 0.16, 0.14, 0.12, 0.09, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01}

// synthJourney writes one journey's touches into buf and returns them
// with whether it converted and its value. Lengths are 1 + geometric
// (mean 3.8, a quarter of the journeys one touch long, a tail past 30
// touches, capped at 60); a touch repeats the previous channel with
// probability 0.22; longer journeys convert more often (about 17 %
// overall); values are log-normal, in cents.
func synthJourney(rng *rand.Rand, cum []float64, buf []int32) ([]int32, bool, float64) {
	n := 1
	for n < 60 && rng.Float64() < 0.74 {
		n++
	}
	buf = buf[:0]
	for i := 0; i < n; i++ {
		if i > 0 && rng.Float64() < 0.22 {
			buf = append(buf, buf[i-1])
			continue
		}
		u := rng.Float64()
		c := 0
		for c < len(cum)-1 && u > cum[c] {
			c++
		}
		buf = append(buf, int32(c))
	}
	if rng.Float64() < 0.08+0.025*float64(min(n, 12)) {
		v := math.Round(math.Exp(3.5+0.8*rng.NormFloat64())*100) / 100
		return buf, true, v
	}
	return buf, false, 0
}

func synthCum() []float64 {
	cum := make([]float64, len(synthWeights))
	s := 0.0
	for i, w := range synthWeights {
		s += w
		cum[i] = s
	}
	return cum
}

var synth struct {
	once sync.Once
	j    *Journeys
	csv  []byte
}

// synthInput returns the aggregated synthetic journeys and the same paths
// as a ChannelAttribution file, built once per process.
func synthInput(testing.TB) (*Journeys, []byte) {
	synth.once.Do(func() {
		bld := NewBuilder()
		for _, c := range synthChannels {
			bld.Channel(c)
		}
		rng := rand.New(rand.NewPCG(20261125, 1))
		cum := synthCum()
		var buf []int32
		for i := 0; i < benchJourneys; i++ {
			var conv bool
			var v float64
			buf, conv, v = synthJourney(rng, cum, buf)
			c, nl := 0.0, 1.0
			if conv {
				c, nl = 1, 0
			}
			if err := bld.Add(buf, nil, c, v, nl); err != nil {
				panic(err)
			}
		}
		synth.j = bld.Journeys()
		var out bytes.Buffer
		out.WriteString("path,total_conversions,total_conversion_value,total_null\n")
		for _, p := range synth.j.Paths {
			for k, c := range p.Channels {
				if k > 0 {
					out.WriteString(" > ")
				}
				out.WriteString(synth.j.Channels[c])
			}
			fmt.Fprintf(&out, ",%s,%s,%s\n", strconv.FormatFloat(p.Conversions, 'f', -1, 64),
				strconv.FormatFloat(math.Round(p.Value*100)/100, 'f', -1, 64), strconv.FormatFloat(p.Nulls, 'f', -1, 64))
		}
		synth.csv = out.Bytes()
	})
	return synth.j, synth.csv
}

var ruleSpecs = []Spec{{Model: FirstTouch}, {Model: LastTouch}, {Model: LastNonDirect}, {Model: Linear},
	{Model: TimeDecay}, {Model: PositionBased}}

// report adds journeys/s and, from one extra untimed run of f, the peak
// heap growth while f runs (sampled every 100 µs over a GC'd baseline).
func report(b *testing.B, f func()) {
	b.ReportMetric(float64(benchJourneys)*float64(b.N)/b.Elapsed().Seconds(), "journeys/s")
	b.StopTimer()
	b.ReportMetric(float64(peakHeap(f))/(1<<20), "peak-MiB")
}

func peakHeap(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	peak = max(peak, read())
	return peak - base
}

// TestSynthInputShape checks the benchmark input: a million journeys,
// about 250 k distinct paths, and logs its shape.
func TestSynthInputShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a million journeys")
	}
	j, csv := synthInput(t)
	conv, val, nulls := j.Totals()
	lengths := make([]int, 11)
	touches := 0
	for _, p := range j.Paths {
		lengths[min(len(p.Channels), 10)] += int(p.Conversions + p.Nulls)
		touches += len(p.Channels)
	}
	t.Logf("%d journeys, %d distinct paths (%d touches), %v conversions, value %.2f, %v nulls, file %.1f MB; journeys by length 1..9, 10+: %v",
		int(conv+nulls), len(j.Paths), touches, conv, val, nulls, float64(len(csv))/1e6, lengths[1:])
	if conv+nulls != benchJourneys || len(j.Paths) < 200_000 || len(j.Paths) > 300_000 || len(j.Channels) != 12 {
		t.Errorf("%v journeys, %d distinct paths, %d channels: want 1 M, about 250 k, 12", conv+nulls, len(j.Paths), len(j.Channels))
	}
	back, err := ParsePaths(bytes.NewReader(csv), PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Paths) != len(j.Paths) {
		t.Errorf("the file has %d paths, the journeys %d", len(back.Paths), len(j.Paths))
	}
}

// BenchmarkAggregate: one million journeys into a Builder (what the
// transform does before any model).
func BenchmarkAggregate(b *testing.B) {
	rng := rand.New(rand.NewPCG(20261125, 1))
	cum := synthCum()
	type journey struct {
		ch   []int32
		conv bool
		v    float64
	}
	js := make([]journey, benchJourneys)
	var buf []int32
	for i := range js {
		var conv bool
		var v float64
		buf, conv, v = synthJourney(rng, cum, buf)
		js[i] = journey{append([]int32(nil), buf...), conv, v}
	}
	run := func() {
		bld := NewBuilder()
		for _, c := range synthChannels {
			bld.Channel(c)
		}
		for _, x := range js {
			c, nl := 0.0, 1.0
			if x.conv {
				c, nl = 1, 0
			}
			if err := bld.Add(x.ch, nil, c, x.v, nl); err != nil {
				b.Fatal(err)
			}
		}
		bld.Journeys()
	}
	for b.Loop() {
		run()
	}
	report(b, run)
}

func benchRun(b *testing.B, specs []Spec) {
	j, _ := synthInput(b)
	ctx := context.Background()
	run := func() {
		if _, err := Run(ctx, j, specs); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		run()
	}
	report(b, run)
}

// BenchmarkRuleModels: the six rule-based models together (target: under
// 0.2 s for one million journeys).
func BenchmarkRuleModels(b *testing.B) { benchRun(b, ruleSpecs) }

func BenchmarkShapley(b *testing.B) { benchRun(b, []Spec{{Model: Shapley}}) }

// BenchmarkMarkov: the exact chain of each order (target for order 1:
// under 1 s for one million journeys).
func BenchmarkMarkov(b *testing.B) {
	for k := 1; k <= MaxMarkovOrder; k++ {
		b.Run("order="+strconv.Itoa(k), func(b *testing.B) { benchRun(b, []Spec{{Model: Markov, Order: k}}) })
	}
}

// BenchmarkParsePaths: reading the aggregated file (about 250 k lines).
func BenchmarkParsePaths(b *testing.B) {
	_, csv := synthInput(b)
	run := func() {
		if _, err := ParsePaths(bytes.NewReader(csv), PathFormat{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(csv)))
	for b.Loop() {
		run()
	}
	report(b, run)
}

// BenchmarkEndToEnd: read the file, then run the models: the rule-based
// ones with Markov order 1, and every model including Shapley.
func BenchmarkEndToEnd(b *testing.B) {
	_, csv := synthInput(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		specs []Spec
	}{
		{"rules", ruleSpecs},
		{"markov_1", []Spec{{Model: Markov}}},
		{"rules+markov_1+shapley", append(append([]Spec(nil), ruleSpecs...), Spec{Model: Markov}, Spec{Model: Shapley})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			run := func() {
				j, err := ParsePaths(bytes.NewReader(csv), PathFormat{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Run(ctx, j, tc.specs); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				run()
			}
			report(b, run)
		})
	}
}
