package transforms

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// refRE finds schema.table references in SQL stripped of comments and strings.
var refRE = regexp.MustCompile(`(?i)(^|[^a-z0-9_."])(raw|staging|marts|meta)\s*\.\s*([a-z_][a-z0-9_]*)`)

// references returns the distinct schema.table references of sql, lower
// case, sorted. Comments, string literals and quoted identifiers are ignored.
func references(sql string) []string {
	seen := map[string]bool{}
	for _, m := range refRE.FindAllStringSubmatch(stripSQL(sql), -1) {
		seen[strings.ToLower(m[2]+"."+m[3])] = true
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// stripSQL blanks out comments, string literals and quoted identifiers.
func stripSQL(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			j := i
			for ; j < len(b) && !(b[j] == '*' && j+1 < len(b) && b[j+1] == '/'); j++ {
				b[j] = ' '
			}
			if j+1 < len(b) {
				b[j], b[j+1] = ' ', ' '
			}
			i = j + 1
		case b[i] == '\'' || b[i] == '"':
			q := b[i]
			b[i] = ' '
			for i++; i < len(b); i++ {
				if b[i] == q {
					if i+1 < len(b) && b[i+1] == q { // doubled quote escapes
						b[i], b[i+1] = ' ', ' '
						i++
						continue
					}
					b[i] = ' '
					break
				}
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
		}
	}
	return string(b)
}

// isSourceView reports whether q is a generated staging.src_<canonical> view.
func isSourceView(q string) bool {
	name, ok := strings.CutPrefix(q, "staging.src_")
	if !ok {
		return false
	}
	_, known := connectors.Canonical[name]
	return known
}

// resolveRefs fills m.Deps and m.Inputs from the references of its SQL
// (rendered with zero Vars) and rejects references to unknown models.
func resolveRefs(m *Model, models map[string]*Model) error {
	sql, err := render(m, zeroData(m))
	if err != nil {
		return err
	}
	self := m.QualifiedName()
	var unknown []string
	for _, r := range references(sql) {
		schema, _, _ := strings.Cut(r, ".")
		switch {
		case r == self:
			m.Deps = append(m.Deps, r) // reported as a cycle
		case models[r] != nil:
			m.Deps = append(m.Deps, r)
		case schema == "raw", schema == "meta", isSourceView(r), slices.Contains(m.GoTables, r):
			m.Inputs = append(m.Inputs, r)
		default:
			unknown = append(unknown, r)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%s: reads %s, which is not a model (no file %s), a staging.src_<canonical> view, or a raw/meta table",
			m.Path, strings.Join(unknown, ", "), expectedPaths(unknown))
	}
	return nil
}

// expectedPaths says where a model file for each missing reference would be.
func expectedPaths(refs []string) string {
	var out []string
	for _, r := range refs {
		schema, name, _ := strings.Cut(r, ".")
		switch {
		case schema == "staging" && strings.HasPrefix(name, "int_"):
			out = append(out, "intermediate/"+name+".sql")
		default:
			out = append(out, schema+"/"+name+".sql")
		}
	}
	return strings.Join(out, ", ")
}

// topoSort orders models so that each comes after the models it reads,
// choosing the smallest qualified name among the ready ones. A cycle is an
// error printing one cycle path.
func topoSort(models []Model) ([]Model, error) {
	byName := map[string]int{}
	for i, m := range models {
		byName[m.QualifiedName()] = i
	}
	pending := map[string]int{} // unbuilt dependencies per model
	readers := map[string][]string{}
	for _, m := range models {
		q := m.QualifiedName()
		pending[q] = len(m.Deps)
		for _, d := range m.Deps {
			readers[d] = append(readers[d], q)
		}
	}
	var ready []string
	for q, n := range pending {
		if n == 0 {
			ready = append(ready, q)
		}
	}
	out := make([]Model, 0, len(models))
	for len(ready) > 0 {
		sort.Strings(ready)
		q := ready[0]
		ready = ready[1:]
		out = append(out, models[byName[q]])
		delete(pending, q)
		for _, r := range readers[q] {
			pending[r]--
			if pending[r] == 0 {
				ready = append(ready, r)
			}
		}
	}
	if len(pending) == 0 {
		return out, nil
	}
	// Every remaining model reads at least one remaining model, so walking
	// dependencies from any of them must come back to a model on the path.
	var left []string
	for q := range pending {
		left = append(left, q)
	}
	sort.Strings(left)
	pathIdx := map[string]int{}
	var path []string
	for cur := left[0]; ; {
		if i, ok := pathIdx[cur]; ok {
			cycle := append(append([]string{}, path[i:]...), cur)
			return nil, fmt.Errorf("%s: dependency cycle: %s", models[byName[cycle[0]]].Path, strings.Join(cycle, " -> "))
		}
		pathIdx[cur] = len(path)
		path = append(path, cur)
		deps := append([]string{}, models[byName[cur]].Deps...)
		sort.Strings(deps)
		next := ""
		for _, d := range deps {
			if _, ok := pending[d]; ok {
				next = d
				break
			}
		}
		if next == "" { // cannot happen; keep the error honest if it does
			return nil, fmt.Errorf("dependency cycle among %s", strings.Join(left, ", "))
		}
		cur = next
	}
}
