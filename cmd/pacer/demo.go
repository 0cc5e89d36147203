package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/pipelines"
)

const demoMarker = "# written by `pacer demo`"

const demoConfig = demoMarker + ` — the demo company as a real pacer project.
# Every command works on it: pacer run|status|query|report -c %[1]s/pacer.yaml
version: 1
company: %[2]s
timezone: Asia/Shanghai
currency: CNY
warehouse:
  engine: duckdb
  path: pacer.duckdb
fx:
  path: fx_rates.csv          # USD→CNY daily rates (the paid search and social accounts bill in USD)
%[3]stargets: targets.yaml
attribution:
  lookback_days: 30
  models: [first_touch, last_touch, last_non_direct, linear, time_decay, position_based, markov, shapley]
report:
  out: report
  language: en
`

// demoSources is the sources part of the demo's pacer.yaml: the synthetic
// company, every stream from one source.
const demoSources = `sources:
  - name: demo                # the synthetic company: every canonical stream, no network
    type: demo
    seed: %d
    scale: %s
    start_date: %s
    incident_from: %s      # planted problem: paid social's landing pages break (pacer's findings should say so)
`

func newDemoCmd(g *globals) *cobra.Command {
	var out, scale, date string
	var seed int64
	var viaAPIs bool
	cmd := &cobra.Command{
		Use:   "demo [--out DIR] [--scale small|large] [--seed N] [--via-apis]",
		Short: "Run the whole job on an embedded synthetic company: no config, no network",
		Long: `demo generates a realistic synthetic company, loads it, runs the SQL models and
checks and writes the report. DIR becomes a real pacer project (pacer.yaml,
targets.yaml, fx_rates.csv, pacer.duckdb, report/), so every other command
works on it with -c DIR/pacer.yaml.

With --via-apis the company's ad performance, orders, CRM deals and web
traffic travel through the real connectors instead: Google Ads, Meta, Ocean
Engine, TikTok, Tencent Ads, Stripe, HubSpot and GA4 each sync from a fake of
the vendor's API serving the company's rows on 127.0.0.1 (the fakes the
connector tests use). The numbers must come out the same as without it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if scale != "small" && scale != "large" {
				return usageError{fmt.Errorf("--scale %q: use small or large", scale)}
			}
			if viaAPIs && scale != "small" {
				return usageError{fmt.Errorf("--via-apis works with --scale small only (the fakes hold the company in memory)")}
			}
			day, err := parseDay("date", date)
			if err != nil {
				return err
			}
			shanghai, err := time.LoadLocation("Asia/Shanghai")
			if err != nil {
				return err
			}
			if day.IsZero() {
				day = connectors.Day(time.Now().In(shanghai)).AddDate(0, 0, -1)
			}
			// Thirteen full months of history before the month of the last day.
			start := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -13, 0)
			incident := day.AddDate(0, 0, -20)
			sources := fmt.Sprintf(demoSources, seed, scale, start.Format(time.DateOnly), incident.Format(time.DateOnly))
			var env map[string]string
			if viaAPIs {
				apis, err := startDemoFakes(cmd.Context(), seed, start, day, incident)
				if err != nil {
					return err
				}
				defer func() {
					for _, a := range apis {
						a.fake.Close()
					}
				}()
				sources, env = viaAPIsSources(seed, start, incident, apis)
			}
			if err := writeDemoProject(out, demoProject{seed: seed, scale: scale, start: start, end: day, sources: sources, env: env}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "demo: %s\n", demo.Describe())
			if viaAPIs {
				fmt.Fprintf(cmd.ErrOrStderr(), "demo: ad performance, orders, CRM deals and web traffic come through 8 connectors from fake APIs on 127.0.0.1\n")
			}
			g.config = filepath.Join(out, "pacer.yaml")
			if err := g.runSteps(cmd, pipelines.RunOptions{Command: "demo", Date: day, Steps: pipelines.AllSteps}); err != nil {
				return err
			}
			return printDemoSummary(cmd, g, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "out/demo", "directory of the demo project")
	cmd.Flags().StringVar(&scale, "scale", "small", "small (seconds) or large (10 M ad rows, 1 M journeys and orders, for benchmarks)")
	cmd.Flags().Int64Var(&seed, "seed", 42, "random seed; the same seed gives the same company")
	cmd.Flags().StringVar(&date, "date", "", "last day of data, YYYY-MM-DD (default: yesterday in Asia/Shanghai)")
	cmd.Flags().BoolVar(&viaAPIs, "via-apis", false, "sync ads, orders, CRM and web analytics through the real connectors from local fake APIs")
	return cmd
}

// demoProject is what writeDemoProject writes.
type demoProject struct {
	seed       int64
	scale      string
	start, end time.Time
	sources    string            // the sources part of pacer.yaml
	env        map[string]string // written to .env when not empty
}

// writeDemoProject writes the project files, starting from a clean
// warehouse. It refuses to touch a directory holding a non-demo project.
func writeDemoProject(dir string, p demoProject) error {
	cfgPath := filepath.Join(dir, "pacer.yaml")
	if b, err := os.ReadFile(cfgPath); err == nil && !strings.HasPrefix(string(b), demoMarker) {
		return usageError{fmt.Errorf("%s holds a pacer.yaml not written by pacer demo; choose another --out", dir)}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, stale := range []string{"pacer.duckdb", "pacer.duckdb.wal", "pacer.duckdb.tokens.json", ".env"} {
		if err := os.Remove(filepath.Join(dir, stale)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	targets, err := demo.TargetsYAMLForScale(p.scale, p.start, p.end)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"pacer.yaml":   fmt.Appendf(nil, demoConfig, dir, demo.CompanyName, p.sources),
		"targets.yaml": targets,
		// Rates run 90 days past the data so that nightly runs keep converting.
		"fx_rates.csv": demo.FXRatesCSV(p.start, p.end.AddDate(0, 0, 90)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	if len(p.env) > 0 {
		return writeDotEnv(dir, p.env)
	}
	return nil
}

func printDemoSummary(cmd *cobra.Command, g *globals, dir string) error {
	db, err := g.openReadOnly(cmd.Context())
	if err != nil {
		return err
	}
	defer db.Close()
	var from, to time.Time
	var spend, revenue float64
	err = db.SQL().QueryRowContext(cmd.Context(), `SELECT min(date), max(date), sum(spend)::DOUBLE, sum(revenue)::DOUBLE FROM marts.kpi_daily`).
		Scan(&from, &to, &spend, &revenue)
	if err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "\nwarehouse: %s\nreport:    %s\nconfig:    %s\n\n", filepath.Join(dir, "pacer.duckdb"),
		filepath.Join(dir, "report", "index.html"), filepath.Join(dir, "pacer.yaml"))
	fmt.Fprintf(w, "period   %s .. %s\n", from.Format(time.DateOnly), to.Format(time.DateOnly))
	fmt.Fprintf(w, "spend    ¥%s   revenue ¥%s\n", thousands(int64(spend)), thousands(int64(revenue)))
	roas := "–"
	if spend > 0 {
		roas = fmt.Sprintf("%.2f", revenue/spend)
	}
	fmt.Fprintf(w, "ROAS     %s\n", roas)

	// What the morning report leads with, and where the targets stand.
	var onTrack, atRisk, offTrack int
	if err := db.SQL().QueryRowContext(cmd.Context(), `SELECT count(*) FILTER (WHERE status IN ('on_track', 'achieved')),
		count(*) FILTER (WHERE status = 'at_risk'), count(*) FILTER (WHERE status IN ('off_track', 'missed'))
		FROM marts.targets_vs_actuals WHERE is_latest`).Scan(&onTrack, &atRisk, &offTrack); err == nil && onTrack+atRisk+offTrack > 0 {
		fmt.Fprintf(w, "targets  %d on track, %d at risk, %d off track   (pacer targets -c %s)\n", onTrack, atRisk, offTrack, filepath.Join(dir, "pacer.yaml"))
	}
	var kind, title string
	if err := db.SQL().QueryRowContext(cmd.Context(), `SELECT kind, title FROM marts.findings WHERE rank = 1`).Scan(&kind, &title); err == nil {
		fmt.Fprintf(w, "first    [%s] %s\n", kind, title)
	}
	return nil
}
