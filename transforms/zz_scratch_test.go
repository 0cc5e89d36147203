package transforms_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
)

// go test -run ZZ with ZZQ=file of queries separated by ';;'
func TestZZScratch(t *testing.T) {
	path := "/tmp/zzbench.duckdb"
	_, statErr := os.Stat(path)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	if statErr != nil {
		m, _ := os.ReadFile("../warehouse/migrations/0001_schemas.sql")
		mustExec(t, conn, string(m))
		for _, q := range benchFixtures {
			mustExec(t, conn, q)
		}
	}
	if statErr != nil || os.Getenv("ZZT") != "" {
		models, err := transforms.LoadModels(sqlfs.FS)
		if err != nil {
			t.Fatal(err)
		}
		r := transforms.New(models, transforms.Vars{Currency: "USD", Timezone: "Asia/Shanghai", AttributionLookbackDays: 30}, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
		inputs := []transforms.RawInput{
			{Source: "bench", Stream: "ad_performance", Canonical: "ad_performance", Table: "raw.bench__ad_performance"},
			{Source: "bench", Stream: "orders", Canonical: "orders", Table: "raw.bench__orders"},
			{Source: "bench", Stream: "touchpoints", Canonical: "touchpoints", Table: "raw.bench__touchpoints"},
			{Source: "bench", Stream: "conversions", Canonical: "conversions", Table: "raw.bench__conversions"},
			{Source: "bench", Stream: "web_traffic", Canonical: "web_traffic", Table: "raw.bench__web_traffic"},
		}
		for i := 0; i < 2; i++ {
			if _, err := r.Transform(ctx, conn, inputs); err != nil {
				t.Fatal(err)
			}
		}
	}
	qs, _ := os.ReadFile(os.Getenv("ZZQ"))
	nexp := 0
	for _, q := range strings.Split(string(qs), ";;") {
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		st := time.Now(); c0 := cpuTime()
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			t.Log(err)
			continue
		}
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				if s, ok := v.(string); ok {
					out = append(out, s)
				} else {
					out = append(out, strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtv(v), "\n", " "), "  ", " ")))
				}
			}
		}
		rows.Close()
		t.Logf("---- %s\n%v cpu=%v\n%s", q[:min(80, len(q))], time.Since(st), cpuTime()-c0, strings.Join(out, "\n")[:min(300, len(strings.Join(out, "\n")))])
		if strings.HasPrefix(q, "EXPLAIN") {
			nexp++
			os.WriteFile(fmt.Sprintf("/tmp/explain%d.json", nexp), []byte(strings.Join(out, "\n")), 0o644)
		}
	}
}
func fmtv(v any) string   { return strings.TrimSpace(strings.ReplaceAll(sprint(v), "\t", " ")) }
func sprint(v any) string { return fmt.Sprint(v) }
