package file

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// column is one column of a file.
type column struct {
	name string // as the file names it
	typ  string // DuckDB type as sniffed (CSV) or read (Parquet, JSON)
	// canon is the canonical column it feeds, nil for an extra column.
	canon *connectors.Column
}

// dialect is how DuckDB's sniffer says a CSV file is written.
type dialect struct {
	delim, quote, escape, newline, comment string
	dateFormat, timestampFormat            string
}

// input is one non-empty file, ready to load.
type input struct {
	fileInfo
	format  string
	cols    []column
	dialect dialect // csv only
}

// formatOf is the format of path: the configured one, or by extension.
func (s *Source) formatOf(f fileInfo) (string, error) {
	if s.format != formatAuto {
		return s.format, nil
	}
	name := strings.ToLower(f.abs)
	for _, c := range []string{".gz", ".zst"} {
		name = strings.TrimSuffix(name, c)
	}
	switch filepath.Ext(name) {
	case ".csv", ".tsv", ".txt":
		return formatCSV, nil
	case ".parquet", ".pq":
		return formatParquet, nil
	case ".jsonl", ".ndjson", ".json":
		return formatJSONL, nil
	}
	return "", inputErrorf("%s: cannot tell the format from the extension; set format: csv, parquet or jsonl", f.rel)
}

// discover reads each file's columns and maps them to the canonical stream.
// Empty files are left out with a warning. Every problem is reported.
func (l *loader) discover(ctx context.Context, files []fileInfo) ([]*input, error) {
	var out []*input
	var errs []error
	for _, f := range files {
		in, err := l.discoverFile(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ie *inputError
			if !errors.As(err, &ie) {
				return nil, err // a database problem: the transaction is gone
			}
			errs = append(errs, err)
			continue
		}
		if in == nil {
			l.log.WarnContext(ctx, "file has no rows; loading nothing from it", "file", f.rel, "bytes", f.size)
			continue
		}
		if err := l.s.mapColumns(in); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, in)
	}
	return out, errors.Join(errs...)
}

// discoverFile returns f's columns, or nil for a file without rows.
func (l *loader) discoverFile(ctx context.Context, f fileInfo) (*input, error) {
	format, err := l.s.formatOf(f)
	if err != nil {
		return nil, err
	}
	if f.size == 0 {
		return nil, nil
	}
	in := &input{fileInfo: f, format: format}
	switch format {
	case formatCSV:
		if lines, ok := smallFileLines(f); ok && lines <= 1 {
			return nil, nil // header only
		}
		err = l.sniffCSV(ctx, in)
	case formatParquet:
		var n int64
		n, err = l.queryInt(ctx, "SELECT count(*) FROM read_parquet("+literal(f.abs)+")")
		if err == nil && n == 0 {
			return nil, nil
		}
		if err == nil {
			in.cols, err = l.describe(ctx, "SELECT * FROM read_parquet("+literal(f.abs)+")")
		}
	case formatJSONL:
		if lines, ok := smallFileLines(f); ok && lines == 0 {
			return nil, nil
		}
		in.cols, err = l.describe(ctx, "SELECT * FROM read_json("+literal(f.abs)+", format='newline_delimited')")
		if err != nil && strings.Contains(err.Error(), "Malformed JSON") {
			return nil, malformedJSON(f, err)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &inputError{msg: fmt.Sprintf("%s: DuckDB cannot read it as %s: %v", f.rel, format, err), cause: err}
	}
	return in, nil
}

// smallFileLines counts the non-blank lines of an uncompressed file of at
// most 64 KiB; ok is false for other files.
func smallFileLines(f fileInfo) (n int, ok bool) {
	if f.size > 64<<10 || strings.HasSuffix(f.abs, ".gz") || strings.HasSuffix(f.abs, ".zst") {
		return 0, false
	}
	b, err := os.ReadFile(f.abs)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n, true
}

// sniffCSV asks DuckDB's sniffer for the dialect and header of a CSV file.
// The header must be the first line.
func (l *loader) sniffCSV(ctx context.Context, in *input) error {
	opts := ", header=true, skip=0, ignore_errors=true"
	if l.s.delim != "" {
		opts += ", delim=" + literal(l.s.delim)
	}
	rows, err := l.em.Query(ctx, `SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, Columns, DateFormat, TimestampFormat
		FROM sniff_csv(`+literal(in.abs)+opts+`)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("the sniffer returned nothing")
	}
	var d [5]sql.NullString
	var date, ts sql.NullString
	var cols any
	if err := rows.Scan(&d[0], &d[1], &d[2], &d[3], &d[4], &cols, &date, &ts); err != nil {
		return err
	}
	// The sniffer spells an empty option "(empty)".
	opt := func(s sql.NullString) string {
		if s.String == "(empty)" {
			return ""
		}
		return s.String
	}
	in.dialect = dialect{delim: opt(d[0]), quote: opt(d[1]), escape: opt(d[2]), newline: opt(d[3]),
		comment: opt(d[4]), dateFormat: opt(date), timestampFormat: opt(ts)}
	if in.dialect.quote == "" {
		// Nothing quoted in the sample: still honour RFC 4180 quoting later on.
		in.dialect.quote = `"`
	}
	if in.dialect.escape == "" {
		in.dialect.escape = in.dialect.quote
	}
	list, _ := cols.([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		typ, _ := m["type"].(string)
		in.cols = append(in.cols, column{name: name, typ: typ})
	}
	if len(in.cols) == 0 {
		return errors.New("no columns found")
	}
	return rows.Err()
}

// describe returns the columns of query.
func (l *loader) describe(ctx context.Context, query string) ([]column, error) {
	rows, err := l.em.Query(ctx, "DESCRIBE "+query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var name, typ string
		var rest [4]sql.NullString
		if err := rows.Scan(&name, &typ, &rest[0], &rest[1], &rest[2], &rest[3]); err != nil {
			return nil, err
		}
		out = append(out, column{name: name, typ: typ})
	}
	return out, rows.Err()
}

// reserved are lineage columns that pacer adds itself.
var reserved = []string{"_file", "_run_id", "_synced_at"}

// mapColumns points the file's columns at canonical columns: a column named
// in the columns: mapping feeds its canonical column, and is no longer
// available under its own name; otherwise a column feeds the canonical
// column of the same name (case-insensitively). It reports missing required
// columns and clashes.
func (s *Source) mapColumns(in *input) error {
	byName := map[string]int{}
	for i, c := range in.cols {
		byName[strings.ToLower(c.name)] = i
	}
	renamed := map[int]bool{}
	for _, f := range s.rename {
		if i, ok := byName[strings.ToLower(f)]; ok {
			renamed[i] = true
		}
	}
	var missing []string
	var errs []error
	for ci := range s.canon.Columns {
		c := &s.canon.Columns[ci]
		src := -1
		if f, ok := s.rename[c.Name]; ok {
			if i, ok := byName[strings.ToLower(f)]; ok {
				src = i
			}
		}
		if i, ok := byName[c.Name]; ok && i != src {
			switch {
			case src >= 0:
				errs = append(errs, inputErrorf("%s: column %q clashes with column %q mapped to %s; rename or drop one of them",
					in.rel, in.cols[i].name, in.cols[src].name, c.Name))
			case !renamed[i]:
				src = i
			}
		}
		if src < 0 {
			if c.Required {
				missing = append(missing, c.Name)
			}
			continue
		}
		in.cols[src].canon = c
	}
	for _, c := range in.cols {
		if c.canon == nil && slices.Contains(reserved, strings.ToLower(c.name)) {
			errs = append(errs, inputErrorf("%s: column %q is reserved for lineage; rename it in the file", in.rel, c.name))
		}
	}
	if len(missing) > 0 {
		found := make([]string, len(in.cols))
		for i, c := range in.cols {
			found[i] = c.name
		}
		hint := make([]string, len(missing))
		for i, m := range missing {
			hint[i] = m + ": <your column>"
		}
		what := fmt.Sprintf("required column %q", missing[0])
		if len(missing) > 1 {
			what = "required columns " + quoteList(missing)
		}
		errs = append(errs, inputErrorf("%s: missing %s for stream %s (found: %s); map it with columns: {%s}",
			in.rel, what, s.canon.Name, strings.Join(found, ", "), strings.Join(hint, ", ")))
	}
	return errors.Join(errs...)
}
