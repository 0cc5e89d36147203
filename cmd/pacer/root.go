package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pacerhq/pacer/pipelines"
	pacersql "github.com/pacerhq/pacer/sql"
)

// globals are the flags every command takes.
type globals struct {
	config    string
	logFormat string
	logLevel  string
	logger    *slog.Logger
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "pacer",
		Short: "Marketing performance management as a nightly batch job",
		Long: `pacer pulls spend, traffic, leads and sales into one DuckDB file, runs SQL models
for KPIs, targets versus actuals and attribution, checks the data, and renders a
static HTML report.

Start with "pacer demo" (no config needed), or "pacer init" for your own data.

Exit codes: 0 ok, 1 runtime failure, 2 invalid command/config/input,
3 data checks failed (report still written), 75 another run holds the lock.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			logger, err := newLogger(os.Stderr, g.logFormat, g.logLevel)
			if err != nil {
				return usageError{err}
			}
			g.logger = logger
			return nil
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w\nsee: %s --help", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&g.config, "config", "c", "pacer.yaml", "config file")
	pf.StringVar(&g.logFormat, "log-format", "auto", "log format: text, json, or auto (text on a terminal, JSON lines otherwise)")
	pf.StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn, error")

	root.AddCommand(
		newDemoCmd(g), newInitCmd(g), newValidateCmd(g),
		newRunCmd(g), newSyncCmd(g), newBackfillCmd(g), newTransformCmd(g), newCheckCmd(g), newReportCmd(g),
		newQueryCmd(g), newStatusCmd(g), newVersionCmd(g),
		newSendCmd(g),
		newTargetsCmd(g),
		newAttributeCmd(g),
		newScheduleCmd(g),
	)
	// Unknown subcommands and wrong argument counts are usage errors (exit 2).
	for _, c := range root.Commands() {
		if c.Args != nil {
			args := c.Args
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return usageError{err}
				}
				return nil
			}
		}
	}
	root.Args = func(cmd *cobra.Command, a []string) error {
		if len(a) > 0 {
			return usageError{fmt.Errorf("unknown command %q for pacer (see pacer --help)", a[0])}
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return root
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "auto":
		if isTerminal(os.Stderr) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text, json or auto", format)
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// openJob loads the config and opens the project's warehouse under the lock.
func (g *globals) openJob(ctx context.Context, command string) (*pipelines.Job, error) {
	cfg, err := pipelines.LoadConfig(g.config)
	if err != nil {
		return nil, err
	}
	if cfg.Targets != "" {
		if _, err := pipelines.LoadTargets(cfg.Abs(cfg.Targets)); err != nil {
			return nil, err
		}
	}
	job, err := pipelines.Open(ctx, cfg, command, pacersql.FS, g.logger)
	if err != nil {
		return nil, err
	}
	job.Version = version
	if isTerminal(os.Stderr) && g.logFormat != "json" {
		job.Progress = newProgress(os.Stderr)
	}
	return job, nil
}

// runSteps is the body of run, sync, transform, check, report and backfill.
func (g *globals) runSteps(cmd *cobra.Command, opts pipelines.RunOptions) error {
	ctx := cmd.Context()
	job, err := g.openJob(ctx, opts.Command)
	if err != nil {
		return err
	}
	out, runErr := job.Run(ctx, opts)
	if p, ok := job.Progress.(*progress); ok {
		p.done()
	}
	closeErr := job.Close()
	printOutcome(cmd.OutOrStdout(), out, job.Config)
	if runErr != nil {
		return runErr
	}
	return closeErr
}

func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, usageError{fmt.Errorf("--%s %q: use YYYY-MM-DD", flag, s)}
	}
	return t, nil
}

func printOutcome(w io.Writer, out *pipelines.Outcome, cfg *pipelines.Config) {
	if out == nil || out.RunID == 0 {
		return
	}
	fmt.Fprintf(w, "run %d for %s\n", out.RunID, out.Date.Format(time.DateOnly))
	if out.Crashed > 0 {
		fmt.Fprintf(w, "  note: %d earlier run(s) had died mid-way; their unfinished work was rolled back\n", out.Crashed)
	}
	var rows, quarantined int64
	var failed []string
	for _, s := range out.Streams {
		rows += s.Rows
		quarantined += s.Quarantined
		if s.Err != nil {
			failed = append(failed, s.Source+"."+s.Stream)
		}
	}
	if len(out.Streams) > 0 {
		fmt.Fprintf(w, "  sync:      %d streams, %s rows", len(out.Streams), thousands(rows))
		if quarantined > 0 {
			fmt.Fprintf(w, ", %s quarantined (see meta.quarantine)", thousands(quarantined))
		}
		if len(failed) > 0 {
			fmt.Fprintf(w, ", FAILED: %s", strings.Join(failed, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(out.Models) > 0 {
		fmt.Fprintf(w, "  transform: %d models\n", len(out.Models))
	}
	if len(out.Checks) > 0 {
		fmt.Fprintf(w, "  check:     %d checks, %d failed\n", len(out.Checks), out.ChecksFailed)
		for _, c := range out.Checks {
			if c.Status != "pass" {
				fmt.Fprintf(w, "    %s %s: %s\n", strings.ToUpper(c.Severity), c.Name, c.Detail)
			}
		}
	}
	if out.ReportDir != "" {
		fmt.Fprintf(w, "  report:    %s\n", out.ReportDir+"/index.html")
	}
	if out.Sent != "" {
		fmt.Fprintf(w, "  sent:      %s\n", out.Sent)
	}
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
