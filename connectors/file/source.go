package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// Source reads the files of one configured file source into its single
// stream, named after the canonical stream it feeds. It is used by one
// goroutine at a time.
type Source struct {
	name     string
	dir      string   // absolute; relative paths start here
	patterns []string // globs as configured
	canon    connectors.CanonicalStream
	format   string
	delim    string
	rename   map[string]string // lower-case canonical column -> file column
	tz       string
	log      *slog.Logger
	settings string // fingerprint of the options, kept in the cursor
}

var (
	_ connectors.Source  = (*Source)(nil)
	_ connectors.Checker = (*Source)(nil)
)

// Streams returns the one stream of the source. Its Schema is nil: DuckDB
// infers the columns.
func (s *Source) Streams() []connectors.Stream {
	return []connectors.Stream{{
		Name:        s.canon.Name,
		Canonical:   s.canon.Name,
		Description: s.canon.Grain + ", as read from " + strings.Join(s.patterns, ", "),
		Key:         s.canon.Key,
		DateColumn:  s.canon.DateColumn,
	}}
}

// Close releases nothing: files are opened by DuckDB only during Read.
func (s *Source) Close() error { return nil }

// Check reports an error when a configured glob matches no file.
func (s *Source) Check(ctx context.Context) error {
	_, err := s.expand()
	return err
}

// fileInfo is one matched file.
type fileInfo struct {
	abs, rel string
	size     int64
	mtime    time.Time
}

// Read loads every matched file into out unless the files and settings are
// those of req.Cursor. out must implement connectors.SQLEmitter.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, out connectors.Emitter) error {
	if req.Stream != s.canon.Name {
		return fmt.Errorf("file source %s: unknown stream %q (it has %s)", s.name, req.Stream, s.canon.Name)
	}
	log := req.Logger
	if log == nil {
		log = s.log
	}
	files, err := s.expand()
	if err != nil {
		return err
	}
	cur := s.cursor(files)
	if req.Backfill == nil && req.Cursor != nil && sameCursor(req.Cursor, cur) {
		log.InfoContext(ctx, "files unchanged; nothing to load", "files", len(files))
		return out.Checkpoint(ctx, req.Cursor)
	}
	em, ok := out.(connectors.SQLEmitter)
	if !ok {
		return fmt.Errorf("file source %s: the emitter (%T) cannot run DuckDB queries (connectors.SQLEmitter)", s.name, out)
	}
	start := time.Now()
	l := newLoader(s, em, log)
	rows, quarantined, err := l.run(ctx, files)
	if err != nil {
		return err
	}
	if err := out.Checkpoint(ctx, cur); err != nil {
		return err
	}
	log.InfoContext(ctx, "files loaded", "files", len(files), "rows", rows, "quarantined", quarantined,
		"duration_ms", time.Since(start).Milliseconds())
	return nil
}

// expand returns the files matched by the globs, sorted by path and without
// duplicates. A glob matching nothing is an invalid-input error naming it.
func (s *Source) expand() ([]fileInfo, error) {
	seen := map[string]bool{}
	var out []fileInfo
	var missing []string
	for _, p := range s.patterns {
		pat := p
		if !filepath.IsAbs(pat) {
			pat = filepath.Join(s.dir, pat)
		}
		matches, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
		n := 0
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				return nil, fmt.Errorf("stat %s: %w", m, err)
			}
			if fi.IsDir() {
				continue
			}
			n++
			if seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, fileInfo{abs: m, rel: s.relative(m), size: fi.Size(), mtime: fi.ModTime()})
		}
		if n == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return nil, inputErrorf("file source %s: no file matches %s (relative to %s)", s.name, quoteList(missing), s.dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].abs < out[j].abs })
	return out, nil
}

// relative is path relative to the config directory, with forward slashes,
// or the absolute path for a file outside it.
func (s *Source) relative(path string) string {
	rel, err := filepath.Rel(s.dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// cursorState is what a file source checkpoints.
type cursorState struct {
	Files map[string]fileState `json:"files"`
	// Settings fingerprints stream, format, delimiter, columns and timezone,
	// so that changing them reloads unchanged files.
	Settings string `json:"settings,omitempty"`
}

type fileState struct {
	Size  int64  `json:"size"`
	Mtime string `json:"mtime"`
}

func (s *Source) cursor(files []fileInfo) []byte {
	c := cursorState{Files: map[string]fileState{}, Settings: s.settings}
	for _, f := range files {
		c.Files[f.rel] = fileState{Size: f.size, Mtime: f.mtime.UTC().Format(time.RFC3339Nano)}
	}
	b, _ := json.Marshal(c) // maps marshal with sorted keys: stable bytes
	return b
}

func sameCursor(old, cur []byte) bool {
	if bytes.Equal(old, cur) {
		return true
	}
	var a, b cursorState
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(cur, &b) != nil {
		return false
	}
	return a.Settings == b.Settings && maps.Equal(a.Files, b.Files)
}

// inputError is a problem with the input files that the user must fix; it
// wraps connectors.ErrInvalidInput.
type inputError struct {
	msg   string
	cause error // what DuckDB said, when it said something
}

func (e *inputError) Error() string { return e.msg }

func (e *inputError) Unwrap() []error {
	if e.cause == nil {
		return []error{connectors.ErrInvalidInput}
	}
	return []error{connectors.ErrInvalidInput, e.cause}
}

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
