package transforms

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestZZScratch(t *testing.T) {
	db, err := sql.Open("duckdb", t.TempDir()+"/x.duckdb")
	if err != nil { t.Fatal(err) }
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE t AS SELECT range AS id FROM range(3)",
		"CREATE VIEW v AS SELECT id, id*2 AS d FROM t",
		"COMMENT ON VIEW v IS 'vc'",
		"COMMENT ON COLUMN v.d IS 'col d'",
		"CREATE TABLE ts AS SELECT TIMESTAMPTZ '2026-01-01' + to_seconds(range*7) AS ts, range%1000 AS u FROM range(1000000)",
	} {
		if _, err := db.Exec(q); err != nil { t.Log(q, err) }
	}
	for _, q := range []string{
		"SELECT string_agg(table_name||'.'||column_name||'='||coalesce(comment,'<nil>'), '; ') FROM duckdb_columns() WHERE table_name='v'",
		"SELECT comment FROM duckdb_views() WHERE view_name='v'",
		"SELECT count(DISTINCT (ts AT TIME ZONE 'Asia/Shanghai')::DATE)::VARCHAR FROM ts",
		"SELECT count(DISTINCT (ts + INTERVAL 8 HOUR)::DATE)::VARCHAR FROM ts",
		"SELECT count(DISTINCT ts::DATE)::VARCHAR FROM ts",
	} {
		var s string
		st := time.Now()
		if err := db.QueryRow(q).Scan(&s); err != nil { t.Log(q, err); continue }
		t.Log(q, "=>", s, time.Since(st))
	}
}
