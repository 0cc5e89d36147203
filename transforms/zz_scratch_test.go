package transforms

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestZZScratch(t *testing.T) {
	db, err := sql.Open("duckdb", t.TempDir()+"/x.duckdb")
	if err != nil { t.Fatal(err) }
	defer db.Close()
	for _, q := range []string{
		"SELECT version()",
		"SELECT current_setting('TimeZone')",
		"SELECT extension_name||':'||loaded||':'||installed FROM duckdb_extensions() WHERE extension_name='icu'",
		"SELECT ((TIMESTAMPTZ '2026-01-01 20:00:00+00') AT TIME ZONE 'Asia/Shanghai')::DATE::VARCHAR",
		"SELECT typeof(CAST(1 AS DECIMAL(38,9)) * CAST(2 AS DECIMAL(38,12)))",
		"SELECT typeof(sum(CAST(1 AS DECIMAL(18,4))))",
	} {
		var s string
		if err := db.QueryRow(q).Scan(&s); err != nil { t.Log(q, err); continue }
		t.Log(q, "=>", s)
	}
}
