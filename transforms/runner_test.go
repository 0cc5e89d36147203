package transforms_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pacerhq/pacer/transforms"
)

func load(t *testing.T, fsys fstest.MapFS) []transforms.Model {
	t.Helper()
	models, err := transforms.LoadModels(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return models
}

var testVars = transforms.Vars{Currency: "CNY", Timezone: "Asia/Shanghai", AttributionLookbackDays: 30}

func TestTransformIsAtomic(t *testing.T) {
	_, conn := openDB(t)
	good := fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT 1 AS version"),
		"marts/a.yml": yml("version"),
		"marts/b.sql": file("-- comment: B.\nSELECT version FROM marts.a"),
		"marts/b.yml": yml("version"),
	}
	if _, err := transforms.New(load(t, good), testVars, nil).Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}
	// The next run rebuilds a with version 2, then fails in b.
	bad := fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT 2 AS version"),
		"marts/a.yml": yml("version"),
		"marts/b.sql": file("-- comment: B.\nSELECT version, error('boom in b') AS x FROM marts.a"),
		"marts/b.yml": yml("version", "x"),
	}
	_, err := transforms.New(load(t, bad), testVars, nil).Transform(t.Context(), conn, nil)
	if err == nil || !strings.Contains(err.Error(), "marts/b.sql") || !strings.Contains(err.Error(), "boom in b") {
		t.Fatalf("error %v does not name marts/b.sql and the cause", err)
	}
	var a, b int
	if err := conn.QueryRowContext(t.Context(), "SELECT (SELECT version FROM marts.a), (SELECT version FROM marts.b)").Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != 1 || b != 1 {
		t.Errorf("after the failed run marts.a = %d, marts.b = %d; want the previous 1 and 1", a, b)
	}
	var comment string
	if err := conn.QueryRowContext(t.Context(), "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'a'").Scan(&comment); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(comment, "A.") {
		t.Errorf("comment of marts.a lost: %q", comment)
	}
	// The connection is usable again.
	if _, err := transforms.New(load(t, good), testVars, nil).Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}
}

func TestTransformErrors(t *testing.T) {
	tests := []struct {
		name   string
		vars   transforms.Vars
		inputs []transforms.RawInput
		setup  string
		want   string
	}{
		{"an unknown time zone", transforms.Vars{Currency: "CNY", Timezone: "Mars/Olympus", AttributionLookbackDays: 30}, nil, "", `unknown time zone "Mars/Olympus"`},
		{"a bad currency", transforms.Vars{Currency: "yuan", Timezone: "UTC", AttributionLookbackDays: 30}, nil, "", `currency "yuan" is not an ISO 4217 code`},
		{"no lookback", transforms.Vars{Currency: "CNY", Timezone: "UTC"}, nil, "", "attribution lookback of 0 days"},
		{"a missing raw table", testVars, []transforms.RawInput{{Source: "s", Stream: "o", Canonical: "orders", Table: "raw.s__o"}}, "",
			"raw input raw.s__o (source s, stream o) does not exist"},
		{"an unknown canonical stream", testVars, []transforms.RawInput{{Source: "s", Stream: "o", Canonical: "invoices", Table: "raw.s__o"}}, "",
			`unknown canonical stream "invoices"`},
		{"a missing required column", testVars, []transforms.RawInput{{Source: "s", Stream: "o", Canonical: "survey_metrics", Table: "raw.s__o"}},
			"CREATE TABLE raw.s__o (period VARCHAR, metric VARCHAR)", `lacks the required column "value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, conn := openDB(t)
			if tt.setup != "" {
				mustExec(t, conn, tt.setup)
			}
			models := load(t, fstest.MapFS{"marts/a.sql": file("-- comment: A.\nSELECT 1 AS x"), "marts/a.yml": yml("x")})
			_, err := transforms.New(models, tt.vars, nil).Transform(t.Context(), conn, tt.inputs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTransformDocumentsEveryColumn(t *testing.T) {
	_, conn := openDB(t)
	models := load(t, fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT 1 AS x, 2 AS undocumented"),
		"marts/a.yml": yml("x"),
	})
	_, err := transforms.New(models, testVars, nil).Transform(t.Context(), conn, nil)
	if err == nil || !strings.Contains(err.Error(), "marts/a.yml: no description for column(s) undocumented of marts.a") {
		t.Errorf("error %v", err)
	}
	models = load(t, fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT 1 AS x"),
		"marts/a.yml": yml("x", "gone"),
	})
	_, err = transforms.New(models, testVars, nil).Transform(t.Context(), conn, nil)
	if err == nil || !strings.Contains(err.Error(), `marts/a.yml: column "gone" is not in marts.a`) {
		t.Errorf("error %v", err)
	}
}

func TestTransformHonoursContext(t *testing.T) {
	_, conn := openDB(t)
	models := load(t, fstest.MapFS{
		"marts/slow.sql": file("-- comment: Slow.\nSELECT sum(hash(range)) AS n FROM range(100000000000)"),
		"marts/slow.yml": yml("n"),
	})
	// Long enough that the cancellation lands in the slow model even on a
	// busy machine (earlier, in a setup query, it can close the connection).
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := transforms.New(models, testVars, nil).Transform(ctx, conn, nil)
	if err == nil || !strings.Contains(err.Error(), "marts/slow.sql") {
		t.Errorf("error %v, want one naming marts/slow.sql", err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	// The interrupted transaction was rolled back: the connection works.
	var n int
	if err := conn.QueryRowContext(t.Context(), "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
}

func TestCheckRecordsErrorsAndSeverities(t *testing.T) {
	_, conn := openDB(t)
	models := load(t, fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT * FROM (VALUES (1, 'x'), (2, 'y'), (2, NULL)) AS t(id, kind)"),
		"marts/a.yml": file(`grain: one row per id
columns:
  - name: id
    description: id
    tests: [not_null, unique]
  - name: kind
    description: kind
    tests: [not_null, {accepted_values: [x]}]
tests:
  row_count_min: 5
`),
		"checks/broken.sql":    file("-- comment: Refers to a column that does not exist.\nSELECT nope FROM marts.a"),
		"checks/big_ids.sql":   file("-- severity: warn\n-- comment: Ids above 1.\nSELECT id FROM marts.a WHERE id > 1"),
		"checks/templated.sql": file("-- comment: Uses the template data.\nSELECT * FROM marts.a WHERE '{{.Currency}}' <> 'CNY' OR DATE '{{.Today}}' IS NULL"),
	})
	r := transforms.New(models, testVars, nil)
	if _, err := r.Transform(t.Context(), conn, nil); err != nil {
		t.Fatal(err)
	}
	results, err := r.Check(t.Context(), conn, 7)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range results {
		got[c.Name] = c.Status + "/" + c.Severity + "/" + itoa(int(c.FailingRows))
	}
	want := map[string]string{
		"not_null:marts.a.id":          "pass/error/0",
		"unique:marts.a.id":            "fail/error/1",
		"not_null:marts.a.kind":        "fail/error/1",
		"accepted_values:marts.a.kind": "fail/error/1",
		"row_count_min:marts.a":        "fail/error/2",
		"sql:broken":                   "error/error/0",
		"sql:big_ids":                  "fail/warn/2",
		"sql:templated":                "pass/error/0",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	if len(results) != len(want) {
		t.Errorf("%d results: %v", len(results), got)
	}
	if n := len(transforms.Failed(results)); n != 5 {
		t.Errorf("%d failed, want 5 (error severity, fail or error)", n)
	}
	var detail string
	if err := conn.QueryRowContext(t.Context(), "SELECT detail FROM meta.check_results WHERE run_id = 7 AND check_name = 'sql:broken'").Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "Could not run") || !strings.Contains(detail, "nope") {
		t.Errorf("detail %q", detail)
	}
	if err := conn.QueryRowContext(t.Context(), "SELECT detail FROM meta.check_results WHERE run_id = 7 AND check_name = 'unique:marts.a.id'").Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "(id=2, n=2)") {
		t.Errorf("detail %q lacks the example", detail)
	}
}

func TestSourceViews(t *testing.T) {
	_, conn := openDB(t)
	mustExec(t, conn, `CREATE TYPE raw.source_name AS ENUM ('shop_eu', 'shop_us')`)
	// Two sources feed orders: one mixes two shops in one table with an ENUM
	// _source and has an extra column; the other lacks the optional user_id.
	mustExec(t, conn, `CREATE TABLE raw.shops__orders (order_id VARCHAR, customer_id VARCHAR, user_id VARCHAR,
		ts TIMESTAMPTZ, amount DECIMAL(10,2), currency VARCHAR, status VARCHAR, coupon VARCHAR, _source raw.source_name,
		_run_id BIGINT, _synced_at TIMESTAMP)`)
	mustExec(t, conn, `INSERT INTO raw.shops__orders VALUES
		('a1', 'c1', 'u1', '2026-03-01 00:00:00+00', 10.5, 'CNY', 'paid', 'X', 'shop_eu', 1, now()),
		('a2', 'c2', 'u2', '2026-03-01 00:00:00+00', 20, 'CNY', 'paid', NULL, 'shop_us', 1, now())`)
	mustExec(t, conn, `CREATE TABLE raw.pos__sales ("Order_ID" VARCHAR, customer_id VARCHAR, ts TIMESTAMPTZ,
		amount DOUBLE, currency VARCHAR, status VARCHAR, till INTEGER, "date" DATE)`)
	mustExec(t, conn, `INSERT INTO raw.pos__sales VALUES ('p1', 'c3', '2026-03-01 00:00:00+00', 5.25, 'CNY', 'paid', 4, '2026-03-01')`)
	models := load(t, fstest.MapFS{"marts/a.sql": file("-- comment: A.\nSELECT 1 AS x"), "marts/a.yml": yml("x")})
	res, err := transforms.New(models, testVars, nil).Transform(t.Context(), conn, []transforms.RawInput{
		{Source: "shops", Stream: "orders", Canonical: "orders", Table: "raw.shops__orders"},
		{Source: "pos", Stream: "sales", Canonical: "orders", Table: "raw.pos__sales"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.SourceViews) != 8 {
		t.Errorf("source views: %v", res.SourceViews)
	}
	got := queryStrings(t, conn, `SELECT concat_ws('|', order_id, coalesce(user_id, '-'), CAST(amount AS VARCHAR), typeof(amount),
		_source, _stream, coalesce(coupon, '-'), coalesce(CAST(till AS VARCHAR), '-'), coalesce(CAST(raw_date AS VARCHAR), '-'))
		FROM staging.src_orders ORDER BY order_id`)
	// The source's own date column would collide with the reporting day
	// staging adds: it is kept as raw_date.
	want := []string{
		"a1|u1|10.500000000|DECIMAL(38,9)|shop_eu|orders|X|-|-",
		"a2|u2|20.000000000|DECIMAL(38,9)|shop_us|orders|-|-|-",
		"p1|-|5.250000000|DECIMAL(38,9)|pos|sales|-|4|2026-03-01",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	comments := queryStrings(t, conn, `SELECT column_name || ': ' || comment FROM duckdb_columns()
		WHERE schema_name = 'staging' AND table_name = 'src_orders' AND column_name IN ('coupon', 'amount', '_source') ORDER BY column_name`)
	if len(comments) != 3 || !strings.Contains(comments[0], "Source name") || !strings.Contains(comments[1], "order amount") ||
		!strings.Contains(comments[2], "Extra column of raw.shops__orders (VARCHAR)") || !strings.Contains(comments[2], "NULL for rows of the other sources") {
		t.Errorf("comments: %q", comments)
	}
	// An empty stream is a typed empty view.
	var typ string
	if err := conn.QueryRowContext(t.Context(), `SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index)
		FROM duckdb_columns() WHERE schema_name = 'staging' AND table_name = 'src_survey_metrics'`).Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if typ != "period VARCHAR, metric VARCHAR, value DOUBLE, sample_size BIGINT, _source VARCHAR, _stream VARCHAR, _run_id BIGINT, _synced_at TIMESTAMP" {
		t.Errorf("empty view columns: %s", typ)
	}
	assertAllCommented(t, conn)
}
