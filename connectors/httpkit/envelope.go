package httpkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors"
)

// EnvelopeToken is the token source of the platforms that refresh with a
// JSON body and answer inside a {"code", "message", "data"} envelope
// (TikTok, Ocean Engine): POST {"app_id", "secret", "grant_type":
// "refresh_token", "refresh_token"} → data.access_token, expires_in (a
// number or a string) and refresh_token.
//
// With only an access token it is static: a rejected token cannot be
// refreshed and the read stops with ErrCannotRefresh. A refresh that
// returns a new refresh token saves it in Store at once (with
// SaveAccessToken, together with the access token: in one write when the
// store is a TokenPairStore, else refresh token first), because such
// platforms kill the old pair; the mutex makes this source the only
// refresher in the process. Bind it to its Client before use.
type EnvelopeToken struct {
	EnvelopeConfig

	c       *Client
	mu      sync.Mutex
	refresh Secret
	token   string
	expires time.Time
}

// EnvelopeConfig configures an EnvelopeToken.
type EnvelopeConfig struct {
	// Platform names the source in messages ("tiktok").
	Platform string
	// URL is the refresh endpoint; AppID and Secret identify the app.
	URL    string
	AppID  string
	Secret Secret
	// Store keeps rotated credentials (nil: they are lost with the run).
	Store connectors.TokenStore
	// SaveAccessToken also stores the new access token (for platforms
	// whose refresh kills the old access token too).
	SaveAccessToken bool
	// RetryCodes are envelope codes that mean "try again" (throttling,
	// system errors); any other non-zero code is fatal.
	RetryCodes []int64
}

var _ TokenSource = (*EnvelopeToken)(nil)

// NewEnvelopeToken starts a source with the configured tokens; refresh may
// be empty (a static access token).
func NewEnvelopeToken(cfg EnvelopeConfig, access, refresh Secret) *EnvelopeToken {
	return &EnvelopeToken{EnvelopeConfig: cfg, token: access.Reveal(), refresh: refresh}
}

// Bind attaches the client the source refreshes through.
func (s *EnvelopeToken) Bind(c *Client) { s.c = c }

// Token returns the current token, refreshing one that is about to expire.
func (s *EnvelopeToken) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && (s.expires.IsZero() || s.c.Clock().Now().Before(s.expires.Add(-time.Minute))) {
		return s.token, nil
	}
	if s.refresh == "" {
		return "", ErrCannotRefresh
	}
	return s.fetch(ctx)
}

// Refresh gets a new token after the platform rejected the current one.
func (s *EnvelopeToken) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refresh == "" {
		return fmt.Errorf("%w: set refresh_token, app_id and secret, or issue a new access_token", ErrCannotRefresh)
	}
	s.token = ""
	_, err := s.fetch(ctx)
	return err
}

type envelopeAnswer struct {
	Code      *int64 `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Data      struct {
		AccessToken  string          `json:"access_token"`
		ExpiresIn    json.RawMessage `json:"expires_in"`
		RefreshToken string          `json:"refresh_token"`
	} `json:"data"`
}

func (s *EnvelopeToken) fetch(ctx context.Context) (string, error) {
	if s.c == nil {
		return "", errors.New("httpkit: EnvelopeToken used before Bind")
	}
	body, _ := json.Marshal(map[string]string{
		"app_id": s.AppID, "secret": s.Secret.Reveal(), "grant_type": "refresh_token", "refresh_token": s.refresh.Reveal(),
	})
	resp, err := s.c.Do(ctx, &Request{
		Method: http.MethodPost, URL: s.URL, Body: body, NoAuth: true, Op: "token refresh", Classify: s.classify,
	})
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) && pe.Permanent {
			pe.Message = strings.TrimSpace(pe.Message + " (check app_id, secret and refresh_token; a revoked token must be authorized again)")
			if pe.Err == nil {
				pe.Err = ErrAuth
			}
		}
		return "", err
	}
	var e envelopeAnswer
	if err := json.Unmarshal(resp.Body, &e); err != nil || e.Data.AccessToken == "" {
		return "", &Error{Platform: s.Platform, Op: "token refresh", Status: resp.Status, RequestID: resp.RequestID,
			Message: "the refresh endpoint answered without data.access_token", Permanent: true, Action: Fatal, Err: ErrAuth}
	}
	d := e.Data
	s.c.Redactor().Add(d.AccessToken, d.RefreshToken)
	s.token = d.AccessToken
	s.expires = time.Time{}
	if n, err := strconv.ParseInt(strings.Trim(string(d.ExpiresIn), `"`), 10, 64); err == nil && n > 0 {
		s.expires = s.c.Clock().Now().Add(time.Duration(n) * time.Second)
	}
	if d.RefreshToken != "" && d.RefreshToken != s.refresh.Reveal() {
		s.refresh = Secret(d.RefreshToken)
		switch {
		case s.Store == nil:
			s.c.Logger().WarnContext(ctx, s.Platform+" rotated the refresh token and there is no token store to keep it: the configured one may be dead now; authorize again before the next run")
		case s.SaveAccessToken && isPairStore(s.Store):
			// Both at once: a crash cannot leave a new refresh token with
			// a dead access token.
			pair := map[string]Secret{"refresh_token": s.refresh, "access_token": Secret(d.AccessToken)}
			if err := s.Store.(connectors.TokenPairStore).SaveAll(pair); err != nil {
				return "", fmt.Errorf("%s: saving the rotated tokens (the configured ones may be dead now): %w", s.Platform, err)
			}
		default:
			if err := s.Store.Save("refresh_token", s.refresh); err != nil {
				return "", fmt.Errorf("%s: saving the rotated refresh token (the configured one may be dead now): %w", s.Platform, err)
			}
			if s.SaveAccessToken {
				if err := s.Store.Save("access_token", Secret(d.AccessToken)); err != nil {
					s.c.Logger().WarnContext(ctx, "saving the new access token failed; the next run refreshes again", "error", err.Error())
				}
			}
		}
	}
	s.c.Logger().DebugContext(ctx, "access token refreshed", "expires_in_s", string(d.ExpiresIn), "request_id", resp.RequestID)
	return s.token, nil
}

func isPairStore(s connectors.TokenStore) bool {
	_, ok := s.(connectors.TokenPairStore)
	return ok
}

// classify reads the refresh endpoint's answer: HTTP 200 with code 0 is
// success; 5xx, 429 and RetryCodes are retried; anything else (a revoked
// or wrong refresh token, a wrong app) is fatal.
func (s *EnvelopeToken) classify(r *Response) Verdict {
	var e envelopeAnswer
	_ = json.Unmarshal(r.Body, &e)
	if r.Status == http.StatusOK && e.Code != nil && *e.Code == 0 {
		return Verdict{Action: OK, RequestID: e.RequestID}
	}
	v := Verdict{Message: e.Message, RequestID: e.RequestID}
	if e.Code != nil {
		v.Code = strconv.FormatInt(*e.Code, 10)
	}
	retry := r.Status >= 500 || r.Status == http.StatusTooManyRequests
	for _, c := range s.RetryCodes {
		retry = retry || e.Code != nil && *e.Code == c
	}
	if retry {
		v.Action = Retry
		return v
	}
	v.Action = Fatal
	if v.Message == "" {
		v.Message = "token refresh refused"
	}
	return v
}
