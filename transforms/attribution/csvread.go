package attribution

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// csvReader reads RFC 4180 records (as encoding/csv does without
// LazyQuotes, skipping empty lines) into reused byte buffers, for speed on
// files of hundreds of thousands of lines: a record's fields are valid
// until the next call of read.
type csvReader struct {
	r     *bufio.Reader
	comma []byte
	line  int // lines read so far
	// The current record: its fields in buf, field i being
	// buf[starts[i]:ends[i]], starting on line lines[i].
	buf          []byte
	own          []byte // buf's memory when it is not the line itself
	starts, ends []int
	lines        []int
	long         []byte // a line longer than the bufio buffer
}

func newCSVReader(r io.Reader, comma rune) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 1<<20), comma: utf8.AppendRune(nil, comma)}
}

// field returns field i of the current record.
func (c *csvReader) field(i int) []byte { return c.buf[c.starts[i]:c.ends[i]] }

// fields returns the number of fields of the current record.
func (c *csvReader) fields() int { return len(c.ends) }

// readLine returns the next line without its line ending, or io.EOF.
func (c *csvReader) readLine() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], l...)
		for err == bufio.ErrBufferFull {
			l, err = c.r.ReadSlice('\n')
			c.long = append(c.long, l...)
		}
		l = c.long
	}
	if len(l) > 0 && err == io.EOF {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	c.line++
	l = bytes.TrimSuffix(l, []byte{'\n'})
	l = bytes.TrimSuffix(l, []byte{'\r'})
	return l, nil
}

// read reads the next record; at the end of the input it returns io.EOF.
func (c *csvReader) read() error {
	var l []byte
	for {
		var err error
		if l, err = c.readLine(); err != nil {
			return err
		}
		if len(l) > 0 {
			break // empty lines are skipped
		}
	}
	c.starts, c.ends, c.lines = c.starts[:0], c.ends[:0], c.lines[:0]
	if len(c.comma) == 1 && bytes.IndexByte(l, '"') < 0 {
		// The common line: no quotes, a one-byte delimiter. The fields
		// are slices of the line itself.
		c.buf = l
		d := c.comma[0]
		c.starts = append(c.starts, 0)
		for i, b := range l {
			if b == d {
				c.ends = append(c.ends, i)
				c.starts = append(c.starts, i+1)
			}
		}
		c.ends = append(c.ends, len(l))
		for range c.ends {
			c.lines = append(c.lines, c.line)
		}
		return nil
	}
	c.buf = c.own[:0]
	defer func() { c.own = c.buf[:0] }()
	for {
		c.lines = append(c.lines, c.line)
		c.starts = append(c.starts, len(c.buf))
		if len(l) == 0 || l[0] != '"' {
			// Unquoted field: up to the next delimiter.
			i := bytes.Index(l, c.comma)
			f := l
			if i >= 0 {
				f = l[:i]
			}
			if bytes.IndexByte(f, '"') >= 0 {
				return &ParseError{Line: c.line, Err: errors.New(`bare " in an unquoted field (quote the whole field and double the quote)`)}
			}
			c.buf = append(c.buf, f...)
			c.ends = append(c.ends, len(c.buf))
			if i < 0 {
				return nil
			}
			l = l[i+len(c.comma):]
			continue
		}
		// Quoted field, possibly over several lines; "" is a quote.
		start := c.line
		l = l[1:]
		for {
			i := bytes.IndexByte(l, '"')
			if i < 0 {
				c.buf = append(c.buf, l...)
				c.buf = append(c.buf, '\n')
				var err error
				if l, err = c.readLine(); err != nil {
					if err == io.EOF {
						return &ParseError{Line: start, Err: errors.New("quoted field is not closed before the end of the file")}
					}
					return err
				}
				continue
			}
			c.buf = append(c.buf, l[:i]...)
			l = l[i+1:]
			if len(l) > 0 && l[0] == '"' {
				c.buf = append(c.buf, '"')
				l = l[1:]
				continue
			}
			break
		}
		c.ends = append(c.ends, len(c.buf))
		switch {
		case len(l) == 0:
			return nil
		case bytes.HasPrefix(l, c.comma):
			l = l[len(c.comma):]
		default:
			return &ParseError{Line: c.line, Err: errors.New(`text after the closing " of a quoted field`)}
		}
	}
}
