package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mailpitBin returns a mailpit binary: on PATH, in GOPATH/bin, or
// installed with go install (about a minute, once). The test skips when
// none can be had.
func mailpitBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	bin := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "mailpit")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	out, err := exec.Command("go", "install", "github.com/axllent/mailpit@v1.27.11").CombinedOutput()
	if err != nil {
		t.Skipf("mailpit is not installed and go install failed: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// pacer send delivers the digest through a real SMTP server (mailpit on
// 127.0.0.1), read back through mailpit's HTTP API.
func TestSendDeliversTheDigestThroughMailpit(t *testing.T) {
	bin := mailpitBin(t)
	smtpPort, httpPort := freePort(t), freePort(t)
	mp := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	if err := mp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Process.Kill(); mp.Wait() })
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)
	for i := 0; ; i++ {
		if r, err := http.Get(api + "/messages"); err == nil {
			r.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("mailpit did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}

	const password = "canary-smtp-pass-91f2"
	dir := newDemo(t)
	cfg := filepath.Join(dir, "pacer.yaml")
	b, _ := os.ReadFile(cfg)
	b = []byte(strings.Replace(string(b), "  language: en\n", "  language: en\n  base_url: https://reports.example.com/lumen/\n", 1))
	b = append(b, []byte(fmt.Sprintf("email:\n  from: pacer@example.com\n  to: [cmo@example.com]\n  smtp:\n    host: 127.0.0.1\n    port: %d\n    username: pacer\n    password: ${SMTP_PASSWORD}\n    tls: none\n", smtpPort))...)
	os.WriteFile(cfg, b, 0o644)

	r := pacer(t, []string{"SMTP_PASSWORD=" + password}, "-c", cfg, "--log-level", "debug", "send")
	if r.code != 0 {
		t.Fatalf("send: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Error("the SMTP password was printed")
	}

	var list struct {
		Messages []struct {
			ID      string
			Subject string
			Size    int
		}
	}
	getJSON(t, api+"/messages", &list)
	if len(list.Messages) != 1 {
		t.Fatalf("%d messages in mailpit", len(list.Messages))
	}
	msg := list.Messages[0]
	if !strings.Contains(msg.Subject, ": ") || msg.Size > 100_000 {
		t.Errorf("subject %q, size %d", msg.Subject, msg.Size)
	}
	var full struct {
		HTML, Text string
		Inline     []struct {
			PartID, FileName, ContentType, ContentID string
			Size                                     int
		}
		Attachments []struct{ FileName string }
	}
	getJSON(t, api+"/message/"+msg.ID, &full)
	// The revenue chart: one inline PNG, the image the HTML shows by its
	// Content-ID, with its numbers as alt text; no other attachment.
	if len(full.Inline) != 1 || len(full.Attachments) != 0 {
		t.Fatalf("inline parts %+v, attachments %+v: want the chart inline, nothing attached", full.Inline, full.Attachments)
	}
	chart := full.Inline[0]
	if chart.ContentType != "image/png" || chart.ContentID == "" || !strings.HasSuffix(chart.FileName, ".png") || chart.Size > 8<<10 {
		t.Errorf("inline part %+v: want a small PNG with a Content-ID", chart)
	}
	if !strings.Contains(full.HTML, `src="cid:`+chart.ContentID+`"`) || strings.Count(strings.ToLower(full.HTML), "<img") != 1 ||
		!strings.Contains(full.HTML, `alt="Revenue per day from `) {
		t.Errorf("the HTML does not show the inline chart %q (once, with alt text)", chart.ContentID)
	}
	r2, err := http.Get(api + "/message/" + msg.ID + "/part/" + chart.PartID)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(r2.Body)
	r2.Body.Close()
	if err != nil {
		t.Errorf("the inline part is not a PNG: %v", err)
	} else if b := img.Bounds(); b.Dx() != 560 || b.Dy() != 160 {
		t.Errorf("the chart is %v, want 560×160", b)
	}
	for _, bad := range []string{"<script", "<svg"} {
		if strings.Contains(strings.ToLower(full.HTML), bad) {
			t.Errorf("the email holds %s", bad)
		}
	}
	for _, want := range []string{"https://reports.example.com/lumen/index.html", "paid_social turns"} {
		if !strings.Contains(full.HTML, want) || !strings.Contains(full.Text, want) {
			t.Errorf("the email lacks %q", want)
		}
	}
	// Charts as CSS bars (table cells with a width, no image), and what
	// changed since the last report run (the demo's was the first).
	for _, want := range []string{`bgcolor="#2f6eba"`, `bgcolor="#e8772e"`, "What changed since the last run", "first report run"} {
		if !strings.Contains(full.HTML, want) {
			t.Errorf("the email's HTML lacks %q", want)
		}
	}

	// A server that refuses: exit 1 with its message, after retries.
	os.WriteFile(cfg, []byte(strings.Replace(string(b), fmt.Sprintf("port: %d", smtpPort), fmt.Sprintf("port: %d", freePort(t)), 1)), 0o644)
	if r := pacer(t, []string{"SMTP_PASSWORD=" + password}, "-c", cfg, "send"); r.code != 1 || !strings.Contains(r.stderr, "not sent after 3 tries") {
		t.Errorf("send to a closed port: exit %d\n%s", r.code, r.stderr)
	}
}

func TestSendDryRunWritesAnEML(t *testing.T) {
	dir := newDemo(t)
	eml := filepath.Join(t.TempDir(), "digest.eml")
	r := mustPacer(t, "-c", filepath.Join(dir, "pacer.yaml"), "send", "--dry-run", eml)
	b, err := os.ReadFile(eml)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.stderr)
	}
	s := string(b)
	for _, want := range []string{"Subject: ", "Content-Type: multipart/alternative", "text/html", "text/plain",
		// The chart, inline, referred to by its Content-ID.
		"Content-Type: multipart/related", "Content-Type: image/png", "Content-Disposition: inline", "Content-Id: <revenue-",
		`src=3D"cid:revenue-`} {
		if !strings.Contains(s, want) {
			t.Errorf(".eml lacks %q", want)
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, b)
	}
}
