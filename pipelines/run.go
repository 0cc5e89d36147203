package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/pacerhq/pacer/reports"
	"github.com/pacerhq/pacer/transforms"
	"github.com/pacerhq/pacer/transforms/attribution"
	"github.com/pacerhq/pacer/transforms/findings"
	"github.com/pacerhq/pacer/transforms/goals"
	"github.com/pacerhq/pacer/warehouse"
)

var errNoRows = sql.ErrNoRows

// ErrChecksFailed is returned by Run when an error-severity data check
// failed; the report is still written and says so. The CLI exits 3.
var ErrChecksFailed = errors.New("data checks failed")

// Progress receives progress of long work, for a terminal progress bar.
type Progress interface {
	// Step announces a step of the run (sync, transform, check, report).
	Step(name string)
	// Rows returns a function that is told how many rows a stream loaded.
	Rows(label string) func(n int64)
}

// Job is one command's access to a project: its config, its locked
// warehouse and the SQL models. Open one with Open; Close it.
type Job struct {
	Config   *Config
	DB       *warehouse.DB
	Models   fs.FS
	Logger   *slog.Logger
	Version  string
	Progress Progress
	// Now is the clock (tests fix it).
	Now func() time.Time

	lock *Lock
}

// Open takes the warehouse lock for command and opens the warehouse. When
// another run holds the lock, the error wraps ErrLocked.
func Open(ctx context.Context, cfg *Config, command string, models fs.FS, logger *slog.Logger) (*Job, error) {
	lock, err := AcquireLock(cfg.WarehousePath(), command)
	if err != nil {
		return nil, err
	}
	db, err := warehouse.Open(ctx, cfg.WarehousePath(), warehouse.Options{})
	if err != nil {
		return nil, errors.Join(err, lock.Release())
	}
	return &Job{Config: cfg, DB: db, Models: models, Logger: logger, lock: lock, Now: time.Now}, nil
}

// Close closes the warehouse (checkpointing it) and releases the lock.
func (j *Job) Close() error {
	return errors.Join(j.DB.Close(), j.lock.Release())
}

// Steps selects the parts of a run.
type Steps struct {
	Sync, Transform, Check, Report bool
	// Deliver emails the digest after the report when email is configured.
	Deliver bool
}

// AllSteps is the nightly job.
var AllSteps = Steps{Sync: true, Transform: true, Check: true, Report: true, Deliver: true}

// RunOptions say what to run.
type RunOptions struct {
	// Command names the run in meta.runs.
	Command string
	// Date is the reporting day (zero: yesterday in the configured time zone).
	Date  time.Time
	Steps Steps
	// Sync narrows the sync step (its Until is set from Date).
	Sync SyncRequest
	// ReportDir overrides the configured report directory.
	ReportDir string
	// FullRebuild rebuilds incremental models in full instead of from the
	// days that changed (meta.dirty_days).
	FullRebuild bool
}

// Outcome is what a run did.
type Outcome struct {
	RunID        int64
	Date         time.Time
	Crashed      int64 // earlier runs found dead and marked crashed
	Streams      []StreamResult
	Models       []transforms.ModelResult
	Checks       []transforms.CheckResult
	ChecksFailed int
	Report       *reports.Manifest
	ReportDir    string
	// Sent is the subject of the digest emailed ("" when none was).
	Sent string
}

// Run runs the selected steps for one day and records the run in
// meta.runs. A failing stream does not stop the others or the later steps;
// the run then reports the failure. When checks fail the error wraps
// ErrChecksFailed (after the report is written).
func (j *Job) Run(ctx context.Context, opts RunOptions) (*Outcome, error) {
	day := opts.Date
	if day.IsZero() {
		day = j.Config.Yesterday(j.Now())
	}
	out := &Outcome{Date: day}
	ledger := Ledger{j.DB}
	runID, crashed, err := ledger.StartRun(ctx, opts.Command, day, j.Version)
	if err != nil {
		return out, err
	}
	out.RunID, out.Crashed = runID, crashed
	log := j.Logger.With("run_id", runID)
	if crashed > 0 {
		log.WarnContext(ctx, "earlier runs ended without finishing; their unfinished work was rolled back", "runs", crashed)
	}
	log.InfoContext(ctx, "run started", "command", opts.Command, "date", day.Format(time.DateOnly))
	runErr := j.runSteps(ctx, runID, day, opts, out, log)
	code := ExitCode(runErr)
	status := StatusFailed
	switch code {
	case ExitOK:
		status = StatusOK
	case ExitChecksFailed:
		status = StatusChecksFailed
	}
	if err := ledger.FinishRun(ctx, runID, status, code, runErr); err != nil {
		runErr = errors.Join(runErr, err)
	}
	log.InfoContext(ctx, "run finished", "status", status)
	return out, runErr
}

func (j *Job) runSteps(ctx context.Context, runID int64, day time.Time, opts RunOptions, out *Outcome, log *slog.Logger) error {
	var stepErrs []error
	if opts.Steps.Sync {
		j.step("sync")
		sources, err := j.Config.OpenSources(log)
		if err != nil {
			return err
		}
		sources, err = selectSources(sources, opts.Sync.Sources)
		if err != nil {
			return err
		}
		if err := j.loadFX(ctx, runID, day); err != nil {
			closeSources(sources)
			return err
		}
		req := opts.Sync
		req.Until = day
		out.Streams, err = j.sync(ctx, runID, sources, req)
		closeSources(sources)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			stepErrs = append(stepErrs, fmt.Errorf("sync: %w", err))
		}
	}
	if opts.Steps.Transform || opts.Steps.Check {
		runner, err := j.runner(day)
		if err != nil {
			return errors.Join(append(stepErrs, err)...)
		}
		if opts.Steps.Transform {
			j.step("transform")
			if !opts.FullRebuild {
				if runner.Dirty, err = j.dirtyDays(ctx); err != nil {
					return errors.Join(append(stepErrs, fmt.Errorf("transform: %w", err))...)
				}
			}
			if out.Models, err = j.transform(ctx, runner); err != nil {
				return errors.Join(append(stepErrs, fmt.Errorf("transform: %w", err))...)
			}
		}
		if opts.Steps.Check {
			j.step("check")
			if out.Checks, err = j.check(ctx, runner, runID); err != nil {
				return errors.Join(append(stepErrs, fmt.Errorf("check: %w", err))...)
			}
			for _, c := range out.Checks {
				if c.Severity == "error" && c.Status != "pass" {
					out.ChecksFailed++
				}
			}
		}
	}
	if opts.Steps.Report {
		j.step("report")
		dir := opts.ReportDir
		if dir == "" {
			dir = j.Config.ReportDir()
		}
		m, err := reports.Render(ctx, j.DB.SQL(), reports.Options{
			Dir: dir, RunID: runID, Company: j.Config.Company, Currency: j.Config.Currency,
			Language: j.Config.Report.Language, Now: j.Now(), Logger: log,
		})
		if err != nil {
			return errors.Join(append(stepErrs, fmt.Errorf("report: %w", err))...)
		}
		out.Report, out.ReportDir = m, dir
	}
	if opts.Steps.Deliver && j.Config.Email != nil {
		j.step("send")
		d, err := reports.BuildDigest(ctx, j.DB.SQL(), reports.DigestOptions{RunID: runID, Company: j.Config.Company,
			Currency: j.Config.Currency, Language: j.Config.Report.Language, BaseURL: j.Config.Report.BaseURL, Now: j.Now()})
		if err == nil {
			o := j.Config.Email.MailOptions()
			o.Logger = log
			err = reports.Send(ctx, d, o)
		}
		if err != nil {
			stepErrs = append(stepErrs, fmt.Errorf("send: %w", err))
		} else {
			out.Sent = d.Subject
		}
	}
	if out.ChecksFailed > 0 {
		stepErrs = append(stepErrs, fmt.Errorf("%w: %d failed (see meta.check_results or the report's data quality section)", ErrChecksFailed, out.ChecksFailed))
	}
	return errors.Join(stepErrs...)
}

func (j *Job) step(name string) {
	if j.Progress != nil {
		j.Progress.Step(name)
	}
}

// runner returns the model runner for a run on day: the SQL models and
// the Go models (goals, as of day).
func (j *Job) runner(day time.Time) (*transforms.Runner, error) {
	models, err := transforms.LoadModels(j.Models)
	if err != nil {
		return nil, err
	}
	var plan *goals.Plan
	if j.Config.Targets != "" {
		if plan, err = LoadTargets(j.Config.Abs(j.Config.Targets)); err != nil {
			return nil, err
		}
	}
	r := transforms.New(models, transforms.Vars{
		Currency:                   j.Config.Currency,
		Timezone:                   j.Config.Timezone,
		AttributionLookbackDays:    j.Config.Attribution.LookbackDays,
		AttributionConversionTypes: j.Config.Attribution.ConversionTypes,
		PriceTierBounds:            j.Config.Evaluation.PriceTiers,
		ReconciliationTolerancePct: j.Config.Evaluation.ReconciliationTolerancePct,
	}, j.Logger)
	specs, err := j.Config.Attribution.Specs()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	r.AddGoModel(&goals.Model{Plan: plan, AsOf: day, Currency: j.Config.Currency}, &attribution.Marts{Specs: specs},
		&findings.Model{Currency: j.Config.Currency})
	return r, nil
}

// dirtyDays reads meta.dirty_days: the first changed day of each relation
// since the last transform (an empty map when nothing changed).
func (j *Job) dirtyDays(ctx context.Context) (map[string]time.Time, error) {
	rows, err := j.DB.SQL().QueryContext(ctx, "SELECT relation, min(dirty_from) FROM meta.dirty_days GROUP BY relation")
	if err != nil {
		return nil, fmt.Errorf("read meta.dirty_days: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var rel string
		var d time.Time
		if err := rows.Scan(&rel, &d); err != nil {
			return nil, err
		}
		out[rel] = d
	}
	return out, rows.Err()
}

// rawInputs lists the raw tables loaded so far for sources still configured.
func (j *Job) rawInputs(ctx context.Context) ([]transforms.RawInput, error) {
	rows, err := j.DB.SQL().QueryContext(ctx, `SELECT source, stream, canonical, raw_table FROM meta.stream_state
		WHERE raw_table IN (SELECT table_schema || '.' || table_name FROM information_schema.tables)
		ORDER BY source, stream`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	configured := map[string]bool{}
	for _, s := range j.Config.SourceList {
		configured[s.Name] = !s.Disabled
	}
	var out []transforms.RawInput
	for rows.Next() {
		var in transforms.RawInput
		if err := rows.Scan(&in.Source, &in.Stream, &in.Canonical, &in.Table); err != nil {
			return nil, err
		}
		if configured[in.Source] {
			out = append(out, in)
		}
	}
	return out, rows.Err()
}

func (j *Job) transform(ctx context.Context, runner *transforms.Runner) ([]transforms.ModelResult, error) {
	inputs, err := j.rawInputs(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := j.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res, err := runner.Transform(ctx, conn, inputs)
	return res.Models, err
}

func (j *Job) check(ctx context.Context, runner *transforms.Runner, runID int64) ([]transforms.CheckResult, error) {
	conn, err := j.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return runner.Check(ctx, conn, runID)
}

// selectSources keeps the sources named (all when names is empty) and
// closes the rest. A name that is not configured is an error listing them.
func selectSources(all []OpenedSource, names []string) ([]OpenedSource, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []OpenedSource
	var known []string
	for _, s := range all {
		known = append(known, s.Config.Name)
		if want[s.Config.Name] {
			out = append(out, s)
			delete(want, s.Config.Name)
		} else {
			s.Source.Close()
		}
	}
	if len(want) > 0 {
		closeSources(out)
		return nil, fmt.Errorf("%w: no configured source named %s (configured: %s)", ErrInvalid,
			strings.Join(sortedKeys(want), ", "), strings.Join(known, ", "))
	}
	return out, nil
}

func closeSources(s []OpenedSource) {
	for _, o := range s {
		o.Source.Close()
	}
}
