package ga4bigquery

import (
	"context"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"go.yaml.in/yaml/v3"
	"google.golang.org/api/iterator"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/ga4bigquery/bqtest"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// onFake builds a source on fake.
func onFake(tb testing.TB, fake *bqtest.Server) *Source {
	tb.Helper()
	y, vars := fake.Config()
	for k, v := range vars {
		y = strings.ReplaceAll(y, "${"+k+"}", "'"+v+"'")
	}
	s, err := New(connectors.Config{Name: "t", StartDate: fake.Days().From, Decode: func(v any) error { return yaml.Unmarshal([]byte(y), v) }},
		httpkit.WithClock(httpkit.NewFakeClock(fake.Days().To.AddDate(0, 0, 2))), httpkit.WithLoopbackOnly())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The fake also serves the classic path the client takes for jobs it
// cannot run on the fast path: jobs.insert, then jobs.get and
// getQueryResults.
func TestJobsInsertPathOnTheFake(t *testing.T) {
	fake := bqtest.New(bqtest.Options{PageSize: 6})
	t.Cleanup(fake.Close)
	s := onFake(t, fake)
	ctx := t.Context()
	bq, err := s.newBQ(ctx, s.client)
	if err != nil {
		t.Fatal(err)
	}
	defer bq.Close()
	days := fake.Days()
	q := s.Query(bq, ConversionsStream, days)
	q.JobID = "pacer_test_job" // a client-chosen id takes jobs.insert
	job, err := q.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := job.Wait(ctx)
	if err != nil || st.Err() != nil {
		t.Fatalf("wait: %v %v", err, st)
	}
	it, err := job.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var row []bigquery.Value
	for {
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if want := len(fake.Expected(days)); n != want {
		t.Errorf("%d rows, want %d", n, want)
	}
	log := strings.Join(fake.Log(), "\n")
	for _, want := range []string{"POST /bq/bigquery/v2/projects/pacer-demo/jobs\n", "GET /bq/bigquery/v2/projects/pacer-demo/jobs/pacer_test_job",
		"GET /bq/bigquery/v2/projects/pacer-demo/queries/pacer_test_job pageToken=BQ6"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// discard is an Emitter that counts rows.
type discard struct{ rows int64 }

func (d *discard) Batch(_ context.Context, rec arrow.RecordBatch) error {
	d.rows += rec.NumRows()
	return nil
}
func (d *discard) Replace(context.Context, connectors.DateRange) error      { return nil }
func (d *discard) Checkpoint(context.Context, []byte) error                 { return nil }
func (d *discard) Quarantine(context.Context, ...connectors.Rejected) error { return nil }

// BenchmarkConversionRowsToArrow turns 100,000 result rows (as the client's
// iterator gives them: strings, int64s, *big.Rat) into Arrow batches.
func BenchmarkConversionRowsToArrow(b *testing.B) {
	const rows = 100_000
	fake := bqtest.New(bqtest.Options{})
	b.Cleanup(fake.Close)
	s := onFake(b, fake)
	schema := bigquery.Schema{}
	for _, n := range []string{"event_date", "event_timestamp", "event_name", "user_pseudo_id", "user_id", "ga_session_id",
		"dup_index", "transaction_id", "purchase_revenue", "value", "currency", "is_intraday"} {
		schema = append(schema, &bigquery.FieldSchema{Name: n})
	}
	cols := newColumns(schema)
	data := make([][]bigquery.Value, rows)
	for i := range data {
		rev, _ := new(big.Rat).SetString("129.90")
		r := []bigquery.Value{"20261101", int64(1793500000000000 + i*1000), "purchase", "1000.17000", nil, int64(1793500000),
			int64(0), "T" + string(rune('A'+i%26)) + strconv.Itoa(i), rev, nil, "EUR", false}
		if i%3 == 0 {
			r[2], r[7], r[8], r[9], r[10] = "generate_lead", nil, nil, rev, "usd"
		}
		data[i] = r
	}
	b.ResetTimer()
	for b.Loop() {
		out := &discard{}
		bl := newBuilder(s.schemas[ConversionsStream])
		conv := &conversionRows{s: s, seen: map[string]bool{}}
		for _, r := range data {
			conv.add(bl, cols, r)
			if bl.rows >= batchRows {
				_ = bl.flush(context.Background(), out)
			}
		}
		_ = bl.flush(context.Background(), out)
		bl.release()
		if out.rows != rows {
			b.Fatalf("%d rows", out.rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSyncFromFake reads 30 days of generated events end to end:
// jobs.query, paging, the client's f/v decoding, Arrow batches.
func BenchmarkSyncFromFake(b *testing.B) {
	from := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	fake := bqtest.New(bqtest.Options{From: from, To: from.AddDate(0, 0, 29), PageSize: 500, IncompletePolls: -1})
	b.Cleanup(fake.Close)
	s := onFake(b, fake)
	var n int64
	for b.Loop() {
		out := &discard{}
		if err := s.Read(b.Context(), connectors.ReadRequest{Stream: TouchpointsStream, Until: fake.Days().To}, out); err != nil {
			b.Fatal(err)
		}
		n = out.rows
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestDecimal9(t *testing.T) {
	for in, want := range map[string]string{"129.9": "129.900000000", "-0.0000000005": "-0.000000001", "0.0000000004": "0.000000000", "1/3": "0.333333333", "-2/3": "-0.666666667"} {
		r, _ := new(big.Rat).SetString(in)
		n, ok := decimal9(r)
		if got := n.ToString(9); !ok || got != want {
			t.Errorf("decimal9(%s) = %s, want %s", in, got, want)
		}
	}
}
