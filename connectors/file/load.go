package file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"

	"github.com/pacerhq/pacer/connectors"
)

// maxQuarantined is how many bad rows one load lists one by one; the rest
// are counted in one more entry.
const maxQuarantined = 10_000

// loader runs one load of a Source into one emitter.
type loader struct {
	s   *Source
	em  connectors.SQLEmitter
	log *slog.Logger
	id  string // suffix of this load's temporary objects
	n   int    // temporary objects created

	sessionTZ string // the connection's TimeZone, once asked
	seq       string // sequence counting rows left out by TRY_CAST, once created
	seqNext   int64  // value the next nextval returns when no row was left out
	drops     []string

	listed  int   // rows quarantined one by one
	skipped int64 // bad rows beyond maxQuarantined
}

func newLoader(s *Source, em connectors.SQLEmitter, log *slog.Logger) *loader {
	return &loader{s: s, em: em, log: log, id: fmt.Sprintf("%08x", rand.Uint32())}
}

// temp returns a new unique name for a temporary object.
func (l *loader) temp(kind string) string {
	l.n++
	return fmt.Sprintf("_pacer_file_%s_%s_%d", kind, l.id, l.n)
}

// run discovers, replaces and loads; it returns the rows inserted and the
// rows quarantined.
func (l *loader) run(ctx context.Context, files []fileInfo) (rows, quarantined int64, err error) {
	inputs, err := l.discover(ctx, files)
	if err != nil {
		return 0, 0, err
	}
	outs := outputColumns(l.s.canon, inputs)
	groups := groupInputs(inputs)
	if err := l.em.Replace(ctx, connectors.DateRange{}); err != nil {
		return 0, 0, fmt.Errorf("file source %s: replace stream %s: %w", l.s.name, l.s.canon.Name, err)
	}
	defer func() {
		if cerr := l.cleanup(ctx); err == nil && cerr != nil {
			err = cerr
		}
	}()
	for _, g := range groups {
		n, err := l.loadGroup(ctx, g, outs)
		if err != nil {
			return rows, 0, err
		}
		rows += n
	}
	if l.skipped > 0 {
		err := l.em.Quarantine(ctx, connectors.Rejected{
			Reason: fmt.Sprintf("%d more rejected rows not listed (at most %d are listed per load)", l.skipped, maxQuarantined),
		})
		if err != nil {
			return rows, 0, err
		}
	}
	return rows, int64(l.listed) + l.skipped, nil
}

// loadGroup inserts the rows of a group of files that share their columns.
func (l *loader) loadGroup(ctx context.Context, g *group, outs []outColumn) (int64, error) {
	if g.format == formatCSV {
		g.rejects, g.scans = l.temp("rejects"), l.temp("scans")
		l.drops = append(l.drops, "DROP TABLE IF EXISTS temp.main."+ident(g.rejects), "DROP TABLE IF EXISTS temp.main."+ident(g.scans))
	}
	conv, err := l.conversions(ctx, g)
	if err != nil {
		return 0, err
	}
	canFail := false
	for _, c := range conv {
		canFail = canFail || c.canFail
	}
	if canFail && l.seq == "" {
		if err := l.createSequence(ctx); err != nil {
			return 0, err
		}
	}
	n, err := l.em.InsertSelect(ctx, l.insertQuery(g, conv, outs))
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if strings.Contains(err.Error(), "Malformed JSON") {
			for _, in := range g.inputs {
				if line, ok := firstBadJSONLine(in.fileInfo); ok {
					return 0, malformedJSONAt(in.fileInfo, line, err)
				}
			}
			return 0, &inputError{msg: fmt.Sprintf("%s: malformed JSON: %v", g.names(), err), cause: err}
		}
		return 0, fmt.Errorf("file source %s: load %s: %w", l.s.name, g.names(), err)
	}
	var seen rejectedLines
	if g.format == formatCSV {
		if seen, err = l.quarantineRejects(ctx, g); err != nil {
			return n, err
		}
	}
	if canFail {
		bad, err := l.leftOut(ctx)
		if err != nil {
			return n, err
		}
		if bad {
			for _, in := range g.inputs {
				if err := l.quarantineCasts(ctx, g, in, conv, seen); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

// createSequence creates the counter that rows left out by TRY_CAST bump.
func (l *loader) createSequence(ctx context.Context) error {
	l.seq = l.temp("bad")
	if err := l.exec(ctx, "CREATE TEMP SEQUENCE "+ident(l.seq)); err != nil {
		return fmt.Errorf("file source %s: create bad-row counter: %w", l.s.name, err)
	}
	l.drops = append(l.drops, "DROP SEQUENCE IF EXISTS temp.main."+ident(l.seq))
	l.seqNext = 1
	return nil
}

// leftOut reports whether rows were left out since the last call. It is a
// cheap test: the sequence only moves for bad rows (and may move for rows an
// emitter evaluated without inserting them, which costs only a rescan).
func (l *loader) leftOut(ctx context.Context) (bool, error) {
	v, err := l.queryInt(ctx, "SELECT nextval("+literal(l.seq)+")")
	if err != nil {
		return false, fmt.Errorf("file source %s: read bad-row counter: %w", l.s.name, err)
	}
	bad := v != l.seqNext
	l.seqNext = v + 1
	return bad, nil
}

// cleanup drops this load's temporary objects. After a failed statement the
// transaction is aborted and the objects die with it, so errors are only
// reported while the transaction is alive.
func (l *loader) cleanup(ctx context.Context) error {
	var errs []error
	for _, d := range l.drops {
		if err := l.exec(ctx, d); err != nil {
			errs = append(errs, err)
			break
		}
	}
	l.drops = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("file source %s: drop temporary objects: %w", l.s.name, err)
	}
	return nil
}

// exec runs a statement through the emitter's Query and discards its rows.
func (l *loader) exec(ctx context.Context, stmt string) error {
	rows, err := l.em.Query(ctx, stmt)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return errors.Join(rows.Err(), rows.Close())
}

// queryInt runs a query returning one integer.
func (l *loader) queryInt(ctx context.Context, q string) (int64, error) {
	rows, err := l.em.Query(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var v int64
	if !rows.Next() {
		return 0, errors.Join(errors.New("no row"), rows.Err())
	}
	if err := rows.Scan(&v); err != nil {
		return 0, err
	}
	return v, rows.Err()
}

// sessionTimeZone returns the TimeZone setting of the emitter's connection.
func (l *loader) sessionTimeZone(ctx context.Context) (string, error) {
	if l.sessionTZ != "" {
		return l.sessionTZ, nil
	}
	rows, err := l.em.Query(ctx, "SELECT current_setting('TimeZone')")
	if err != nil {
		return "", fmt.Errorf("file source %s: read session time zone: %w", l.s.name, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&l.sessionTZ); err != nil {
			return "", err
		}
	}
	return l.sessionTZ, rows.Err()
}
