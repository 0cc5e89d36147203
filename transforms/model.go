package transforms

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// Layers of the sql/ tree, in the order a reader meets them. LayerChecks holds
// data checks, not models.
const (
	LayerStaging      = "staging"
	LayerIntermediate = "intermediate"
	LayerMarts        = "marts"
	LayerMeta         = "meta"
	LayerChecks       = "checks"
)

// Materializations of a model. An incremental model is a table that an
// incremental transform (Runner.Dirty) rewrites only from a day on, .Since
// in its template: it deletes the rows whose IncrementalKey is on or after
// .Since — or, when the file defines a template "delete", the rows that
// predicate selects — and inserts what the model's SQL, rendered with
// .Since, returns (which must be exactly the rows deleted, and should read
// only what they need). Rendered with .Since empty, the SQL builds the
// whole table.
const (
	View        = "view"
	Table       = "table"
	Incremental = "incremental"
)

// Severities of a check.
const (
	SeverityError = "error"
	SeverityWarn  = "warn"
)

// layerSchema maps each model layer to the schema its models are built in.
var layerSchema = map[string]string{
	LayerStaging:      "staging",
	LayerIntermediate: "staging",
	LayerMarts:        "marts",
	LayerMeta:         "meta",
}

// Model is one .sql file of the sql/ tree: a model to build or, when
// Layer is LayerChecks, a data check to run. Models are values: the Runner
// never changes them.
type Model struct {
	// Name is the file name without .sql, and the table or view name.
	Name string
	// Schema is where the model is built: staging, marts or meta ("" for checks).
	Schema string
	// Layer is the folder the file is in (LayerStaging, ..., LayerChecks).
	Layer string
	// Path is the file's path inside the fs.FS, e.g. "marts/kpi_daily.sql".
	Path string
	// Materialized is View, Table or Incremental ("" for checks).
	Materialized string
	// Comment is the "-- comment:" header (or the .yml description); it
	// becomes COMMENT ON TABLE/VIEW, or a check's explanation.
	Comment string
	// Severity is SeverityError or SeverityWarn for checks ("" for models).
	Severity string
	// Grain says what one row is (from the .yml).
	Grain string
	// Columns are the documented columns, in .yml order.
	Columns []Column
	// Tests are the table-level tests of the .yml.
	Tests TableTests
	// SQL is the file's text: a text/template of one SELECT query.
	SQL string
	// Deps are the qualified names of the models this one reads, sorted.
	Deps []string
	// Inputs are the qualified names of the relations this one reads that
	// are not models (raw tables, meta tables, staging.src_* views), sorted.
	Inputs []string
	// IncrementalKey is the DATE column an incremental model is rebuilt
	// by (its "-- incremental_key:" header).
	IncrementalKey string
	// GoTables are tables written by Go models that a check reads, from
	// its "-- go_tables:" header (comma-separated). Checks run after the Go
	// models; SQL models run before them and cannot read these.
	GoTables []string

	tmpl *template.Template
}

// QualifiedName returns schema.name for a model, "checks.name" for a check.
func (m Model) QualifiedName() string {
	if m.IsCheck() {
		return LayerChecks + "." + m.Name
	}
	return m.Schema + "." + m.Name
}

// IsCheck reports whether m is a data check of sql/checks rather than a model.
func (m Model) IsCheck() bool { return m.Layer == LayerChecks }

// Column documents one column of a model.
type Column struct {
	// Name is the column name.
	Name string
	// Description explains the column; it becomes COMMENT ON COLUMN.
	Description string
	// Tests run by Runner.Check on this column.
	Tests []ColumnTest
}

// Column test kinds.
const (
	TestNotNull        = "not_null"
	TestUnique         = "unique"
	TestAcceptedValues = "accepted_values"
)

// ColumnTest is one test of a column: TestNotNull, TestUnique or
// TestAcceptedValues (with Values).
type ColumnTest struct {
	Kind   string
	Values []string
}

// TableTests are the table-level tests of a model's .yml.
type TableTests struct {
	// UniqueCombination lists columns that together identify a row.
	UniqueCombination []string `yaml:"unique_combination"`
	// RowCountMin, when set, is the least number of rows the model must have.
	RowCountMin *int64 `yaml:"row_count_min"`
	// Freshness, when set, requires recent rows.
	Freshness *Freshness `yaml:"freshness"`
}

// Freshness requires the latest Column (a DATE) to be at most MaxDays
// before the current day in the reporting time zone.
type Freshness struct {
	Column  string `yaml:"column"`
	MaxDays int    `yaml:"max_days"`
	// Severity is SeverityError or SeverityWarn; default SeverityWarn, since
	// a late source is reported, not a reason to fail the run.
	Severity string `yaml:"severity"`
}

// ymlFile is the strict shape of a model's .yml.
type ymlFile struct {
	Description string      `yaml:"description"`
	Grain       string      `yaml:"grain"`
	Columns     []ymlColumn `yaml:"columns"`
	Tests       TableTests  `yaml:"tests"`
}

type ymlColumn struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Tests       []yaml.Node `yaml:"tests"`
}

// LoadModels reads every model and check of fsys: one per .sql file under
// staging/, intermediate/, marts/, meta/ and checks/ (other files and
// folders are ignored, except that each model needs its sibling .yml). It
// parses headers, decodes the .yml files strictly, resolves dependencies
// and returns the models in build order (topological, ties broken by
// qualified name), followed by the checks sorted by name.
//
// All problems found are returned together (errors.Join), each naming its
// file. A dependency cycle is reported as "dependency cycle: marts.a ->
// marts.b -> marts.a", where "->" reads "reads from".
func LoadModels(fsys fs.FS) ([]Model, error) {
	var models, checks []Model
	var errs []error
	for _, layer := range []string{LayerStaging, LayerIntermediate, LayerMarts, LayerMeta, LayerChecks} {
		entries, err := fs.ReadDir(fsys, layer)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", layer, err))
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
				continue
			}
			m, err := loadOne(fsys, layer, e.Name())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if m.IsCheck() {
				checks = append(checks, m)
			} else {
				models = append(models, m)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	byName := map[string]*Model{}
	for i := range models {
		q := models[i].QualifiedName()
		if prev, ok := byName[q]; ok {
			errs = append(errs, fmt.Errorf("%s: model %s is also defined by %s", models[i].Path, q, prev.Path))
			continue
		}
		byName[q] = &models[i]
	}
	for i := range models {
		if err := resolveRefs(&models[i], byName); err != nil {
			errs = append(errs, err)
		}
	}
	for i := range checks {
		if err := resolveRefs(&checks[i], byName); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ordered, err := topoSort(models)
	if err != nil {
		return nil, err
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	return append(ordered, checks...), nil
}

var nameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func loadOne(fsys fs.FS, layer, file string) (Model, error) {
	p := path.Join(layer, file)
	name := strings.TrimSuffix(file, ".sql")
	m := Model{Name: name, Layer: layer, Path: p, Schema: layerSchema[layer]}
	if !nameRE.MatchString(name) {
		return m, fmt.Errorf("%s: file name must be a lower-case SQL identifier ([a-z_][a-z0-9_]*)", p)
	}
	if layer == LayerIntermediate && !strings.HasPrefix(name, "int_") {
		return m, fmt.Errorf("%s: intermediate model names start with int_", p)
	}
	if layer == LayerStaging && strings.HasPrefix(name, "src_") {
		return m, fmt.Errorf("%s: staging.src_* names are reserved for the generated source views", p)
	}
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return m, fmt.Errorf("%s: %w", p, err)
	}
	m.SQL = string(b)
	if err := parseHeader(&m); err != nil {
		return m, fmt.Errorf("%s: %w", p, err)
	}
	m.tmpl, err = template.New(p).Option("missingkey=error").Funcs(templateFuncs).Parse(m.SQL)
	if err != nil {
		return m, fmt.Errorf("%s: template: %w", p, err)
	}
	if m.IsCheck() {
		if m.Comment == "" {
			return m, fmt.Errorf("%s: no description: add a \"-- comment: ...\" header", p)
		}
		return m, nil
	}
	yp := path.Join(layer, name+".yml")
	yb, err := fs.ReadFile(fsys, yp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return m, fmt.Errorf("%s: missing %s (grain and column descriptions)", p, yp)
		}
		return m, fmt.Errorf("%s: %w", yp, err)
	}
	if err := parseYML(&m, yp, yb); err != nil {
		return m, err
	}
	return m, nil
}

// parseHeader reads the leading "-- key: value" lines of m.SQL.
func parseHeader(m *Model) error {
	sc := bufio.NewScanner(strings.NewReader(m.SQL))
	line := 0
	var comment []string
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(text, "--") {
			break
		}
		key, value, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(text, "--")), ":")
		key = strings.TrimSpace(key)
		if !ok || !nameRE.MatchString(key) {
			break // prose comment: the header ends
		}
		value = strings.TrimSpace(value)
		switch key {
		case "materialized":
			if m.IsCheck() {
				return fmt.Errorf("line %d: a check has no materialization", line)
			}
			if value != View && value != Table && value != Incremental {
				return fmt.Errorf("line %d: materialized must be view, table or incremental, not %q", line, value)
			}
			m.Materialized = value
		case "comment":
			comment = append(comment, value)
		case "incremental_key":
			if !nameRE.MatchString(value) {
				return fmt.Errorf("line %d: incremental_key %q is not a column name", line, value)
			}
			m.IncrementalKey = value
		case "go_tables":
			if !m.IsCheck() {
				return fmt.Errorf("line %d: only checks can read Go models' tables (SQL models are built before them)", line)
			}
			for _, t := range strings.Split(value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					m.GoTables = append(m.GoTables, t)
				}
			}
		case "severity":
			if !m.IsCheck() {
				return fmt.Errorf("line %d: only checks have a severity", line)
			}
			if value != SeverityError && value != SeverityWarn {
				return fmt.Errorf("line %d: severity must be error or warn, not %q", line, value)
			}
			m.Severity = value
		default:
			return fmt.Errorf("line %d: unknown header key %q (known: materialized, incremental_key, comment, severity, go_tables)", line, key)
		}
	}
	m.Comment = strings.Join(comment, " ")
	if (m.Materialized == Incremental) != (m.IncrementalKey != "") {
		return fmt.Errorf("an incremental model needs an incremental_key header (the DATE column it is rebuilt by), and only an incremental model has one")
	}
	if m.IsCheck() {
		if m.Severity == "" {
			m.Severity = SeverityError
		}
		return nil
	}
	if m.Materialized == "" {
		if m.Layer == LayerMarts || m.Layer == LayerMeta {
			m.Materialized = Table
		} else {
			m.Materialized = View
		}
	}
	return nil
}
