package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pacer schedule runs the nightly job on the configured cron expression
// and stops cleanly on SIGTERM, letting the running job finish.
func TestScheduleRunsTheJobAndStopsOnSIGTERM(t *testing.T) {
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, append(b, []byte("schedule: \"@every 2s\"\n")...), 0o644)
	before := query(t, cfg, "SELECT count(*) FROM meta.runs")

	cmd := exec.Command(pacerBin, "-c", cfg, "--log-format", "json", "--log-level", "info", "schedule")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log []string
	deadline := time.After(90 * time.Second)
	finished := false
	for !finished {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("schedule exited early:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, l)
			finished = strings.Contains(l, `"msg":"run finished"`)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no run finished in 90 s:\n%s", strings.Join(log, "\n"))
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		log = append(log, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("schedule exited with %v:\n%s", err, strings.Join(log, "\n"))
	}
	all := strings.Join(log, "\n")
	for _, want := range []string{`"msg":"scheduled"`, `"exit_code":0`, `"msg":"stopped"`} {
		if !strings.Contains(all, want) {
			t.Errorf("log lacks %s:\n%s", want, all)
		}
	}
	if after := query(t, cfg, "SELECT count(*) FROM meta.runs"); after == before {
		t.Errorf("no run recorded: %s", after)
	}
}

func TestScheduleNeedsASchedule(t *testing.T) {
	cfg := filepath.Join(newDemo(t), "pacer.yaml")
	if r := pacer(t, nil, "-c", cfg, "schedule"); r.code != 2 || !strings.Contains(r.stderr, "has no schedule") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// The scheduling examples in the repository are well-formed: the Airflow
// DAG parses as Python, and the systemd units name pacer run.
func TestSchedulingExamples(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	for _, f := range []string{"cron/crontab", "systemd/pacer.service", "systemd/pacer.timer"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if f != "systemd/pacer.timer" && !strings.Contains(string(b), "pacer -c pacer.yaml --log-format json run") {
			t.Errorf("%s does not run pacer", f)
		}
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: the DAG's syntax is not checked")
	}
	out, err := exec.Command(py, "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])",
		filepath.Join(root, "airflow", "pacer_dag.py")).CombinedOutput()
	if err != nil {
		t.Errorf("the Airflow DAG does not parse: %v\n%s", err, out)
	}
}
