package transforms_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// openDB opens a DuckDB file in t.TempDir() with the warehouse migrations
// applied (schemas raw, staging, marts, meta and the meta tables) and
// returns a connection; both are closed in t.Cleanup.
func openDB(tb testing.TB) (*sql.DB, *sql.Conn) {
	tb.Helper()
	db, err := sql.Open("duckdb", filepath.Join(tb.TempDir(), "pacer.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	mustExec(tb, conn, "SET TimeZone = 'UTC'")
	migrations, err := filepath.Glob(filepath.Join("..", "warehouse", "migrations", "*.sql"))
	if err != nil || len(migrations) == 0 {
		tb.Fatalf("no migrations: %v", err)
	}
	for _, m := range migrations {
		body, err := os.ReadFile(m)
		if err != nil {
			tb.Fatal(err)
		}
		mustExec(tb, conn, string(body))
	}
	return db, conn
}

func mustExec(tb testing.TB, conn *sql.Conn, query string, args ...any) {
	tb.Helper()
	if _, err := conn.ExecContext(context.Background(), query, args...); err != nil {
		tb.Fatalf("%v\n%s", err, query)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
