package transforms_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pacerhq/pacer/transforms"
)

// yml returns a minimal valid .yml documenting cols.
func yml(cols ...string) *fstest.MapFile {
	var b strings.Builder
	b.WriteString("grain: one row per test\ncolumns:\n")
	for _, c := range cols {
		b.WriteString("  - name: " + c + "\n    description: the " + c + "\n")
	}
	return &fstest.MapFile{Data: []byte(b.String())}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLoadModelsHeadersAndOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"staging/orders.sql":         file("-- comment: Orders.\nSELECT * FROM staging.src_orders"),
		"staging/orders.yml":         yml("order_id"),
		"intermediate/int_b.sql":     file("-- materialized: table\n-- comment: B, first line.\n-- comment: Second line.\n-- reads marts.nothing, which is only a comment\nSELECT order_id FROM staging.orders"),
		"intermediate/int_b.yml":     yml(),
		"intermediate/int_a.sql":     file("-- comment: A.\nSELECT 'raw.not_a_ref' AS s, order_id FROM staging.orders"),
		"intermediate/int_a.yml":     yml(),
		"marts/kpi.sql":              file("-- comment: KPIs.\nSELECT * FROM staging.int_a JOIN staging.int_b USING (order_id) JOIN meta.stream_state ON true"),
		"marts/kpi.yml":              yml(),
		"marts/view_mart.sql":        file("-- materialized: view\n-- comment: A view.\nSELECT 1 AS x FROM raw.fx_rates"),
		"marts/view_mart.yml":        yml("x"),
		"meta/stats.sql":             file("-- comment: Stats.\nSELECT count(*) AS n FROM marts.kpi"),
		"meta/stats.yml":             yml("n"),
		"checks/no_orders.sql":       file("-- severity: warn\n-- comment: Warn when there are orders.\nSELECT * FROM staging.orders"),
		"staging/notes.txt":          file("ignored"),
		"staging/ignored_dir/x.sql":  file("SELECT 1"),
		"intermediate/int_b.sql.bak": file("ignored"),
	}
	models, err := transforms.LoadModels(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range models {
		order = append(order, m.QualifiedName())
	}
	// Ready models are taken by qualified name: marts.view_mart reads no model.
	want := "marts.view_mart staging.orders staging.int_a staging.int_b marts.kpi meta.stats checks.no_orders"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order:\n got %s\nwant %s", got, want)
	}
	tests := []struct {
		name                       string
		materialized, comment, sev string
		deps, inputs               string
		schema                     string
	}{
		{"marts.view_mart", "view", "A view.", "", "", "raw.fx_rates", "marts"},
		{"staging.orders", "view", "Orders.", "", "", "staging.src_orders", "staging"},
		{"staging.int_a", "view", "A.", "", "staging.orders", "", "staging"},
		{"staging.int_b", "table", "B, first line. Second line.", "", "staging.orders", "", "staging"},
		{"marts.kpi", "table", "KPIs.", "", "staging.int_a staging.int_b", "meta.stream_state", "marts"},
		{"meta.stats", "table", "Stats.", "", "marts.kpi", "", "meta"},
		{"checks.no_orders", "", "Warn when there are orders.", "warn", "staging.orders", "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := models[i]
			if m.QualifiedName() != tt.name || m.Materialized != tt.materialized || m.Comment != tt.comment ||
				m.Severity != tt.sev || strings.Join(m.Deps, " ") != tt.deps || strings.Join(m.Inputs, " ") != tt.inputs || m.Schema != tt.schema {
				t.Errorf("got %s mat=%q comment=%q sev=%q deps=%v inputs=%v schema=%q", m.QualifiedName(), m.Materialized, m.Comment, m.Severity, m.Deps, m.Inputs, m.Schema)
			}
		})
	}
	if models[1].Grain != "one row per test" || len(models[1].Columns) != 1 || models[1].Columns[0].Description != "the order_id" {
		t.Errorf("yml not decoded: %+v", models[1])
	}
}

func TestLoadModelsYMLTests(t *testing.T) {
	fsys := fstest.MapFS{
		"marts/a.sql": file("-- comment: A.\nSELECT 1 AS id, 'x' AS kind, DATE '2026-01-01' AS day"),
		"marts/a.yml": file(`description: ignored, the header wins
grain: one row per id
columns:
  - name: id
    description: the id
    tests: [not_null, unique]
  - name: kind
    description: the kind
    tests: [{accepted_values: [x, y]}]
tests:
  unique_combination: [id, kind]
  row_count_min: 2
  freshness: {column: day, max_days: 3}
`),
	}
	models, err := transforms.LoadModels(fsys)
	if err != nil {
		t.Fatal(err)
	}
	m := models[0]
	if m.Comment != "A." {
		t.Errorf("comment %q", m.Comment)
	}
	if len(m.Columns[0].Tests) != 2 || m.Columns[0].Tests[1].Kind != transforms.TestUnique {
		t.Errorf("id tests %+v", m.Columns[0].Tests)
	}
	if got := m.Columns[1].Tests[0]; got.Kind != transforms.TestAcceptedValues || strings.Join(got.Values, ",") != "x,y" {
		t.Errorf("kind tests %+v", got)
	}
	if strings.Join(m.Tests.UniqueCombination, ",") != "id,kind" || *m.Tests.RowCountMin != 2 ||
		m.Tests.Freshness.Column != "day" || m.Tests.Freshness.MaxDays != 3 || m.Tests.Freshness.Severity != transforms.SeverityWarn {
		t.Errorf("table tests %+v %+v", m.Tests, m.Tests.Freshness)
	}
}

func TestLoadModelsErrors(t *testing.T) {
	ok := func(name string) (string, *fstest.MapFile, string, *fstest.MapFile) {
		return "marts/" + name + ".sql", file("-- comment: ok\nSELECT 1 AS x"), "marts/" + name + ".yml", yml("x")
	}
	tests := []struct {
		name  string
		files map[string]*fstest.MapFile
		want  []string
	}{
		{
			name: "a cycle prints its path",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT * FROM marts.b"), "marts/a.yml": yml(),
				"marts/b.sql": file("-- comment: b\nSELECT * FROM marts.a"), "marts/b.yml": yml(),
				"marts/c.sql": file("-- comment: c\nSELECT * FROM marts.a"), "marts/c.yml": yml(),
			},
			want: []string{"marts/a.sql: dependency cycle: marts.a -> marts.b -> marts.a"},
		},
		{
			name: "a model reading itself is a cycle",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT * FROM marts.a"), "marts/a.yml": yml(),
			},
			want: []string{"dependency cycle: marts.a -> marts.a"},
		},
		{
			name: "an unknown reference names the file",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT * FROM marts.nope JOIN staging.int_gone USING (x)"), "marts/a.yml": yml(),
			},
			want: []string{"marts/a.sql: reads marts.nope, staging.int_gone", "marts/nope.sql", "intermediate/int_gone.sql"},
		},
		{
			name: "an unknown source view is an unknown reference",
			files: map[string]*fstest.MapFile{
				"staging/a.sql": file("-- comment: a\nSELECT * FROM staging.src_nothing"), "staging/a.yml": yml(),
			},
			want: []string{"staging/a.sql: reads staging.src_nothing"},
		},
		{
			name: "unknown yml keys are errors",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT 1 AS x"),
				"marts/a.yml": file("grain: g\ncolumns:\n  - name: x\n    descripton: typo\n"),
			},
			want: []string{"marts/a.yml", "field descripton not found"},
		},
		{
			name: "unknown table tests are errors",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT 1 AS x"),
				"marts/a.yml": file("grain: g\ntests:\n  row_count_max: 3\n"),
			},
			want: []string{"marts/a.yml", "field row_count_max not found"},
		},
		{
			name: "a column without description names file, line and column",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT 1 AS x, 2 AS y"),
				"marts/a.yml": file("grain: g\ncolumns:\n  - name: x\n    description: fine\n  - name: y\n"),
			},
			want: []string{`marts/a.yml: line 5: column "y" has no description`},
		},
		{
			name: "a model without description is an error",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("SELECT 1 AS x"),
				"marts/a.yml": yml("x"),
			},
			want: []string{"marts/a.yml: model marts.a has no description"},
		},
		{
			name: "a model without yml is an error",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT 1 AS x"),
			},
			want: []string{"marts/a.sql: missing marts/a.yml"},
		},
		{
			name: "unknown column tests are errors",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT 1 AS x"),
				"marts/a.yml": file("grain: g\ncolumns:\n  - name: x\n    description: d\n    tests: [not_nul]\n"),
			},
			want: []string{`marts/a.yml: line 5: column "x": unknown test "not_nul"`},
		},
		{
			name: "a bad header is an error",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- materialized: ephemeral\nSELECT 1 AS x"),
				"marts/a.yml": yml("x"),
			},
			want: []string{"marts/a.sql: line 1: materialized must be view, table or incremental"},
		},
		{
			name: "an unknown header key is an error",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- materialised: table\nSELECT 1 AS x"),
				"marts/a.yml": yml("x"),
			},
			want: []string{`marts/a.sql: line 1: unknown header key "materialised"`},
		},
		{
			name: "a template error names the file",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("-- comment: a\nSELECT '{{.Currencyy}}' AS x"),
				"marts/a.yml": yml("x"),
			},
			want: []string{"marts/a.sql: template", "Currencyy"},
		},
		{
			name: "intermediate names start with int_",
			files: map[string]*fstest.MapFile{
				"intermediate/joined.sql": file("-- comment: a\nSELECT 1 AS x"),
				"intermediate/joined.yml": yml("x"),
			},
			want: []string{"intermediate/joined.sql: intermediate model names start with int_"},
		},
		{
			name: "every problem is reported at once",
			files: map[string]*fstest.MapFile{
				"marts/a.sql": file("SELECT 1 AS x"), "marts/a.yml": yml("x"),
				"marts/b.sql": file("-- comment: b\nSELECT 1 AS x"),
			},
			want: []string{"marts/a.yml: model marts.a has no description", "marts/b.sql: missing marts/b.yml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			p, f, yp, yf := ok("fine")
			fsys[p], fsys[yp] = f, yf
			for k, v := range tt.files {
				fsys[k] = v
			}
			_, err := transforms.LoadModels(fsys)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
