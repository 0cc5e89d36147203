package pipelines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/transforms/goals"
)

// LoadTargets reads and checks targets.yaml. Problems are reported together,
// each with file and line; the error wraps ErrInvalid.
func LoadTargets(path string) (*goals.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: targets file: %v", ErrInvalid, err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &goals.Plan{File: path}, nil
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, yamlErr(path, err))
	}
	p := &goals.Plan{File: path}
	var errs []error
	if err := decodeStrict(path, &doc, p); err != nil {
		errs = append(errs, err)
	}
	for i, line := range itemLines(&doc, "targets") {
		if i < len(p.Targets) {
			p.Targets[i].Line = line
		}
	}
	for i, line := range itemLines(&doc, "budgets") {
		if i < len(p.Budgets) {
			p.Budgets[i].Line = line
		}
	}
	for i, line := range itemLines(&doc, "incentives") {
		if i < len(p.Incentives) {
			p.Incentives[i].Line = line
		}
	}
	if len(errs) == 0 {
		p.Defaults()
		if err := p.Check(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w:\n%v", ErrInvalid, err)
	}
	return p, nil
}

// itemLines returns the line of each item of the top-level sequence key.
func itemLines(doc *yaml.Node, key string) []int {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			var out []int
			for _, it := range root.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}
