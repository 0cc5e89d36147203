package connectors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Source reads the streams of one configured external system.
//
// Read must honour ctx cancellation and return promptly when it is done. A
// Source is used by one goroutine at a time.
type Source interface {
	// Streams lists what this source produces. It must not touch the network.
	Streams() []Stream
	// Read emits every row of req.Stream after req.Cursor (or in req.Backfill)
	// through out, calling out.Checkpoint with a new cursor at least once at the
	// end. Rows emitted after the last Checkpoint are discarded by the pipeline.
	Read(ctx context.Context, req ReadRequest, out Emitter) error
	// Close releases connections and files.
	Close() error
}

// Checker is implemented by sources that can test their configuration or
// credentials cheaply (pacer validate --online).
type Checker interface {
	Check(ctx context.Context) error
}

// Stream describes one stream of a source.
type Stream struct {
	// Name is the stream's name within the source; the raw table is
	// raw.<source>__<Name>.
	Name string
	// Canonical names the canonical stream (see Canonical) these rows feed.
	Canonical string
	// Description says what one row is.
	Description string
	// Schema is the Arrow schema of emitted batches; nil when the source loads
	// through SQLEmitter and DuckDB infers the columns.
	Schema *arrow.Schema
	// Key lists the columns that identify a row (documentation and checks).
	Key []string
	// DateColumn is the column Emitter.Replace deletes by: a DATE column holds
	// the source's reporting day; a TIMESTAMP/TIMESTAMPTZ column is compared by
	// UTC calendar day. Empty means Replace deletes every row.
	DateColumn string
	// LookbackDays is the restatement window: days before the cursor that are
	// re-read and replaced on every incremental sync. Rows inside it are provisional.
	LookbackDays int
}

// ReadRequest says what a Read call must produce.
type ReadRequest struct {
	// Stream is the stream's Name.
	Stream string
	// Cursor is what the source last checkpointed, or nil on a first or full sync.
	Cursor []byte
	// Until is the last reporting day to read (inclusive), normally yesterday in
	// the configured timezone. Sources must not emit days after it.
	Until time.Time
	// Backfill, when set, asks for exactly these days: the source calls Replace
	// for them and re-reads them, whatever the cursor says.
	Backfill *DateRange
	// Logger carries run_id, source and stream.
	Logger *slog.Logger
}

// Emitter receives a stream's rows. The pipeline owns the transaction:
// everything emitted before a Checkpoint commits atomically with that cursor.
type Emitter interface {
	// Batch appends rows in the stream's schema. The emitter does not retain rec
	// after Batch returns; the caller still owns (and releases) it.
	Batch(ctx context.Context, rec arrow.RecordBatch) error
	// Replace deletes the stored rows of the days in r, so that re-emitting them
	// does not duplicate. A zero DateRange deletes every stored row of the
	// stream (a full reload). It takes effect in the same transaction as the batches.
	Replace(ctx context.Context, r DateRange) error
	// Checkpoint commits all rows emitted so far together with cursor.
	Checkpoint(ctx context.Context, cursor []byte) error
	// Quarantine records rows the source rejected, with the reason.
	Quarantine(ctx context.Context, rows ...Rejected) error
}

// SQLEmitter is implemented by emitters backed by DuckDB. Sources that read
// files use it so that DuckDB's own readers (read_csv, read_parquet,
// read_json) load them at full speed.
type SQLEmitter interface {
	Emitter
	// InsertSelect inserts the rows of a DuckDB SELECT into the stream's raw
	// table (matching columns by name) and returns how many were inserted.
	InsertSelect(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a read-only query inside the load transaction.
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ErrInvalidInput is wrapped by sources whose input (a file, a column, a
// value) is wrong in a way the user must fix; the run exits 2 for it.
var ErrInvalidInput = errors.New("invalid input")

// Rejected is a row a source could not accept.
type Rejected struct {
	File   string // file or URL the row came from, without secrets
	Line   int64  // 1-based line or record number, 0 when unknown
	Field  string // column at fault, when known
	Reason string // what is wrong, for a human
	Raw    string // the offending row as text, truncated
}

// DateRange is an inclusive range of calendar days. From and To are dates at
// midnight UTC.
type DateRange struct {
	From, To time.Time
}

// IsZero reports whether r is the zero range (meaning "everything").
func (r DateRange) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// Days returns the number of days in r (0 when To is before From).
func (r DateRange) Days() int {
	if r.To.Before(r.From) {
		return 0
	}
	return int(r.To.Sub(r.From).Hours()/24) + 1
}

func (r DateRange) String() string {
	return r.From.Format(time.DateOnly) + ".." + r.To.Format(time.DateOnly)
}

// Day truncates t to its calendar day at midnight UTC, reading the calendar
// date in t's own location.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Field documents one configuration key of a connector type.
type Field struct {
	Name        string
	Description string
	Example     string
	Default     string
	Required    bool
	Secret      bool // must come from ${ENV}; never logged
}

// Config is what a connector factory gets: the source's common settings and a
// strict decoder for its own keys.
type Config struct {
	// Name is the source's unique name from pacer.yaml.
	Name string
	// StartDate is the first day to read on a first sync (zero: the type's default).
	StartDate time.Time
	// LookbackDays overrides the type's default restatement window when > 0.
	LookbackDays int
	// Dir is the directory of the config file; relative paths are relative to it.
	Dir string
	// Decode strictly decodes the source's type-specific keys into v (a pointer
	// to a struct with yaml tags); unknown keys are errors naming file and line.
	Decode func(v any) error
	// Logger is the run's logger.
	Logger *slog.Logger
	// Tokens keeps credentials a platform rotates (a refresh that returns a
	// new refresh token and kills the old one: Microsoft, Ocean Engine). A
	// connector saves the new one at once and, on the next run, prefers a
	// saved token to the one in the configuration. Nil when nothing can be
	// kept (then a rotating platform must be configured with a long-lived
	// credential).
	Tokens TokenStore
}

// TokenStore keeps rotated credentials between runs, outside the warehouse
// (the DuckDB file is shared with analysts; credentials are not data).
// Keys are the connector's own (e.g. "refresh_token"); the store scopes
// them to the source. Save must be atomic: a crash leaves the old value or
// the new one, never a mix.
type TokenStore interface {
	Load(key string) (Secret, bool, error)
	Save(key string, value Secret) error
}

// TokenPairStore is a TokenStore that can also save several keys in one
// atomic write (a rotated refresh and access token together). Connectors
// use it when the store offers it.
type TokenPairStore interface {
	TokenStore
	SaveAll(values map[string]Secret) error
}

// Spec describes a connector type: its documentation and its factory.
type Spec struct {
	// Type is the name used in pacer.yaml's "type:".
	Type string
	// Summary is one sentence for docs and `pacer init`.
	Summary string
	// Fields documents the type-specific keys.
	Fields []Field
	// New builds a Source. It validates config offline and must not touch the network.
	New func(cfg Config) (Source, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]Spec{}
)

// Register makes a connector type available by spec.Type. It panics if the
// type is registered twice or the spec has no New: both are programmer errors.
func Register(spec Spec) {
	regMu.Lock()
	defer regMu.Unlock()
	if spec.New == nil || spec.Type == "" {
		panic("connectors: Register with empty type or nil New")
	}
	if _, dup := registry[spec.Type]; dup {
		panic("connectors: Register called twice for " + spec.Type)
	}
	registry[spec.Type] = spec
}

// ErrUnknownType is returned (wrapped) by Lookup for a type nobody registered.
var ErrUnknownType = errors.New("unknown connector type")

// Lookup returns the spec registered for typ.
func Lookup(typ string) (Spec, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	s, ok := registry[typ]
	if !ok {
		return Spec{}, fmt.Errorf("%w %q (known: %s; forgotten import in connectors/all?)",
			ErrUnknownType, typ, strings.Join(typesLocked(), ", "))
	}
	return s, nil
}

// Types lists the registered connector types, sorted.
func Types() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	return typesLocked()
}

func typesLocked() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
