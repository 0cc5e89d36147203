package file

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conntest"
)

// benchRows is the size of the benchmark's orders files.
const benchRows = 2_000_000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchFiles writes orders.csv and orders.parquet with benchRows orders
// (plus an extra region column) once per machine, in os.TempDir(), and
// returns their directory.
func benchFiles(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("pacer-file-bench-%d", benchRows))
		if _, err := os.Stat(filepath.Join(dir, "orders.parquet")); err == nil {
			benchDir = dir
			return
		}
		tmp, err := os.MkdirTemp(os.TempDir(), "pacer-file-bench-")
		if err != nil {
			benchErr = err
			return
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			benchErr = err
			return
		}
		defer db.Close()
		orders := fmt.Sprintf(`SELECT 'o' || i AS order_id, 'c' || (i %% 50000) AS customer_id,
				CASE WHEN i %% 3 = 0 THEN NULL ELSE 'u' || (i %% 70000) END AS user_id,
				TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i * 13) AS ts,
				CAST(round((i %% 10000) / 7.0, 2) AS DECIMAL(12,2)) AS amount, 'EUR' AS currency,
				CASE WHEN i %% 20 = 0 THEN 'refunded' ELSE 'paid' END AS status, 'r' || (i %% 7) AS region
			FROM range(%d) t(i)`, benchRows)
		for _, stmt := range []string{
			"SET TimeZone = 'UTC'",
			fmt.Sprintf("COPY (%s) TO %s (HEADER)", orders, literal(filepath.Join(tmp, "orders.csv"))),
			fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", orders, literal(filepath.Join(tmp, "orders.parquet"))),
		} {
			if _, err := db.Exec(stmt); err != nil {
				benchErr = fmt.Errorf("write bench files: %w", err)
				return
			}
		}
		if err := os.Rename(tmp, dir); err != nil {
			benchErr = err
			return
		}
		benchDir = dir
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// benchIngest loads file through the file source into a fresh table per
// iteration.
func benchIngest(b *testing.B, file string) {
	dir := benchFiles(b)
	db := conntest.OpenDB(b)
	src := mustSource(b, dir, "path: "+file+"\nstream: orders\n")
	i := 0
	for b.Loop() {
		i++
		em := conntest.NewEmitter(b, db, fmt.Sprintf("orders_%d", i))
		if err := read(b.Context(), src, em, nil); err != nil {
			b.Fatal(err)
		}
		if q := em.Quarantined(); len(q) > 0 {
			b.Fatalf("quarantined %d rows, e.g. %+v", len(q), q[0])
		}
	}
	if n := count(b, db, fmt.Sprintf("orders_%d", i)); n != benchRows {
		b.Fatalf("loaded %d rows, want %d", n, benchRows)
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchDuckDB is the baseline: DuckDB reading the file on its own.
func benchDuckDB(b *testing.B, reader string) {
	dir := benchFiles(b)
	db := conntest.OpenDB(b)
	stmt := fmt.Sprintf("CREATE OR REPLACE TABLE x AS SELECT * FROM %s(%s)", reader, literal(filepath.Join(dir, "orders."+map[string]string{"read_csv": "csv", "read_parquet": "parquet"}[reader])))
	for b.Loop() {
		if _, err := db.ExecContext(b.Context(), stmt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkIngestCSV(b *testing.B)         { benchIngest(b, "orders.csv") }
func BenchmarkIngestParquet(b *testing.B)     { benchIngest(b, "orders.parquet") }
func BenchmarkDuckDBReadCSV(b *testing.B)     { benchDuckDB(b, "read_csv") }
func BenchmarkDuckDBReadParquet(b *testing.B) { benchDuckDB(b, "read_parquet") }

// BenchmarkIngestVsDuckDB alternates our ingest and the DuckDB baseline in
// one benchmark, so that a noisy machine slows both alike, and reports the
// ratio of their speeds (1 = as fast as DuckDB alone), by wall clock and by
// the process's CPU time (steadier on a shared machine).
func BenchmarkIngestVsDuckDB(b *testing.B) {
	for _, tc := range []struct{ name, file, reader string }{
		{"csv", "orders.csv", "read_csv"},
		{"parquet", "orders.parquet", "read_parquet"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := benchFiles(b)
			db := conntest.OpenDB(b)
			src := mustSource(b, dir, "path: "+tc.file+"\nstream: orders\n")
			stmt := fmt.Sprintf("CREATE OR REPLACE TABLE x AS SELECT * FROM %s(%s)", tc.reader, literal(filepath.Join(dir, tc.file)))
			var ours, duck, oursCPU, duckCPU time.Duration
			i := 0
			for b.Loop() {
				i++
				run := []func(){
					func() {
						st, c := time.Now(), cpuTime()
						if _, err := db.ExecContext(b.Context(), stmt); err != nil {
							b.Fatal(err)
						}
						duck += time.Since(st)
						duckCPU += cpuTime() - c
					},
					func() {
						st, c := time.Now(), cpuTime()
						em := conntest.NewEmitter(b, db, fmt.Sprintf("orders_%d", i))
						if err := read(b.Context(), src, em, nil); err != nil {
							b.Fatal(err)
						}
						ours += time.Since(st)
						oursCPU += cpuTime() - c
					},
				}
				if i%2 == 0 {
					run[0], run[1] = run[1], run[0]
				}
				run[0]()
				run[1]()
			}
			b.ReportMetric(float64(benchRows*b.N)/ours.Seconds(), "ours_rows/s")
			b.ReportMetric(float64(benchRows*b.N)/duck.Seconds(), "duckdb_rows/s")
			b.ReportMetric(duck.Seconds()/ours.Seconds(), "ratio")
			if oursCPU > 0 {
				b.ReportMetric(duckCPU.Seconds()/oursCPU.Seconds(), "cpu_ratio")
			}
		})
	}
}
