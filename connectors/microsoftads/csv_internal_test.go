package microsoftads

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
)

// csvRecords reads body with encoding/csv as the report reader promises to
// (LazyQuotes, any number of fields), skipping nothing.
func csvRecords(body []byte) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(body))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr.ReadAll()
}

// fastRecords reads body with recordReader.
func fastRecords(body []byte) ([][]string, error) {
	r := &recordReader{body: body}
	var out [][]string
	for {
		rec, err := r.read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		row := make([]string, len(rec))
		for i, f := range rec {
			row[i] = string(f)
		}
		out = append(out, row)
	}
}

// TestRecordReaderMatchesEncodingCSV compares the report's CSV reader with
// encoding/csv on hand-picked bodies and on 20,000 random ones built from
// the characters that matter (quotes, commas, line breaks, \r).
func TestRecordReaderMatchesEncodingCSV(t *testing.T) {
	bodies := []string{
		"a,b,c\n1,2,3\n",
		"\"Campaign, \"\"Winter\"\"\",12.50\r\n",
		"\"multi\nline\",x\n",
		"bare \" quote,1\n",
		"\"closed\"then,2\n",
		"\n\n,\n\"\"\n",
		"last line without newline,\"q\"",
		"trailing\r",
		"\"unterminated,1\n2,3\n",
		"Gift Boxes 礼盒,\"茶 \"\"Tea\"\"\",--\n",
	}
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []byte("ab,\"\n\r ")
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		bodies = append(bodies, string(b))
	}
	for _, body := range bodies {
		want, werr := csvRecords([]byte(body))
		got, gerr := fastRecords([]byte(body))
		if (werr == nil) != (gerr == nil) || (werr == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("body %q:\n encoding/csv %q, %v\n recordReader %q, %v", body, want, werr, got, gerr)
		}
	}
}
