package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/pipelines"
)

// newScheduleCmd is `pacer schedule`: the nightly job on the configured
// cron expression, in the foreground, for a machine without cron or
// Airflow (a container, a small VM). Each tick runs what `pacer run` runs
// for yesterday; a tick that comes while a run is still going is skipped.
// SIGINT or SIGTERM stops scheduling and lets a running job finish; a
// second signal cancels it (the warehouse keeps what committed).
func newScheduleCmd(g *globals) *cobra.Command {
	var now bool
	cmd := &cobra.Command{
		Use:   "schedule [--now]",
		Short: "Run the nightly job on the configured cron schedule, in the foreground",
		Long: `schedule runs "pacer run" on the cron expression of pacer.yaml's schedule key,
in the configured time zone (e.g. "0 6 * * *" is 06:00 every day there), until it
gets SIGINT or SIGTERM. A tick that comes while a run is still going is skipped,
and a run that finds another holding the lock (exit 75) is logged and retried at
the next tick. The first signal stops scheduling and waits for a running job; a
second one cancels it.

For cron, systemd or Airflow instead, see examples/ in the repository.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipelines.LoadConfig(g.config)
			if err != nil {
				return err
			}
			if cfg.Schedule == "" {
				return usageError{fmt.Errorf("%s has no schedule: add e.g. schedule: \"0 6 * * *\" (06:00 every day in %s)", cfg.Path, cfg.Timezone)}
			}
			return g.schedule(cmd.Context(), cfg, now)
		},
	}
	cmd.Flags().BoolVar(&now, "now", false, "also run once right away")
	return cmd
}

func (g *globals) schedule(ctx context.Context, cfg *pipelines.Config, now bool) error {
	log := g.logger.With("schedule", cfg.Schedule, "timezone", cfg.Timezone)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)

	// jobs run on their own context: the first signal lets them finish,
	// the second cancels them.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()

	run := func() {
		start := time.Now()
		log.Info("run starting")
		var runID int64
		job, err := g.openJob(jobCtx, "run")
		if err == nil {
			var out *pipelines.Outcome
			out, err = job.Run(jobCtx, pipelines.RunOptions{Command: "run", Steps: pipelines.AllSteps})
			if cerr := job.Close(); err == nil {
				err = cerr
			}
			if out != nil {
				runID = out.RunID
			}
		}
		code := pipelines.ExitCode(err)
		attrs := []any{"run_id", runID, "exit_code", code, "duration_ms", time.Since(start).Milliseconds()}
		switch {
		case code == pipelines.ExitOK:
			log.Info("run finished", attrs...)
		case errors.Is(err, pipelines.ErrLocked):
			log.Warn("another run holds the lock; trying again at the next tick", append(attrs, "error", err)...)
		default:
			log.Error("run failed", append(attrs, "error", err)...)
		}
	}

	c := cron.New(cron.WithLocation(cfg.Location),
		cron.WithChain(cron.SkipIfStillRunning(cron.PrintfLogger(slogPrintf{log}))))
	id, err := c.AddFunc(cfg.Schedule, run)
	if err != nil {
		return usageError{fmt.Errorf("schedule %q: %v", cfg.Schedule, err)}
	}
	c.Start()
	log.Info("scheduled", "next", c.Entry(id).Next.Format(time.RFC3339))
	if now {
		go c.Entry(id).WrappedJob.Run()
	}

	select {
	case sig := <-signals:
		log.Info("stopping: waiting for a running job to finish (signal again to cancel it)", "signal", sig.String())
	case <-ctx.Done():
	}
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case sig := <-signals:
		log.Warn("cancelling the running job", "signal", sig.String())
		cancelJobs()
		<-stopped.Done()
	}
	log.Info("stopped")
	return nil
}

// slogPrintf adapts slog to cron's Printf logger (it reports skipped ticks).
type slogPrintf struct {
	l interface{ Info(string, ...any) }
}

func (s slogPrintf) Printf(format string, args ...any) { s.l.Info(fmt.Sprintf(format, args...)) }
