package file

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Type:    "file",
		Summary: "CSV, Parquet or JSON-lines files feeding one canonical stream, read by DuckDB itself.",
		Fields: []connectors.Field{
			{Name: "path", Description: "glob of the files, relative to the config file (or use paths:)", Example: "data/orders*.csv"},
			{Name: "paths", Description: "list of globs, instead of path:", Example: "[data/2025/*.csv, data/2026/*.csv]"},
			{Name: "stream", Description: "canonical stream the files feed: " + strings.Join(connectors.CanonicalNames(), ", "), Example: "orders", Required: true},
			{Name: "format", Description: "auto (by extension: .csv/.tsv/.txt, .parquet/.pq, .jsonl/.ndjson/.json, optionally .gz/.zst), csv, parquet or jsonl", Example: "csv", Default: "auto"},
			{Name: "delimiter", Description: "CSV field delimiter; sniffed by DuckDB when absent", Example: ";"},
			{Name: "columns", Description: "rename map, canonical column <- file column", Example: "{amount: total, ts: created_at}"},
			{Name: "timezone", Description: "IANA zone of timestamps written without an offset", Example: "Europe/Berlin", Default: "UTC"},
		},
		New: New,
	})
}

// options are the type-specific keys of a file source.
type options struct {
	Path      string            `yaml:"path"`
	Paths     []string          `yaml:"paths"`
	Stream    string            `yaml:"stream"`
	Format    string            `yaml:"format"`
	Delimiter string            `yaml:"delimiter"`
	Columns   map[string]string `yaml:"columns"`
	Timezone  string            `yaml:"timezone"`
}

// Formats a file source reads.
const (
	formatAuto    = "auto"
	formatCSV     = "csv"
	formatParquet = "parquet"
	formatJSONL   = "jsonl"
)

// New builds a file source from cfg. It validates the keys offline and
// reports every problem at once; it does not look at the files.
func New(cfg connectors.Config) (connectors.Source, error) {
	var o options
	if cfg.Decode != nil {
		if err := cfg.Decode(&o); err != nil {
			return nil, err
		}
	}
	var errs []error
	var patterns []string
	switch {
	case o.Path != "" && len(o.Paths) > 0:
		errs = append(errs, errors.New("set path or paths, not both"))
	case o.Path != "":
		patterns = []string{o.Path}
	case len(o.Paths) > 0:
		patterns = o.Paths
	default:
		errs = append(errs, errors.New("path is required (a file or glob such as data/orders*.csv)"))
	}
	for _, p := range patterns {
		if p == "" {
			errs = append(errs, errors.New("paths: empty entry"))
		} else if _, err := filepath.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("path %q: %w", p, err))
		}
	}
	canon, err := connectors.LookupCanonical(o.Stream)
	if o.Stream == "" {
		errs = append(errs, fmt.Errorf("stream is required (one of %s)", strings.Join(connectors.CanonicalNames(), ", ")))
	} else if err != nil {
		errs = append(errs, fmt.Errorf("stream: %w", err))
	}
	if o.Format == "" {
		o.Format = formatAuto
	}
	if !slices.Contains([]string{formatAuto, formatCSV, formatParquet, formatJSONL}, o.Format) {
		errs = append(errs, fmt.Errorf("format %q must be auto, csv, parquet or jsonl", o.Format))
	}
	if o.Delimiter != "" && (o.Format == formatParquet || o.Format == formatJSONL) {
		errs = append(errs, fmt.Errorf("delimiter is for CSV files, not format %s", o.Format))
	}
	if err == nil {
		errs = append(errs, checkColumns(canon, o.Columns)...)
	}
	if o.Timezone == "" {
		o.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(o.Timezone); err != nil {
		errs = append(errs, fmt.Errorf("timezone %q: not an IANA time zone name such as Europe/Berlin", o.Timezone))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("config directory: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	rename := map[string]string{}
	for c, f := range o.Columns {
		rename[strings.ToLower(c)] = f
	}
	return &Source{
		name:     cfg.Name,
		dir:      dir,
		patterns: patterns,
		canon:    canon,
		format:   o.Format,
		delim:    o.Delimiter,
		rename:   rename,
		tz:       o.Timezone,
		log:      log,
		settings: fingerprint(o),
	}, nil
}

// checkColumns validates the rename map against the canonical stream.
func checkColumns(canon connectors.CanonicalStream, cols map[string]string) []error {
	var errs []error
	known := make([]string, len(canon.Columns))
	for i, c := range canon.Columns {
		known[i] = c.Name
	}
	from := map[string]string{}
	for _, c := range slices.Sorted(maps.Keys(cols)) {
		f := cols[c]
		if !slices.Contains(known, strings.ToLower(c)) {
			errs = append(errs, fmt.Errorf("columns: %q is not a column of stream %s (columns: %s)", c, canon.Name, strings.Join(known, ", ")))
		}
		if f == "" {
			errs = append(errs, fmt.Errorf("columns: %s: name the file column it comes from", c))
			continue
		}
		if other, dup := from[strings.ToLower(f)]; dup {
			errs = append(errs, fmt.Errorf("columns: %s and %s both come from file column %q", other, c, f))
		}
		from[strings.ToLower(f)] = c
	}
	return errs
}

// fingerprint identifies the settings that change what a load produces, so
// that editing them reloads unchanged files.
func fingerprint(o options) string {
	b, _ := json.Marshal(struct {
		V                                   int
		Stream, Format, Delimiter, Timezone string
		Columns                             map[string]string
	}{1, o.Stream, o.Format, o.Delimiter, o.Timezone, o.Columns})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
