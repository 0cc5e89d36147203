package attribution

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestParsePathsDefaultFormatSumsRepeatedRows(t *testing.T) {
	in := "path,total_conversions,total_conversion_value,total_null\n" +
		"a > b,1,2.5,3\n" +
		"c,0,0,2\n" +
		"a>b,2,1.5,0\n" + // the same path, spaced differently
		" a  >  b ,0,0,1\n"
	j, err := ParsePaths(strings.NewReader(in), PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(j.Channels, ","); got != "a,b,c" {
		t.Errorf("channels %s", got)
	}
	if len(j.Paths) != 2 {
		t.Fatalf("%d paths, want 2", len(j.Paths))
	}
	p := j.Paths[0]
	if p.Conversions != 3 || p.Value != 4 || p.Nulls != 4 || len(p.Channels) != 2 {
		t.Errorf("a > b: %+v", p)
	}
}

func TestParsePathsOtherColumnsDelimiterAndSeparator(t *testing.T) {
	in := "\ufeffid;journey;conv;extra\n" +
		"1;search|social|search;2;x\n" +
		"2;\"email|search\";1;y\n"
	f := PathFormat{PathColumn: "journey", ConversionsColumn: "conv", ValueColumn: NoColumn, NullsColumn: NoColumn, Comma: ';', Separator: "|"}
	j, err := ParsePaths(strings.NewReader(in), f)
	if err != nil {
		t.Fatal(err)
	}
	c, v, n := j.Totals()
	if c != 3 || v != 0 || n != 0 || len(j.Paths) != 2 || len(j.Paths[0].Channels) != 3 {
		t.Errorf("totals %v %v %v, paths %+v", c, v, n, j.Paths)
	}
	// A multi-character separator, e.g. ChannelAttribution's " > " as is.
	j, err = ParsePaths(strings.NewReader("path,total_conversions,total_conversion_value,total_null\nx => y,1,1,0\n"), PathFormat{Separator: "=>"})
	if err != nil || len(j.Channels) != 2 || j.Channels[1] != "y" {
		t.Errorf("separator =>: %v %v", j, err)
	}
}

func TestParsePathsUnicodeChannels(t *testing.T) {
	f, err := os.Open("testdata/unicode_paths.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j, err := ParsePaths(f, PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"微信", "天猫 Tmall", "e-mail ✉", "Überweisung"}
	if strings.Join(j.Channels, "|") != strings.Join(want, "|") {
		t.Fatalf("channels %q, want %q", j.Channels, want)
	}
	rs := runAll(t, j, allSpecs()...)
	first, firstVal := rs["first_touch"].Credit("微信")
	if first != 2 || firstVal != 199.5 {
		t.Errorf("first touch 微信 %v, %v; want 2, 199.5", first, firstVal)
	}
	lin, _ := rs["linear"].Credit("天猫 Tmall")
	if !near(lin, 2.0/3+1, 1e-12) {
		t.Errorf("linear 天猫 Tmall %v, want 5/3", lin)
	}
	if c, _ := rs["shapley"].Credit("Überweisung"); c != 0 {
		t.Errorf("shapley credits a null-only channel: %v", c)
	}
}

func TestParsePathsErrorsNameTheLineAndField(t *testing.T) {
	const header = "path,total_conversions,total_conversion_value,total_null\n"
	tests := []struct {
		name, in, want string
	}{
		{"an empty file has no header", "", "line 1: empty file: no header line"},
		{"a missing column is named with the header's columns", "path,conversions\na,1\n", `line 1: no column "total_conversions" in the header (columns: path, conversions)`},
		{"a column twice in the header", "path,path,total_conversions,total_conversion_value,total_null\n", "line 1: field path: column appears twice"},
		{"too few fields", header + "a,1,1,1\nb,1,1\n", "line 3: 3 fields, but the header has 4"},
		{"too many fields", header + "a,1,1,1,9\n", "line 2: 5 fields, but the header has 4"},
		{"conversions not a number", header + "a,1,1,1\na > b,one,1,1\n", `line 3: field total_conversions: "one" is not a finite number`},
		{"empty conversions", header + "a,,1,1\n", "line 2: field total_conversions: empty: want a number"},
		{"negative nulls", header + "a,1,1,-2\n", "line 2: field total_null: -2 is negative"},
		{"NaN value", header + "a,1,NaN,1\n", `line 2: field total_conversion_value: "NaN" is not a finite number`},
		{"infinite conversions", header + "a,Inf,1,1\n", `line 2: field total_conversions: "Inf" is not a finite number`},
		{"an empty channel between separators", header + "a > > b,1,1,1\n", `line 2: field path: channel 2 of "a > > b" is empty`},
		{"a trailing separator", header + "a > b >,1,1,1\n", `line 2: field path: channel 3 of "a > b >" is empty`},
		{"an empty path", header + "a,1,1,1\n  ,1,1,1\n", "line 3: field path: empty path"},
		{"an unterminated quote", header + "a,1,1,1\n\"a > b,1,1,1\n", "line 3: quoted field is not closed before the end of the file"},
		{"a bare quote", header + "a,1,1,1\na \"b\",1,1,1\n", `line 3: bare " in an unquoted field`},
		{"text after a closing quote", header + "\"a\"b,1,1,1\n", `line 2: text after the closing "`},
		{"lines after a quoted line break count", header + "\"a\nb\",1,1,1\nc,x,1,1\n", `line 4: field total_conversions: "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePaths(strings.NewReader(tt.in), PathFormat{})
			if seq := oneThread(func() error { _, err := ParsePaths(strings.NewReader(tt.in), PathFormat{}); return err }); fmt.Sprint(seq) != fmt.Sprint(err) {
				t.Errorf("one goroutine: %v, two: %v", seq, err)
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Errorf("error %T %v is not a *ParseError with a line", err, err)
			}
		})
	}
}

func TestParsePathsBadFormat(t *testing.T) {
	for _, f := range []PathFormat{{Separator: " "}, {Comma: '"'}} {
		if _, err := ParsePaths(strings.NewReader("path,total_conversions\n"), f); err == nil {
			t.Errorf("format %+v accepted", f)
		}
	}
}

func TestCSVReaderAgreesWithEncodingCSV(t *testing.T) {
	inputs := []string{
		"a,b,c\n1,2,3\n",
		"a,b\r\n1,2\r\n",
		"a,b\n\n\n1,2\n",                       // empty lines are skipped
		"a,b\n1,2",                             // no final newline
		"\"a,x\",\"b\"\"q\"\"\"\n\"1\n2\",3\n", // delimiter, doubled quote, line break in quotes
		"a,b,\n,,\n",                           // empty fields
		"ü;ß\n微信;x\n",
		strings.Repeat("x", 3<<20) + ",y\n", // a line longer than the buffer
	}
	for _, in := range inputs {
		comma := ','
		if strings.Contains(in, ";") {
			comma = ';'
		}
		want := csv.NewReader(strings.NewReader(in))
		want.Comma = comma
		want.FieldsPerRecord = -1
		got := newCSVReader(strings.NewReader(in), comma)
		for {
			w, werr := want.Read()
			gerr := got.read()
			if werr == io.EOF || gerr == io.EOF {
				if werr != gerr {
					t.Errorf("%.40q: encoding/csv %v, ours %v", in, werr, gerr)
				}
				break
			}
			if werr != nil || gerr != nil {
				t.Fatalf("%.40q: %v, %v", in, werr, gerr)
			}
			g := make([]string, got.fields())
			for i := range g {
				g[i] = string(got.field(i))
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%.40q: record %.60q, encoding/csv %.60q", in, g, w)
			}
			if l, _ := want.FieldPos(0); l != got.lines[0] {
				t.Errorf("%.40q: line %d, encoding/csv %d", in, got.lines[0], l)
			}
		}
	}
}

func TestParseNumberFastPathIsExact(t *testing.T) {
	for _, s := range []string{"0", "1", "-0", "12.5", "0.244", "3.195", "74802.97", "999999999999999", "0.000000000000001",
		"123456.789012345", "1.", ".5", "-2.75", "1e3", "+4", "1234567890123456789", " 7 "} {
		got, err := parseNumber([]byte(s))
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		want, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if got != want {
			t.Errorf("%q: %v, strconv %v", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		digits := 1 + rng.IntN(15)
		s := strconv.FormatUint(rng.Uint64()%uint64(math.Pow10(digits)), 10)
		if k := rng.IntN(len(s) + 1); k < len(s) {
			s = s[:k] + "." + s[k:]
		}
		got, err := parseNumber([]byte(s))
		want, _ := strconv.ParseFloat(s, 64)
		if err != nil || got != want {
			t.Fatalf("%q: %v (%v), strconv %v", s, got, err, want)
		}
	}
}

// oneThread runs f with GOMAXPROCS 1, where ParsePaths reads and
// aggregates in one goroutine.
func oneThread(f func() error) error {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	return f()
}

func TestParsePathsSameInOneGoroutine(t *testing.T) {
	data, err := os.ReadFile(sharedData(t, "channel_attribution/Data.csv"))
	if err != nil {
		t.Fatal(err)
	}
	two, err := ParsePaths(bytes.NewReader(data), PathFormat{})
	if err != nil {
		t.Fatal(err)
	}
	var one *Journeys
	if err := oneThread(func() (err error) { one, err = ParsePaths(bytes.NewReader(data), PathFormat{}); return err }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, two) {
		t.Error("one and two goroutines read different journeys")
	}
	if len(two.Paths) == 0 || len(two.Paths) >= 10000 {
		t.Errorf("%d distinct paths from 10,000 rows", len(two.Paths))
	}
}

func TestParsePathsManyChannelsRoundTrip(t *testing.T) {
	// 40 channels (past the small-dictionary fast path) written as a file
	// and read back give the journeys a Builder makes.
	rng := rand.New(rand.NewPCG(8, 9))
	b := NewBuilder()
	var file strings.Builder
	file.WriteString("path,total_conversions,total_conversion_value,total_null\n")
	for k := 0; k < 5000; k++ {
		p := make([]string, 1+rng.IntN(7))
		for i := range p {
			p[i] = "channel " + strconv.Itoa(rng.IntN(40))
		}
		conv, val, nulls := float64(rng.IntN(3)), math.Round(rng.Float64()*1e4)/100, float64(rng.IntN(3))
		if err := b.AddNames(p, nil, conv, val, nulls); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&file, "%s,%v,%v,%v\n", strings.Join(p, " > "), conv, val, nulls)
	}
	want := b.Journeys()
	for _, threads := range []bool{false, true} {
		var got *Journeys
		parse := func() (err error) {
			got, err = ParsePaths(strings.NewReader(file.String()), PathFormat{})
			return err
		}
		var err error
		if threads {
			err = parse()
		} else {
			err = oneThread(parse)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read back (one goroutine: %v) differs from the built journeys", !threads)
		}
	}
}
