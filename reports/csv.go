package reports

import (
	"bytes"
	"encoding/csv"
)

// bundleFile is one file of the bundle, by its slash-separated path.
type bundleFile struct {
	Path string
	Data []byte
}

// csvTable builds one CSV file in memory: a header and rows, RFC 4180,
// LF line endings, UTF-8 without BOM.
type csvTable struct {
	buf bytes.Buffer
	w   *csv.Writer
}

// newCSV starts a CSV file with the given header.
func newCSV(header ...string) *csvTable {
	t := &csvTable{}
	t.w = csv.NewWriter(&t.buf)
	t.row(header...)
	return t
}

// row appends one record. Writes to a bytes.Buffer cannot fail, and every
// record has the header's field count by construction.
func (t *csvTable) row(fields ...string) { _ = t.w.Write(fields) }

// file flushes the table into a bundle file at path.
func (t *csvTable) file(path string) bundleFile {
	t.w.Flush()
	return bundleFile{Path: path, Data: bytes.Clone(t.buf.Bytes())}
}
