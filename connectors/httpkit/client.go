package httpkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// Config is what a connector tells the kit about its platform. Zero values
// take the defaults noted.
type Config struct {
	// Platform names the connector type in errors and logs ("google_ads").
	Platform string
	// BaseURL is where requests go: the configured base_url, or DefaultBaseURL.
	BaseURL string
	// DefaultBaseURL is the production base URL. Absolute URLs the server
	// returns on its host (or on ProductionHosts) are rebased onto BaseURL,
	// so that paging links of a fake or a proxy stay on it.
	DefaultBaseURL string
	// ProductionHosts are other production hosts whose URLs are rebased
	// (e.g. graph.facebook.com when BaseURL is www.facebook.com).
	ProductionHosts []string
	// Classify reads a platform's response: its error codes, its throttle
	// signals (also on HTTP 200), its request id. Nil: status-based defaults.
	Classify func(*Response) Verdict
	// Auth provides access tokens; nil sends no credentials. See NewOAuth2
	// and StaticToken.
	Auth TokenSource
	// Authorize puts the token on a request; nil sets "Authorization: Bearer".
	Authorize func(req *http.Request, token string)
	// Header is sent with every request (e.g. login-customer-id).
	Header http.Header
	// Secrets are credential values to scrub from logs and errors, whatever
	// their shape (client secrets, developer tokens).
	Secrets []string
	// RequestsPerSecond and Burst size the token bucket of each rate key
	// (Request.RateKey, e.g. the account); 0 means no limit.
	RequestsPerSecond float64
	Burst             int
	// Timeout bounds one attempt, body included (default 5 minutes).
	Timeout time.Duration
	// MaxTries bounds the attempts of one request (default 6).
	MaxTries int
	// MaxBackoff caps exponential backoff (default 60 s).
	MaxBackoff time.Duration
	// MaxWait is the longest single wait the client accepts from a platform
	// hint; a longer one stops the read with ErrRateLimited (default 15 min).
	MaxWait time.Duration
	// RetryBudget caps the retries of the client's lifetime (one Read), so
	// that a degraded platform fails the run instead of crawling (default 50).
	RetryBudget int
	// WaitBudget caps the total time spent waiting for retries (default 30 min).
	WaitBudget time.Duration
	// MaxBody bounds a response body (default 1 GiB).
	MaxBody int64
	// Logger receives request and retry logs (redacted); nil discards.
	Logger *slog.Logger
}

// Option changes how a Client runs; tests and the demo pass them through a
// connector's New.
type Option func(*options)

type options struct {
	clock        Clock
	loopbackOnly bool
	httpClient   *http.Client
	rand         func() float64
}

// WithClock makes the client tell time and wait with c (tests pass a FakeClock).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithLoopbackOnly makes the client refuse every host that is not loopback
// (localhost, 127.0.0.0/8, ::1), at the URL and at the dial: tests and the
// demo can then never reach a real platform.
func WithLoopbackOnly() Option { return func(o *options) { o.loopbackOnly = true } }

// WithHTTPClient sends requests through hc instead of the kit's own client.
func WithHTTPClient(hc *http.Client) Option { return func(o *options) { o.httpClient = hc } }

// WithRand replaces the jitter source (a func returning [0,1)); tests fix it.
func WithRand(f func() float64) Option { return func(o *options) { o.rand = f } }

// Client sends a platform's requests: base URL and rebasing, credentials and
// refresh, rate limiting, retries with the platform's hints, redaction, and
// typed errors. It is safe for concurrent use; WithLogger copies share
// limiters, tokens and budgets.
type Client struct {
	cfg      Config
	opt      options
	base     *url.URL
	prodHost map[string]bool
	hc       *http.Client
	log      *slog.Logger
	red      *Redactor
	st       *state
}

// state is what copies of a Client share.
type state struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	retries  int
	waited   time.Duration
}

// New returns a Client for cfg. It fails on a malformed base URL, or a
// non-loopback one under WithLoopbackOnly.
func New(cfg Config, opts ...Option) (*Client, error) {
	o := options{clock: SystemClock, rand: rand.Float64}
	for _, f := range opts {
		f(&o)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = cfg.DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("base_url %q: want an absolute http(s) URL such as http://127.0.0.1:9000/prefix", cfg.BaseURL)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("base_url %q: scheme must be http or https", cfg.BaseURL)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("base_url %q: must not have a query or fragment", cfg.BaseURL)
	}
	if o.loopbackOnly && !IsLoopback(base.Hostname()) {
		return nil, fmt.Errorf("base_url %q: only loopback hosts are allowed here", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 6
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 60 * time.Second
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 15 * time.Minute
	}
	if cfg.RetryBudget <= 0 {
		cfg.RetryBudget = 50
	}
	if cfg.WaitBudget <= 0 {
		cfg.WaitBudget = 30 * time.Minute
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 30
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	c := &Client{cfg: cfg, opt: o, base: base, prodHost: map[string]bool{}, red: &Redactor{}, st: &state{limiters: map[string]*rate.Limiter{}}}
	if d, err := url.Parse(cfg.DefaultBaseURL); err == nil && d.Host != "" {
		c.prodHost[strings.ToLower(d.Host)] = true
	}
	for _, h := range cfg.ProductionHosts {
		c.prodHost[strings.ToLower(h)] = true
	}
	c.red.Add(cfg.Secrets...)
	if a, ok := cfg.Auth.(interface{ secrets() []string }); ok {
		c.red.Add(a.secrets()...)
	}
	if a, ok := cfg.Auth.(interface{ bind(*Client) }); ok {
		a.bind(c)
	}
	c.hc = o.httpClient
	if c.hc == nil {
		c.hc = newHTTPClient(o.loopbackOnly)
	} else if o.loopbackOnly {
		hc := *c.hc
		hc.CheckRedirect = loopbackRedirects
		c.hc = &hc
	}
	c.SetLogger(cfg.Logger)
	return c, nil
}

func newHTTPClient(loopbackOnly bool) *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if loopbackOnly {
		d.ControlContext = func(_ context.Context, _, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("httpkit: refusing to dial %s: only loopback addresses are allowed", address)
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = d.DialContext
	tr.Proxy = nil
	if !loopbackOnly {
		tr.Proxy = http.ProxyFromEnvironment
	}
	tr.MaxIdleConnsPerHost = 4
	tr.ResponseHeaderTimeout = 0 // Config.Timeout bounds the whole attempt
	hc := &http.Client{Transport: tr}
	if loopbackOnly {
		hc.CheckRedirect = loopbackRedirects
	}
	return hc
}

func loopbackRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !IsLoopback(req.URL.Hostname()) {
		return fmt.Errorf("refusing to follow a redirect to %s: only loopback hosts are allowed", req.URL.Host)
	}
	return nil
}

// IsLoopback reports whether host (no port) is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// SetLogger replaces the client's logger (nil discards); records pass
// through the client's Redactor.
func (c *Client) SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	c.log = slog.New(NewRedactingHandler(l.Handler(), c.red))
}

// WithLogger returns a copy of c logging to l (the Read's logger, with
// run_id and stream), sharing c's tokens, limiters and budgets.
func (c *Client) WithLogger(l *slog.Logger) *Client {
	cp := *c
	cp.SetLogger(l)
	return &cp
}

// Logger returns the client's redacting logger.
func (c *Client) Logger() *slog.Logger { return c.log }

// Clock returns the client's clock.
func (c *Client) Clock() Clock { return c.opt.clock }

// Redactor returns the client's Redactor: it knows the configured secrets
// and every token the client obtained. Use it on anything a connector stores
// or logs that came from a response (quarantined rows, raw payloads).
func (c *Client) Redactor() *Redactor { return c.red }

// BaseURL returns the base URL requests are resolved against.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// Request is one platform call.
type Request struct {
	// Method defaults to GET, or POST when Body is set.
	Method string
	// URL is a path relative to the base URL ("v26/customers/1/googleAds:searchStream"),
	// or an absolute URL a server returned (rebased, see Client.Resolve).
	URL string
	// Query is added to the URL's query.
	Query url.Values
	// Header adds headers for this request.
	Header http.Header
	// Body is sent as is; ContentType defaults to application/json.
	Body        []byte
	ContentType string
	// NoAuth sends no credentials (token endpoints, pre-signed downloads).
	NoAuth bool
	// RateKey selects the token bucket (e.g. the account id); "" shares one.
	RateKey string
	// Op names the call in logs and errors ("searchStream customer 1234567890").
	Op string
	// Classify overrides the client's classifier for this request.
	Classify func(*Response) Verdict
}

// Response is a platform's answer, body read in full.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string // from the usual request-id headers; classifiers may set a better one
	URL       string // redacted
	Tries     int
}

// Do sends r, retrying as the platform's verdicts say, and returns the
// accepted response. Failures are *Error.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	return c.do(ctx, r, nil)
}

// DoDecode is Do with decode run on each accepted response inside the retry
// loop: when decode returns an error wrapping ErrMalformed the request is
// retried, and when it returns an *Error (a platform error found inside a
// 200 body, as in a broken stream) that error's Action applies. decode must
// not keep side effects of a response it rejects: retries call it again.
func (c *Client) DoDecode(ctx context.Context, r *Request, decode func(*Response) error) error {
	_, err := c.do(ctx, r, decode)
	return err
}

func (c *Client) do(ctx context.Context, r *Request, decode func(*Response) error) (*Response, error) {
	u, err := c.Resolve(r.URL)
	if err != nil {
		return nil, c.fail(r, nil, Verdict{Action: Fatal, Message: err.Error()}, 0, nil, true)
	}
	if len(r.Query) > 0 {
		q := u.Query()
		for k, vs := range r.Query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	shown := c.red.Redact(RedactURL(u))
	refreshed := false
	for try := 1; ; try++ {
		if err := c.limit(ctx, r.RateKey); err != nil {
			return nil, c.fail(r, nil, Verdict{}, try, err, false)
		}
		tok := ""
		if c.cfg.Auth != nil && !r.NoAuth {
			t, err := c.cfg.Auth.Token(ctx)
			if err != nil {
				var pe *Error
				if errors.As(err, &pe) {
					return nil, err
				}
				return nil, c.fail(r, nil, Verdict{Action: Fatal, Message: "getting an access token"}, try, err, ctx.Err() == nil)
			}
			c.red.Add(t)
			tok = t
		}
		start := c.opt.clock.Now()
		resp, err := c.attempt(ctx, r, u, tok)
		var v Verdict
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.fail(r, nil, Verdict{}, try, ctx.Err(), false)
			}
			v = Verdict{Action: Retry, Code: "network", Message: c.red.Redact(err.Error())}
			c.log.DebugContext(ctx, "http request failed", "op", r.Op, "url", shown, "try", try, "error", v.Message)
		} else {
			resp.URL, resp.Tries = shown, try
			v = c.classify(r, resp)
			if v.RequestID != "" {
				resp.RequestID = v.RequestID
			}
			c.log.DebugContext(ctx, "http request", "op", r.Op, "method", method(r), "url", shown, "status", resp.Status,
				"bytes", len(resp.Body), "request_id", resp.RequestID, "try", try,
				"duration_ms", c.opt.clock.Now().Sub(start).Milliseconds())
			if v.Action == OK && decode != nil {
				if derr := decode(resp); derr != nil {
					var pe *Error
					switch {
					case errors.As(derr, &pe):
						v = Verdict{Action: pe.Action, Wait: pe.Wait, Code: pe.Code, Detail: pe.Detail, Message: pe.Message, RequestID: pe.RequestID}
						if v.Action == Decide {
							v.Action = Fatal
						}
					case errors.Is(derr, ErrMalformed):
						v = Verdict{Action: Retry, Code: "malformed", Message: c.red.Redact(derr.Error()), RequestID: resp.RequestID}
					default:
						return nil, derr
					}
				}
			}
		}
		switch v.Action {
		case OK:
			return resp, nil
		case Refresh:
			ts := c.cfg.Auth
			if ts == nil || r.NoAuth || refreshed {
				return nil, c.fail(r, resp, v, try, nil, true)
			}
			refreshed = true
			c.log.InfoContext(ctx, "access token rejected; refreshing once", "op", r.Op, "request_id", v.RequestID)
			if err := ts.Refresh(ctx); err != nil {
				var pe *Error
				if errors.As(err, &pe) {
					return nil, err
				}
				return nil, c.fail(r, resp, v, try, err, ctx.Err() == nil)
			}
			try-- // a refresh is not a retry
			continue
		case Fatal:
			return nil, c.fail(r, resp, v, try, nil, true)
		case StopToday:
			return nil, c.fail(r, resp, v, try, nil, false)
		}
		// Retry.
		if try >= c.cfg.MaxTries {
			return nil, c.fail(r, resp, v, try, ErrRetriesExhausted, false)
		}
		wait, hinted := c.waitFor(resp, v, try)
		if hinted && wait > c.cfg.MaxWait {
			v.Action, v.Wait = StopToday, wait
			return nil, c.fail(r, resp, v, try, fmt.Errorf("the platform asks to wait %s, more than the %s this client waits; the next run resumes", wait, c.cfg.MaxWait), false)
		}
		if err := c.spend(wait); err != nil {
			return nil, c.fail(r, resp, v, try, err, false)
		}
		c.log.WarnContext(ctx, "retrying", "op", r.Op, "status", status(resp), "code", v.Code, "message", v.Message,
			"request_id", v.RequestID, "try", try, "wait_ms", wait.Milliseconds(), "hinted", hinted)
		if err := c.opt.clock.Sleep(ctx, wait); err != nil {
			return nil, c.fail(r, resp, v, try, err, false)
		}
	}
}

func method(r *Request) string {
	if r.Method != "" {
		return r.Method
	}
	if r.Body != nil {
		return http.MethodPost
	}
	return http.MethodGet
}

func status(r *Response) int {
	if r == nil {
		return 0
	}
	return r.Status
}

// attempt sends one try and reads the body.
func (c *Client) attempt(ctx context.Context, r *Request, u *url.URL, tok string) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method(r), u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.cfg.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if r.Body != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", "pacer (+https://github.com/pacerhq/pacer)")
	if tok != "" {
		if c.cfg.Authorize != nil {
			c.cfg.Authorize(req, tok)
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > c.cfg.MaxBody {
		return nil, fmt.Errorf("response body over %d bytes", c.cfg.MaxBody)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, RequestID: headerRequestID(res.Header)}, nil
}

// tokenError is a failure of the token source, reported as is.
var requestIDHeaders = []string{"Request-Id", "X-Request-Id", "X-Fb-Trace-Id", "X-Goog-Request-Id", "X-Tt-Logid", "Sforce-Request-Id", "X-Ms-Request-Id", "X-Li-Uuid", "TrackingId"}

func headerRequestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// classify applies the platform's classifier, then the status defaults.
func (c *Client) classify(r *Request, resp *Response) Verdict {
	var v Verdict
	switch {
	case r.Classify != nil:
		v = r.Classify(resp)
	case c.cfg.Classify != nil:
		v = c.cfg.Classify(resp)
	}
	if v.Action == Decide {
		v.Action = DefaultAction(resp.Status)
	}
	if v.RequestID == "" {
		v.RequestID = resp.RequestID
	}
	v.Message = c.red.Redact(v.Message)
	return v
}

// DefaultAction is the status-based rule: 2xx OK; 401 Refresh; 408, 425,
// 429 and 5xx Retry; anything else Fatal.
func DefaultAction(status int) Action {
	switch {
	case status >= 200 && status < 300:
		return OK
	case status == http.StatusUnauthorized:
		return Refresh
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status == http.StatusTooManyRequests, status >= 500:
		return Retry
	}
	return Fatal
}

// fail builds the *Error of a request that gives up.
func (c *Client) fail(r *Request, resp *Response, v Verdict, tries int, cause error, permanent bool) error {
	e := &Error{
		Platform: c.cfg.Platform, Op: r.Op, Code: v.Code, Detail: v.Detail, Message: c.red.Redact(v.Message),
		RequestID: v.RequestID, Action: v.Action, Permanent: permanent, Wait: v.Wait, Tries: tries,
	}
	if resp != nil {
		e.Status = resp.Status
		if e.RequestID == "" {
			e.RequestID = resp.RequestID
		}
	}
	if e.Message == "" && e.Code == "" && resp != nil {
		e.Message = c.red.Redact(snippet(resp.Body))
	}
	if cause != nil {
		e.Err = redactErr(c.red, cause)
		if errors.Is(cause, ErrRetriesExhausted) && cause == ErrRetriesExhausted {
			e.Err = ErrRetriesExhausted
		}
		if e.Code == "network" {
			e.Code, e.Message = "", ""
		}
	}
	return e
}

// snippet is the start of a body for an error without a platform message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// waitFor returns how long to wait before try+1 and whether the platform
// said so: Retry-After (seconds or HTTP date), then the classifier's hint,
// else full-jitter backoff rand(0, min(MaxBackoff, 1s·2^(try-1))).
func (c *Client) waitFor(resp *Response, v Verdict, try int) (time.Duration, bool) {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), c.opt.clock.Now()); ok {
			return d, true
		}
	}
	if v.Wait > 0 {
		return v.Wait, true
	}
	return Backoff(try-1, c.cfg.MaxBackoff, c.opt.rand), false
}

// Backoff is full-jitter exponential backoff for retry n (0-based):
// rand(0, min(maxWait, 1s·2^n)). rnd returns [0,1).
func Backoff(n int, maxWait time.Duration, rnd func() float64) time.Duration {
	ceil := maxWait
	if n < 30 {
		if d := time.Second << n; d < ceil {
			ceil = d
		}
	}
	return time.Duration(rnd() * float64(ceil))
}

// RetryAfter parses a Retry-After header: delay seconds or an HTTP date
// (relative to now).
func RetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	var secs int64
	if _, err := fmt.Sscanf(h, "%d", &secs); err == nil && fmt.Sprint(secs) == h {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// spend charges one retry and wait to the client's budget.
func (c *Client) spend(wait time.Duration) error {
	c.st.mu.Lock()
	defer c.st.mu.Unlock()
	if c.st.retries+1 > c.cfg.RetryBudget {
		return fmt.Errorf("%w: the retry budget of %d retries for this read is spent", ErrRetriesExhausted, c.cfg.RetryBudget)
	}
	if c.st.waited+wait > c.cfg.WaitBudget {
		return fmt.Errorf("%w: waiting %s more would pass the wait budget of %s for this read (waited %s)", ErrRetriesExhausted, wait, c.cfg.WaitBudget, c.st.waited)
	}
	c.st.retries++
	c.st.waited += wait
	return nil
}

// limit waits for a token of key's bucket.
func (c *Client) limit(ctx context.Context, key string) error {
	if c.cfg.RequestsPerSecond <= 0 {
		return ctx.Err()
	}
	c.st.mu.Lock()
	l, ok := c.st.limiters[key]
	if !ok {
		l = rate.NewLimiter(rate.Limit(c.cfg.RequestsPerSecond), c.cfg.Burst)
		c.st.limiters[key] = l
	}
	now := c.opt.clock.Now()
	res := l.ReserveN(now, 1)
	c.st.mu.Unlock()
	d := res.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := c.opt.clock.Sleep(ctx, d); err != nil {
		res.CancelAt(c.opt.clock.Now())
		return err
	}
	return nil
}

// Resolve turns a request URL into an absolute one on the base URL:
//   - a relative path ("v26/customers/1:x", "/services/data/…?q=") is joined
//     to the base URL's path (an existing base-path prefix is not doubled);
//   - an absolute URL on the base URL's host is kept;
//   - an absolute URL on a production host is rebased: scheme and host of the
//     base URL, its path prefix, then the returned path and query;
//   - any other absolute URL (a pre-signed download) is kept.
//
// Under WithLoopbackOnly a result off loopback is an error.
func (c *Client) Resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("bad URL %s", c.red.Redact(ref))
	}
	out := *c.base
	switch {
	case u.Scheme == "" && u.Host == "":
		out.Path = joinPath(c.base.Path, u.Path)
		out.RawPath = ""
		out.RawQuery = u.RawQuery
	case strings.EqualFold(u.Host, c.base.Host):
		out = *u
	case c.prodHost[strings.ToLower(u.Host)]:
		out.Path = joinPath(c.base.Path, u.Path)
		out.RawPath = ""
		out.RawQuery = u.RawQuery
	default:
		out = *u
	}
	if c.opt.loopbackOnly && !IsLoopback(out.Hostname()) {
		return nil, fmt.Errorf("refusing %s: only loopback hosts are allowed", c.red.Redact(RedactURL(&out)))
	}
	return &out, nil
}

func joinPath(base, p string) string {
	base = strings.TrimRight(base, "/")
	if base != "" && (p == base || strings.HasPrefix(p, base+"/")) {
		return p
	}
	return base + "/" + strings.TrimLeft(p, "/")
}
