package file

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// maxRaw is how much of an offending row Rejected.Raw keeps.
const maxRaw = 1000

// lineKey identifies a quarantined line.
type lineKey struct {
	file string
	line int64
}

// quarantine lists r, or only counts it past maxQuarantined.
func (l *loader) quarantine(ctx context.Context, r connectors.Rejected) error {
	if l.listed >= maxQuarantined {
		l.skipped++
		return nil
	}
	l.listed++
	if len(r.Raw) > maxRaw {
		r.Raw = r.Raw[:maxRaw] + "…"
	}
	return l.em.Quarantine(ctx, r)
}

// rejectedLines are the lines DuckDB's CSV reader rejected in a load.
type rejectedLines struct {
	all map[lineKey]bool
	// shape lists, per file and in order, the lines rejected for their shape
	// (too many or too few columns, bad quoting), which a rescan skips too.
	shape map[string][]int64
}

// line turns the 1-based record number n of a rescan of file into its line:
// one more for the header, one more for each line skipped before it.
func (r rejectedLines) line(file string, n int64) int64 {
	return skipLines(n+1, r.shape[file])
}

// skipLines returns the line of the n-th line read when the (sorted)
// skipped lines were not read.
func skipLines(n int64, skipped []int64) int64 {
	for _, s := range skipped {
		if s <= n {
			n++
		}
	}
	return n
}

// blankLines lists the blank lines of an uncompressed file, in order.
func blankLines(f fileInfo) []int64 {
	var out []int64
	forEachLine(f, func(n int64, line []byte) bool {
		if len(bytes.TrimSpace(line)) == 0 {
			out = append(out, n)
		}
		return true
	})
	return out
}

// quarantineRejects quarantines the lines DuckDB's CSV reader rejected for
// g, one entry per line, and returns those lines.
func (l *loader) quarantineRejects(ctx context.Context, g *group) (rejectedLines, error) {
	seen := rejectedLines{all: map[lineKey]bool{}, shape: map[string][]int64{}}
	n, err := l.queryInt(ctx, fmt.Sprintf("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name IN (%s, %s)",
		literal(g.rejects), literal(g.scans)))
	if err != nil {
		return seen, fmt.Errorf("file source %s: find rejects of %s: %w", l.s.name, g.names(), err)
	}
	if n < 2 {
		return seen, nil // the reader never ran
	}
	// DISTINCT: an emitter may run the reader more than once (each run
	// appends a scan).
	rows, err := l.em.Query(ctx, fmt.Sprintf(`SELECT DISTINCT s.file_path, e.line, COALESCE(e.column_name, ''),
			COALESCE(e.error_message, CAST(e.error_type AS VARCHAR)), COALESCE(e.csv_line, ''), e.error_type = 'CAST'

		FROM temp.main.%s e JOIN temp.main.%s s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
		ORDER BY 1, 2, 3`, ident(g.rejects), ident(g.scans)))
	if err != nil {
		return seen, fmt.Errorf("file source %s: read rejects of %s: %w", l.s.name, g.names(), err)
	}
	rel := map[string]string{}
	for _, in := range g.inputs {
		rel[in.abs] = in.rel
	}
	type entry struct {
		key             lineKey
		fields, reasons []string
		raw             string
		shape           bool
	}
	var entries []*entry
	for rows.Next() {
		var path, field, reason, raw string
		var line int64
		var cast bool
		if err := rows.Scan(&path, &line, &field, &reason, &raw, &cast); err != nil {
			rows.Close()
			return seen, fmt.Errorf("file source %s: read rejects of %s: %w", l.s.name, g.names(), err)
		}
		if r, ok := rel[path]; ok {
			path = r
		}
		k := lineKey{path, line}
		if len(entries) == 0 || entries[len(entries)-1].key != k {
			entries = append(entries, &entry{key: k, raw: raw})
		}
		e := entries[len(entries)-1]
		if field != "" {
			e.fields = append(e.fields, field)
		}
		e.reasons = append(e.reasons, reason)
		e.shape = e.shape || !cast
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return seen, fmt.Errorf("file source %s: read rejects of %s: %w", l.s.name, g.names(), err)
	}
	for _, e := range entries {
		seen.all[e.key] = true
		if e.shape {
			seen.shape[e.key.file] = append(seen.shape[e.key.file], e.key.line)
		}
		err := l.quarantine(ctx, connectors.Rejected{File: e.key.file, Line: e.key.line,
			Field: strings.Join(e.fields, ", "), Reason: strings.Join(e.reasons, "; "), Raw: strings.TrimRight(e.raw, "\r\n")})
		if err != nil {
			return seen, err
		}
	}
	return seen, nil
}

// quarantineCasts scans in again for the rows that a conversion left out
// and quarantines them, skipping lines already quarantined. For CSV the line
// is the record's line, counted as if no quoted field spanned lines.
func (l *loader) quarantineCasts(ctx context.Context, g *group, in *input, conv []conversion, seen rejectedLines) error {
	number := "row_number() OVER ()" // a scan of one file keeps its order
	var blank []int64
	switch g.format {
	case formatParquet:
		number = "file_row_number + 1"
	case formatJSONL:
		blank = blankLines(in.fileInfo) // the reader skips them
	}
	var parts, keys []string
	for _, c := range in.cols {
		if g.format == formatCSV {
			parts = append(parts, "COALESCE(CAST("+ident(c.name)+" AS VARCHAR), '')")
		} else {
			keys = append(keys, literal(c.name)+": "+ident(c.name))
		}
	}
	raw := "concat_ws(" + literal(in.dialect.delim) + ", " + strings.Join(parts, ", ") + ")"
	if g.format != formatCSV {
		raw = "CAST(to_json({" + strings.Join(keys, ", ") + "}) AS VARCHAR)"
	}
	inner := []string{number + " AS " + ident(rowNumber), raw + " AS " + ident(rawText), "*"}
	var outer, failing []string
	var failed []conversion
	for i, c := range conv {
		if !c.canFail {
			continue
		}
		v := ident(fmt.Sprint(valuePrefix, i))
		inner = append(inner, c.expr+" AS "+v)
		outer = append(outer, "CAST("+ident(c.col.name)+" AS VARCHAR)", fmt.Sprintf("(%s IS NOT NULL AND %s IS NULL)", ident(c.col.name), v))
		failed = append(failed, c)
	}
	failing = append(failing, badPredicate(conv))
	q := fmt.Sprintf("SELECT %s, %s, %s FROM (SELECT %s FROM %s) WHERE %s ORDER BY 1",
		ident(rowNumber), ident(rawText), strings.Join(outer, ", "), strings.Join(inner, ", "),
		l.reader(g, []*input{in}, true), strings.Join(failing, " OR "))
	rows, err := l.em.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("file source %s: find rows of %s that did not convert: %w", l.s.name, in.rel, err)
	}
	defer rows.Close()
	dest := make([]any, 2+2*len(failed))
	var line int64
	var rawRow string
	vals := make([]sql.NullString, len(failed))
	bads := make([]bool, len(failed))
	dest[0], dest[1] = &line, &rawRow
	for i := range failed {
		dest[2+2*i], dest[3+2*i] = &vals[i], &bads[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("file source %s: find rows of %s that did not convert: %w", l.s.name, in.rel, err)
		}
		switch g.format {
		case formatCSV:
			line = seen.line(in.rel, line)
		case formatJSONL:
			line = skipLines(line, blank)
		}
		if seen.all[lineKey{in.rel, line}] {
			continue
		}
		var fields, reasons []string
		for i, c := range failed {
			if bads[i] {
				fields = append(fields, c.col.name)
				reasons = append(reasons, fmt.Sprintf("column %q: cannot convert %q to %s", c.col.name, vals[i].String, c.col.canon.Type))
			}
		}
		err := l.quarantine(ctx, connectors.Rejected{File: in.rel, Line: line,
			Field: strings.Join(fields, ", "), Reason: strings.Join(reasons, "; "), Raw: rawRow})
		if err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("file source %s: find rows of %s that did not convert: %w", l.s.name, in.rel, err)
	}
	return nil
}

// malformedJSON is the error for a JSON-lines file DuckDB could not parse,
// naming the first bad line when it can be found.
func malformedJSON(f fileInfo, err error) error {
	if line, ok := firstBadJSONLine(f); ok {
		return malformedJSONAt(f, line, err)
	}
	return &inputError{msg: fmt.Sprintf("%s: malformed JSON: %v", f.rel, err), cause: err}
}

func malformedJSONAt(f fileInfo, line int64, err error) error {
	return &inputError{msg: fmt.Sprintf("%s:%d: malformed JSON line (fix or remove it): %v", f.rel, line, err), cause: err}
}

// firstBadJSONLine returns the number of the first non-blank line of f that
// is not valid JSON. Compressed files are not scanned.
func firstBadJSONLine(f fileInfo) (bad int64, ok bool) {
	forEachLine(f, func(n int64, line []byte) bool {
		if len(bytes.TrimSpace(line)) > 0 && !json.Valid(line) {
			bad, ok = n, true
		}
		return !ok
	})
	return bad, ok
}

// forEachLine calls fn with each line of an uncompressed file and its
// 1-based number until fn returns false. Compressed or unreadable files are
// skipped: these helpers only improve error messages.
func forEachLine(f fileInfo, fn func(n int64, line []byte) bool) {
	if strings.HasSuffix(f.abs, ".gz") || strings.HasSuffix(f.abs, ".zst") {
		return
	}
	file, err := os.Open(f.abs)
	if err != nil {
		return
	}
	defer file.Close()
	r := bufio.NewReaderSize(file, 1<<20)
	for n := int64(1); ; n++ {
		line, err := r.ReadBytes('\n')
		if (len(line) > 0 || err == nil) && !fn(n, line) {
			return
		}
		if err != nil {
			return
		}
	}
}
