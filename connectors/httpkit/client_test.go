package httpkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// script is a test server answering requests in order from a list.
type script struct {
	mu      sync.Mutex
	answers []func(w http.ResponseWriter, r *http.Request)
	n       int
	reqs    []*http.Request
	bodies  []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	s.bodies = append(s.bodies, string(b))
	if s.n >= len(s.answers) {
		w.WriteHeader(599)
		return
	}
	s.answers[s.n](w, r)
	s.n++
}

func answer(status int, body string, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func newTestClient(t *testing.T, s *script, cfg Config) (*Client, *FakeClock) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	clock := NewFakeClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	if cfg.BaseURL == "" {
		cfg.BaseURL = srv.URL + "/api"
	}
	if cfg.Platform == "" {
		cfg.Platform = "test"
	}
	c, err := New(cfg, WithClock(clock), WithLoopbackOnly(), WithRand(func() float64 { return 0.5 }))
	if err != nil {
		t.Fatal(err)
	}
	return c, clock
}

func TestRetries(t *testing.T) {
	httpDate := time.Date(2026, 11, 1, 12, 0, 45, 0, time.UTC).Format(http.TimeFormat)
	tests := []struct {
		name     string
		answers  []func(http.ResponseWriter, *http.Request)
		classify func(*Response) Verdict
		waits    []time.Duration
		err      string
		is       error
		tries    int
	}{
		{name: "5xx is retried with full-jitter backoff",
			answers: []func(http.ResponseWriter, *http.Request){answer(503, ""), answer(502, ""), answer(200, "{}")},
			waits:   []time.Duration{500 * time.Millisecond, time.Second}, tries: 3},
		{name: "Retry-After in seconds wins",
			answers: []func(http.ResponseWriter, *http.Request){answer(429, "", "Retry-After", "7"), answer(200, "{}")},
			waits:   []time.Duration{7 * time.Second}, tries: 2},
		{name: "Retry-After as an HTTP date",
			answers: []func(http.ResponseWriter, *http.Request){answer(429, "", "Retry-After", httpDate), answer(200, "{}")},
			waits:   []time.Duration{45 * time.Second}, tries: 2},
		{name: "a platform hint on HTTP 200 (TikTok-style code)",
			answers: []func(http.ResponseWriter, *http.Request){answer(200, `{"code":40100}`), answer(200, `{"code":0}`)},
			classify: func(r *Response) Verdict {
				if strings.Contains(string(r.Body), "40100") {
					return Verdict{Action: Retry, Code: "40100", Message: "Too many requests", Wait: 12 * time.Second}
				}
				return Verdict{}
			},
			waits: []time.Duration{12 * time.Second}, tries: 2},
		{name: "six tries at most",
			answers: slices.Repeat([]func(http.ResponseWriter, *http.Request){answer(500, "boom")}, 7),
			waits:   []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			err:     "test: op: boom (HTTP 500; 6 tries)", is: ErrRetriesExhausted, tries: 6},
		{name: "a 400 fails at once with the platform's message",
			answers: []func(http.ResponseWriter, *http.Request){answer(400, `{"error":{"message":"(#100) bad field"}}`)},
			classify: func(r *Response) Verdict {
				return Verdict{Code: "100", Message: "(#100) bad field", RequestID: "AbC"}
			},
			err: "test: op: 100: (#100) bad field (HTTP 400; request id AbC)", is: ErrPermanent, tries: 1},
		{name: "a daily quota stops until tomorrow",
			answers: []func(http.ResponseWriter, *http.Request){answer(403, `[{"errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)},
			classify: func(r *Response) Verdict {
				return Verdict{Action: StopToday, Code: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."}
			},
			err: "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.", is: ErrRateLimited, tries: 1},
		{name: "a hint longer than MaxWait stops",
			answers: []func(http.ResponseWriter, *http.Request){answer(429, "", "Retry-After", "86400")},
			err:     "asks to wait 24h0m0s", is: ErrRateLimited, tries: 1},
		{name: "a network error is retried",
			answers: []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
			}, answer(200, "{}")},
			waits: []time.Duration{500 * time.Millisecond}, tries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{answers: tt.answers}
			c, clock := newTestClient(t, s, Config{Classify: tt.classify})
			resp, err := c.Do(t.Context(), &Request{URL: "v1/things", Op: "op"})
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.Tries != tt.tries {
					t.Errorf("tries %d, want %d", resp.Tries, tt.tries)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				if !errors.Is(err, tt.is) {
					t.Errorf("err does not wrap %v", tt.is)
				}
				if len(s.reqs) != tt.tries {
					t.Errorf("%d requests, want %d", len(s.reqs), tt.tries)
				}
			}
			if got := clock.Sleeps(); !slices.Equal(got, tt.waits) {
				t.Errorf("waits %v, want %v", got, tt.waits)
			}
		})
	}
}

func TestRetryBudget(t *testing.T) {
	s := &script{answers: slices.Repeat([]func(http.ResponseWriter, *http.Request){answer(503, "")}, 20)}
	c, _ := newTestClient(t, s, Config{RetryBudget: 3})
	_, err := c.Do(t.Context(), &Request{URL: "a"})
	if err == nil || !strings.Contains(err.Error(), "retry budget of 3") || !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("err %v", err)
	}
	if len(s.reqs) != 4 {
		t.Errorf("%d requests", len(s.reqs))
	}
}

func TestDecodeRetriesMalformed(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter, *http.Request){answer(200, `[{"a":`), answer(200, `[{"a":1}]`)}}
	c, clock := newTestClient(t, s, Config{})
	calls := 0
	err := c.DoDecode(t.Context(), &Request{URL: "a"}, func(r *Response) error {
		calls++
		if !strings.HasSuffix(string(r.Body), "]") {
			return fmt.Errorf("%w: cut short", ErrMalformed)
		}
		return nil
	})
	if err != nil || calls != 2 || len(clock.Sleeps()) != 1 {
		t.Errorf("err %v, calls %d, sleeps %v", err, calls, clock.Sleeps())
	}
	// A platform error found inside a 200 body takes that error's action.
	s2 := &script{answers: []func(http.ResponseWriter, *http.Request){answer(200, `x`)}}
	c2, _ := newTestClient(t, s2, Config{})
	err = c2.DoDecode(t.Context(), &Request{URL: "a", Op: "op"}, func(r *Response) error {
		return &Error{Code: "INVALID_ARGUMENT", Message: "bad query", Action: Fatal}
	})
	if err == nil || !strings.Contains(err.Error(), "INVALID_ARGUMENT: bad query") || !errors.Is(err, ErrPermanent) {
		t.Errorf("err %v", err)
	}
}

func TestOAuth2RefreshOnceAndRedaction(t *testing.T) {
	var tokenCalls int
	var forms []string
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		tokenCalls++
		forms = append(forms, r.PostForm.Encode())
		if r.PostForm.Get("refresh_token") == "revoked-refresh-token" {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"access-%d-canary","expires_in":3599,"refresh_token":"rotated-refresh-%d","token_type":"Bearer"}`, tokenCalls, tokenCalls)
	})
	var apiCalls int
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		apiCalls++
		if r.Header.Get("Authorization") == "Bearer access-1-canary" {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":"expired"}`)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var rotated []Secret
	clock := NewFakeClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	c, err := New(Config{
		Platform: "test", BaseURL: srv.URL + "/api",
		Auth: NewOAuth2(OAuth2{TokenURL: srv.URL + "/oauth/token", ClientID: "cid", ClientSecret: "client-secret-canary",
			RefreshToken: "refresh-token-canary", OnRotate: func(s Secret) { rotated = append(rotated, s) }}),
	}, WithClock(clock), WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(t.Context(), &Request{URL: "x"}); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if tokenCalls != 2 || apiCalls != 2 || len(clock.Sleeps()) != 0 {
		t.Errorf("token calls %d, api calls %d, sleeps %v", tokenCalls, apiCalls, clock.Sleeps())
	}
	if len(rotated) != 2 || rotated[1].Reveal() != "rotated-refresh-2" || !strings.Contains(forms[1], "refresh_token=rotated-refresh-1") {
		t.Errorf("rotation: %v, forms %q", rotated, forms)
	}
	// The token is cached until a minute before it expires.
	if _, err := c.Do(t.Context(), &Request{URL: "x"}); err != nil || tokenCalls != 2 {
		t.Errorf("cached token: %v, %d token calls", err, tokenCalls)
	}
	clock.Advance(3599*time.Second - 30*time.Second)
	_, _ = c.Do(t.Context(), &Request{URL: "x"})
	if tokenCalls != 3 {
		t.Errorf("expiring token not refreshed: %d token calls", tokenCalls)
	}
	for _, text := range []string{c.Redactor().Redact("access-2-canary client-secret-canary refresh-token-canary rotated-refresh-1")} {
		if strings.Contains(text, "canary") || strings.Contains(text, "rotated") {
			t.Errorf("not redacted: %q", text)
		}
	}

	// A refused refresh is fatal, names the error, wraps ErrAuth.
	c2, _ := New(Config{Platform: "test", BaseURL: srv.URL + "/api",
		Auth: NewOAuth2(OAuth2{TokenURL: srv.URL + "/oauth/token", ClientID: "cid", ClientSecret: "s3cret-canary", RefreshToken: "revoked-refresh-token"}),
	}, WithClock(clock), WithLoopbackOnly())
	_, err = c2.Do(t.Context(), &Request{URL: "x"})
	if err == nil || !strings.Contains(err.Error(), "test: token refresh: invalid_grant: Token has been expired or revoked.") ||
		!errors.Is(err, ErrAuth) || !errors.Is(err, ErrPermanent) || strings.Contains(err.Error(), "revoked-refresh-token") {
		t.Errorf("revoked: %v", err)
	}
}

func TestStaticTokenAndAuthorize(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter, *http.Request){answer(401, `{"code":40105,"message":"Access token is incorrect or has been revoked."}`)}}
	c, _ := newTestClient(t, s, Config{
		Auth:      StaticToken("tt-static-token"),
		Authorize: func(r *http.Request, tok string) { r.Header.Set("Access-Token", tok) },
		Classify: func(r *Response) Verdict {
			return Verdict{Code: "40105", Message: "Access token is incorrect or has been revoked."}
		},
	})
	_, err := c.Do(t.Context(), &Request{URL: "x", Op: "report"})
	if err == nil || !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "40105: Access token is incorrect") {
		t.Errorf("err %v", err)
	}
	if got := s.reqs[0].Header.Get("Access-Token"); got != "tt-static-token" || s.reqs[0].Header.Get("Authorization") != "" {
		t.Errorf("headers %v", s.reqs[0].Header)
	}
}

func TestResolveAndLoopback(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:9000/meta", DefaultBaseURL: "https://graph.facebook.com", ProductionHosts: []string{"graph-video.facebook.com"}}, WithLoopbackOnly())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want, err string }{
		{in: "v26.0/act_1/insights", want: "http://127.0.0.1:9000/meta/v26.0/act_1/insights"},
		{in: "/services/data/v68.0/query/01g-2000", want: "http://127.0.0.1:9000/meta/services/data/v68.0/query/01g-2000"},
		{in: "/meta/v26.0/x?after=Q", want: "http://127.0.0.1:9000/meta/v26.0/x?after=Q"},
		{in: "https://graph.facebook.com/v26.0/act_1/insights?after=MQZDZD&limit=500", want: "http://127.0.0.1:9000/meta/v26.0/act_1/insights?after=MQZDZD&limit=500"},
		{in: "https://graph-video.facebook.com/v26.0/x", want: "http://127.0.0.1:9000/meta/v26.0/x"},
		{in: "http://127.0.0.1:9000/meta/v26.0/y?after=Z", want: "http://127.0.0.1:9000/meta/v26.0/y?after=Z"},
		{in: "http://localhost:9100/dl/r.zip?sig=x", want: "http://localhost:9100/dl/r.zip?sig=x"},
		{in: "https://bucket.s3.amazonaws.com/r.zip?X-Amz-Signature=abc", err: "only loopback"},
	}
	for _, tt := range tests {
		u, err := c.Resolve(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "abc") {
				t.Errorf("Resolve(%q) err %v", tt.in, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
	if _, err := New(Config{BaseURL: "https://googleads.googleapis.com"}, WithLoopbackOnly()); err == nil {
		t.Error("a production base URL passed the loopback guard")
	}
	for _, bad := range []string{"googleads.googleapis.com", "ftp://x/y", "http://x/y?q=1"} {
		if _, err := New(Config{BaseURL: bad}); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
}

func TestRateLimitUsesClock(t *testing.T) {
	s := &script{answers: slices.Repeat([]func(http.ResponseWriter, *http.Request){answer(200, "{}")}, 6)}
	c, clock := newTestClient(t, s, Config{RequestsPerSecond: 2, Burst: 2})
	for range 4 {
		if _, err := c.Do(t.Context(), &Request{URL: "x", RateKey: "acct-1"}); err != nil {
			t.Fatal(err)
		}
	}
	// Another key has its own bucket.
	if _, err := c.Do(t.Context(), &Request{URL: "x", RateKey: "acct-2"}); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); !slices.Equal(got, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}) {
		t.Errorf("rate-limit waits %v", got)
	}
}

func TestCancelDuringWait(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter, *http.Request){answer(503, ""), answer(200, "{}")}}
	c, clock := newTestClient(t, s, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	clock.OnSleep = func(time.Duration) { cancel() }
	_, err := c.Do(ctx, &Request{URL: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if len(s.reqs) != 1 {
		t.Errorf("%d requests after cancel", len(s.reqs))
	}
}

func TestRetryAfterAndProtoDuration(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{"0": 0, "120": 2 * time.Minute, "Sun, 01 Nov 2026 00:01:00 GMT": time.Minute, "Sat, 31 Oct 2026 00:00:00 GMT": 0} {
		if d, ok := RetryAfter(in, now); !ok || d != want {
			t.Errorf("RetryAfter(%q) = %v %v", in, d, ok)
		}
	}
	for _, in := range []string{"", "soon", "-5", "1.5"} {
		if _, ok := RetryAfter(in, now); ok {
			t.Errorf("RetryAfter(%q) accepted", in)
		}
	}
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "1.500s": 1500 * time.Millisecond, "0.25s": 250 * time.Millisecond} {
		if d, ok := ProtoDuration(in); !ok || d != want {
			t.Errorf("ProtoDuration(%q) = %v %v", in, d, ok)
		}
	}
	h := http.Header{}
	h.Set("X-Business-Use-Case-Usage", `{"123":[{"type":"ads_insights","call_count":28,"total_cputime":81,"total_time":15,"estimated_time_to_regain_access":3}]}`)
	if w, pct := MetaRegainWait(h); w != 3*time.Minute || pct != 81 {
		t.Errorf("MetaRegainWait = %v %v", w, pct)
	}
	for n, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second} {
		if got := Backoff(n, time.Minute, func() float64 { return 0.5 }); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
