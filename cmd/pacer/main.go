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

	_ "github.com/pacerhq/pacer/connectors/all"
	"github.com/pacerhq/pacer/pipelines"
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
		return pipelines.ExitOK
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return exitCode(err)
}

// usageError marks a command called wrongly (bad flags or arguments).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps an error to the exit codes of PRODUCT.md: usage errors
// here, everything else by pipelines.ExitCode.
func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return pipelines.ExitInvalid
	}
	return pipelines.ExitCode(err)
}
