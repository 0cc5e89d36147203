package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/transforms/goals"
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
	var full bool
	cmd := &cobra.Command{
		Use:   "transform [--full]",
		Short: "Rebuild the models (staging, marts) from what is loaded",
		Long: `transform rebuilds every model in one transaction. Incremental models (such as
marts.kpi_daily) rewrite only the days from the earliest change the syncs noted
since the last transform (meta.dirty_days); --full rebuilds them from all history.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runSteps(cmd, pipelines.RunOptions{Command: "transform", Steps: pipelines.Steps{Transform: true}, FullRebuild: full})
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "rebuild incremental models from all history")
	return cmd
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
	var lang, date string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check config and targets: unknown keys, missing secrets, bad dates, SMART lint",
		Long: `validate checks pacer.yaml and targets.yaml without changing anything: unknown
keys, missing secrets, bad dates and periods. When the warehouse exists it also
lints the targets against the data the SMART way (specific, measurable,
attainable, relevant, time-bound, budgets) as of yesterday, or the last day in
marts.kpi_daily when that is earlier, and explains each finding in the report
language. Errors exit 2; warnings and info do not change the exit code.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch lang {
			case "", "en", "zh-CN":
			default:
				return usageError{fmt.Errorf("--lang %q: use en or zh-CN", lang)}
			}
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
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
				plan, err := pipelines.LoadTargets(cfg.Abs(cfg.Targets))
				if err != nil {
					return err
				}
				targets = len(plan.Targets)
				if lang == "" {
					lang = cfg.Report.Language
				}
				if len(plan.Targets)+len(plan.Budgets) > 0 {
					errs, err := lintTargets(cmd.Context(), cmd.OutOrStdout(), cfg, plan, lang, day)
					if err != nil {
						return err
					}
					if errs > 0 {
						return fmt.Errorf("%w: %s: the SMART lint found %d %s (listed above)", pipelines.ErrInvalid,
							plan.File, errs, map[bool]string{true: "error", false: "errors"}[errs == 1])
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is valid: %d sources (%d streams), %d targets\n", g.config, len(sources), streams, targets)
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "", "language of the findings: en or zh-CN (default: report.language of the config)")
	cmd.Flags().StringVar(&date, "date", "", "lint as of this day, YYYY-MM-DD (default: yesterday in the configured time zone); capped to the last day of data")
	return cmd
}

// lintText holds the fixed words of validate's lint output.
var lintText = map[string]map[string]string{
	"en": {
		"skipped":    "SMART lint: data checks skipped: %s; targets were checked without data.\n",
		"no_file":    "there is no warehouse at %s yet (run `pacer run` first)",
		"locked":     "the warehouse is in use by another run (retry when it has finished)",
		"no_kpi":     "marts.kpi_daily is not built yet (run `pacer run` or `pacer transform`)",
		"head":       "SMART lint of %s as of %s",
		"yesterday":  " (yesterday in %s)",
		"capped":     ", the last day in marts.kpi_daily (yesterday in %s was %s)",
		"given":      " (--date)",
		"given_cap":  ", the last day in marts.kpi_daily (--date was %s)",
		"none":       ": no findings.\n",
		"error":      "errors (%d):\n",
		"warning":    "warnings (%d):\n",
		"info":       "info (%d):\n",
		"head_colon": ":\n",
	},
	"zh-CN": {
		"skipped":    "SMART 检查：已跳过数据检查：%s；目标只做了不依赖数据的检查。\n",
		"no_file":    "数据仓库 %s 还不存在（请先运行 `pacer run`）",
		"locked":     "数据仓库正被另一次运行使用（请在它结束后重试）",
		"no_kpi":     "marts.kpi_daily 还没有生成（请运行 `pacer run` 或 `pacer transform`）",
		"head":       "SMART 检查 %s，截至 %s",
		"yesterday":  "（%s 的昨天）",
		"capped":     "，即 marts.kpi_daily 的最后一天（%s 的昨天是 %s）",
		"given":      "（--date）",
		"given_cap":  "，即 marts.kpi_daily 的最后一天（--date 为 %s）",
		"none":       "：没有发现问题。\n",
		"error":      "错误（%d）：\n",
		"warning":    "警告（%d）：\n",
		"info":       "提示（%d）：\n",
		"head_colon": "：\n",
	},
}

// lintTargets runs the SMART lint of plan on the warehouse, read-only, and
// prints the findings grouped by severity in lang. It returns the number
// of errors. Without a warehouse (or while another run writes it) it says
// that the data checks were skipped.
func lintTargets(ctx context.Context, w io.Writer, cfg *pipelines.Config, plan *goals.Plan, lang string, day time.Time) (int, error) {
	tx := lintText[lang]
	skip := func(why string) (int, error) {
		fmt.Fprintf(w, tx["skipped"], why)
		return 0, nil
	}
	path := cfg.WarehousePath()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return skip(fmt.Sprintf(tx["no_file"], path))
	}
	db, err := warehouse.Open(ctx, path, warehouse.Options{ReadOnly: true})
	if errors.Is(err, warehouse.ErrLocked) {
		return skip(tx["locked"])
	} else if err != nil {
		return 0, err
	}
	defer db.Close()
	var built int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'marts' AND table_name = 'kpi_daily'`).Scan(&built); err != nil {
		return 0, fmt.Errorf("lint: %w", err)
	}
	if built == 0 {
		return skip(tx["no_kpi"])
	}
	var last sql.NullTime
	if err := db.SQL().QueryRowContext(ctx, `SELECT max(date) FROM marts.kpi_daily`).Scan(&last); err != nil {
		return 0, fmt.Errorf("lint: last day of marts.kpi_daily: %w", err)
	}
	asOf := day
	when := tx["given"]
	if asOf.IsZero() {
		asOf = cfg.Yesterday(time.Now())
		when = fmt.Sprintf(tx["yesterday"], cfg.Timezone)
	}
	if last.Valid {
		if l := connectors.Day(last.Time); l.Before(asOf) {
			if day.IsZero() {
				when = fmt.Sprintf(tx["capped"], cfg.Timezone, asOf.Format(time.DateOnly))
			} else {
				when = fmt.Sprintf(tx["given_cap"], asOf.Format(time.DateOnly))
			}
			asOf = l
		}
	}
	findings, err := goals.Lint(ctx, &goals.Loader{Q: db.SQL()}, plan, asOf)
	if err != nil {
		return 0, fmt.Errorf("lint %s: %w", plan.File, err)
	}
	fmt.Fprintf(w, tx["head"]+when, plan.File, asOf.Format(time.DateOnly))
	if len(findings) == 0 {
		fmt.Fprint(w, tx["none"])
		return 0, nil
	}
	fmt.Fprint(w, tx["head_colon"])
	errs := 0
	for _, sev := range []string{goals.SeverityError, goals.SeverityWarning, goals.SeverityInfo} {
		var group []goals.Finding
		for _, f := range findings {
			if f.Severity == sev {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		if sev == goals.SeverityError {
			errs = len(group)
		}
		fmt.Fprintf(w, tx[sev], len(group))
		for _, f := range group {
			fmt.Fprintf(w, "  %s:%d: [%s] %s\n", plan.File, f.Line, f.Code, f.Message(lang))
		}
	}
	return errs, nil
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
