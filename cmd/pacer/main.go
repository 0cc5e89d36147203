// Command pacer turns a company's marketing data into decisions every
// morning: it syncs sources into DuckDB, runs SQL models for KPIs, targets
// and attribution, checks the data and renders a static report.
//
// Exit codes: 0 success; 1 runtime failure; 2 invalid command, config,
// targets or input file; 3 data checks failed (the report is still written);
// 75 another run holds the lock (retry later).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/pacerhq/pacer/connectors"
	_ "github.com/pacerhq/pacer/connectors/all"
	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/warehouse"
)

// Exit codes, as PRODUCT.md defines them.
const (
	exitOK           = 0
	exitFailure      = 1
	exitInvalid      = 2
	exitChecksFailed = 3
	exitLocked       = 75 // EX_TEMPFAIL
)

func main() {
	// run is separate so that its defers run before os.Exit.
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return exitCode(err)
}

// usageError marks a command called wrongly (bad flags or arguments).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errNotYet is returned by commands that a later release brings.
var errNotYet = errors.New("not yet available")

// exitCode maps an error to the exit codes of PRODUCT.md, in one place.
func exitCode(err error) int {
	var ue usageError
	switch {
	case errors.Is(err, pipelines.ErrLocked), errors.Is(err, warehouse.ErrLocked):
		return exitLocked
	case errors.As(err, &ue), errors.Is(err, errNotYet),
		errors.Is(err, pipelines.ErrInvalid), errors.Is(err, connectors.ErrInvalidInput):
		return exitInvalid
	case errors.Is(err, pipelines.ErrChecksFailed):
		return exitChecksFailed
	}
	return exitFailure
}
