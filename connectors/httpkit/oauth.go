package httpkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TokenSource provides access tokens to a Client.
type TokenSource interface {
	// Token returns a token valid for at least a minute, fetching one when
	// needed.
	Token(ctx context.Context) (string, error)
	// Refresh forgets the current token and fetches a new one, after the
	// platform rejected it. Sources that cannot refresh return
	// ErrCannotRefresh.
	Refresh(ctx context.Context) error
}

// ErrCannotRefresh is returned by TokenSource.Refresh for a static token.
var ErrCannotRefresh = errors.New("the token cannot be refreshed")

// StaticToken is a TokenSource for a long-lived token (Meta system user,
// TikTok advertiser token, Stripe restricted key). A rejected token is fatal.
func StaticToken(tok Secret) TokenSource { return staticToken(tok) }

type staticToken Secret

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
func (s staticToken) Refresh(context.Context) error         { return ErrCannotRefresh }
func (s staticToken) secrets() []string                     { return []string{string(s)} }

// OAuth2 configures the refresh-token grant (RFC 6749 §6): a form POST of
// grant_type=refresh_token, refresh_token, client_id and client_secret
// (and scope when set) to TokenURL, answered with
// {"access_token","expires_in","refresh_token"?}.
type OAuth2 struct {
	// TokenURL is the token endpoint (the connector's token_url).
	TokenURL     string
	ClientID     string
	ClientSecret Secret
	RefreshToken Secret
	// Scope is sent when set (Microsoft wants it).
	Scope string
	// OnRotate receives a new refresh token when the endpoint returns one
	// that differs (Microsoft rotates them): the old one may stop working,
	// so the connector must persist it. Nil ignores rotation.
	OnRotate func(refreshToken Secret)
	// Expiry margin: a token is refreshed this long before it expires
	// (default 1 minute).
	Margin time.Duration
}

// NewOAuth2 returns a TokenSource for o. Pass it as Config.Auth: the client
// then sends token requests itself (redacted, retried on 5xx, under its
// loopback guard and clock).
func NewOAuth2(o OAuth2) TokenSource {
	if o.Margin <= 0 {
		o.Margin = time.Minute
	}
	return &oauth2Source{o: o}
}

type oauth2Source struct {
	o       OAuth2
	c       *Client
	mu      sync.Mutex
	token   string
	expires time.Time
}

func (s *oauth2Source) bind(c *Client) { s.c = c }

func (s *oauth2Source) secrets() []string {
	return []string{s.o.ClientSecret.Reveal(), s.o.RefreshToken.Reveal()}
}

func (s *oauth2Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && (s.expires.IsZero() || s.c.opt.clock.Now().Before(s.expires.Add(-s.o.Margin))) {
		return s.token, nil
	}
	return s.fetch(ctx)
}

func (s *oauth2Source) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
	_, err := s.fetch(ctx)
	return err
}

// tokenResponse is the token endpoint's answer; expires_in comes as a
// number or, from some servers, a string.
type tokenResponse struct {
	AccessToken  string          `json:"access_token"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
	RefreshToken string          `json:"refresh_token"`
	TokenType    string          `json:"token_type"`
	Error        string          `json:"error"`
	Description  string          `json:"error_description"`
}

func (s *oauth2Source) fetch(ctx context.Context) (string, error) {
	if s.c == nil {
		return "", errors.New("httpkit: OAuth2 token source used outside a Client")
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {s.o.RefreshToken.Reveal()},
		"client_id":     {s.o.ClientID},
	}
	// A public client has no secret, and some servers (Microsoft) refuse
	// an empty one.
	if s.o.ClientSecret != "" {
		form.Set("client_secret", s.o.ClientSecret.Reveal())
	}
	if s.o.Scope != "" {
		form.Set("scope", s.o.Scope)
	}
	resp, err := s.c.do(ctx, &Request{
		Method: "POST", URL: s.o.TokenURL, Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", NoAuth: true,
		Op: "token refresh", Classify: classifyOAuth,
	}, nil)
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) && pe.Permanent {
			pe.Message = strings.TrimSpace(pe.Message + " (check client_id, client_secret and refresh_token; a revoked refresh token must be issued again)")
			if pe.Err == nil {
				pe.Err = ErrAuth
			}
		}
		return "", err
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.Body, &tr); err != nil || tr.AccessToken == "" {
		return "", &Error{Platform: s.c.cfg.Platform, Op: "token refresh", Status: resp.Status,
			Message: "the token endpoint answered without an access_token", Permanent: true, Action: Fatal}
	}
	s.c.red.Add(tr.AccessToken, tr.RefreshToken)
	s.token = tr.AccessToken
	s.expires = time.Time{}
	if secs, ok := parseSeconds(tr.ExpiresIn); ok && secs > 0 {
		s.expires = s.c.opt.clock.Now().Add(time.Duration(secs) * time.Second)
	}
	if tr.RefreshToken != "" && tr.RefreshToken != s.o.RefreshToken.Reveal() {
		s.o.RefreshToken = Secret(tr.RefreshToken)
		if s.o.OnRotate != nil {
			s.o.OnRotate(s.o.RefreshToken)
		}
	}
	s.c.log.DebugContext(ctx, "access token refreshed", "expires_in_s", string(tr.ExpiresIn))
	return s.token, nil
}

func parseSeconds(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(string(raw), `"`)
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// classifyOAuth reads RFC 6749 §5.2 errors: {"error","error_description"}.
// invalid_grant, invalid_client, unauthorized_client and other 4xx are
// fatal; 5xx and 429 are retried.
func classifyOAuth(r *Response) Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return Verdict{Action: OK}
	}
	var tr tokenResponse
	_ = json.Unmarshal(r.Body, &tr)
	v := Verdict{Code: tr.Error, Message: tr.Description}
	if v.Code == "" {
		v.Code = fmt.Sprintf("HTTP %d", r.Status)
	}
	if v.Message == "" {
		v.Message = "token refresh refused"
	}
	switch {
	case r.Status == 429 || r.Status >= 500:
		v.Action = Retry
	default:
		v.Action = Fatal // 400 invalid_grant, 401 invalid_client: a bad credential
	}
	return v
}
