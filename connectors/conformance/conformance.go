package conformance

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Failure kinds a Fake injects with Inject.
const (
	// Throttle is the platform's own throttle answer (429, 200 with a code,
	// a 400 code...) with a wait hint of ThrottleHint.
	Throttle = "throttle"
	// ServerError is a transient 5xx.
	ServerError = "server_error"
	// Malformed is an answer whose JSON is cut short.
	Malformed = "malformed"
	// ExpiredToken invalidates the access token and answers as the platform
	// does for an expired one; a refresh then works.
	ExpiredToken = "expired_token"
	// Revoked invalidates the access token and the refresh token: the
	// refresh fails and the read must stop at once.
	Revoked = "revoked"
	// PermissionDenied is the platform's permanent permission error, whose
	// message is PermanentMessage.
	PermissionDenied = "permission_denied"
)

// Null is how Fake.Expected writes a NULL value.
const Null = "NULL"

// Fake is what the suite needs from a platform fake. A fake package
// (googleadstest, metatest, ...) implements it without importing this
// package, so that the demo can use the fake outside tests.
type Fake interface {
	// Config returns the source's type-specific keys as YAML (as under
	// sources: in pacer.yaml, without name, type, start_date and
	// lookback_days) pointing base_url and token_url at the fake, with
	// secrets written as ${NAME}, and the environment defining them.
	Config() (yaml string, env map[string]string)
	// Secrets lists every credential: configured values and each access
	// token the fake issued. None may appear in logs, errors or rows.
	Secrets() []string
	// SetPageSize makes pages (batches) hold at most n rows.
	SetPageSize(n int)
	// Inject makes the nth data request from now (1 = the next) answer with
	// a failure kind (Throttle, ServerError, ...). Each fires once.
	Inject(n int, kind string)
	// Restate changes the values of day, as a platform restating data.
	Restate(day time.Time)
	// Expected returns the rows the stream must hold for the days of r:
	// canonical (and extra) columns as text, NULL as Null, numbers in any
	// exact decimal form.
	Expected(r connectors.DateRange) []map[string]string
	// Days returns the days the fake has data for (at least 12).
	Days() connectors.DateRange
	// Requests and Pages count the data requests received and pages sent.
	Requests() int
	Pages() int
	// ThrottleHint is the wait the Throttle answer asks for.
	ThrottleHint() time.Duration
	// PermanentMessage is the platform's message in the PermissionDenied answer.
	PermanentMessage() string
}

// Harness tells Run how to build a connector and its fake.
type Harness struct {
	// Type is the registered connector type ("google_ads").
	Type string
	// New builds a source; opts must reach the connector's httpkit.Client.
	// Wrap a connector's New with Factory.
	New func(cfg connectors.Config, opts ...httpkit.Option) (connectors.Source, error)
	// Start starts a fresh fake for one check and closes it with t.Cleanup.
	Start func(t testing.TB) Fake
	// Lookback is the lookback_days the restatement check configures
	// (default 5; the fake's Days must span at least twice as many).
	Lookback int
	// PageSize is the page size for the full sync (default 3).
	PageSize int
	// Skip names checks that do not apply, with the reason, e.g.
	// {"expired_token": "Meta tokens cannot be refreshed"}. The checks:
	// spec, unknown_keys, full_sync, resume, throttle, transient,
	// expired_token, permission_denied, revoked, restatement, backfill,
	// account_time_zone, cancel, idempotent.
	Skip map[string]string
}

// Factory adapts a connector's typed New to Harness.New.
func Factory[S connectors.Source](f func(connectors.Config, ...httpkit.Option) (S, error)) func(connectors.Config, ...httpkit.Option) (connectors.Source, error) {
	return func(cfg connectors.Config, opts ...httpkit.Option) (connectors.Source, error) {
		s, err := f(cfg, opts...)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Run runs every check as a subtest of t.
func Run(t *testing.T, h Harness) {
	if h.Lookback <= 0 {
		h.Lookback = 5
	}
	if h.PageSize <= 0 {
		h.PageSize = 3
	}
	checks := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"spec", checkSpec},
		{"unknown_keys", checkUnknownKeys},
		{"full_sync", checkFullSync},
		{"resume", checkResume},
		{"throttle", checkThrottle},
		{"transient", checkTransient},
		{"expired_token", checkExpiredToken},
		{"permission_denied", checkPermissionDenied},
		{"revoked", checkRevoked},
		{"restatement", checkRestatement},
		{"backfill", checkBackfill},
		{"account_time_zone", checkAccountTimeZone},
		{"cancel", checkCancel},
		{"idempotent", checkIdempotent},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := h.Skip[c.name]; ok {
				t.Skip(why)
			}
			c.fn(t, h)
		})
	}
}

// env is one check's world: a fake, a clock, a log, a DuckDB emitter.
type env struct {
	t      *testing.T
	h      Harness
	fake   Fake
	clock  *httpkit.FakeClock
	logs   *bytes.Buffer
	log    *slog.Logger
	db     *sql.DB
	em     *conntest.Emitter
	stream connectors.Stream
	errs   []error
	ctx    context.Context
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	e := &env{t: t, h: h, fake: h.Start(t), logs: &bytes.Buffer{}, ctx: t.Context()}
	days := e.fake.Days()
	if days.Days() < 2*h.Lookback+2 {
		t.Fatalf("conformance: the fake serves %d days; it needs at least %d", days.Days(), 2*h.Lookback+2)
	}
	// Noon UTC two days after the last day: every zone has finished it.
	e.clock = httpkit.NewFakeClock(days.To.AddDate(0, 0, 2).Add(12 * time.Hour))
	e.log = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := e.source()
	streams := src.Streams()
	_ = src.Close()
	if len(streams) == 0 {
		t.Fatal("conformance: the source has no streams")
	}
	e.stream = streams[0]
	e.db = conntest.OpenDB(t)
	e.em = conntest.NewEmitter(t, e.db, "raw_stream", conntest.WithDateColumn(e.stream.DateColumn))
	t.Cleanup(e.checkSecrets)
	return e
}

// config builds the connectors.Config of the fake's YAML.
func (e *env) config(extra string) connectors.Config {
	e.t.Helper()
	y, vars := e.fake.Config()
	return connectors.Config{
		Name:         "conformance",
		StartDate:    e.fake.Days().From,
		LookbackDays: e.h.Lookback,
		Dir:          e.t.TempDir(),
		Decode:       func(v any) error { return decodeStrict(y+extra, vars, v) },
		Logger:       e.log,
	}
}

func (e *env) opts() []httpkit.Option {
	return []httpkit.Option{httpkit.WithClock(e.clock), httpkit.WithLoopbackOnly(), httpkit.WithRand(func() float64 { return 0.5 })}
}

// source builds a fresh source, as each pipeline run does.
func (e *env) source() connectors.Source {
	e.t.Helper()
	src, err := e.h.New(e.config(""), e.opts()...)
	if err != nil {
		e.t.Fatalf("conformance: New on the fake's config: %v", err)
	}
	return src
}

// sync reads the stream up to until like a pipeline run: from the last
// committed cursor, rolling back what a failed Read emitted.
func (e *env) sync(until time.Time, backfill *connectors.DateRange) error {
	e.t.Helper()
	return e.syncCtx(e.ctx, until, backfill)
}

func (e *env) syncCtx(ctx context.Context, until time.Time, backfill *connectors.DateRange) error {
	e.t.Helper()
	src := e.source()
	defer src.Close()
	err := src.Read(ctx, connectors.ReadRequest{
		Stream: e.stream.Name, Cursor: e.em.Cursor(), Until: until, Backfill: backfill,
		Logger: e.log.With("run", len(e.errs)+1),
	}, e.em)
	if err != nil {
		if rerr := e.em.Rollback(context.WithoutCancel(ctx)); rerr != nil {
			e.t.Fatalf("rollback: %v", rerr)
		}
	}
	e.errs = append(e.errs, err)
	return err
}

func (e *env) mustSync(until time.Time) {
	e.t.Helper()
	if err := e.sync(until, nil); err != nil {
		e.t.Fatalf("sync through %s: %v", until.Format(time.DateOnly), err)
	}
}

// checkSecrets fails the check when a secret shows in its logs, errors or rows.
func (e *env) checkSecrets() {
	t := e.t
	secrets := e.fake.Secrets()
	var where []string
	look := func(what, text string) {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				where = append(where, fmt.Sprintf("%s contains secret %.6s…", what, s))
			}
		}
	}
	for i, line := range strings.Split(e.logs.String(), "\n") {
		look(fmt.Sprintf("log line %d", i+1), line)
	}
	for i, err := range e.errs {
		if err != nil {
			look(fmt.Sprintf("error of sync %d (%v)", i+1, err), err.Error())
			look(fmt.Sprintf("error of sync %d, %%+v", i+1), fmt.Sprintf("%+v %#v", err, err))
		}
	}
	for _, r := range e.em.Quarantined() {
		look("a quarantined row", r.File+" "+r.Field+" "+r.Reason+" "+r.Raw)
	}
	if rows, err := e.tableText(); err == nil {
		look("a stored row", rows)
	}
	if len(where) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(where, "\n"))
	}
}

// tableText renders the whole table as text.
func (e *env) tableText() (string, error) {
	rows, err := e.em.Query(context.WithoutCancel(e.ctx), "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM raw_stream")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for _, v := range vals {
			b.WriteString(v.String)
			b.WriteByte('\t')
		}
		b.WriteByte('\n')
	}
	return b.String(), rows.Err()
}

// loaded returns the stored rows as text maps.
func (e *env) loaded() []map[string]string {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(e.ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'raw_stream'").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	if n == 0 {
		return nil
	}
	rows, err := e.db.QueryContext(e.ctx, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM raw_stream")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		m := map[string]string{}
		for i, c := range cols {
			m[c] = Null
			if vals[i].Valid {
				m[c] = vals[i].String
			}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) key(m map[string]string) string {
	parts := make([]string, len(e.stream.Key))
	for i, k := range e.stream.Key {
		v, ok := m[k]
		if !ok {
			v = Null
		}
		parts[i] = v
	}
	return strings.Join(parts, "|")
}

// compare checks that the stored rows, restricted to keep, are exactly want.
func (e *env) compare(want []map[string]string, keep func(map[string]string) bool) {
	e.t.Helper()
	got := map[string]map[string]string{}
	var dups []string
	for _, m := range e.loaded() {
		if keep != nil && !keep(m) {
			continue
		}
		k := e.key(m)
		if _, dup := got[k]; dup {
			dups = append(dups, k)
		}
		got[k] = m
	}
	if len(dups) > 0 {
		e.t.Errorf("%d duplicated rows, e.g. %s", len(dups), dups[0])
	}
	var problems []string
	seen := map[string]bool{}
	for _, w := range want {
		k := e.key(w)
		seen[k] = true
		g, ok := got[k]
		if !ok {
			problems = append(problems, "missing row "+k)
			continue
		}
		for _, col := range slices.Sorted(maps.Keys(w)) {
			gv, ok := g[col]
			if !ok {
				problems = append(problems, fmt.Sprintf("row %s: no column %s", k, col))
				continue
			}
			if !sameValue(gv, w[col]) {
				problems = append(problems, fmt.Sprintf("row %s: %s = %q, want %q", k, col, gv, w[col]))
			}
		}
	}
	for k := range got {
		if !seen[k] {
			problems = append(problems, "unexpected row "+k)
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 8 {
			problems = append(problems[:8], fmt.Sprintf("… %d more", len(problems)-8))
		}
		e.t.Errorf("stored rows differ from the fake's (%d stored, %d expected):\n%s", len(got), len(want), strings.Join(problems, "\n"))
	}
}

// sameValue compares text values, numbers by exact value.
func sameValue(got, want string) bool {
	if got == want {
		return true
	}
	g, ok1 := new(big.Rat).SetString(got)
	w, ok2 := new(big.Rat).SetString(want)
	return ok1 && ok2 && g.Cmp(w) == 0
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// decodeStrict expands ${NAME} in the YAML's scalars from vars, as the
// pipeline does, and decodes it into v rejecting unknown keys.
func decodeStrict(y string, vars map[string]string, v any) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(y), &doc); err != nil {
		return err
	}
	var missing []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
				name := envRef.FindStringSubmatch(m)[1]
				val, ok := vars[name]
				if !ok {
					missing = append(missing, name)
				}
				return val
			})
			n.Tag, n.Style = "!!str", yaml.DoubleQuotedStyle
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if len(missing) > 0 {
		return fmt.Errorf("environment variables not set: %s", strings.Join(missing, ", "))
	}
	b, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// httpError returns the *httpkit.Error in err's chain.
func httpError(err error) *httpkit.Error {
	var he *httpkit.Error
	if errors.As(err, &he) {
		return he
	}
	return nil
}
