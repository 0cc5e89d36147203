package httpkit

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pacerhq/pacer/connectors"
)

// Secret is connectors.Secret: a credential that prints as [redacted].
type Secret = connectors.Secret

const redacted = "[redacted]"

// secretParams are query, form and JSON keys whose values are never shown.
var secretParams = []string{
	"access_token", "refresh_token", "id_token", "client_secret", "appsecret_proof",
	"fb_exchange_token", "developer_token", "auth_code", "secret", "password", "api_key",
	"apikey", "key", "token", "code",
}

// presignMarkers are query keys that make a URL's whole query a credential.
var presignMarkers = []string{
	"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
	"x-goog-credential", "signature", "sig", "se", "sp", "skoid",
}

var (
	// A pre-signed URL: drop its whole query.
	rePresigned = regexp.MustCompile(`(?i)(https?://[^\s?"'<>]+)\?([^\s"'<>]*\b(?:X-Amz-Signature|X-Amz-Credential|X-Goog-Signature|X-Goog-Credential|Signature|sig)=[^\s"'<>]*)`)
	// key=value in a query string or form body.
	reParam = regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|client_secret|appsecret_proof|fb_exchange_token|developer_token|auth_code|password|api_key|apikey)=([^&\s"'<>]+)`)
	// "key": "value" in JSON.
	reJSON = regexp.MustCompile(`(?i)"(access_token|refresh_token|id_token|client_secret|appsecret_proof|developer_token|password|api_key|secret|token)"\s*:\s*"(?:[^"\\]|\\.)*"`)
	// Header lines and printed header maps: "Authorization: Bearer x", map[Access-Token:[x]].
	reHeader = regexp.MustCompile(`(?i)\b(authorization|proxy-authorization|developer-token|access-token|x-api-key|cookie|set-cookie)(\s*:\s*\[?|"\s*:\s*\[?\s*")([^\]\r\n"]+)`)
	reBearer = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}`)
	// Token shapes: Stripe keys, HubSpot private-app tokens, Google access and
	// refresh tokens, Meta tokens.
	reTokens = regexp.MustCompile(`\b(?:[sr]k_(?:live|test)_[0-9A-Za-z]{6,}|pat-[a-z0-9]{2,8}-[0-9A-Za-z-]{8,}|ya29\.[0-9A-Za-z._-]{4,}|EAA[0-9A-Za-z]{12,}|1//0[0-9A-Za-z_-]{16,})`)
)

// Redact removes credentials from s by their shape: secret query and form
// parameters, JSON token fields, Authorization and token headers, pre-signed
// URL queries, and the token formats of CONNECTORS.md (sk_/rk_ keys, pat-…,
// ya29.…, EAA…, Google refresh tokens 1//0…). A Redactor also removes
// values it was told about, whatever their shape.
func Redact(s string) string {
	if s == "" {
		return s
	}
	s = rePresigned.ReplaceAllString(s, "$1?"+redacted)
	s = reParam.ReplaceAllString(s, "$1="+redacted)
	s = reJSON.ReplaceAllString(s, `"$1":"`+redacted+`"`)
	s = reHeader.ReplaceAllString(s, "$1$2"+redacted)
	s = reBearer.ReplaceAllString(s, "$1 "+redacted)
	s = reTokens.ReplaceAllString(s, redacted)
	return s
}

// Redactor removes known secret values (configured credentials and the
// access tokens a client obtained) and secret shapes (see Redact) from text.
// The zero value is ready to use; it is safe for concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values []string
}

// Add registers values to scrub. Values shorter than 6 bytes are ignored:
// scrubbing them would mangle ordinary text and they are not credentials.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) >= 6 && !slices.Contains(r.values, v) {
			r.values = append(r.values, v)
		}
	}
	// Longest first, so that a secret containing another is removed whole.
	slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
}

// Redact returns s without registered values and secret shapes.
func (r *Redactor) Redact(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, v := range r.values {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, redacted)
			}
			// Values travel URL-encoded too (form bodies, queries).
			if e := url.QueryEscape(v); e != v && strings.Contains(s, e) {
				s = strings.ReplaceAll(s, e, redacted)
			}
		}
		r.mu.RUnlock()
	}
	return Redact(s)
}

// RedactURL renders u for logs and errors: secret parameters are replaced,
// a pre-signed URL loses its whole query, and a password in the user info is
// hidden.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	if c.RawQuery != "" {
		q := c.Query()
		presigned := false
		for k := range q {
			if slices.Contains(presignMarkers, strings.ToLower(k)) {
				presigned = true
			}
		}
		if presigned {
			c.RawQuery = ""
			return c.String() + "?" + redacted
		}
		for k := range q {
			if slices.Contains(secretParams, strings.ToLower(k)) {
				q[k] = []string{redacted}
			}
		}
		c.RawQuery = q.Encode()
	}
	return Redact(c.String())
}

// NewRedactingHandler wraps h so that the message and every string, error
// and fmt.Stringer attribute of every record pass through r (nil: only the
// shapes of Redact) before h sees them.
func NewRedactingHandler(h slog.Handler, r *Redactor) slog.Handler {
	if rh, ok := h.(*redactingHandler); ok && rh.r == r {
		return h
	}
	return &redactingHandler{h: h, r: r}
}

type redactingHandler struct {
	h slog.Handler
	r *Redactor
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.h.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return &redactingHandler{h: h.h.WithAttrs(red), r: h.r}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{h: h.h.WithGroup(name), r: h.r}
}

func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, x := range g {
			red[i] = h.attr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.r.Redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.r.Redact(x.String()))
		case []byte:
			return slog.String(a.Key, h.r.Redact(string(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
