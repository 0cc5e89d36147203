package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
)

// The shared year of data: the default company, seed 42, small scale, from
// the default start date 2025-10-01 to 2026-10-31 (13 months).
var (
	yearUntil = ymd("2026-10-31")
	yearOnce  sync.Once
	yearData  map[string]*memEmitter
)

func fullYear(t *testing.T) map[string]*memEmitter {
	t.Helper()
	yearOnce.Do(func() {
		src := testSource(t, DefaultSeed, "small", time.Time{})
		yearData = map[string]*memEmitter{}
		for _, s := range streamSpecs {
			yearData[s.name] = read(t, src, s.name, nil, yearUntil, nil)
		}
	})
	if yearData == nil {
		t.Fatal("year of data failed to generate")
	}
	return yearData
}

func TestRegisteredSpec(t *testing.T) {
	spec, err := connectors.Lookup("demo")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range spec.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"seed", "scale", "streams"}) || spec.Summary == "" {
		t.Fatalf("fields %v, summary %q", names, spec.Summary)
	}
	bad := connectors.Config{Name: "d", Decode: func(v any) error { v.(*config).Scale = "huge"; return nil }}
	if _, err := spec.New(bad); err == nil {
		t.Fatal("scale huge accepted")
	}
	src, err := spec.New(connectors.Config{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.(*Source).co.start; got != dayOf(DefaultStartDate()) {
		t.Fatalf("default start %s", got)
	}
}

func TestStreams(t *testing.T) {
	want := map[string]int{
		"ad_performance": 7, "web_traffic": 3, "touchpoints": 3, "conversions": 3, "orders": 3,
		"crm_deals": 14, "survey_metrics": 0, "market_benchmarks": 0,
	}
	src := testSource(t, 1, "small", time.Time{})
	streams := src.Streams()
	if len(streams) != len(want) {
		t.Fatalf("%d streams", len(streams))
	}
	for _, s := range streams {
		can := connectors.Canonical[s.Name]
		if s.Canonical != s.Name || !s.Schema.Equal(can.ArrowSchema()) || !slices.Equal(s.Key, can.Key) ||
			s.DateColumn != can.DateColumn || s.LookbackDays != want[s.Name] || s.Description == "" {
			t.Errorf("stream %+v does not match its canonical definition", s)
		}
	}
	override := testSource(t, 1, "small", time.Time{})
	override.lookback = 30
	for _, s := range override.Streams() {
		if got := s.LookbackDays; (want[s.Name] == 0 && got != 0) || (want[s.Name] > 0 && got != 30) {
			t.Errorf("%s: lookback %d with override 30", s.Name, got)
		}
	}
}

func TestKeysUnique(t *testing.T) {
	data := fullYear(t)
	for _, s := range streamSpecs {
		t.Run(s.name, func(t *testing.T) {
			e := data[s.name]
			seen := make(map[string]bool, len(e.rows))
			for _, row := range e.rows {
				var key []any
				for _, k := range connectors.Canonical[s.name].Key {
					key = append(key, row[e.col(k)])
				}
				k := fmt.Sprint(key...)
				if seen[k] {
					t.Fatalf("duplicate key %s", k)
				}
				seen[k] = true
			}
		})
	}
}

// window reads days [from, to] of a stream as a backfill with the given until.
func window(t *testing.T, src *Source, stream, from, to string, until time.Time) *memEmitter {
	return read(t, src, stream, nil, until, &connectors.DateRange{From: ymd(from), To: ymd(to)})
}

func TestDeterministicBySeed(t *testing.T) {
	until := ymd("2025-12-05")
	for _, s := range streamSpecs {
		t.Run(s.name, func(t *testing.T) {
			a := window(t, testSource(t, 7, "small", time.Time{}), s.name, "2025-11-01", "2025-12-05", until)
			b := window(t, testSource(t, 7, "small", time.Time{}), s.name, "2025-11-01", "2025-12-05", until)
			c := window(t, testSource(t, 8, "small", time.Time{}), s.name, "2025-11-01", "2025-12-05", until)
			if len(a.rows) == 0 {
				t.Fatal("no rows")
			}
			if !slices.Equal(a.sortedRows(), b.sortedRows()) {
				t.Fatal("same seed, different rows")
			}
			if slices.Equal(a.sortedRows(), c.sortedRows()) {
				t.Fatal("different seed, same rows")
			}
		})
	}
}

func TestDayAddressable(t *testing.T) {
	const a, b, b1, c = "2025-11-05", "2025-11-20", "2025-11-21", "2025-12-10"
	until := ymd(c)
	src := testSource(t, 3, "small", time.Time{})
	for _, s := range streamSpecs {
		t.Run(s.name, func(t *testing.T) {
			whole := window(t, testSource(t, 3, "small", time.Time{}), s.name, a, c, until).sortedRows()
			var parts []string
			if s.lookbackDays == 0 { // replaced whole: every read is the same full set
				parts = window(t, src, s.name, a, b, until).sortedRows()
			} else {
				parts = append(window(t, src, s.name, a, b, until).sortedRows(),
					window(t, src, s.name, b1, c, until).sortedRows()...)
				sort.Strings(parts)
			}
			if len(whole) == 0 || !slices.Equal(whole, parts) {
				t.Fatalf("[%s,%s]+[%s,%s] gave %d rows, [%s,%s] gave %d", a, b, b1, c, len(parts), a, c, len(whole))
			}
		})
	}
}

// tableEmitter behaves like the pipeline's raw table: Replace deletes the
// rows of its days, batches append.
type tableEmitter struct {
	*memEmitter
	stream string
}

func (e *tableEmitter) Replace(ctx context.Context, r connectors.DateRange) error {
	kept := e.rows[:0]
	for _, row := range e.rows {
		if d := rowDay(e.memEmitter, e.stream, row); !r.IsZero() && (d < dayOf(r.From) || d > dayOf(r.To)) {
			kept = append(kept, row)
		}
	}
	e.rows = kept
	return e.memEmitter.Replace(ctx, r)
}

func TestNightlyRunsEqualFullRead(t *testing.T) {
	first, last := dayOf(ymd("2025-10-20")), dayOf(ymd("2025-11-12"))
	for _, s := range streamSpecs {
		if s.name == "crm_deals" || s.lookbackDays == 0 {
			continue // deals show their state at the read's until; whole streams are trivially equal
		}
		t.Run(s.name, func(t *testing.T) {
			src := testSource(t, 11, "small", time.Time{})
			table := &tableEmitter{newMemEmitter(t, connectors.Canonical[s.name].ArrowSchema()), s.name}
			var cursor []byte
			for night := first; night <= last; night++ {
				req := connectors.ReadRequest{Stream: s.name, Cursor: cursor, Until: night.time()}
				if err := src.Read(context.Background(), req, table); err != nil {
					t.Fatal(err)
				}
				cursor = []byte(strings.TrimPrefix(lastCall(table.memEmitter), "checkpoint "))
			}
			full := read(t, testSource(t, 11, "small", time.Time{}), s.name, nil, last.time(), nil)
			if !slices.Equal(table.sortedRows(), full.sortedRows()) {
				t.Fatalf("nightly runs stored %d rows, a full read has %d", len(table.rows), len(full.rows))
			}
		})
	}
}

// rowDay returns the day a row is placed on: its DATE, or the UTC day of its timestamp.
func rowDay(e *memEmitter, stream string, row []any) day {
	v := row[e.col(connectors.Canonical[stream].DateColumn)].(int64)
	if stream == "ad_performance" || stream == "web_traffic" {
		return day(v)
	}
	return utcDay(v)
}

func TestUntilRespected(t *testing.T) {
	until := ymd("2025-12-15")
	src := testSource(t, 5, "small", time.Time{})
	for _, s := range streamSpecs {
		t.Run(s.name, func(t *testing.T) {
			e := read(t, src, s.name, nil, until, nil)
			if len(e.rows) == 0 {
				t.Fatal("no rows")
			}
			if s.lookbackDays == 0 {
				for _, row := range e.rows {
					if p := row[e.col("period")].(string); p > "2025-11" {
						t.Fatalf("period %s published before it ended", p)
					}
				}
				return
			}
			for _, row := range e.rows {
				if d := rowDay(e, s.name, row); d > dayOf(until) || d < dayOf(DefaultStartDate()) {
					t.Fatalf("row on %s outside start..%s: %v", d, until.Format(time.DateOnly), row)
				}
				// No instant after the end of the reporting day until, in Asia/Shanghai.
				for _, c := range []string{"ts", "created_at", "closed_at"} {
					if idx := e.schema.FieldIndices(c); len(idx) == 1 {
						if ts, ok := row[idx[0]].(int64); ok && localDay(ts) > dayOf(until) {
							t.Fatalf("%s on local day %s: %v", c, localDay(ts), row)
						}
					}
				}
			}
		})
	}
}

func TestCursorAndLookback(t *testing.T) {
	src := testSource(t, 9, "small", time.Time{})
	first := read(t, src, "ad_performance", nil, ymd("2025-12-10"), nil)
	wantCalls := []string{
		"replace 2025-10-01..2025-12-10",
		`checkpoint {"last_day":"2025-10-31"}`,
		`checkpoint {"last_day":"2025-11-30"}`,
		`checkpoint {"last_day":"2025-12-10"}`,
	}
	if !slices.Equal(first.calls, wantCalls) {
		t.Fatalf("calls %q, want %q", first.calls, wantCalls)
	}
	// Each checkpoint commits exactly the days up to its cursor.
	for k, cp := range []string{"2025-10-31", "2025-11-30", "2025-12-10"} {
		for i, row := range first.rows {
			if committed := i < first.rowsAtCheckpoint[k]; committed != (rowDay(first, "ad_performance", row) <= dayOf(ymd(cp))) {
				t.Fatalf("row %d on %s is on the wrong side of checkpoint %s", i, rowDay(first, "ad_performance", row), cp)
			}
		}
	}
	cursor := []byte(strings.TrimPrefix(lastCall(first), "checkpoint "))

	next := read(t, src, "ad_performance", cursor, ymd("2025-12-12"), nil)
	if want := []string{"replace 2025-12-04..2025-12-12", `checkpoint {"last_day":"2025-12-12"}`}; !slices.Equal(next.calls, want) {
		t.Fatalf("incremental calls %q, want %q", next.calls, want)
	}
	restated := window(t, src, "ad_performance", "2025-12-04", "2025-12-12", ymd("2025-12-12"))
	if !slices.Equal(next.sortedRows(), restated.sortedRows()) {
		t.Fatal("lookback window not re-emitted identically")
	}

	// A backfill never moves the cursor back.
	back := read(t, src, "orders", cursor, ymd("2025-12-12"), &connectors.DateRange{From: ymd("2025-10-20"), To: ymd("2025-11-02")})
	if want := []string{"replace 2025-10-20..2025-11-02", `checkpoint {"last_day":"2025-12-10"}`, `checkpoint {"last_day":"2025-12-10"}`}; !slices.Equal(back.calls, want) {
		t.Fatalf("backfill calls %q, want %q", back.calls, want)
	}

	// Nothing to read: the same cursor is checkpointed, nothing replaced.
	early := read(t, src, "orders", cursor, ymd("2025-09-01"), nil)
	if want := []string{"checkpoint " + string(cursor)}; !slices.Equal(early.calls, want) || len(early.rows) != 0 {
		t.Fatalf("empty range calls %q rows %d", early.calls, len(early.rows))
	}

	// Whole streams are replaced and checkpointed at until, or at the
	// cursor when a backfill's until is earlier.
	survey := read(t, src, "survey_metrics", cursor, ymd("2025-12-12"), nil)
	if want := []string{"replace all", `checkpoint {"last_day":"2025-12-12"}`}; !slices.Equal(survey.calls, want) {
		t.Fatalf("survey calls %q", survey.calls)
	}
	late := []byte(`{"last_day":"2026-01-05"}`)
	survey = read(t, src, "survey_metrics", late, ymd("2025-11-20"), &connectors.DateRange{From: ymd("2025-11-01"), To: ymd("2025-11-20")})
	if want := []string{"replace all", string("checkpoint ") + string(late)}; !slices.Equal(survey.calls, want) ||
		survey.rows[len(survey.rows)-1][survey.col("period")] != "2025-12" {
		t.Fatalf("survey backfill calls %q, last period %v", survey.calls, survey.rows[len(survey.rows)-1])
	}

	// A backfill does not roll CRM deals back to an earlier state.
	nov := &connectors.DateRange{From: ymd("2025-11-01"), To: ymd("2025-11-20")}
	dealsBackfill := read(t, src, "crm_deals", late, ymd("2025-11-20"), nov)
	dealsAsOfCursor := read(t, src, "crm_deals", nil, ymd("2026-01-05"), nov)
	if !slices.Equal(dealsBackfill.sortedRows(), dealsAsOfCursor.sortedRows()) {
		t.Fatal("backfilled deals are not in their state at the cursor")
	}

	bad := newMemEmitter(t, nil)
	err := src.Read(context.Background(), connectors.ReadRequest{Stream: "orders", Cursor: []byte("{"), Until: ymd("2025-12-12")}, bad)
	if err == nil {
		t.Fatal("bad cursor accepted")
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := testSource(t, 1, "small", time.Time{})
	for _, s := range streamSpecs[:6] {
		e := newMemEmitter(t, nil)
		err := src.Read(ctx, connectors.ReadRequest{Stream: s.name, Until: yearUntil}, e)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err %v, want context.Canceled", s.name, err)
		}
	}
}

// cnyOf converts an amount in cents of currency on day d to CNY.
func cnyOf(cents int64, currency string, d day) float64 {
	v := float64(cents) / 100
	if currency == "USD" {
		v *= usdRate(d)
	}
	return v
}

// orderFacts summarises the orders stream.
type orderFacts struct {
	paid, refunds, cancelled, pending int
	returning                         int
	revenueByDay                      map[day]float64 // local day, paid minus refunded, CNY
	revenue                           float64
	paidAmount                        float64
}

func summariseOrders(e *memEmitter) orderFacts {
	f := orderFacts{revenueByDay: map[day]float64{}}
	type ord struct {
		ts       int64
		customer string
	}
	var paid []ord
	for _, row := range e.rows {
		ts := row[e.col("ts")].(int64)
		amount := float64(row[e.col("amount")].(int64)) / 100
		switch row[e.col("status")].(string) {
		case "paid":
			f.paid++
			f.paidAmount += amount
			f.revenue += amount
			f.revenueByDay[localDay(ts)] += amount
			paid = append(paid, ord{ts, row[e.col("customer_id")].(string)})
		case "refunded":
			f.refunds++
			f.revenue -= amount
			f.revenueByDay[localDay(ts)] -= amount
		case "cancelled":
			f.cancelled++
		case "pending":
			f.pending++
		}
	}
	sort.Slice(paid, func(i, j int) bool { return paid[i].ts < paid[j].ts })
	seen := map[string]bool{}
	for _, o := range paid {
		if seen[o.customer] {
			f.returning++
		}
		seen[o.customer] = true
	}
	return f
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

func TestRealism(t *testing.T) {
	data := fullYear(t)
	ads, orders, touches := data["ad_performance"], data["orders"], data["touchpoints"]
	of := summariseOrders(orders)

	var spend, weekendSpend, weekdaySpend, claimed float64
	weekendDays, weekdayDays := map[day]bool{}, map[day]bool{}
	campaigns := map[string]string{}
	for _, row := range ads.rows {
		d := day(row[ads.col("date")].(int64))
		s := cnyOf(row[ads.col("spend")].(int64), row[ads.col("currency")].(string), d)
		spend += s
		claimed += row[ads.col("conversions")].(float64)
		if d.weekend() {
			weekendSpend += s
			weekendDays[d] = true
		} else {
			weekdaySpend += s
			weekdayDays[d] = true
		}
		campaigns[row[ads.col("campaign_id")].(string)] = row[ads.col("campaign_name")].(string)
	}

	t.Run("weekend spend differs", func(t *testing.T) {
		ratio := (weekendSpend / float64(len(weekendDays))) / (weekdaySpend / float64(len(weekdayDays)))
		t.Logf("weekend/weekday daily spend = %.3f", ratio)
		if math.Abs(ratio-1) < 0.04 {
			t.Fatalf("weekend/weekday spend ratio %.3f: no weekly pattern", ratio)
		}
	})

	t.Run("singles day peak", func(t *testing.T) {
		var october []float64
		for d := dayOf(ymd("2025-10-01")); d <= dayOf(ymd("2025-10-31")); d++ {
			october = append(october, of.revenueByDay[d])
		}
		peak := of.revenueByDay[dayOf(ymd("2025-11-11"))]
		t.Logf("11.11 revenue %.0f CNY, October median %.0f CNY (%.1fx)", peak, median(october), peak/median(october))
		if peak <= 2*median(october) {
			t.Fatal("11.11 is not a peak")
		}
	})

	t.Run("ROAS", func(t *testing.T) {
		roas := of.revenue / spend
		t.Logf("revenue %.0f CNY, spend %.0f CNY, ROAS %.2f", of.revenue, spend, roas)
		if roas < 1.5 || roas > 6 {
			t.Fatalf("ROAS %.2f outside 1.5..6", roas)
		}
	})

	t.Run("platforms over-claim", func(t *testing.T) {
		paidOrders := paidLastTouchOrders(touches, orders)
		t.Logf("claimed conversions %.0f, orders with a paid last touch %d (%.2fx), all paid orders %d",
			claimed, paidOrders, claimed/float64(paidOrders), of.paid)
		if ratio := claimed / float64(paidOrders); ratio < 1.15 || ratio > 1.7 {
			t.Fatalf("claimed/real %.2f outside 1.15..1.7", ratio)
		}
	})

	t.Run("refunds", func(t *testing.T) {
		share := float64(of.refunds) / float64(of.paid)
		t.Logf("paid %d, refunded %d (%.1f%%), cancelled %d, pending %d", of.paid, of.refunds, 100*share, of.cancelled, of.pending)
		if share < 0.05 || share > 0.08 || of.cancelled == 0 || of.pending == 0 {
			t.Fatalf("refund share %.3f", share)
		}
	})

	t.Run("repeat customers", func(t *testing.T) {
		share := float64(of.returning) / float64(of.paid)
		t.Logf("orders from returning customers: %.1f%%", 100*share)
		if share < 0.15 || share > 0.40 {
			t.Fatalf("repeat share %.3f outside 0.15..0.40", share)
		}
	})

	t.Run("order values", func(t *testing.T) {
		aov := of.paidAmount / float64(of.paid)
		t.Logf("%d paid orders, AOV %.1f CNY", of.paid, aov)
		if aov < 150 || aov > 400 || of.paid < 20000 || of.paid > 40000 {
			t.Fatalf("AOV %.1f, %d orders", aov, of.paid)
		}
	})

	t.Run("campaigns", func(t *testing.T) {
		chinese := 0
		for id, name := range campaigns {
			if strings.TrimSpace(name) == "" {
				t.Fatalf("campaign %s has no name", id)
			}
			if hasChinese(name) {
				chinese++
			}
		}
		t.Logf("%d campaigns, %d with Chinese names", len(campaigns), chinese)
		if len(campaigns) < 25 || len(campaigns) > 40 || chinese < 5 {
			t.Fatalf("%d campaigns, %d Chinese", len(campaigns), chinese)
		}
	})

	t.Run("volumes", func(t *testing.T) {
		for _, s := range streamSpecs {
			t.Logf("%-18s %7d rows", s.name, len(data[s.name].rows))
		}
		if n := len(ads.rows); n < 15000 || n > 30000 {
			t.Errorf("%d ad rows", n)
		}
		if n := len(touches.rows); n < 80000 || n > 250000 {
			t.Errorf("%d touchpoints", n)
		}
	})

	t.Run("web traffic", func(t *testing.T) {
		web := data["web_traffic"]
		groups := map[string]bool{}
		for _, row := range web.rows {
			group := row[web.col("channel_group")].(string)
			groups[group] = true
			if strings.HasPrefix(group, "Paid") || group == "Display" {
				if _, ok := campaigns[row[web.col("campaign")].(string)]; !ok {
					t.Fatalf("paid web row without an ad campaign id: %v", row)
				}
			}
		}
		for _, g := range []string{"Paid Search", "Paid Social", "Organic Search", "Direct", "Email", "Referral", "Display", "Paid Video"} {
			if !groups[g] {
				t.Errorf("no %s traffic", g)
			}
		}
	})

	t.Run("deals", func(t *testing.T) {
		deals := data["crm_deals"]
		stages, owners := map[string]int{}, map[string]bool{}
		for _, row := range deals.rows {
			stages[row[deals.col("stage")].(string)]++
			owners[row[deals.col("owner")].(string)+"/"+row[deals.col("team")].(string)] = true
			created := row[deals.col("created_at")].(int64)
			if closed, ok := row[deals.col("closed_at")].(int64); ok && closed <= created {
				t.Fatalf("deal closed before it was created: %v", row)
			}
			if (row[deals.col("stage")] == "won") != row[deals.col("is_won")].(bool) {
				t.Fatalf("is_won disagrees with stage: %v", row)
			}
		}
		t.Logf("%d deals by stage %v; owners %d", len(deals.rows), stages, len(owners))
		for _, st := range stageNames {
			if stages[st] == 0 {
				t.Errorf("no %s deals", st)
			}
		}
	})
}

// paidLastTouchOrders counts paid orders whose user's last touch before the
// order was a paid campaign.
func paidLastTouchOrders(touches, orders *memEmitter) int {
	type tp struct {
		ts   int64
		paid bool
	}
	byUser := map[string][]tp{}
	for _, row := range touches.rows {
		u := row[touches.col("user_id")].(string)
		byUser[u] = append(byUser[u], tp{row[touches.col("ts")].(int64), row[touches.col("campaign_id")] != nil})
	}
	for _, list := range byUser {
		sort.Slice(list, func(i, j int) bool { return list[i].ts < list[j].ts })
	}
	n := 0
	for _, row := range orders.rows {
		if row[orders.col("status")] != "paid" {
			continue
		}
		list := byUser[row[orders.col("user_id")].(string)]
		ts := row[orders.col("ts")].(int64)
		k := sort.Search(len(list), func(i int) bool { return list[i].ts > ts }) - 1
		if k >= 0 && list[k].paid {
			n++
		}
	}
	return n
}

func TestTargetsYAML(t *testing.T) {
	start, end := DefaultStartDate(), yearUntil
	raw := TargetsYAML(start, end)
	var doc struct {
		Targets []struct {
			Metric      string            `yaml:"metric"`
			Period      string            `yaml:"period"`
			Scope       map[string]string `yaml:"scope"`
			Value       float64           `yaml:"value"`
			Owner       string            `yaml:"owner"`
			Team        string            `yaml:"team"`
			Seasonality string            `yaml:"seasonality"`
		} `yaml:"targets"`
		Budgets []struct {
			Channel string  `yaml:"channel"`
			Period  string  `yaml:"period"`
			Amount  float64 `yaml:"amount"`
		} `yaml:"budgets"`
		Incentives []struct {
			Team      string  `yaml:"team"`
			Base      float64 `yaml:"base"`
			Rule      string  `yaml:"rule"`
			Threshold float64 `yaml:"threshold"`
			Cap       float64 `yaml:"cap"`
		} `yaml:"incentives"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("targets.yaml does not parse: %v\n%s", err, raw)
	}
	if !bytes.Contains(raw, []byte("# ")) {
		t.Error("no comments")
	}
	// Ten plausible targets and three deliberate mistakes for pacer
	// validate's SMART lint (cmd/pacer's validate test checks that it
	// finds exactly those three).
	if n := len(doc.Targets); n != 13 {
		t.Errorf("%d targets, want 13", n)
	}
	if n := bytes.Count(raw, []byte("# Deliberate example for pacer validate")); n != 3 {
		t.Errorf("%d deliberate examples for pacer validate, want 3", n)
	}
	// The parent/child mismatch: the company spend target of the month is
	// below the channel spend targets of the same month.
	var companySpend, channelSpend float64
	for _, tg := range doc.Targets {
		if tg.Metric == "spend" && tg.Period == end.Format("2006-01") {
			if len(tg.Scope) == 0 {
				companySpend = tg.Value
			} else {
				channelSpend += tg.Value
			}
		}
	}
	if companySpend == 0 || companySpend >= channelSpend*0.98 {
		t.Errorf("company spend target %.0f is not clearly below the channel spend targets' %.0f", companySpend, channelSpend)
	}
	for _, tg := range doc.Targets {
		if tg.Value <= 0 || tg.Owner == "" || tg.Team == "" || tg.Period == "" {
			t.Errorf("incomplete target %+v", tg)
		}
	}
	if len(doc.Incentives) != 3 {
		t.Errorf("%d incentive rules", len(doc.Incentives))
	}

	// Budgets of the last month of data are within 25% of what was spent.
	ads := fullYear(t)["ad_performance"]
	spent := map[string]float64{}
	for _, row := range ads.rows {
		d := day(row[ads.col("date")].(int64))
		if monthOf(d) == monthOf(dayOf(end)) {
			spent[row[ads.col("channel")].(string)] += cnyOf(row[ads.col("spend")].(int64), row[ads.col("currency")].(string), d)
		}
	}
	budgets := 0
	for _, b := range doc.Budgets {
		if b.Period != end.Format("2006-01") {
			continue
		}
		budgets++
		ratio := b.Amount / spent[b.Channel]
		t.Logf("budget %s %s: %.0f CNY, spent %.0f (%.2fx)", b.Channel, b.Period, b.Amount, spent[b.Channel], ratio)
		if ratio < 0.75 || ratio > 1.3 {
			t.Errorf("budget %s %.0f vs spend %.0f", b.Channel, b.Amount, spent[b.Channel])
		}
	}
	if budgets != numPaidChannels || len(doc.Budgets) != 2*numPaidChannels {
		t.Errorf("budgets %+v", doc.Budgets)
	}

	if _, err := TargetsYAMLForScale("huge", start, end); err == nil {
		t.Error("unknown scale accepted")
	}
}

func TestFXRatesCSV(t *testing.T) {
	start, end := ymd("2025-10-01"), ymd("2026-10-31")
	recs, err := csv.NewReader(bytes.NewReader(FXRatesCSV(start, end))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"date", "currency", "rate"}) {
		t.Fatalf("header %v", recs[0])
	}
	days := map[string]map[string]float64{}
	for _, r := range recs[1:] {
		rate, err := strconv.ParseFloat(r[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		if days[r[0]] == nil {
			days[r[0]] = map[string]float64{}
		}
		days[r[0]][r[1]] = rate
	}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		got := days[d.Format(time.DateOnly)]
		if got["CNY"] != 1 || got["USD"] < 7.05 || got["USD"] > 7.35 {
			t.Fatalf("%s: rates %v", d.Format(time.DateOnly), got)
		}
	}
	if len(days) != int(dayOf(end)-dayOf(start))+1 {
		t.Fatalf("%d days", len(days))
	}
}

func TestDescribe(t *testing.T) {
	if d := Describe(); !strings.Contains(d, CompanyName) || strings.Contains(d, "\n") {
		t.Fatalf("Describe: %q", d)
	}
}

// countEmitter counts rows and checks batch sizes without copying.
type countEmitter struct {
	rows, maxBatch int64
}

func (e *countEmitter) Batch(_ context.Context, rec arrow.RecordBatch) error {
	e.rows += rec.NumRows()
	e.maxBatch = max(e.maxBatch, rec.NumRows())
	return nil
}
func (e *countEmitter) Replace(context.Context, connectors.DateRange) error      { return nil }
func (e *countEmitter) Checkpoint(context.Context, []byte) error                 { return nil }
func (e *countEmitter) Quarantine(context.Context, ...connectors.Rejected) error { return nil }

func TestLargeScale(t *testing.T) {
	if testing.Short() {
		t.Skip("large scale generates millions of rows")
	}
	src := testSource(t, DefaultSeed, "large", time.Time{})
	for _, stream := range []string{"ad_performance", "orders"} {
		e := &countEmitter{}
		t0 := time.Now()
		if err := src.Read(context.Background(), connectors.ReadRequest{Stream: stream, Until: yearUntil}, e); err != nil {
			t.Fatal(err)
		}
		el := time.Since(t0)
		t.Logf("large %s: %d rows in %v (%.1f M rows/s), largest batch %d", stream, e.rows, el.Round(time.Millisecond),
			float64(e.rows)/el.Seconds()/1e6, e.maxBatch)
		if e.maxBatch > maxBatchRows {
			t.Errorf("batch of %d rows", e.maxBatch)
		}
		if min := map[string]int64{"ad_performance": 10_000_000, "orders": 1_000_000}[stream]; e.rows < min {
			t.Errorf("%s: %d rows, want at least %d", stream, e.rows, min)
		}
	}
}

func BenchmarkLargeAdRows(b *testing.B) {
	src := testSource(b, DefaultSeed, "large", time.Time{})
	req := connectors.ReadRequest{Stream: "ad_performance", Until: ymd("2025-11-30"),
		Backfill: &connectors.DateRange{From: ymd("2025-11-01"), To: ymd("2025-11-30")}}
	for d := dayOf(req.Backfill.From); d <= dayOf(req.Until); d++ {
		src.co.plan(d) // warm the day plans: measure row generation
	}
	var rows int64
	b.ResetTimer()
	for b.Loop() {
		e := &countEmitter{}
		if err := src.Read(context.Background(), req, e); err != nil {
			b.Fatal(err)
		}
		rows += e.rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
