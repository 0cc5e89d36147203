package pipelines

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pacerhq/pacer/connectors"
	pacersql "github.com/pacerhq/pacer/sql"
)

// gate counts the sources reading at once and remembers the most.
type gate struct {
	mu        sync.Mutex
	now, most int
}

func (g *gate) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.most = max(g.most, g.now)
}

func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

var slowGate = &gate{}

// slowSource has two streams of survey rows; each read waits 150 ms, as a
// source waiting on its API would.
type slowSource struct{ name string }

var slowReads atomic.Int64

func (s slowSource) Streams() []connectors.Stream {
	can := connectors.Canonical["survey_metrics"]
	var out []connectors.Stream
	for _, n := range []string{"a", "b"} {
		out = append(out, connectors.Stream{Name: n, Canonical: can.Name, Schema: can.ArrowSchema(), Key: can.Key})
	}
	return out
}

func (s slowSource) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	slowGate.enter()
	defer slowGate.leave()
	slowReads.Add(1)
	select {
	case <-time.After(150 * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, connectors.Canonical["survey_metrics"].ArrowSchema())
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("2026-10")
	b.Field(1).(*array.StringBuilder).Append(s.name + "." + req.Stream)
	b.Field(2).(*array.Float64Builder).Append(1)
	b.Field(3).(*array.Int64Builder).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := out.Replace(ctx, connectors.DateRange{}); err != nil {
		return err
	}
	if err := out.Batch(ctx, rec); err != nil {
		return err
	}
	return out.Checkpoint(ctx, []byte(`{}`))
}

func (slowSource) Close() error { return nil }

func init() {
	connectors.Register(connectors.Spec{Type: "slow", Summary: "test", New: func(cfg connectors.Config) (connectors.Source, error) {
		return slowSource{cfg.Name}, nil
	}})
}

// TestSyncRunsSourcesInParallel syncs six slow sources with sync.parallel
// 3: three read at once, never more, each source's streams in order, every
// row lands once, and the results come back in source order.
func TestSyncRunsSourcesInParallel(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("version: 1\ncompany: X\ncurrency: CNY\ntimezone: UTC\nsync:\n  parallel: 3\nsources:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - {name: s%d, type: slow}\n", i)
	}
	path := filepath.Join(dir, "pacer.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	job, err := Open(context.Background(), cfg, "test", pacersql.FS, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	start := time.Now()
	out, err := job.Run(context.Background(), RunOptions{Command: "sync", Date: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Steps: Steps{Sync: true}})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if slowGate.most != 3 {
		t.Errorf("at most %d sources read at once, want 3", slowGate.most)
	}
	// 12 reads of 150 ms, three at a time: 4 rounds, about 0.6 s (not 1.8 s).
	if took > 1500*time.Millisecond {
		t.Errorf("sync took %v: not parallel", took)
	}
	var got []string
	for _, r := range out.Streams {
		got = append(got, r.Source+"."+r.Stream)
		if r.Err != nil || r.Rows != 1 {
			t.Errorf("%s.%s: %d rows, %v", r.Source, r.Stream, r.Rows, r.Err)
		}
	}
	want := "s0.a s0.b s1.a s1.b s2.a s2.b s3.a s3.b s4.a s4.b s5.a s5.b"
	if strings.Join(got, " ") != want {
		t.Errorf("results in order %v, want %s", got, want)
	}
	var rows int
	if err := job.DB.SQL().QueryRow(`SELECT count(*) FROM (SELECT * FROM raw.s0__a UNION ALL SELECT * FROM raw.s5__b)`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("rows %d, %v", rows, err)
	}
}
