package transforms

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseYML decodes a model's .yml strictly into m. p is the file's path for
// error messages.
func parseYML(m *Model, p string, b []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var y ymlFile
	if err := dec.Decode(&y); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: empty file", p)
		}
		return fmt.Errorf("%s: %w", p, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: more than one YAML document", p)
	}
	// A second, untyped decode gives line numbers for the columns.
	var doc yaml.Node
	_ = yaml.Unmarshal(b, &doc)
	colLines := columnLines(&doc)
	lineOf := func(i int) string {
		if i < len(colLines) {
			return fmt.Sprintf("line %d: ", colLines[i])
		}
		return ""
	}

	var errs []error
	if m.Comment == "" {
		m.Comment = strings.TrimSpace(y.Description)
	}
	if m.Comment == "" {
		errs = append(errs, fmt.Errorf("%s: model %s has no description: add a \"-- comment: ...\" header to %s or a description here", p, m.QualifiedName(), m.Path))
	}
	m.Grain = strings.TrimSpace(y.Grain)
	if m.Grain == "" {
		errs = append(errs, fmt.Errorf("%s: no grain: say what one row of %s is", p, m.QualifiedName()))
	}
	seen := map[string]bool{}
	for i, c := range y.Columns {
		name := strings.TrimSpace(c.Name)
		if name == "" {
			errs = append(errs, fmt.Errorf("%s: %scolumn without a name", p, lineOf(i)))
			continue
		}
		if seen[name] {
			errs = append(errs, fmt.Errorf("%s: %scolumn %q listed twice", p, lineOf(i), name))
		}
		seen[name] = true
		col := Column{Name: name, Description: strings.TrimSpace(c.Description)}
		if col.Description == "" {
			errs = append(errs, fmt.Errorf("%s: %scolumn %q has no description", p, lineOf(i), name))
		}
		for j := range c.Tests {
			t, err := parseColumnTest(&c.Tests[j])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: line %d: column %q: %w", p, c.Tests[j].Line, name, err))
				continue
			}
			col.Tests = append(col.Tests, t)
		}
		m.Columns = append(m.Columns, col)
	}
	t := y.Tests
	for _, c := range t.UniqueCombination {
		if strings.TrimSpace(c) == "" {
			errs = append(errs, fmt.Errorf("%s: tests.unique_combination has an empty column name", p))
		}
	}
	if t.RowCountMin != nil && *t.RowCountMin < 0 {
		errs = append(errs, fmt.Errorf("%s: tests.row_count_min must not be negative", p))
	}
	if f := t.Freshness; f != nil {
		if strings.TrimSpace(f.Column) == "" {
			errs = append(errs, fmt.Errorf("%s: tests.freshness needs a column", p))
		}
		if f.MaxDays < 0 {
			errs = append(errs, fmt.Errorf("%s: tests.freshness.max_days must not be negative", p))
		}
		switch f.Severity {
		case "":
			f.Severity = SeverityWarn
		case SeverityError, SeverityWarn:
		default:
			errs = append(errs, fmt.Errorf("%s: tests.freshness.severity must be error or warn, not %q", p, f.Severity))
		}
	}
	m.Tests = t
	return errors.Join(errs...)
}

// parseColumnTest reads one entry of a column's tests list: a scalar
// (not_null, unique) or a one-key mapping {accepted_values: [a, b]}.
func parseColumnTest(n *yaml.Node) (ColumnTest, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Value {
		case TestNotNull, TestUnique:
			return ColumnTest{Kind: n.Value}, nil
		case TestAcceptedValues:
			return ColumnTest{}, errors.New("accepted_values needs a list: {accepted_values: [a, b]}")
		}
		return ColumnTest{}, fmt.Errorf("unknown test %q (known: not_null, unique, accepted_values)", n.Value)
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return ColumnTest{}, errors.New("a test mapping has exactly one key")
		}
		k, v := n.Content[0], n.Content[1]
		if k.Value != TestAcceptedValues {
			return ColumnTest{}, fmt.Errorf("unknown test %q (known: not_null, unique, accepted_values)", k.Value)
		}
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			return ColumnTest{}, errors.New("accepted_values needs a non-empty list")
		}
		t := ColumnTest{Kind: TestAcceptedValues}
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return ColumnTest{}, fmt.Errorf("line %d: accepted_values holds scalars only", e.Line)
			}
			t.Values = append(t.Values, e.Value)
		}
		return t, nil
	}
	return ColumnTest{}, errors.New("a test is a name or {accepted_values: [...]}")
}

// columnLines returns the line of each item of the top-level columns list.
func columnLines(doc *yaml.Node) []int {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "columns" && top.Content[i+1].Kind == yaml.SequenceNode {
			var out []int
			for _, it := range top.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}
