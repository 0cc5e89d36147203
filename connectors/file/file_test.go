package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
)

const ordersCSV = `order_id,customer_id,user_id,ts,amount,currency,status,region
o1,c1,u1,2026-01-02 10:00:00,12.50,EUR,paid,north
o2,c2,,2026-01-02T11:30:00+02:00,7,EUR,paid,south
o3,c1,u3,2026-01-03 08:00:00Z,3.25,EUR,refunded,north
`

const ordersJSONL = `{"order_id":"o1","customer_id":"c1","user_id":"u1","ts":"2026-01-02 10:00:00","amount":12.5,"currency":"EUR","status":"paid","region":"north"}
{"order_id":"o2","customer_id":"c2","ts":"2026-01-02T11:30:00+02:00","amount":"7","currency":"EUR","status":"paid","region":"south"}

{"order_id":"o3","customer_id":"c1","user_id":"u3","ts":"2026-01-03 08:00:00Z","amount":3.25,"currency":"EUR","status":"refunded","region":"north"}
`

const ordersParquet = `SELECT * FROM (VALUES
	('o1', 'c1', 'u1', TIMESTAMPTZ '2026-01-02 10:00:00+00', 12.50::DECIMAL(10,2), 'EUR', 'paid', 'north'),
	('o2', 'c2', NULL, TIMESTAMPTZ '2026-01-02 09:30:00+00', 7.00::DECIMAL(10,2), 'EUR', 'paid', 'south'),
	('o3', 'c1', 'u3', TIMESTAMPTZ '2026-01-03 08:00:00+00', 3.25::DECIMAL(10,2), 'EUR', 'refunded', 'north'))
	t(order_id, customer_id, user_id, ts, amount, currency, status, region)`

// ordersWant is the three orders above as loaded, without _file.
var ordersWant = [][]string{
	{"o1", "c1", "u1", "2026-01-02 10:00:00+00", "12.500000000", "EUR", "paid", "north"},
	{"o2", "c2", "NULL", "2026-01-02 09:30:00+00", "7.000000000", "EUR", "paid", "south"},
	{"o3", "c1", "u3", "2026-01-03 08:00:00+00", "3.250000000", "EUR", "refunded", "north"},
}

func withFile(rows [][]string, file string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append(slices.Clone(r), file)
	}
	return out
}

const ordersQuery = `SELECT order_id, customer_id, user_id, CAST(ts AS VARCHAR), CAST(amount AS VARCHAR), currency, status,
	region, _file FROM orders ORDER BY order_id`

func TestReadLoadsTypedRows(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		options string
		query   string
		want    [][]string
	}{
		{
			name:    "csv loads canonical columns typed and keeps extra columns",
			setup:   func(t *testing.T, dir string) { writeFile(t, dir, "data/orders.csv", ordersCSV) },
			options: "path: data/orders*.csv\nstream: orders\n",
			want:    withFile(ordersWant, "data/orders.csv"),
		},
		{
			name:    "parquet written by duckdb loads typed rows",
			setup:   func(t *testing.T, dir string) { writeParquet(t, dir, "orders.parquet", ordersParquet) },
			options: "path: orders.parquet\nstream: orders\n",
			want:    withFile(ordersWant, "orders.parquet"),
		},
		{
			name:    "json lines load typed rows, numbers given as text included",
			setup:   func(t *testing.T, dir string) { writeFile(t, dir, "orders.jsonl", ordersJSONL) },
			options: "path: orders.jsonl\nstream: orders\n",
			want:    withFile(ordersWant, "orders.jsonl"),
		},
		{
			name: "the columns mapping renames file columns to canonical ones",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "ID,customer,user_id,created,total,currency,status,region\n"+
					"o1,c1,u1,2026-01-02 10:00:00,12.50,EUR,paid,north\n")
			},
			options: "path: orders.csv\nstream: orders\ncolumns: {order_id: id, customer_id: customer, ts: created, amount: total}\n",
			want:    [][]string{{"o1", "c1", "u1", "2026-01-02 10:00:00+00", "12.500000000", "EUR", "paid", "north", "orders.csv"}},
		},
		{
			name: "a glob over files with different headers unions their columns",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders-1.csv", "order_id,customer_id,ts,amount,currency,status,region\no1,c1,2026-01-02 10:00:00,12.50,EUR,paid,north\n")
				writeFile(t, dir, "orders-2.csv", "status,currency,amount,ts,customer_id,order_id,user_id\npaid,EUR,7,2026-01-02 09:30:00,c2,o2,u2\n")
				writeFile(t, dir, "orders-3.csv", "status,currency,amount,ts,customer_id,order_id,user_id\npaid,USD,1,2026-01-04 00:00:00,c3,o3,u3\n")
			},
			options: "path: orders-*.csv\nstream: orders\n",
			want: [][]string{
				{"o1", "c1", "NULL", "2026-01-02 10:00:00+00", "12.500000000", "EUR", "paid", "north", "orders-1.csv"},
				{"o2", "c2", "u2", "2026-01-02 09:30:00+00", "7.000000000", "EUR", "paid", "NULL", "orders-2.csv"},
				{"o3", "c3", "u3", "2026-01-04 00:00:00+00", "1.000000000", "USD", "paid", "NULL", "orders-3.csv"},
			},
		},
		{
			name:    "timestamps without an offset are local times in timezone",
			setup:   func(t *testing.T, dir string) { writeFile(t, dir, "orders.csv", ordersCSV) },
			options: "path: orders.csv\nstream: orders\ntimezone: Asia/Shanghai\n",
			query:   "SELECT order_id, CAST(ts AS VARCHAR) FROM orders ORDER BY order_id",
			want:    [][]string{{"o1", "2026-01-02 02:00:00+00"}, {"o2", "2026-01-02 09:30:00+00"}, {"o3", "2026-01-03 08:00:00+00"}},
		},
		{
			name: "naive parquet timestamps are local times in timezone",
			setup: func(t *testing.T, dir string) {
				writeParquet(t, dir, "orders.parquet", `SELECT 'o1' AS order_id, 'c1' AS customer_id, TIMESTAMP '2026-01-02 10:00:00' AS ts,
					12.5::DOUBLE AS amount, 'EUR' AS currency, 'paid' AS status`)
			},
			options: "path: orders.parquet\nstream: orders\ntimezone: Europe/Berlin\n",
			query:   "SELECT order_id, CAST(ts AS VARCHAR), CAST(amount AS VARCHAR) FROM orders",
			want:    [][]string{{"o1", "2026-01-02 09:00:00+00", "12.500000000"}},
		},
		{
			name: "a configured delimiter and US dates are read as DuckDB sniffs them",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "ads.txt", "date;platform;account_id;campaign_id;campaign_name;channel;currency;spend;impressions;clicks;conversions;conversion_value\n"+
					"01/31/2026;meta;a1;k1;Spring;paid_social;USD;10.5;1000;20;1.5;30\n"+
					"02/01/2026;meta;a1;k1;Spring;paid_social;USD;11;1100;21;2;40\n")
			},
			options: "path: ads.txt\nstream: ad_performance\ndelimiter: \";\"\n",
			query:   "SELECT CAST(date AS VARCHAR), impressions, CAST(spend AS VARCHAR), conversions FROM ad_performance ORDER BY date",
			want:    [][]string{{"2026-01-31", "1000", "10.500000000", "1.5"}, {"2026-02-01", "1100", "11.000000000", "2"}},
		},
		{
			name: "gzip-compressed csv is read by extension",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "plain.csv", ordersCSV)
				writeParquet(t, dir, "unused.parquet", "SELECT 1") // only to open DuckDB
				db := conntest.OpenDB(t)
				if _, err := db.ExecContext(t.Context(), fmt.Sprintf("COPY (SELECT * FROM read_csv(%s, all_varchar=true)) TO %s (HEADER, COMPRESSION gzip)",
					literal(filepath.Join(dir, "plain.csv")), literal(filepath.Join(dir, "orders.csv.gz")))); err != nil {
					t.Fatal(err)
				}
			},
			options: "path: orders.csv.gz\nstream: orders\n",
			want:    withFile(ordersWant, "orders.csv.gz"),
		},
		{
			name: "timestamps in a format DuckDB sniffs are read in that format",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,amount,currency,status\n"+
					"o1,c1,01/02/2026 10:00:00 AM,1,EUR,paid\no2,c2,12/31/2025 11:30:00 PM,2,EUR,paid\n")
			},
			options: "path: orders.csv\nstream: orders\ntimezone: Europe/Berlin\n",
			query:   "SELECT order_id, CAST(ts AS VARCHAR) FROM orders ORDER BY order_id",
			want:    [][]string{{"o1", "2026-01-02 09:00:00+00"}, {"o2", "2025-12-31 22:30:00+00"}},
		},
		{
			name: "paths may list files of several formats",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "a/orders.csv", strings.Join(strings.Split(ordersCSV, "\n")[:2], "\n")+"\n")
				writeParquet(t, dir, "b/orders.parquet", ordersParquet+" WHERE order_id = 'o2'")
				writeFile(t, dir, "c/orders.jsonl", strings.Split(ordersJSONL, "\n")[3]+"\n")
			},
			options: "paths: [a/*.csv, b/*.parquet, c/*.jsonl]\nstream: orders\n",
			want: [][]string{
				append(slices.Clone(ordersWant[0]), "a/orders.csv"),
				append(slices.Clone(ordersWant[1]), "b/orders.parquet"),
				append(slices.Clone(ordersWant[2]), "c/orders.jsonl"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			src := mustSource(t, dir, tt.options)
			db := conntest.OpenDB(t)
			em := conntest.NewEmitter(t, db, src.canon.Name)
			if err := read(t.Context(), src, em, nil); err != nil {
				t.Fatalf("Read: %v", err)
			}
			if q := em.Quarantined(); len(q) > 0 {
				t.Errorf("quarantined %+v", q)
			}
			if len(em.Cursors()) != 1 {
				t.Errorf("checkpointed %d times, want 1", len(em.Cursors()))
			}
			query := tt.query
			if query == "" {
				query = ordersQuery
			}
			if got := queryStrings(t, db, query); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("rows:\n got %v\nwant %v", got, tt.want)
			}
			// Canonical columns have canonical types, whatever the format.
			for _, c := range src.canon.Columns {
				rows := queryStrings(t, db, "SELECT data_type FROM duckdb_columns() WHERE table_name = "+literal(src.canon.Name)+" AND column_name = "+literal(c.Name))
				if len(rows) == 1 && normType(rows[0][0]) != normType(c.Type) {
					t.Errorf("column %s is %s, want %s", c.Name, rows[0][0], c.Type)
				}
			}
		})
	}
}

func TestReadQuarantinesBadRows(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		options  string
		key      string   // column identifying loaded rows; the stream's first key by default
		wantRows []string // keys loaded, sorted
		want     []connectors.Rejected
	}{
		{
			name: "csv text in amount and a bad timestamp are quarantined with file, line and field",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,amount,currency,status\n"+
					"o1,c1,2026-01-02 10:00:00,12.50,EUR,paid\n"+
					"o2,c2,2026-01-02 11:00:00,abc,EUR,paid\n"+
					"o3,c3,yesterday,5,EUR,paid\n"+
					"o4,c4,2026-01-04 01:00:00,\"1,000.50\",EUR,paid\n"+
					"o5,c5,2026-01-04 02:00:00,99999999999.123,EUR,paid\n")
			},
			options:  "path: orders.csv\nstream: orders\n",
			wantRows: []string{"o1", "o5"},
			want: []connectors.Rejected{
				{File: "orders.csv", Line: 3, Field: "amount", Reason: `cannot convert "abc" to DECIMAL(38,9)`, Raw: "o2,c2,2026-01-02 11:00:00,abc,EUR,paid"},
				{File: "orders.csv", Line: 4, Field: "ts", Reason: `cannot convert "yesterday" to TIMESTAMPTZ`, Raw: "o3,c3,yesterday,5,EUR,paid"},
				{File: "orders.csv", Line: 5, Field: "amount", Reason: `cannot convert "1,000.50"`, Raw: "o4,c4,2026-01-04 01:00:00,1,000.50,EUR,paid"},
			},
		},
		{
			name: "csv values the reader parses itself are rejected by DuckDB with the raw line",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "ads.csv", "date,platform,account_id,campaign_id,campaign_name,channel,currency,spend,impressions,clicks,conversions,conversion_value\n"+
					"2026-01-01,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30\n"+
					"2026-13-45,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30\n"+
					"2026-01-02,meta,a1,k1,Spring,paid_social,USD,10,12x,20,1,30\n"+
					"2026-01-03,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30,surplus\n"+
					"2026-01-04,meta,a1,k1,Spring,paid_social,USD,ten,1000,20,1,30\n"+
					"2026-01-05,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30\n")
			},
			options:  "path: ads.csv\nstream: ad_performance\n",
			key:      "date",
			wantRows: []string{"2026-01-01", "2026-01-05"},
			want: []connectors.Rejected{
				{File: "ads.csv", Line: 3, Field: "date", Reason: `Could not convert string "2026-13-45" to 'DATE'`, Raw: "2026-13-45,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30"},
				{File: "ads.csv", Line: 4, Field: "impressions", Reason: `Could not convert string "12x"`, Raw: "2026-01-02,meta,a1,k1,Spring,paid_social,USD,10,12x,20,1,30"},
				{File: "ads.csv", Line: 5, Field: "", Reason: "Expected Number of Columns: 12 Found: 13", Raw: "2026-01-03,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30,surplus"},
				{File: "ads.csv", Line: 6, Field: "spend", Reason: `cannot convert "ten"`, Raw: "2026-01-04,meta,a1,k1,Spring,paid_social,USD,ten,1000,20,1,30"},
			},
		},
		{
			name: "a csv line the reader rejects is quarantined once even when another value is bad too",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "ads.csv", "date,platform,account_id,campaign_id,campaign_name,channel,currency,spend,impressions,clicks,conversions,conversion_value\n"+
					"2026-13-45,meta,a1,k1,Spring,paid_social,USD,ten,1000,20,1,30\n"+
					"2026-01-05,meta,a1,k1,Spring,paid_social,USD,10,1000,20,1,30\n")
			},
			options:  "path: ads.csv\nstream: ad_performance\n",
			key:      "date",
			wantRows: []string{"2026-01-05"},
			want: []connectors.Rejected{
				{File: "ads.csv", Line: 2, Field: "date", Reason: `"2026-13-45"`, Raw: "2026-13-45,meta"},
			},
		},
		{
			name: "parquet values that do not convert are quarantined with their row number",
			setup: func(t *testing.T, dir string) {
				writeParquet(t, dir, "orders.parquet", `SELECT * FROM (VALUES
					('o1', 'c1', '2026-01-02 10:00:00', '12.5', 'EUR', 'paid'),
					('o2', 'c2', '2026-01-02 10:00:00', 'abc', 'EUR', 'paid'),
					('o3', 'c3', 'soon', '3', 'EUR', 'paid'),
					('o4', 'c4', '2026-01-03 10:00:00+01', NULL, 'EUR', 'paid'))
					t(order_id, customer_id, ts, amount, currency, status)`)
			},
			options:  "path: orders.parquet\nstream: orders\n",
			wantRows: []string{"o1", "o4"},
			want: []connectors.Rejected{
				{File: "orders.parquet", Line: 2, Field: "amount", Reason: `cannot convert "abc"`, Raw: `"amount":"abc"`},
				{File: "orders.parquet", Line: 3, Field: "ts", Reason: `cannot convert "soon" to TIMESTAMPTZ`, Raw: `"ts":"soon"`},
			},
		},
		{
			name: "json lines values that do not convert are quarantined with their line",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.jsonl", `{"order_id":"o1","customer_id":"c1","ts":"2026-01-02 10:00:00","amount":12.5,"currency":"EUR","status":"paid"}
{"order_id":"o2","customer_id":"c2","ts":"2026-01-02 10:00:00","amount":"twelve","currency":"EUR","status":"paid"}
{"order_id":"o3","customer_id":"c3","ts":"2026-02-30 10:00:00","amount":1,"currency":"EUR","status":"paid"}
`)
			},
			options:  "path: orders.jsonl\nstream: orders\n",
			wantRows: []string{"o1"},
			want: []connectors.Rejected{
				{File: "orders.jsonl", Line: 2, Field: "amount", Reason: `cannot convert "twelve"`, Raw: `"amount":"twelve"`},
				{File: "orders.jsonl", Line: 3, Field: "ts", Reason: `cannot convert "2026-02-30 10:00:00"`, Raw: `"order_id":"o3"`},
			},
		},
		{
			name: "json lines numbers count blank lines",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.jsonl", "\n"+`{"order_id":"o1","customer_id":"c1","ts":"2026-01-02 10:00:00","amount":12.5,"currency":"EUR","status":"paid"}`+
					"\n\n   \n"+`{"order_id":"o2","customer_id":"c2","ts":"2026-01-02 10:00:00","amount":"x","currency":"EUR","status":"paid"}`+"\n")
			},
			options:  "path: orders.jsonl\nstream: orders\n",
			wantRows: []string{"o1"},
			want:     []connectors.Rejected{{File: "orders.jsonl", Line: 5, Field: "amount", Reason: `"x"`}},
		},
		{
			name: "csv lines after a line of the wrong shape keep their numbers",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,amount,currency,status\n"+
					"o1,c1,2026-01-02 10:00:00,1,EUR\n"+
					"o2,c2,2026-01-02 10:00:00,2,EUR,paid,more,more\n"+
					"o3,c3,2026-01-02 10:00:00,x,EUR,paid\n"+
					"o4,c4,2026-01-02 10:00:00,4,EUR,paid\n")
			},
			options:  "path: orders.csv\nstream: orders\n",
			wantRows: []string{"o4"},
			want: []connectors.Rejected{
				{File: "orders.csv", Line: 2, Field: "status", Reason: "Expected Number of Columns: 6 Found: 5"},
				{File: "orders.csv", Line: 3, Reason: "Expected Number of Columns: 6 Found: 8"},
				{File: "orders.csv", Line: 4, Field: "amount", Reason: `"x"`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			src := mustSource(t, dir, tt.options)
			db := conntest.OpenDB(t)
			em := conntest.NewEmitter(t, db, src.canon.Name)
			if err := read(t.Context(), src, em, nil); err != nil {
				t.Fatalf("Read: %v", err)
			}
			key := tt.key
			if key == "" {
				key = src.canon.Key[0]
			}
			var got []string
			for _, r := range queryStrings(t, db, "SELECT CAST("+ident(key)+" AS VARCHAR) FROM "+ident(src.canon.Name)+" ORDER BY 1") {
				got = append(got, r[0])
			}
			if !slices.Equal(got, tt.wantRows) {
				t.Errorf("loaded %v, want %v", got, tt.wantRows)
			}
			q := em.Quarantined()
			if len(q) != len(tt.want) {
				t.Fatalf("quarantined %d rows, want %d: %+v", len(q), len(tt.want), q)
			}
			for i, w := range tt.want {
				g := q[i]
				if g.File != w.File || g.Line != w.Line || g.Field != w.Field ||
					!strings.Contains(g.Reason, w.Reason) || !strings.Contains(g.Raw, w.Raw) {
					t.Errorf("quarantined[%d] = %+v\nwant like %+v", i, g, w)
				}
			}
			// The load's temporary objects are gone.
			left := queryStrings(t, db, `SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\_pacer\_file\_%' ESCAPE '\')
				+ (SELECT count(*) FROM duckdb_sequences() WHERE sequence_name LIKE '\_pacer\_file\_%' ESCAPE '\')`)
			if left[0][0] != "0" {
				t.Errorf("%s temporary objects left", left[0][0])
			}
		})
	}
}

func TestReadListsAtMostMaxQuarantinedRows(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("order_id,customer_id,ts,amount,currency,status\n")
	const bad = maxQuarantined + 5
	for i := range bad + 2 {
		amount := "x"
		if i < 2 {
			amount = "1"
		}
		fmt.Fprintf(&b, "o%d,c1,2026-01-02 10:00:00,%s,EUR,paid\n", i, amount)
	}
	writeFile(t, dir, "orders.csv", b.String())
	src := mustSource(t, dir, "path: orders.csv\nstream: orders\n")
	db := conntest.OpenDB(t)
	em := conntest.NewEmitter(t, db, "orders")
	if err := read(t.Context(), src, em, nil); err != nil {
		t.Fatal(err)
	}
	q := em.Quarantined()
	if len(q) != maxQuarantined+1 {
		t.Fatalf("%d quarantine entries, want %d", len(q), maxQuarantined+1)
	}
	if last := q[len(q)-1]; !strings.Contains(last.Reason, "5 more rejected rows not listed") {
		t.Errorf("last entry %+v", last)
	}
	if n := count(t, db, "orders"); n != 2 {
		t.Errorf("%d rows loaded, want 2", n)
	}
}

func TestReadRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		options string
		want    []string // substrings of the error
	}{
		{
			name: "a missing required column names the file, the column and the columns found",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,currency,status\no1,c1,2026-01-02,EUR,paid\n")
			},
			options: "path: orders.csv\nstream: orders\n",
			want: []string{`orders.csv: missing required column "amount" for stream orders (found: order_id, customer_id, ts, currency, status); ` +
				`map it with columns: {amount: <your column>}`},
		},
		{
			name: "every file with missing columns is reported",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "a.jsonl", `{"order_id":"o1"}`+"\n")
				writeParquet(t, dir, "b.parquet", "SELECT 'o1' AS order_id, 'c1' AS customer_id")
			},
			options: "paths: [a.jsonl, b.parquet]\nstream: orders\n",
			want: []string{`a.jsonl: missing required columns "customer_id", "ts", "amount", "currency", "status"`,
				`b.parquet: missing required columns "ts", "amount"`},
		},
		{
			name:    "a glob matching nothing names the pattern",
			setup:   func(t *testing.T, dir string) {},
			options: "path: data/orders*.csv\nstream: orders\n",
			want:    []string{`no file matches "data/orders*.csv"`},
		},
		{
			name: "a malformed json line names the file and the line",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.jsonl", strings.Split(ordersJSONL, "\n")[0]+"\n"+`{"order_id":"o2", broken`+"\n"+strings.Split(ordersJSONL, "\n")[3]+"\n")
			},
			options: "path: orders.jsonl\nstream: orders\n",
			want:    []string{"orders.jsonl:2: malformed JSON line"},
		},
		{
			name: "a malformed json line in the sample is found too",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.jsonl", `{"order_id": [1,}`+"\n")
			},
			options: "path: orders.jsonl\nstream: orders\n",
			want:    []string{"orders.jsonl:1: malformed JSON line"},
		},
		{
			name:    "an unknown extension asks for a format",
			setup:   func(t *testing.T, dir string) { writeFile(t, dir, "orders.xlsx", "PK") },
			options: "path: orders.*\nstream: orders\n",
			want:    []string{"orders.xlsx: cannot tell the format from the extension; set format: csv, parquet or jsonl"},
		},
		{
			name: "a column clashing with a mapped one is an error",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,amount,total,currency,status\no1,c1,2026-01-02,1,2,EUR,paid\n")
			},
			options: "path: orders.csv\nstream: orders\ncolumns: {amount: total}\n",
			want:    []string{`orders.csv: column "amount" clashes with column "total" mapped to amount`},
		},
		{
			name: "a column named like a lineage column is an error",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "orders.csv", "order_id,customer_id,ts,amount,currency,status,_file\no1,c1,2026-01-02,1,EUR,paid,x\n")
			},
			options: "path: orders.csv\nstream: orders\n",
			want:    []string{`orders.csv: column "_file" is reserved for lineage`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			src := mustSource(t, dir, tt.options)
			db := conntest.OpenDB(t)
			em := conntest.NewEmitter(t, db, src.canon.Name)
			err := read(t.Context(), src, em, nil)
			if !errors.Is(err, connectors.ErrInvalidInput) {
				t.Fatalf("Read error = %v, want one wrapping ErrInvalidInput", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if len(em.Cursors()) != 0 {
				t.Errorf("checkpointed after an error")
			}
		})
	}
}

func TestReadEmptyFilesLoadNothingWithAWarning(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders-0.csv", "")
	writeFile(t, dir, "orders-1.csv", "order_id,ts\n")
	writeFile(t, dir, "orders-2.csv", ordersCSV)
	writeFile(t, dir, "orders-3.jsonl", "\n\n")
	logs := &logBuffer{}
	src, err := newSource(t, dir, "path: orders-*\nstream: orders\n", logs)
	if err != nil {
		t.Fatal(err)
	}
	db := conntest.OpenDB(t)
	em := conntest.NewEmitter(t, db, "orders")
	if err := read(t.Context(), src, em, nil); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if n := count(t, db, "orders"); n != 3 {
		t.Errorf("loaded %d rows, want 3", n)
	}
	for _, f := range []string{"orders-0.csv", "orders-1.csv", "orders-3.jsonl"} {
		if !strings.Contains(logs.String(), "level=WARN msg=\"file has no rows; loading nothing from it\" file="+f) {
			t.Errorf("no warning for %s in logs:\n%s", f, logs)
		}
	}

	// Only empty files: nothing to load, and no error.
	for _, f := range []string{"orders-2.csv"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := read(t.Context(), src, em, em.Cursor()); err != nil {
		t.Fatalf("Read of empty files: %v", err)
	}
	if n := count(t, db, "orders"); n != 0 {
		t.Errorf("after reload %d rows, want 0", n)
	}
}

func TestReadReloadsOnlyWhenFilesOrSettingsChange(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "orders.csv", ordersCSV)
	db := conntest.OpenDB(t)
	em := &spy{Emitter: conntest.NewEmitter(t, db, "orders")}
	src := mustSource(t, dir, "path: orders.csv\nstream: orders\n")
	if err := read(t.Context(), src, em, nil); err != nil {
		t.Fatal(err)
	}
	first := em.Cursor()
	if !strings.HasPrefix(string(first), fmt.Sprintf(`{"files":{"orders.csv":{"size":%d,"mtime":"`, len(ordersCSV))) {
		t.Errorf("cursor %s", first)
	}

	steps := []struct {
		name        string
		change      func(t *testing.T)
		src         *Source
		backfill    bool
		wantInserts int
		wantRows    int
	}{
		{name: "unchanged files are not read again", change: func(*testing.T) {}, wantInserts: 0, wantRows: 3},
		{
			name: "a changed file replaces the whole stream without duplicates",
			change: func(t *testing.T) {
				writeFile(t, dir, "orders.csv", ordersCSV+"o4,c4,u4,2026-01-04 10:00:00,1,EUR,paid,west\n")
				later := time.Now().Add(time.Hour)
				if err := os.Chtimes(path, later, later); err != nil {
					t.Fatal(err)
				}
			},
			wantInserts: 1, wantRows: 4,
		},
		{name: "unchanged again", change: func(*testing.T) {}, wantInserts: 0, wantRows: 4},
		{
			name:        "changed settings reload unchanged files",
			change:      func(*testing.T) {},
			src:         mustSource(t, dir, "path: orders.csv\nstream: orders\ntimezone: Europe/Paris\n"),
			wantInserts: 1, wantRows: 4,
		},
		{name: "a backfill reloads", change: func(*testing.T) {}, backfill: true, wantInserts: 1, wantRows: 4},
		{
			name: "a new file matching the glob reloads",
			change: func(t *testing.T) {
				writeFile(t, dir, "orders.csv", ordersCSV)
			},
			wantInserts: 1, wantRows: 3,
		},
	}
	cur := src
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.change(t)
			if st.src != nil {
				cur = st.src
			}
			em.inserts, em.replaces = 0, 0
			req := connectors.ReadRequest{Stream: "orders", Cursor: em.Cursor()}
			if st.backfill {
				req.Backfill = &connectors.DateRange{From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
			}
			before := len(em.Cursors())
			if err := cur.Read(t.Context(), req, em); err != nil {
				t.Fatal(err)
			}
			if em.inserts != st.wantInserts || em.replaces != st.wantInserts {
				t.Errorf("%d inserts and %d replaces, want %d of each", em.inserts, em.replaces, st.wantInserts)
			}
			if len(em.Cursors()) != before+1 {
				t.Errorf("no checkpoint")
			}
			if n := count(t, db, "orders"); n != st.wantRows {
				t.Errorf("%d rows, want %d", n, st.wantRows)
			}
		})
	}
}

// plainEmitter hides the SQLEmitter methods of an emitter.
type plainEmitter struct{ connectors.Emitter }

func TestReadNeedsAnSQLEmitter(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders.csv", ordersCSV)
	src := mustSource(t, dir, "path: orders.csv\nstream: orders\n")
	em := plainEmitter{conntest.NewEmitter(t, conntest.OpenDB(t), "orders")}
	err := read(t.Context(), src, em, nil)
	if err == nil || !strings.Contains(err.Error(), "connectors.SQLEmitter") {
		t.Fatalf("Read error = %v, want one about SQLEmitter", err)
	}
}

func TestStreams(t *testing.T) {
	src := mustSource(t, t.TempDir(), "path: x.csv\nstream: orders\n")
	got := src.Streams()
	canon := connectors.Canonical["orders"]
	if len(got) != 1 {
		t.Fatalf("%d streams", len(got))
	}
	s := got[0]
	if s.Name != "orders" || s.Canonical != "orders" || s.Schema != nil || s.DateColumn != canon.DateColumn ||
		!slices.Equal(s.Key, canon.Key) || s.LookbackDays != 0 {
		t.Errorf("stream %+v", s)
	}
	spec, err := connectors.Lookup("file")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range spec.Fields {
		names = append(names, f.Name)
	}
	if want := []string{"path", "paths", "stream", "format", "delimiter", "columns", "timezone"}; !slices.Equal(names, want) {
		t.Errorf("documented keys %v, want %v", names, want)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		options string
		want    []string
	}{
		{"a minimal config is valid", "path: x.csv\nstream: orders\n", nil},
		{"path is required", "stream: orders\n", []string{"path is required"}},
		{"path and paths exclude each other", "path: a.csv\npaths: [b.csv]\nstream: orders\n", []string{"set path or paths, not both"}},
		{"stream is required", "path: a.csv\n", []string{"stream is required"}},
		{"stream must be canonical", "path: a.csv\nstream: sales\n", []string{`unknown stream "sales"`}},
		{"format is checked", "path: a.csv\nstream: orders\nformat: xlsx\n", []string{`format "xlsx"`}},
		{"delimiter is for csv", "path: a.parquet\nstream: orders\nformat: parquet\ndelimiter: \";\"\n", []string{"delimiter is for CSV files"}},
		{"columns must name canonical columns", "path: a.csv\nstream: orders\ncolumns: {price: total}\n", []string{`"price" is not a column of stream orders`}},
		{"one file column feeds one canonical column", "path: a.csv\nstream: orders\ncolumns: {order_id: id, customer_id: ID}\n", []string{`both come from file column`}},
		{"timezone must be IANA", "path: a.csv\nstream: orders\ntimezone: Mars/Olympus\n", []string{`timezone "Mars/Olympus"`}},
		{"unknown keys are errors", "path: a.csv\nstream: orders\nheader: true\n", []string{"field header not found"}},
		{"all problems are reported at once", "format: xlsx\ntimezone: Nowhere\n", []string{"path is required", "stream is required", `format "xlsx"`, `timezone "Nowhere"`}},
		{"a bad glob is an error", "path: \"[a.csv\"\nstream: orders\n", []string{"syntax error in pattern"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSource(t, t.TempDir(), tt.options, nil)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestCheckFindsMissingFiles(t *testing.T) {
	dir := t.TempDir()
	src := mustSource(t, dir, "path: orders*.csv\nstream: orders\n")
	if err := src.Check(t.Context()); !errors.Is(err, connectors.ErrInvalidInput) {
		t.Errorf("Check = %v, want ErrInvalidInput", err)
	}
	writeFile(t, dir, "orders1.csv", ordersCSV)
	if err := src.Check(t.Context()); err != nil {
		t.Errorf("Check = %v", err)
	}
}

func TestReadStopsWhenCanceled(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "orders.csv", ordersCSV)
	src := mustSource(t, dir, "path: orders.csv\nstream: orders\n")
	em := conntest.NewEmitter(t, conntest.OpenDB(t), "orders")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := read(ctx, src, em, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Read = %v, want context.Canceled", err)
	}
	if len(em.Cursors()) != 0 {
		t.Error("checkpointed after cancel")
	}
}
