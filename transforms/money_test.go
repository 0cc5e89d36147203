package transforms

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestMoneyIsExact compares the money expression with the exact (slow)
// DECIMAL cast on a million amount × rate pairs: random ones, half-unit ties,
// the reporting currency (rate 1), huge values and NULLs.
func TestMoneyIsExact(t *testing.T) {
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "money.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	expr, err := moneySQL("a", "r")
	if err != nil {
		t.Fatal(err)
	}
	setup := `CREATE TABLE pairs AS
		SELECT CAST(a AS DECIMAL(38,9)) AS a, CAST(r AS DECIMAL(38,12)) AS r FROM (
		    -- random amounts with 9 decimals and rates with 12
		    SELECT (hash(i) % 100000000000000) / 1000000000 - 50000 AS a, (hash(i * 7) % 20000000000000) / 1000000000000 AS r FROM range(600000) t(i)
		    UNION ALL
		    -- ties: products ending in exactly 5 at the 5th decimal
		    SELECT (i % 100000) / 10000 - 3 AS a, 0.5 AS r FROM range(100000) t(i)
		    UNION ALL
		    SELECT (i * 4 + 2) / 10000 AS a, 0.25 AS r FROM range(100000) t(i)
		    UNION ALL
		    -- the reporting currency, including amounts too big for the 64-bit path
		    SELECT (hash(i) % 1000000000000000000) / 1000000 - 500000000000 AS a, 1 AS r FROM range(100000) t(i)
		    UNION ALL
		    -- huge converted values take the exact path
		    SELECT (hash(i) % 1000000000000000) / 1000 AS a, 16000.123456789012 AS r FROM range(100000) t(i)
		    UNION ALL
		    SELECT NULL, 0.5 UNION ALL SELECT 1, NULL UNION ALL SELECT -0.00005, 1 UNION ALL SELECT -0.0001, 0.5
		)`
	if _, err := db.Exec(setup); err != nil {
		t.Fatal(err)
	}
	var n, mismatches int64
	var example sql.NullString
	q := `SELECT count(*), count(*) FILTER (WHERE got IS DISTINCT FROM want),
		      any_value(a || ' x ' || r || ': ' || got || ' vs ' || want) FILTER (WHERE got IS DISTINCT FROM want)
		  FROM (SELECT a, r, ` + expr + ` AS got, CAST(a * r AS DECIMAL(18,4)) AS want FROM pairs
		        WHERE abs(a * r) < 100000000000000)`
	if err := db.QueryRow(q).Scan(&n, &mismatches, &example); err != nil {
		t.Fatal(err)
	}
	var ties int64
	if err := db.QueryRow(`SELECT count(*) FROM pairs WHERE r IN (0.5, 0.25) AND (a * r * 100000) % 10 = 5 AND (a * r * 100000) = trunc(a * r * 100000)`).Scan(&ties); err != nil {
		t.Fatal(err)
	}
	if ties < 50000 {
		t.Errorf("only %d exact half-unit ties tested", ties)
	}
	if n < 900000 || mismatches != 0 {
		t.Errorf("%d of %d conversions differ from the exact cast, e.g. %s", mismatches, n, example.String)
	}
}

func TestMoneyRejectsExpressions(t *testing.T) {
	if _, err := moneySQL("a); DROP TABLE x; --", "r"); err == nil {
		t.Error("no error for an expression")
	}
}
