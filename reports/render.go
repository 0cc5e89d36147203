package reports

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// embedded holds the chart library shipped in every bundle (fetched by
// scripts/fetch-assets.sh; only README.md is committed), the page
// templates and the pages' stylesheet.
//
//go:embed assets templates styles
var embedded embed.FS

// stylesheetPath is where every page's stylesheet is in the bundle; the
// pages link it relatively (templates/layout.html.tmpl), so the bundle
// still opens from file://. The file is styles/pacer.css.
const stylesheetPath = "assets/pacer.css"

// stylesheet is styles/pacer.css: screen, phone and print rules of every
// page.
var stylesheet = func() []byte {
	b, err := embedded.ReadFile("styles/pacer.css")
	if err != nil {
		panic(err)
	}
	return b
}()

// assetFiles are the files of reports/assets copied into every bundle's
// assets/ folder, in manifest order.
var assetFiles = []string{"LICENSE", "NOTICE", "echarts.min.js"}

// assetsFS is where Render reads assetFiles from; tests swap it.
var assetsFS fs.FS = mustSub(embedded, "assets")

// ErrAssetsMissing is returned by [Render] when the chart library was not
// fetched before the build: reports/assets/echarts.min.js (or its LICENSE or
// NOTICE) is not embedded. Run `make assets` (scripts/fetch-assets.sh) and
// rebuild.
var ErrAssetsMissing = errors.New("reports/assets/echarts.min.js missing: run make assets")

// Options says what to render and where.
type Options struct {
	// Dir is the bundle folder, e.g. out/report. It is replaced whole: the
	// bundle is written to Dir+".tmp-<pid>" and renamed over Dir, so a
	// reader sees yesterday's bundle or today's, never half of one. Render
	// refuses to replace a non-empty Dir that holds no manifest.json.
	Dir string
	// RunID is the meta.runs row the report belongs to: its data checks are
	// shown and its quarantined rows counted.
	RunID int64
	// Company is shown in the header.
	Company string
	// Currency is the ISO 4217 reporting currency of every money column;
	// CNY, USD and EUR are shown as ¥, $ and €, other codes as the code.
	Currency string
	// Language is "en" (the default when empty) or "zh-CN".
	Language string
	// Now is the generation time shown on the page and in the manifest
	// (time.Now() when zero). Same data and same Now give the same bytes.
	Now time.Time
	// Logger receives one line per render; nil discards.
	Logger *slog.Logger
}

// Manifest describes a rendered bundle; Render writes it as manifest.json
// and returns it.
type Manifest struct {
	// RunID is Options.RunID.
	RunID int64 `json:"run_id"`
	// GeneratedAt is Options.Now in UTC.
	GeneratedAt time.Time `json:"generated_at"`
	// Company, Currency and Language are those of Options.
	Company  string `json:"company"`
	Currency string `json:"currency"`
	Language string `json:"language"`
	// Period is the first and last day of marts.kpi_daily; nil when empty.
	Period *Period `json:"period"`
	// ProvisionalFrom is the first provisional day of marts.kpi_daily
	// (YYYY-MM-DD): numbers from then on may still change. Empty when none.
	ProvisionalFrom string `json:"provisional_from,omitempty"`
	// ChecksFailed counts the run's data checks of severity error that did
	// not pass; ChecksWarned those of severity warn.
	ChecksFailed int `json:"checks_failed"`
	ChecksWarned int `json:"checks_warned"`
	// Freshness is meta.stream_state, one entry per source stream, sorted.
	Freshness []StreamFreshness `json:"freshness"`
	// Pages are the bundle's HTML pages in navigation order, index.html
	// first; a section whose marts do not exist has none. Their sizes and
	// checksums are in Files.
	Pages []string `json:"pages"`
	// Files are the bundle's files except manifest.json, sorted by path.
	Files []File `json:"files"`
}

// Period is an inclusive range of days, formatted YYYY-MM-DD.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// StreamFreshness is how far one source stream is synced. Dates are
// YYYY-MM-DD and empty when NULL.
type StreamFreshness struct {
	Source          string    `json:"source"`
	Stream          string    `json:"stream"`
	Canonical       string    `json:"canonical"`
	SyncedThrough   string    `json:"synced_through,omitempty"`
	ProvisionalFrom string    `json:"provisional_from,omitempty"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// File is one file of a bundle: its slash-separated path relative to the
// bundle folder, size in bytes and lowercase hex SHA-256.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Render reads marts.kpi_daily, the goals and evaluation marts (when the
// warehouse has them) and the meta tables through db and writes the report
// bundle into opts.Dir: index.html and one page per section (see
// bundlePages), assets/ (ECharts with its LICENSE and NOTICE, and the
// pages' stylesheet pacer.css), data/*.csv
// (the rows behind each table and chart) and manifest.json. It returns the
// manifest it wrote.
//
// Render writes one thing to db, after the bundle is in place: the run's
// headline (KPIs, target and budget statuses, findings) into
// meta.report_snapshots, replacing any earlier snapshot of the same run, so
// the next run can say what changed. Without that table (a warehouse from
// before migration 0003), or on a read-only db, it only reads.
//
// It returns [ErrAssetsMissing] when the chart library was not embedded at
// build time. On error, opts.Dir is left as it was (and no snapshot is
// stored). Concurrent calls must use different Dirs.
func Render(ctx context.Context, db *sql.DB, opts Options) (*Manifest, error) {
	start := time.Now()
	if err := normalize(&opts); err != nil {
		return nil, err
	}
	assets, err := readAssets()
	if err != nil {
		return nil, err
	}
	data, err := load(ctx, db, opts.RunID)
	if err != nil {
		return nil, err
	}
	m := catalogs[opts.Language]
	page, files := build(data, opts, m)

	html, err := renderPages(data, page, m)
	if err != nil {
		return nil, err
	}
	files = append(files, html...)
	files = append(files, assets...)

	man := manifestOf(data, opts, page, files)
	for _, f := range html {
		man.Pages = append(man.Pages, f.Path)
	}
	manJSON, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("reports: encode manifest.json: %w", err)
	}
	files = append(files, bundleFile{Path: "manifest.json", Data: append(manJSON, '\n')})

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeBundle(opts.Dir, files); err != nil {
		return nil, err
	}
	// The headline is stored once the bundle is out, so a failed render
	// leaves the previous snapshot as the one the next run compares with.
	if err := saveSnapshot(ctx, db, page.snap); errors.Is(err, errReadOnly) {
		opts.Logger.WarnContext(ctx, "report snapshot not stored: the next report cannot say what changed since this one", "error", err)
	} else if err != nil {
		return nil, fmt.Errorf("reports: store the run's headline in meta.report_snapshots: %w", err)
	}
	var size int64
	for _, f := range man.Files {
		size += f.Size
	}
	opts.Logger.InfoContext(ctx, "report rendered",
		"dir", opts.Dir, "run_id", opts.RunID, "files", len(files), "bytes", size,
		"kpi_daily_groups", len(data.Days), "targets", len(data.Goals.Targets), "checks_failed", man.ChecksFailed,
		"duration_ms", time.Since(start).Milliseconds())
	return man, nil
}

// normalize checks opts and fills its defaults.
func normalize(o *Options) error {
	if strings.TrimSpace(o.Dir) == "" {
		return errors.New("reports: Options.Dir is empty")
	}
	o.Dir = filepath.Clean(o.Dir)
	if o.Language == "" {
		o.Language = "en"
	}
	if _, ok := catalogs[o.Language]; !ok {
		return fmt.Errorf("reports: unknown language %q (known: %s)", o.Language, languageList())
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// readAssets returns the embedded chart library files and the pages'
// stylesheet as bundle files.
func readAssets() ([]bundleFile, error) {
	var out []bundleFile
	for _, name := range assetFiles {
		b, err := fs.ReadFile(assetsFS, name)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && len(b) == 0) {
			return nil, fmt.Errorf("%w (reports/assets/%s not embedded)", ErrAssetsMissing, name)
		}
		if err != nil {
			return nil, fmt.Errorf("reports: read embedded assets/%s: %w", name, err)
		}
		out = append(out, bundleFile{Path: "assets/" + name, Data: b})
	}
	return append(out, bundleFile{Path: stylesheetPath, Data: stylesheet}), nil
}

// manifestOf describes the bundle; files must not include manifest.json.
func manifestOf(d *reportData, o Options, p *pageData, files []bundleFile) *Manifest {
	man := &Manifest{
		RunID:       o.RunID,
		GeneratedAt: o.Now.UTC(),
		Company:     o.Company,
		Currency:    o.Currency,
		Language:    o.Language,
		Freshness:   []StreamFreshness{},
	}
	if d.To.Valid {
		man.Period = &Period{From: d.From.Time.Format(dateLayout), To: d.To.Time.Format(dateLayout)}
	}
	if d.ProvisionalFrom.Valid {
		man.ProvisionalFrom = d.ProvisionalFrom.Time.Format(dateLayout)
	}
	for _, c := range d.Checks {
		switch {
		case !c.failed():
		case c.Severity == "warn":
			man.ChecksWarned++
		default:
			man.ChecksFailed++
		}
	}
	for _, s := range d.Streams {
		man.Freshness = append(man.Freshness, StreamFreshness{
			Source:          s.Source,
			Stream:          s.Stream,
			Canonical:       s.Canonical,
			SyncedThrough:   csvDate(s.SyncedThrough),
			ProvisionalFrom: csvDate(s.ProvisionalFrom),
			UpdatedAt:       s.UpdatedAt.UTC(),
		})
	}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		man.Files = append(man.Files, File{Path: f.Path, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(man.Files, func(i, j int) bool { return man.Files[i].Path < man.Files[j].Path })
	return man
}

// writeBundle writes files into dir+".tmp-<pid>" and swaps it in for dir.
// Linux cannot rename a folder over a non-empty one, so the old bundle is
// first renamed aside (dir+".old-<pid>") and removed after the swap: a
// reader finds the old bundle, then for an instant none, then the new one,
// never a mix. Leftovers of a killed render are removed by name first.
func writeBundle(dir string, files []bundleFile) error {
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("reports: create parent of %s: %w", dir, err)
	}
	removeStale(dir)
	pid := strconv.Itoa(os.Getpid())
	tmp, old := dir+".tmp-"+pid, dir+".old-"+pid
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("reports: remove leftover %s: %w", tmp, err)
	}
	if err := writeFiles(tmp, files); err != nil {
		return errors.Join(err, os.RemoveAll(tmp))
	}
	_, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Rename(tmp, dir); err != nil {
			return errors.Join(fmt.Errorf("reports: publish bundle %s: %w", dir, err), os.RemoveAll(tmp))
		}
		return nil
	case err != nil:
		return errors.Join(fmt.Errorf("reports: %w", err), os.RemoveAll(tmp))
	}
	if err := os.Rename(dir, old); err != nil {
		return errors.Join(fmt.Errorf("reports: move previous bundle aside: %w", err), os.RemoveAll(tmp))
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Put the previous bundle back.
		return errors.Join(fmt.Errorf("reports: publish bundle %s: %w", dir, err), os.Rename(old, dir), os.RemoveAll(tmp))
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("reports: remove previous bundle %s: %w", old, err)
	}
	return nil
}

// checkReplaceable refuses to replace a folder that is not a bundle: dir
// must not exist, be empty, or hold a manifest.json.
func checkReplaceable(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("reports: %s exists and is not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		return fmt.Errorf("reports: %s is not empty and holds no manifest.json: refusing to replace a folder that is not a report bundle", dir)
	}
	return nil
}

// removeStale removes dir+".tmp-<pid>" and dir+".old-<pid>" folders left by
// renders whose process no longer runs. Errors are ignored: a leftover
// costs disk space, not correctness.
func removeStale(dir string) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		for _, suffix := range []string{".tmp-", ".old-"} {
			rest, ok := strings.CutPrefix(e.Name(), base+suffix)
			if !ok {
				continue
			}
			pid, err := strconv.Atoi(rest)
			if err != nil || pid <= 0 || pid == os.Getpid() || processAlive(pid) {
				continue
			}
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// processAlive reports whether a process with the pid exists (signal 0).
// Where that cannot be told, it says true, so nothing is removed.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	if err == nil {
		return true
	}
	return !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}

// writeFiles writes files under root, creating folders as needed.
func writeFiles(root string, files []bundleFile) error {
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(path.Clean(f.Path)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("reports: write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("reports: write %s: %w", f.Path, err)
		}
	}
	return nil
}

// mustSub is fs.Sub for a folder known to exist in an embed.FS.
func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
