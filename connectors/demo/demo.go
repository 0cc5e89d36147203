package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Type:    "demo",
		Summary: "Deterministic synthetic data of Lumen Tea 流明茶, a Chinese direct-to-consumer tea brand, for every canonical stream.",
		Fields: []connectors.Field{
			{Name: "seed", Description: "random seed: the same seed, scale and start date always give the same rows",
				Example: "42", Default: "42"},
			{Name: "scale", Description: "small: 13 months in seconds at ad-group grain; large: 10M+ ad rows at ad grain and 1M+ orders",
				Example: "large", Default: "small"},
			{Name: "streams", Description: "the streams to produce, when other sources bring the rest (pacer demo --via-apis)",
				Example: "[touchpoints, conversions, survey_metrics, market_benchmarks]", Default: "all eight"},
		},
		New: New,
	})
}

// CompanyName is the demo company's name, for pacer.yaml's company key.
const CompanyName = "Lumen Tea 流明茶"

// DefaultSeed is the seed used when the configuration sets none.
const DefaultSeed int64 = 42

// DefaultStartDate returns the company's first day of data when the source's
// start_date is not set: 2025-10-01.
func DefaultStartDate() time.Time { return time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC) }

// config is the demo type's own keys in pacer.yaml.
type config struct {
	Seed  *int64 `yaml:"seed"`
	Scale string `yaml:"scale"`
	// IncidentFrom is the first day of the planted problem the evaluation
	// must find (see incidentChannel); empty: none.
	IncidentFrom string `yaml:"incident_from"`
	// Streams limits the streams produced; empty: all of them.
	Streams []string `yaml:"streams"`
}

// Source generates the synthetic company. It implements connectors.Source.
type Source struct {
	co       *company
	lookback int             // overrides the streams' restatement windows when > 0
	only     map[string]bool // the streams produced; nil: all
}

// New builds a demo Source from its configuration (keys seed and scale; the
// common start_date is the first day of data). It is the demo type's factory.
func New(cfg connectors.Config) (connectors.Source, error) {
	var c config
	if cfg.Decode != nil {
		if err := cfg.Decode(&c); err != nil {
			return nil, err
		}
	}
	seed := DefaultSeed
	if c.Seed != nil {
		seed = *c.Seed
	}
	if c.Scale == "" {
		c.Scale = "small"
	}
	sc, ok := scales[c.Scale]
	if !ok {
		return nil, fmt.Errorf("demo source %q: scale %q: want small or large", cfg.Name, c.Scale)
	}
	start := cfg.StartDate
	if start.IsZero() {
		start = DefaultStartDate()
	}
	co := newCompany(seed, sc, dayOf(start))
	if c.IncidentFrom != "" {
		t, err := time.Parse(time.DateOnly, c.IncidentFrom)
		if err != nil {
			return nil, fmt.Errorf("demo source %q: incident_from %q: want YYYY-MM-DD", cfg.Name, c.IncidentFrom)
		}
		co.incidentFrom = dayOf(t)
	}
	src := &Source{co: co, lookback: cfg.LookbackDays}
	if len(c.Streams) > 0 {
		src.only = map[string]bool{}
		for _, name := range c.Streams {
			if _, ok := lookupStream(name); !ok {
				return nil, fmt.Errorf("demo source %q: streams: unknown stream %q (known: %s)", cfg.Name, name, streamNames())
			}
			src.only[name] = true
		}
	}
	return src, nil
}

func streamNames() string {
	names := make([]string, len(streamSpecs))
	for i, s := range streamSpecs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// streamSpec describes one demo stream.
type streamSpec struct {
	name         string
	lookbackDays int // 0: the stream is replaced whole on every read
	description  string
}

var streamSpecs = []streamSpec{
	{"ad_performance", 7, "one row per day, platform, campaign and ad group (and ad at large scale); platform-claimed conversions"},
	{"web_traffic", 3, "one row per day and source/medium/campaign as web analytics reports it; paid campaigns tagged with their campaign id"},
	{"touchpoints", 3, "one row per impression, click or visit of a pseudonymous user"},
	{"conversions", 3, "one row per purchase, newsletter signup or wholesale lead"},
	{"orders", 3, "one row per order of the online shop, plus one per refund"},
	{"crm_deals", 14, "one row per wholesale lead or deal, as the CRM shows it at the end of the read's last day"},
	{"survey_metrics", 0, "monthly brand tracker: brand awareness, NPS and loyalty; replaced whole on every read"},
	{"market_benchmarks", 0, "monthly industry panel: market revenue and competitor spend in CNY; replaced whole on every read"},
}

func lookupStream(name string) (streamSpec, bool) {
	for _, s := range streamSpecs {
		if s.name == name {
			return s, true
		}
	}
	return streamSpec{}, false
}

// Streams lists the eight canonical streams, or those the streams key
// names; each stream's name is its canonical name.
func (s *Source) Streams() []connectors.Stream {
	out := make([]connectors.Stream, 0, len(streamSpecs))
	for _, spec := range streamSpecs {
		if s.only != nil && !s.only[spec.name] {
			continue
		}
		can := connectors.Canonical[spec.name]
		out = append(out, connectors.Stream{
			Name: spec.name, Canonical: spec.name, Description: spec.description,
			Schema: can.ArrowSchema(), Key: can.Key, DateColumn: can.DateColumn,
			LookbackDays: s.lookbackOf(spec),
		})
	}
	return out
}

func (s *Source) lookbackOf(spec streamSpec) int {
	if spec.lookbackDays > 0 && s.lookback > 0 {
		return s.lookback
	}
	return spec.lookbackDays
}

// Close does nothing: the demo holds no connections.
func (s *Source) Close() error { return nil }

// cursor is the demo's checkpoint: the last day read.
type cursor struct {
	LastDay string `json:"last_day"`
}

func encodeCursor(d day) []byte {
	b, _ := json.Marshal(cursor{LastDay: d.String()})
	return b
}

// decodeCursor returns the cursor's last day; ok is false for a nil cursor.
func decodeCursor(raw []byte) (last day, ok bool, err error) {
	if len(raw) == 0 {
		return 0, false, nil
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return 0, false, fmt.Errorf("demo: bad cursor %q: %w", raw, err)
	}
	t, err := time.Parse(time.DateOnly, c.LastDay)
	if err != nil {
		return 0, false, fmt.Errorf("demo: bad cursor %q: %w", raw, err)
	}
	return dayOf(t), true, nil
}

// Read emits the rows of req.Stream. Streams with a date column are read
// from the cursor's last day minus the lookback window (or the start date)
// to req.Until, or exactly req.Backfill; they are replaced, emitted a
// calendar month at a time and checkpointed after each month. Survey and
// market streams are replaced whole.
//
// Nothing after the end of the reporting day req.Until (Asia/Shanghai) is
// emitted. Timestamp streams are replaced by UTC day, so the UTC day Until
// is emitted up to local midnight only; its last eight hours belong to the
// next local day and arrive with the next read (the lookback re-reads it).
// CRM deals show the state they reached by the end of Until, or of the
// cursor's last day if that is later (a backfill does not roll deals back).
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	spec, ok := lookupStream(req.Stream)
	if !ok {
		return fmt.Errorf("demo: unknown stream %q", req.Stream)
	}
	until := dayOf(req.Until)
	last, hasCursor, err := decodeCursor(req.Cursor)
	if err != nil {
		return err
	}
	// What is already stored is known up to the cursor: whole reloads and
	// the state of CRM deals never go back before it, even in a backfill
	// whose Until is earlier.
	known := until
	if hasCursor && last > known {
		known = last
	}
	if spec.lookbackDays == 0 {
		return s.readWhole(ctx, spec, known, out)
	}
	from, to := s.readRange(spec, req.Backfill, last, hasCursor, until)
	if to < from {
		return out.Checkpoint(ctx, req.Cursor)
	}
	if req.Logger != nil {
		req.Logger.DebugContext(ctx, "demo read", "stream", spec.name, "from", from.String(), "to", to.String())
	}
	previous := day(math.MinInt32)
	if hasCursor {
		previous = last
	}
	return s.readDays(ctx, spec, readWindow{from, to, until, known, previous}, out)
}

// readWindow is what one read of a dated stream covers.
type readWindow struct {
	from, to day // days to replace and emit
	until    day // no instant after the end of this local day
	known    day // CRM deals show their state at the end of this day
	previous day // the cursor's last day; checkpoints never go back before it
}

// readDays replaces the window's days of a dated stream and emits them a
// calendar month at a time, checkpointing after each month.
func (s *Source) readDays(ctx context.Context, spec streamSpec, rw readWindow, out connectors.Emitter) error {
	from, to := rw.from, rw.to
	if err := out.Replace(ctx, connectors.DateRange{From: from.time(), To: to.time()}); err != nil {
		return err
	}
	for chunk := from; chunk <= to; {
		end := minDay(monthEnd(chunk), to)
		if err := s.emit(ctx, spec.name, chunk, end, rw.until, rw.known, out); err != nil {
			return err
		}
		if err := out.Checkpoint(ctx, encodeCursor(maxDay(end, rw.previous))); err != nil {
			return err
		}
		chunk = end + 1
	}
	return nil
}

// readRange returns the days to read: the backfill (clipped to the start
// date and until) or from the restatement window before the cursor.
func (s *Source) readRange(spec streamSpec, backfill *connectors.DateRange, last day, hasCursor bool, until day) (from, to day) {
	start := s.co.start
	switch {
	case backfill != nil:
		from, to = dayOf(backfill.From), dayOf(backfill.To)
	case hasCursor:
		from, to = last+1-day(s.lookbackOf(spec)), until
	default:
		from, to = start, until
	}
	return maxDay(from, start), minDay(to, until)
}

// readWhole replaces a survey or market stream with every month published
// by until.
func (s *Source) readWhole(ctx context.Context, spec streamSpec, until day, out connectors.Emitter) error {
	if err := out.Replace(ctx, connectors.DateRange{}); err != nil {
		return err
	}
	var err error
	switch spec.name {
	case "survey_metrics":
		err = s.co.emitSurveyMetrics(ctx, until, out)
	case "market_benchmarks":
		err = s.co.emitMarketBenchmarks(ctx, until, out)
	}
	if err != nil {
		return err
	}
	return out.Checkpoint(ctx, encodeCursor(until))
}

// emit writes the rows of days [from, to] of a dated stream; nothing after
// local day until; CRM deals in their state at the end of local day known.
func (s *Source) emit(ctx context.Context, stream string, from, to, until, known day, out connectors.Emitter) error {
	in := utcRange{from, to, until}
	switch stream {
	case "ad_performance":
		return s.co.emitAdPerformance(ctx, from, to, out)
	case "web_traffic":
		return s.co.emitWebTraffic(ctx, from, to, out)
	case "touchpoints":
		return s.co.emitTouchpoints(ctx, in, out)
	case "conversions":
		return s.co.emitConversions(ctx, in, out)
	case "orders":
		return s.co.emitOrders(ctx, in, out)
	case "crm_deals":
		return s.co.emitDeals(ctx, in, known, out)
	}
	return fmt.Errorf("demo: no generator for stream %q", stream)
}
