package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the real pacer binary as a separate process, the way cron
// and Airflow do: exit codes, kill -9, locks and files are the real thing.

var pacerBin string

const demoDay = "2026-11-24"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pacer-bin-")
	if err != nil {
		panic(err)
	}
	pacerBin = filepath.Join(dir, "pacer")
	build := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", pacerBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pacer:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func pacer(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pacerBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run pacer %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

func mustPacer(t *testing.T, args ...string) result {
	t.Helper()
	r := pacer(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("pacer %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// newDemo writes and runs the demo project into a fresh directory.
func newDemo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	mustPacer(t, "demo", "--out", dir, "--date", demoDay, "--seed", "7")
	return dir
}

func query(t *testing.T, cfg, sql string) string {
	t.Helper()
	return strings.TrimSpace(mustPacer(t, "-c", cfg, "query", "--format", "csv", sql).stdout)
}

// martsFingerprint hashes every row of every mart, order-independently.
func martsFingerprint(t *testing.T, cfg string) string {
	t.Helper()
	tables := strings.Split(query(t, cfg, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1`), "\n")[1:]
	if len(tables) == 0 {
		t.Fatal("no marts")
	}
	var parts []string
	for _, tb := range tables {
		out := query(t, cfg, fmt.Sprintf(`SELECT count(*) || ':' || coalesce(bit_xor(hash(m)), 0) FROM marts.%s m`, tb))
		parts = append(parts, tb+"="+strings.Split(out, "\n")[1])
	}
	return strings.Join(parts, " ")
}

func TestDemoIsARealProject(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	for _, f := range []string{"pacer.yaml", "targets.yaml", "fx_rates.csv", "pacer.duckdb", "report/index.html", "report/manifest.json", "report/assets/echarts.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo did not write %s: %v", f, err)
		}
	}
	mustPacer(t, "-c", cfg, "validate")
	out := mustPacer(t, "-c", cfg, "query", "select * from marts.kpi_daily limit 5").stdout
	if lines := strings.Count(out, "\n"); lines != 6 {
		t.Errorf("query printed %d lines, want header + 5:\n%s", lines, out)
	}
	status := mustPacer(t, "-c", cfg, "status").stdout
	for _, want := range []string{"demo", "ad_performance", "orders", "ok"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	// Every table and column an analyst reads explains itself.
	missing := query(t, cfg, `SELECT count(*) FROM (
		SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name IN ('staging','marts','meta')
		UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE schema_name IN ('staging','marts','meta') AND NOT internal
		UNION ALL SELECT schema_name, table_name || '.' || column_name, comment FROM duckdb_columns() WHERE schema_name IN ('staging','marts','meta')
	) WHERE comment IS NULL OR comment = ''`)
	if missing != "count_star()\n0" {
		list := query(t, cfg, `SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
			WHERE schema_name IN ('staging','marts','meta') AND (comment IS NULL OR comment = '') LIMIT 20`)
		t.Errorf("objects without a comment: %s\n%s", missing, list)
	}
	// JSON output for scripts.
	js := mustPacer(t, "-c", cfg, "query", "--format", "json", "select 1 as one, 'x' as s").stdout
	var row map[string]any
	if err := json.Unmarshal([]byte(js), &row); err != nil || row["one"] != float64(1) || row["s"] != "x" {
		t.Errorf("json output %q: %v", js, err)
	}
	// Analysts cannot write through query.
	if r := pacer(t, nil, "-c", cfg, "query", "create table marts.x as select 1"); r.code != 2 {
		t.Errorf("a write through query: exit %d, want 2", r.code)
	}
}

func TestRerunningADayGivesIdenticalMarts(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	before := martsFingerprint(t, cfg)
	rawBefore := query(t, cfg, "SELECT count(*) FROM raw.demo__orders")
	mustPacer(t, "-c", cfg, "run", "--date", demoDay)
	mustPacer(t, "-c", cfg, "run", "--date", demoDay)
	if after := martsFingerprint(t, cfg); after != before {
		t.Errorf("marts changed on rerun:\nbefore %s\nafter  %s", before, after)
	}
	if raw := query(t, cfg, "SELECT count(*) FROM raw.demo__orders"); raw != rawBefore {
		t.Errorf("raw orders %s → %s after reruns: duplicates", rawBefore, raw)
	}
	// Full refresh and backfill leave the same data too.
	mustPacer(t, "-c", cfg, "sync", "--full-refresh", "--date", demoDay)
	mustPacer(t, "-c", cfg, "backfill", "--from", "2026-11-01", "--to", "2026-11-10", "--date", demoDay)
	mustPacer(t, "-c", cfg, "run", "--date", demoDay)
	if after := martsFingerprint(t, cfg); after != before {
		t.Errorf("marts changed after full refresh and backfill:\nbefore %s\nafter  %s", before, after)
	}
}

func TestKillDashNineThenRerunGivesTheSameMarts(t *testing.T) {
	ref := newDemo(t)
	want := martsFingerprint(t, filepath.Join(ref, "pacer.yaml"))

	// A fresh project whose first nightly run is killed at several points
	// (inside sync, transform or report), then run again to completion.
	dir := filepath.Join(t.TempDir(), "demo")
	mustPacer(t, "demo", "--out", dir, "--date", demoDay, "--seed", "7")
	cfg := filepath.Join(dir, "pacer.yaml")
	start := time.Now()
	mustPacer(t, "-c", cfg, "sync", "--full-refresh", "--date", demoDay)
	full := time.Since(start)
	killed := 0
	for _, frac := range []float64{0.15, 0.35, 0.55, 0.75, 0.9} {
		cmd := exec.Command(pacerBin, "-c", cfg, "run", "--date", demoDay)
		// Remove the cursors first so that the run re-reads everything.
		mustPacer(t, "-c", cfg, "sync", "--full-refresh", "--date", "2025-01-01")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(frac * float64(full)))
		if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
			killed++
		}
		cmd.Wait()
		if st := cmd.ProcessState; st != nil && st.Success() {
			killed-- // finished before the kill landed
		}
	}
	if killed == 0 {
		t.Fatal("no run was killed mid-way; the test proves nothing")
	}
	mustPacer(t, "-c", cfg, "run", "--date", demoDay)
	if got := martsFingerprint(t, cfg); got != want {
		t.Errorf("after %d kills and a rerun, marts differ from a clean run:\nwant %s\ngot  %s", killed, want, got)
	}
	crashed := query(t, cfg, "SELECT count(*) FROM meta.runs WHERE status = 'crashed'")
	if crashed == "count_star()\n0" {
		t.Errorf("killed runs were not marked crashed in meta.runs")
	}
}

func TestASecondConcurrentRunExits75(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	mustPacer(t, "-c", cfg, "sync", "--full-refresh", "--date", "2025-01-01")
	first := exec.Command(pacerBin, "-c", cfg, "run", "--date", demoDay)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Wait()
	lock := filepath.Join(dir, "pacer.duckdb.lock")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(lock)
		if bytes.Contains(b, []byte(fmt.Sprintf(`"pid":%d`, first.Process.Pid))) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first run never took the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := pacer(t, nil, "-c", cfg, "run", "--date", demoDay)
	if second.code != 75 {
		t.Fatalf("second run: exit %d, want 75\n%s", second.code, second.stderr)
	}
	if !strings.Contains(second.stderr, fmt.Sprintf("pid %d", first.Process.Pid)) {
		t.Errorf("message does not name the holder:\n%s", second.stderr)
	}
	if err := first.Wait(); err != nil {
		t.Errorf("first run: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\ncompany: X\ncurrency: CNY\nsourcez: []\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an unknown command is a usage error", []string{"frobnicate"}, 2, "unknown command"},
		{"an unknown flag is a usage error", []string{"run", "--dat", "x"}, 2, "unknown flag"},
		{"a bad date is a usage error", []string{"run", "--date", "24/11/2026"}, 2, "YYYY-MM-DD"},
		{"a missing config is explained", []string{"-c", filepath.Join(dir, "nope.yaml"), "run"}, 2, "pacer init"},
		{"an unknown key names file and line", []string{"-c", bad, "validate"}, 2, "bad.yaml:4: unknown key \"sourcez\""},
		{"version prints DuckDB's", []string{"version"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := pacer(t, nil, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("output lacks %q:\n%s%s", tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestFailingChecksExit3AndTheReportSaysSo(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	// Drop the USD rates: paid search and social can no longer be converted.
	b, _ := os.ReadFile(filepath.Join(dir, "fx_rates.csv"))
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, ",USD,") {
			kept = append(kept, line)
		}
	}
	os.WriteFile(filepath.Join(dir, "fx_rates.csv"), []byte(strings.Join(kept, "\n")), 0o644)
	r := pacer(t, nil, "-c", cfg, "run", "--date", demoDay)
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := query(t, cfg, "SELECT count(*) > 0 FROM meta.fx_missing WHERE currency = 'USD'"); !strings.HasSuffix(n, "true") {
		t.Errorf("meta.fx_missing does not list USD: %s", n)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "fx") {
		t.Errorf("the report does not mention the failing FX check")
	}
}

func TestJSONLogs(t *testing.T) {
	dir := newDemo(t)
	r := pacer(t, nil, "-c", filepath.Join(dir, "pacer.yaml"), "--log-format", "json", "--log-level", "info", "transform")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) < 2 {
		t.Fatalf("too few log lines:\n%s", r.stderr)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
	}
}

func TestInitWritesAValidStartingPoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	mustPacer(t, "init", dir)
	for _, f := range []string{"pacer.yaml", "targets.yaml", ".env.example"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s", f)
		}
	}
	if r := pacer(t, nil, "init", dir); r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("init over an existing project: exit %d %s", r.code, r.stderr)
	}
	r := pacer(t, nil, "-c", filepath.Join(dir, "pacer.yaml"), "validate")
	if r.code != 0 {
		t.Errorf("the starting config does not validate: %s", r.stderr)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	const canary = "canary-s3cr3t-7f1d"
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	b, _ := os.ReadFile(cfg)
	b = append(b, []byte("email:\n  from: pacer@example.com\n  to: [cmo@example.com]\n  smtp: {host: 127.0.0.1, port: 2525, username: pacer, password: ${SMTP_PASSWORD}}\n")...)
	os.WriteFile(cfg, b, 0o644)
	env := []string{"SMTP_PASSWORD=" + canary}
	var outputs []string
	for _, args := range [][]string{
		{"-c", cfg, "--log-level", "debug", "run", "--date", demoDay},
		{"-c", cfg, "--log-level", "debug", "--log-format", "json", "validate"},
		{"-c", cfg, "status"},
	} {
		r := pacer(t, env, args...)
		outputs = append(outputs, r.stdout, r.stderr)
	}
	for _, o := range outputs {
		if strings.Contains(o, canary) {
			t.Fatalf("secret printed:\n%s", o)
		}
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || p == cfg {
			return err
		}
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(canary)) {
			t.Errorf("secret written to %s", p)
		}
		return nil
	})
	_ = context.Background
}

func TestBadFilesAreQuarantinedOrExplainedAndOtherSourcesStillLoad(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o755)
	write := func(name, body string) { os.WriteFile(filepath.Join(data, name), []byte(body), 0o644) }
	write("orders.csv", "order_id,customer_id,user_id,ts,amount,currency,status\n"+
		"o1,c1,u1,2026-11-20T10:00:00Z,100.50,CNY,paid\n"+
		"o2,c2,u2,2026-11-20T11:00:00Z,abc,CNY,paid\n"+ // wrong type: text in amount
		"o3,c3,u3,2026-11-21T09:00:00Z,80.00,CNY,paid\n")
	write("spend.csv", "date,platform,account_id,campaign_id,campaign_name,channel,currency,spend,impressions,clicks,conversions,conversion_value\n"+
		"2026-11-20,google_ads,a1,k1,Brand,paid_search,CNY,50.00,1000,40,2,200.00\n"+
		"2026-11-31,google_ads,a1,k1,Brand,paid_search,CNY,60.00,1100,41,3,300.00\n"+ // bad date
		"2026-11-21,google_ads,a1,k1,Brand,paid_search,CNY,55.00,1050,42,1,90.00\n")
	write("deals.csv", "deal_id,stage,is_won\nd1,won,true\n") // missing created_at
	write("empty.csv", "")
	cfg := filepath.Join(dir, "pacer.yaml")
	os.WriteFile(cfg, []byte(`version: 1
company: Files Co
timezone: UTC
currency: CNY
sources:
  - {name: shop, type: file, path: data/orders.csv, stream: orders}
  - {name: ads, type: file, path: data/spend.csv, stream: ad_performance}
  - {name: crm, type: file, path: data/deals.csv, stream: crm_deals}
  - {name: surveys, type: file, path: data/empty.csv, stream: survey_metrics}
`), 0o644)
	r := pacer(t, nil, "-c", cfg, "run", "--date", "2026-11-21")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (an input file is invalid)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "deals.csv") || !strings.Contains(r.stderr, "created_at") {
		t.Errorf("the error does not name the file and the missing column:\n%s", r.stderr)
	}
	q := query(t, cfg, `SELECT source || '|' || file || '|' || line || '|' || field FROM meta.quarantine ORDER BY source`)
	for _, want := range []string{"ads|data/spend.csv|3|date", "shop|data/orders.csv|3|amount"} {
		if !strings.Contains(q, want) {
			t.Errorf("quarantine lacks %q:\n%s", want, q)
		}
	}
	if got := query(t, cfg, "SELECT count(*) FROM raw.shop__orders"); !strings.HasSuffix(got, "\n2") {
		t.Errorf("good orders not loaded: %s", got)
	}
	if got := query(t, cfg, "SELECT sum(spend)::VARCHAR AS v FROM marts.kpi_daily"); got != "v\n105.00" {
		t.Errorf("kpi_daily spend %s, want 105.0 from the two good ad rows", got)
	}
	if got := query(t, cfg, "SELECT sum(revenue)::VARCHAR AS v FROM marts.kpi_daily"); got != "v\n180.50" {
		t.Errorf("kpi_daily revenue %s, want 180.5 from the two good orders", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "report", "index.html")); err != nil {
		t.Errorf("no report after a bad input file: %v", err)
	}
}
