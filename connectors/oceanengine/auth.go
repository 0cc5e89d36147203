package oceanengine

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
	"github.com/pacerhq/pacer/connectors/httpkit"
)

// tokenSource hands out the Access-Token. With only access_token it is
// static: a rejected token cannot be refreshed and the read stops. With
// refresh_token, app_id and secret it refreshes through token_url (POST
// {"app_id","secret","grant_type":"refresh_token","refresh_token"} →
// data.access_token, expires_in, refresh_token). A refresh kills the old
// pair, so the new one is saved in the TokenStore at once, refresh token
// first; the mutex makes this source the only refresher in the process.
type tokenSource struct {
	c      *httpkit.Client
	url    string
	appID  string
	secret httpkit.Secret
	store  connectors.TokenStore

	mu      sync.Mutex
	refresh httpkit.Secret
	token   string
	expires time.Time
}

var _ httpkit.TokenSource = (*tokenSource)(nil)

// Token returns the current token, refreshing one that is about to expire.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && (s.expires.IsZero() || s.c.Clock().Now().Before(s.expires.Add(-time.Minute))) {
		return s.token, nil
	}
	if s.refresh == "" {
		return "", httpkit.ErrCannotRefresh
	}
	return s.fetch(ctx)
}

// Refresh gets a new token after Ocean Engine rejected the current one.
func (s *tokenSource) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refresh == "" {
		return fmt.Errorf("%w: set refresh_token, app_id and secret, or issue a new access_token", httpkit.ErrCannotRefresh)
	}
	s.token = ""
	_, err := s.fetch(ctx)
	return err
}

// tokenData is the data of the refresh answer; numbers may come as strings.
type tokenData struct {
	AccessToken  string          `json:"access_token"`
	ExpiresIn    json.RawMessage `json:"expires_in"`
	RefreshToken string          `json:"refresh_token"`
}

func (s *tokenSource) fetch(ctx context.Context) (string, error) {
	body, _ := json.Marshal(map[string]string{
		"app_id": s.appID, "secret": s.secret.Reveal(), "grant_type": "refresh_token", "refresh_token": s.refresh.Reveal(),
	})
	resp, err := s.c.Do(ctx, &httpkit.Request{
		Method: http.MethodPost, URL: s.url, Body: body, NoAuth: true, Op: "token refresh", Classify: classifyToken,
	})
	if err != nil {
		var pe *httpkit.Error
		if errors.As(err, &pe) && pe.Permanent {
			pe.Message = strings.TrimSpace(pe.Message + " (check app_id, secret and refresh_token; a revoked token must be authorized again)")
			if pe.Err == nil {
				pe.Err = httpkit.ErrAuth
			}
		}
		return "", err
	}
	var e struct {
		Data tokenData `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &e); err != nil || e.Data.AccessToken == "" {
		return "", &httpkit.Error{Platform: Type, Op: "token refresh", Status: resp.Status, RequestID: resp.RequestID,
			Message: "the refresh endpoint answered without data.access_token", Permanent: true, Action: httpkit.Fatal, Err: httpkit.ErrAuth}
	}
	d := e.Data
	s.c.Redactor().Add(d.AccessToken, d.RefreshToken)
	s.token = d.AccessToken
	s.expires = time.Time{}
	if n, err := strconv.ParseInt(strings.Trim(string(d.ExpiresIn), `"`), 10, 64); err == nil && n > 0 {
		s.expires = s.c.Clock().Now().Add(time.Duration(n) * time.Second)
	}
	if d.RefreshToken != "" && d.RefreshToken != s.refresh.Reveal() {
		s.refresh = httpkit.Secret(d.RefreshToken)
		if s.store == nil {
			s.c.Logger().WarnContext(ctx, "ocean_engine rotated the token pair and there is no token store to keep it: the configured refresh_token and access_token are dead now; authorize again before the next run")
		} else {
			if err := s.store.Save("refresh_token", s.refresh); err != nil {
				return "", fmt.Errorf("ocean_engine: saving the rotated refresh token (the configured one is dead now): %w", err)
			}
			if err := s.store.Save("access_token", httpkit.Secret(d.AccessToken)); err != nil {
				s.c.Logger().WarnContext(ctx, "saving the new access token failed; the next run refreshes again", "error", err.Error())
			}
		}
	}
	s.c.Logger().DebugContext(ctx, "access token refreshed", "expires_in_s", string(d.ExpiresIn), "request_id", resp.RequestID)
	return s.token, nil
}

// classifyToken reads the refresh endpoint's answer: HTTP 200 with code.
// 40100 and 5xx are retried; any other code (a revoked or wrong refresh
// token, a wrong app) is fatal.
func classifyToken(r *httpkit.Response) httpkit.Verdict {
	var e envelope
	_ = json.Unmarshal(r.Body, &e)
	if r.Status == http.StatusOK && e.Code != nil && *e.Code == CodeOK {
		return httpkit.Verdict{Action: httpkit.OK, RequestID: e.RequestID}
	}
	v := httpkit.Verdict{Message: e.Message, RequestID: e.RequestID}
	if e.Code != nil {
		v.Code = strconv.FormatInt(*e.Code, 10)
	}
	switch {
	case r.Status >= 500 || r.Status == http.StatusTooManyRequests:
		v.Action = httpkit.Retry
	case e.Code != nil && (*e.Code == CodeRateLimited || *e.Code == CodeSystemError): // unverified codes
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal
		if v.Message == "" {
			v.Message = "token refresh refused"
		}
	}
	return v
}
