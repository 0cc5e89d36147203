package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/warehouse"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func newRunCmd(g *globals) *cobra.Command {
	var date string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The nightly job: sync → transform → check → report for one day",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
			return g.runSteps(cmd, pipelines.RunOptions{Command: "run", Date: day, Steps: pipelines.AllSteps})
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "reporting day YYYY-MM-DD (default: yesterday in the configured time zone)")
	return cmd
}

func newSyncCmd(g *globals) *cobra.Command {
	var date string
	var full bool
	cmd := &cobra.Command{
		Use:   "sync [SOURCE...]",
		Short: "Pull sources into the warehouse's raw tables only",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
			return g.runSteps(cmd, pipelines.RunOptions{Command: "sync", Date: day,
				Steps: pipelines.Steps{Sync: true}, Sync: pipelines.SyncRequest{Sources: args, FullRefresh: full}})
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "last day to pull, YYYY-MM-DD (default: yesterday)")
	cmd.Flags().BoolVar(&full, "full-refresh", false, "forget cursors and re-read every stream from its start date")
	return cmd
}

func newBackfillCmd(g *globals) *cobra.Command {
	var from, to, date string
	cmd := &cobra.Command{
		Use:   "backfill --from D --to D [SOURCE...]",
		Short: "Re-pull a date range and rebuild what depends on it",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := parseDay("from", from)
			if err != nil {
				return err
			}
			t, err := parseDay("to", to)
			if err != nil {
				return err
			}
			if f.IsZero() || t.IsZero() || t.Before(f) {
				return usageError{fmt.Errorf("backfill needs --from and --to (YYYY-MM-DD) with from ≤ to")}
			}
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
			if !day.IsZero() && t.After(day) {
				return usageError{fmt.Errorf("--to %s is after --date %s", to, date)}
			}
			// The range is re-read and replaced; everything else keeps its
			// cursor. Until stays the normal run day, so that sources emit the
			// last day of the range completely.
			r := connectors.DateRange{From: f, To: t}
			return g.runSteps(cmd, pipelines.RunOptions{Command: "backfill", Date: day,
				Steps: pipelines.Steps{Sync: true, Transform: true, Check: true},
				Sync:  pipelines.SyncRequest{Sources: args, Backfill: &r}})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day to re-pull, YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last day to re-pull, YYYY-MM-DD")
	cmd.Flags().StringVar(&date, "date", "", "the run's reporting day, YYYY-MM-DD (default: yesterday in the configured time zone)")
	return cmd
}

func newTransformCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "transform",
		Short: "Rebuild the SQL models (staging, marts) from what is loaded",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runSteps(cmd, pipelines.RunOptions{Command: "transform", Steps: pipelines.Steps{Transform: true}})
		},
	}
}

func newCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Run the data checks; exit 3 when one fails",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runSteps(cmd, pipelines.RunOptions{Command: "check", Steps: pipelines.Steps{Check: true}})
		},
	}
}

func newReportCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render the HTML report bundle from the marts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runSteps(cmd, pipelines.RunOptions{Command: "report", Steps: pipelines.Steps{Report: true}, ReportDir: out})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for the bundle (default: report.out of the config)")
	return cmd
}

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check config and targets: unknown keys, missing secrets, bad dates",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipelines.LoadConfig(g.config)
			if err != nil {
				return err
			}
			sources, err := cfg.OpenSources(g.logger)
			if err != nil {
				return err
			}
			streams := 0
			for _, s := range sources {
				streams += len(s.Source.Streams())
				s.Source.Close()
			}
			targets := 0
			if cfg.Targets != "" {
				t, err := pipelines.LoadTargets(cfg.Abs(cfg.Targets))
				if err != nil {
					return err
				}
				targets = len(t.Targets)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is valid: %d sources (%d streams), %d targets\n", g.config, len(sources), streams, targets)
			return nil
		},
	}
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print pacer, DuckDB and Go versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			duck, err := warehouse.DuckDBVersion(cmd.Context())
			if err != nil {
				return err
			}
			rev := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = s.Value
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pacer %s\nduckdb %s\ngo %s %s/%s\ncommit %s\nconnectors %v\n",
				version, duck, runtime.Version(), runtime.GOOS, runtime.GOARCH, rev, connectors.Types())
			return nil
		},
	}
}
