package pipelines

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes node into v (a pointer to a struct) and reports every
// key that v has no field for, with file and line. go-yaml's KnownFields is
// lost when decoding a yaml.Node (yaml/go-yaml#321), so pacer checks keys
// itself against the yaml tags, then lets go-yaml convert the values.
func decodeStrict(file string, node *yaml.Node, v any) error {
	var errs []error
	checkKeys(file, node, reflect.TypeOf(v), "", &errs)
	if err := node.Decode(v); err != nil {
		errs = append(errs, yamlErr(file, err))
	}
	return errors.Join(errs...)
}

// yamlErr prefixes go-yaml's "line N: ..." messages with the file name.
func yamlErr(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, len(te.Errors))
		for i, e := range te.Errors {
			errs[i] = fmt.Errorf("%s:%s", file, strings.TrimPrefix(e, "line "))
		}
		return errors.Join(errs...)
	}
	return fmt.Errorf("%s: %w", file, err)
}

func checkKeys(file string, node *yaml.Node, t reflect.Type, path string, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	if t == reflect.TypeOf(yaml.Node{}) {
		return // kept raw, checked by whoever decodes it
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return // go-yaml reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, val := node.Content[i], node.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, fmt.Errorf("%s:%d: unknown key %q%s (known: %s)",
					file, k.Line, k.Value, where(path), strings.Join(sortedKeys(fields), ", ")))
				continue
			}
			checkKeys(file, val, f.Type, join(path, k.Value), errs)
		}
	case reflect.Slice, reflect.Array:
		if node.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range node.Content {
			checkKeys(file, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			checkKeys(file, node.Content[i+1], t.Elem(), join(path, node.Content[i].Value), errs)
		}
	}
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps yaml key names to struct fields, following inline structs.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range yamlFields(ft) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in every scalar value of node with the
// variable's value from lookup. A missing variable is an error naming it and
// the line that needs it; its value is never part of an error.
func expandEnv(file string, node *yaml.Node, lookup func(string) (string, bool)) error {
	var errs []error
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
				name := envRef.FindStringSubmatch(m)[1]
				v, ok := lookup(name)
				if !ok || v == "" {
					errs = append(errs, fmt.Errorf("%s:%d: environment variable %s is not set (put it in the environment or in .env beside the config)", file, n.Line, name))
					return ""
				}
				return v
			})
			if n.Tag == "" || n.Tag == "!!str" || n.Style != 0 {
				n.Tag = "!!str"
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(node)
	return errors.Join(errs...)
}

// readDotEnv reads KEY=VALUE lines of a .env file. A missing file is not an
// error. Lines may be blank, comments (#), or start with "export ".
func readDotEnv(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", path, i+1)
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	return out, nil
}
