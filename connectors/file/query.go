package file

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// group is files of one format and the same columns and dialect, read by
// one reader call.
type group struct {
	format         string
	inputs         []*input
	rejects, scans string // CSV rejects tables of this load
}

func (g *group) names() string {
	n := make([]string, len(g.inputs))
	for i, in := range g.inputs {
		n[i] = in.rel
	}
	return strings.Join(n, ", ")
}

// first is the input whose columns and dialect stand for the group's.
func (g *group) first() *input { return g.inputs[0] }

// groupInputs groups inputs that one reader call can read, in file order.
func groupInputs(inputs []*input) []*group {
	var out []*group
	byKey := map[string]*group{}
	for _, in := range inputs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s|%q", in.format, in.dialect)
		for _, c := range in.cols {
			canon, sniffed := "", ""
			if c.canon != nil {
				// The sniffed type decides date and timestamp formats.
				canon, sniffed = c.canon.Name, c.typ
			}
			fmt.Fprintf(&b, "|%q:%q:%q:%q", c.name, readType(in.format, c), canon, sniffed)
		}
		k := b.String()
		if g, ok := byKey[k]; ok {
			g.inputs = append(g.inputs, in)
			continue
		}
		g := &group{format: in.format, inputs: []*input{in}}
		byKey[k] = g
		out = append(out, g)
	}
	return out
}

// readType is the type the reader gives c. CSV readers parse the canonical
// DATE, BIGINT, DOUBLE and BOOLEAN columns themselves (a bad value is a
// reject with its line); money and timestamps are read as text and converted
// in SQL, as are all canonical columns of JSON lines. Other CSV columns stay
// text.
func readType(format string, c column) string {
	switch format {
	case formatCSV:
		if c.canon != nil {
			switch c.canon.Type {
			case "DATE", "BIGINT", "DOUBLE", "BOOLEAN":
				return c.canon.Type
			}
		}
		return "VARCHAR"
	case formatJSONL:
		if c.canon != nil {
			return "VARCHAR"
		}
	}
	return c.typ
}

// outColumn is a column of the rows a load inserts.
type outColumn struct {
	name, typ string
	canon     bool
}

// outputColumns is the union of the inputs' columns: canonical columns
// present in some file (in canonical order, canonical types), then the other
// columns in order of appearance (VARCHAR when files disagree on the type),
// then _file.
func outputColumns(canon connectors.CanonicalStream, inputs []*input) []outColumn {
	var out []outColumn
	for _, c := range canon.Columns {
		for _, in := range inputs {
			if in.column(c.Name) != nil {
				out = append(out, outColumn{name: c.Name, typ: c.Type, canon: true})
				break
			}
		}
	}
	extra := map[string]int{}
	for _, in := range inputs {
		for _, c := range in.cols {
			if c.canon != nil {
				continue
			}
			t := readType(in.format, c)
			k := strings.ToLower(c.name)
			if i, ok := extra[k]; ok {
				if out[i].typ != t {
					out[i].typ = "VARCHAR"
				}
				continue
			}
			extra[k] = len(out)
			out = append(out, outColumn{name: c.name, typ: t})
		}
	}
	return append(out, outColumn{name: "_file", typ: "VARCHAR"})
}

// column returns the file column feeding canonical column name, or nil.
func (in *input) column(canonical string) *column {
	for i := range in.cols {
		if c := in.cols[i].canon; c != nil && c.Name == canonical {
			return &in.cols[i]
		}
	}
	return nil
}

// extra returns the extra column called name (case-insensitively), or nil.
func (in *input) extra(name string) *column {
	for i := range in.cols {
		if in.cols[i].canon == nil && strings.EqualFold(in.cols[i].name, name) {
			return &in.cols[i]
		}
	}
	return nil
}

// conversion turns a file column into its canonical column.
type conversion struct {
	col     *column
	expr    string // SQL over the read column; "" when it is taken as read
	canFail bool   // a non-null value may convert to NULL
}

// conversions returns the conversion of every canonical column of g.
func (l *loader) conversions(ctx context.Context, g *group) ([]conversion, error) {
	var out []conversion
	in := g.first()
	for i := range in.cols {
		c := &in.cols[i]
		if c.canon == nil {
			continue
		}
		expr, canFail, err := l.convert(ctx, ident(c.name), readType(g.format, *c), c, in.dialect)
		if err != nil {
			return nil, err
		}
		out = append(out, conversion{col: c, expr: expr, canFail: canFail})
	}
	return out, nil
}

// offsetPattern matches a time of day followed by an offset or zone name:
// such text is an instant; other text is a local time in the configured zone.
var offsetPattern = `\d:\d\d(:\d\d(\.\d*)?)?\s*([zZ]|[+-]\d\d(:?\d\d)?|[A-Za-z][A-Za-z0-9_+/-]*)\s*$`

var _ = regexp.MustCompile(offsetPattern) // RE2, as DuckDB's regexp_matches

// convert returns the SQL turning src (of type typ as read) into c's
// canonical type, "" when no conversion is needed.
func (l *loader) convert(ctx context.Context, src, typ string, c *column, d dialect) (string, bool, error) {
	target, typ := normType(c.canon.Type), normType(typ)
	if typ == target {
		return "", false, nil
	}
	if typ == "JSON" {
		src, typ = "("+src+"->>'$')", "VARCHAR"
	}
	tz := literal(l.s.tz)
	text := typ == "VARCHAR"
	switch target {
	case "VARCHAR":
		return "CAST(" + src + " AS VARCHAR)", false, nil
	case connectors.Money:
		if text {
			// DuckDB 1.5 parses text into DECIMAL(38,9) several times slower
			// than into DECIMAL(18,9): try the narrow type first.
			return fmt.Sprintf("COALESCE(CAST(TRY_CAST(%s AS DECIMAL(18,9)) AS DECIMAL(38,9)), TRY_CAST(%s AS DECIMAL(38,9)))", src, src), true, nil
		}
	case "TIMESTAMP WITH TIME ZONE":
		switch {
		case strings.HasPrefix(typ, "TIMESTAMP") || typ == "DATE":
			return fmt.Sprintf("timezone(%s, CAST(%s AS TIMESTAMP))", tz, src), false, nil
		case text && c.typ != "VARCHAR" && strings.HasPrefix(normType(c.typ), "TIMESTAMP") && d.timestampFormat != "":
			// The sniffer saw a non-ISO format, e.g. 01/02/2026 10:00:00 AM.
			p := fmt.Sprintf("try_strptime(%s, %s)", src, literal(d.timestampFormat))
			if strings.Contains(strings.ToLower(d.timestampFormat), "%z") {
				return p, true, nil
			}
			return fmt.Sprintf("timezone(%s, %s)", tz, p), true, nil
		case text:
			session, err := l.sessionTimeZone(ctx)
			if err != nil {
				return "", false, err
			}
			if strings.EqualFold(session, l.s.tz) {
				return "TRY_CAST(" + src + " AS TIMESTAMPTZ)", true, nil
			}
			return fmt.Sprintf("CASE WHEN regexp_matches(%s, %s) THEN TRY_CAST(%s AS TIMESTAMPTZ) ELSE timezone(%s, TRY_CAST(%s AS TIMESTAMP)) END",
				src, literal(offsetPattern), src, tz, src), true, nil
		}
	case "DATE":
		switch {
		case typ == "TIMESTAMP WITH TIME ZONE":
			return fmt.Sprintf("CAST(timezone(%s, %s) AS DATE)", tz, src), false, nil
		case strings.HasPrefix(typ, "TIMESTAMP"):
			return "CAST(" + src + " AS DATE)", false, nil
		}
	}
	if widens(typ, target) {
		return "CAST(" + src + " AS " + c.canon.Type + ")", false, nil
	}
	return "TRY_CAST(" + src + " AS " + c.canon.Type + ")", true, nil
}

// integers are the DuckDB integer types of at most 64 bits.
var integers = []string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}

// widens reports whether every value of type from converts to type to, so
// that the conversion needs no TRY_CAST and no bad-row check.
func widens(from, to string) bool {
	isInt := slices.Contains(integers, from)
	switch to {
	case "BIGINT":
		return isInt
	case "DOUBLE":
		return isInt || from == "FLOAT" || from == "UBIGINT" || strings.HasPrefix(from, "DECIMAL")
	case connectors.Money:
		if isInt || from == "UBIGINT" {
			return true
		}
		var p, s int
		if _, err := fmt.Sscanf(from, "DECIMAL(%d,%d)", &p, &s); err == nil {
			return p-s <= 29 // DECIMAL(38,9) holds 29 integer digits
		}
	}
	return false
}

// normType spells a DuckDB type the way DESCRIBE does.
func normType(t string) string {
	t = strings.ToUpper(strings.TrimSpace(t))
	switch t {
	case "TIMESTAMPTZ":
		return "TIMESTAMP WITH TIME ZONE"
	case "STRING", "TEXT":
		return "VARCHAR"
	case "INT8", "LONG":
		return "BIGINT"
	case "FLOAT8":
		return "DOUBLE"
	case "BOOL":
		return "BOOLEAN"
	}
	return strings.ReplaceAll(t, ", ", ",")
}

// reader returns the DuckDB table function reading files in g's format.
// rescan reads one file again to find rows left out: CSV columns all as
// text, without rejects; Parquet with row numbers.
func (l *loader) reader(g *group, files []*input, rescan bool) string {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = literal(f.abs)
	}
	list := "[" + strings.Join(paths, ", ") + "]"
	in := g.first()
	switch g.format {
	case formatCSV:
		d := in.dialect
		cols := make([]string, len(in.cols))
		dates := false
		for i, c := range in.cols {
			t := readType(formatCSV, c)
			if rescan {
				t = "VARCHAR"
			}
			dates = dates || (t == "DATE" && normType(c.typ) == "DATE")
			cols[i] = literal(c.name) + ": " + literal(t)
		}
		opts := fmt.Sprintf("auto_detect=false, header=true, skip=0, delim=%s, quote=%s, escape=%s, new_line=%s, comment=%s, columns={%s}",
			literal(d.delim), literal(d.quote), literal(d.escape), literal(d.newline), literal(d.comment), strings.Join(cols, ", "))
		if dates && d.dateFormat != "" {
			opts += ", dateformat=" + literal(d.dateFormat)
		}
		if rescan {
			opts += ", ignore_errors=true"
		} else {
			opts += fmt.Sprintf(", store_rejects=true, rejects_table=%s, rejects_scan=%s", literal(g.rejects), literal(g.scans))
		}
		return "read_csv(" + list + ", " + opts + ")"
	case formatParquet:
		if rescan {
			return "read_parquet(" + list + ", file_row_number=true)"
		}
		return "read_parquet(" + list + ")"
	default:
		cols := make([]string, len(in.cols))
		for i, c := range in.cols {
			cols[i] = literal(c.name) + ": " + literal(readType(formatJSONL, c))
		}
		return "read_json(" + list + ", format='newline_delimited', columns={" + strings.Join(cols, ", ") + "})"
	}
}

// Names of the helper columns of generated queries.
const (
	valuePrefix = "__pacer_v"
	fileIndex   = "__pacer_file_index"
	rowNumber   = "__pacer_n"
	rawText     = "__pacer_raw"
)

// badPredicate is true for a row whose non-null value of conversion i did
// not convert.
func badPredicate(conv []conversion) string {
	var bad []string
	for i, c := range conv {
		if c.canFail {
			bad = append(bad, fmt.Sprintf("(%s IS NOT NULL AND %s IS NULL)", ident(c.col.name), ident(fmt.Sprint(valuePrefix, i))))
		}
	}
	return strings.Join(bad, " OR ")
}

// insertQuery is the SELECT whose rows a group inserts: columns renamed and
// converted, every output column present (NULL where the group lacks it),
// _file, and rows that failed a conversion left out. A left-out row bumps
// the load's sequence, so that a cheap query afterwards tells whether the
// slower quarantine scan must run.
func (l *loader) insertQuery(g *group, conv []conversion, outs []outColumn) string {
	inner := []string{"*"}
	for i, c := range conv {
		if c.expr != "" {
			inner = append(inner, c.expr+" AS "+ident(fmt.Sprint(valuePrefix, i)))
		}
	}
	if len(g.inputs) > 1 {
		inner = append(inner, "file_index AS "+ident(fileIndex))
	}
	in := g.first()
	sel := make([]string, 0, len(outs))
	for _, o := range outs {
		switch {
		case o.name == "_file":
			sel = append(sel, g.fileExpr()+` AS "_file"`)
		case o.canon:
			i := conversionOf(conv, o.name)
			switch {
			case i < 0:
				sel = append(sel, "CAST(NULL AS "+o.typ+") AS "+ident(o.name))
			case conv[i].expr == "":
				sel = append(sel, ident(conv[i].col.name)+" AS "+ident(o.name))
			default:
				sel = append(sel, ident(fmt.Sprint(valuePrefix, i))+" AS "+ident(o.name))
			}
		default:
			c := in.extra(o.name)
			switch {
			case c == nil:
				sel = append(sel, "CAST(NULL AS "+o.typ+") AS "+ident(o.name))
			case normType(readType(g.format, *c)) != normType(o.typ):
				sel = append(sel, "CAST("+ident(c.name)+" AS "+o.typ+") AS "+ident(o.name))
			default:
				sel = append(sel, ident(c.name)+" AS "+ident(o.name))
			}
		}
	}
	q := fmt.Sprintf("SELECT %s FROM (SELECT %s FROM %s)", strings.Join(sel, ", "), strings.Join(inner, ", "), l.reader(g, g.inputs, false))
	if bad := badPredicate(conv); bad != "" {
		q += fmt.Sprintf(" WHERE CASE WHEN %s THEN nextval(%s) < 0 ELSE true END", bad, literal(l.seq))
	}
	return q
}

func conversionOf(conv []conversion, canonical string) int {
	for i, c := range conv {
		if c.col.canon.Name == canonical {
			return i
		}
	}
	return -1
}

// fileExpr is the _file value of a row: the file's path relative to the
// config directory.
func (g *group) fileExpr() string {
	if len(g.inputs) == 1 {
		return literal(g.inputs[0].rel)
	}
	rel := make([]string, len(g.inputs))
	for i, in := range g.inputs {
		rel[i] = literal(in.rel)
	}
	return fmt.Sprintf("[%s][CAST(%s AS BIGINT) + 1]", strings.Join(rel, ", "), ident(fileIndex))
}

// ident quotes a DuckDB identifier.
func ident(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// literal quotes a DuckDB string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
