package file

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
)

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newSource builds a file source from YAML options, with dir as the config
// directory, logging into logs when it is not nil.
func newSource(t testing.TB, dir, options string, logs *logBuffer) (*Source, error) {
	t.Helper()
	var w interface{ Write([]byte) (int, error) } = &logBuffer{}
	if logs != nil {
		w = logs
	}
	src, err := New(connectors.Config{
		Name:   "shop",
		Dir:    dir,
		Logger: slog.New(slog.NewTextHandler(w, nil)),
		Decode: conntest.Decode(options),
	})
	if err != nil {
		return nil, err
	}
	return src.(*Source), nil
}

func mustSource(t testing.TB, dir, options string) *Source {
	t.Helper()
	src, err := newSource(t, dir, options, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src
}

// read runs one Read of src's stream into em.
func read(ctx context.Context, src *Source, em connectors.Emitter, cursor []byte) error {
	return src.Read(ctx, connectors.ReadRequest{
		Stream: src.canon.Name, Cursor: cursor, Until: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
	}, em)
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// queryStrings runs q and returns each row's columns as text ("NULL" for NULL).
func queryStrings(t testing.TB, db *sql.DB, q string) [][]string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	rows := queryStrings(t, db, "SELECT count(*) FROM "+ident(table))
	n := 0
	for _, c := range rows[0][0] {
		n = n*10 + int(c-'0')
	}
	return n
}

// spy counts the calls a source makes on an emitter.
type spy struct {
	*conntest.Emitter
	inserts, replaces int
}

func (s *spy) InsertSelect(ctx context.Context, q string, args ...any) (int64, error) {
	s.inserts++
	return s.Emitter.InsertSelect(ctx, q, args...)
}

func (s *spy) Replace(ctx context.Context, r connectors.DateRange) error {
	s.replaces++
	return s.Emitter.Replace(ctx, r)
}

// writeParquet writes the rows of a DuckDB query to dir/name as Parquet.
func writeParquet(t testing.TB, dir, name, query string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", query, literal(p))); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
}
