package httpkit

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in string
		gone     []string
	}{
		{"query parameters", "GET /v26.0/act_1/insights?access_token=EAABsecretvalue123456&appsecret_proof=abc123def&limit=5",
			[]string{"EAABsecretvalue123456", "abc123def"}},
		{"form bodies", "grant_type=refresh_token&refresh_token=1//0abcdefghijklmnopqrstu&client_secret=GOCSPX-xyz",
			[]string{"1//0abcdefghijklmnopqrstu", "GOCSPX-xyz"}},
		{"JSON token fields", `{"access_token":"tok-123456","expires_in":3599,"refresh_token":"ref-654321"}`,
			[]string{"tok-123456", "ref-654321"}},
		{"authorization headers", "Authorization: Bearer abc.def.ghi\nAccess-Token: tt-secret-token\ndeveloper-token: dev-tok-1",
			[]string{"abc.def.ghi", "tt-secret-token", "dev-tok-1"}},
		{"printed header maps", "map[Access-Token:[tt-secret-token] Authorization:[Bearer zzz-secret]]",
			[]string{"tt-secret-token", "zzz-secret"}},
		{"token shapes", "keys sk_live_51Habcdef rk_test_12345678 pat-na1-11111111-2222 ya29.a0AfH6SMC EAAGm0PX4ZCpsBAEZBZA",
			[]string{"sk_live_51Habcdef", "rk_test_12345678", "pat-na1-11111111-2222", "ya29.a0AfH6SMC", "EAAGm0PX4ZCpsBAEZBZA"}},
		{"pre-signed URLs lose their query", "download https://bucket.s3.amazonaws.com/r.zip?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef now",
			[]string{"AKIA", "deadbeef"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redact(tt.in)
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("Redact(%q) = %q still has %q", tt.in, got, g)
				}
			}
			if !strings.Contains(got, redacted) {
				t.Errorf("Redact(%q) = %q has no marker", tt.in, got)
			}
		})
	}
	if s := "campaign Brand DE, 412 clicks, request id fAk3Req1"; Redact(s) != s {
		t.Errorf("ordinary text changed: %q", Redact(s))
	}
}

func TestRedactorValuesAndURLs(t *testing.T) {
	var r Redactor
	r.Add("canary-7f3a9", "abc") // too short to register: "abc"
	if got := r.Redact("secret canary-7f3a9 and canary-7f3a9, abc"); got != "secret [redacted] and [redacted], abc" {
		t.Errorf("got %q", got)
	}
	if got := r.Redact("q=canary%2D7f3a9+x"); strings.Contains(got, "7f3a9") && url.QueryEscape("canary-7f3a9") != "canary-7f3a9" {
		t.Errorf("escaped form kept: %q", got)
	}
	u, _ := url.Parse("https://user:pw@graph.facebook.com/v26.0/act_1/insights?access_token=EAAB123&after=MQZDZD")
	got := RedactURL(u)
	if strings.Contains(got, "EAAB123") || strings.Contains(got, "pw") || !strings.Contains(got, "after=MQZDZD") {
		t.Errorf("RedactURL = %q", got)
	}
	u, _ = url.Parse("https://x.blob.core.windows.net/r.zip?sv=2020&se=2026&sig=abcd")
	if got := RedactURL(u); got != "https://x.blob.core.windows.net/r.zip?[redacted]" {
		t.Errorf("pre-signed RedactURL = %q", got)
	}
}

func TestSecretAndRedactingHandler(t *testing.T) {
	s := Secret("canary-secret-value")
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %#v %+v", s, s, s, s)} {
		if strings.Contains(out, "canary") {
			t.Errorf("Secret printed: %q", out)
		}
	}
	var buf bytes.Buffer
	var r Redactor
	r.Add("canary-token-1234")
	log := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil), &r)).With("token", "canary-token-1234")
	log.Info("calling https://x/api?access_token=zzz-1", "secret", s, "err", errors.New("bad canary-token-1234"),
		slog.Group("g", "auth", "Bearer abcdefgh"))
	if out := buf.String(); strings.Contains(out, "canary") || strings.Contains(out, "zzz-1") || strings.Contains(out, "abcdefgh") {
		t.Errorf("log leaked: %s", out)
	}
}
