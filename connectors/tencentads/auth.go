package tencentads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// sign puts the credentials on a request as Tencent wants them: the
// access_token, the Unix timestamp and a nonce unique to this attempt, as
// query parameters.
func sign(req *http.Request, token string, now time.Time) {
	q := req.URL.Query()
	q.Set("access_token", token)
	q.Set("timestamp", strconv.FormatInt(now.Unix(), 10))
	q.Set("nonce", Nonce())
	req.URL.RawQuery = q.Encode()
}

// Nonce returns a fresh random nonce: 32 hex digits (128 bits), so that no
// two requests share one.
func Nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// tokenSource hands out the configured access token and, when a refresh
// token is configured, refreshes it at token_url:
//
//	GET /oauth/token?client_id&client_secret&grant_type=refresh_token&refresh_token
//	→ {"code":0,"message":"","data":{"access_token":"…","access_token_expires_in":86400,
//	   "refresh_token":"…","refresh_token_expires_in":2592000}}
//
// (the answer's shape is unverified; errors come as code≠0 like the API's).
type tokenSource struct {
	c        *httpkit.Client
	access   httpkit.Secret
	clientID string
	secret   httpkit.Secret
	refresh  httpkit.Secret
	url      string

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (s *tokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" && s.access != "" {
		s.token = s.access.Reveal()
	}
	if s.token != "" && (s.expires.IsZero() || s.c.Clock().Now().Before(s.expires.Add(-time.Minute))) {
		return s.token, nil
	}
	return s.fetch(ctx)
}

func (s *tokenSource) Refresh(ctx context.Context) error {
	if s.refresh == "" {
		return httpkit.ErrCannotRefresh
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.access = "", ""
	_, err := s.fetch(ctx)
	return err
}

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	Code      json.Number `json:"code"`
	Message   string      `json:"message"`
	MessageCN string      `json:"message_cn"`
	Data      struct {
		AccessToken  string      `json:"access_token"`
		ExpiresIn    json.Number `json:"access_token_expires_in"`
		RefreshToken string      `json:"refresh_token"`
	} `json:"data"`
}

func (s *tokenSource) fetch(ctx context.Context) (string, error) {
	if s.refresh == "" {
		return "", &httpkit.Error{Platform: Type, Op: "token", Message: "the access token was rejected and no refresh_token is configured",
			Action: httpkit.Fatal, Permanent: true, Err: httpkit.ErrAuth}
	}
	var ans tokenAnswer
	err := s.c.DoDecode(ctx, &httpkit.Request{
		Method: "GET", URL: s.url, NoAuth: true, Op: "token refresh",
		Query: url.Values{
			"client_id": {s.clientID}, "client_secret": {s.secret.Reveal()},
			"grant_type": {"refresh_token"}, "refresh_token": {s.refresh.Reveal()},
		},
		Classify: func(r *httpkit.Response) httpkit.Verdict {
			if r.Status >= 500 || r.Status == 429 {
				return httpkit.Verdict{Action: httpkit.Retry}
			}
			var a tokenAnswer
			if json.Unmarshal(r.Body, &a) != nil {
				return httpkit.Verdict{}
			}
			if a.Code != "" && a.Code != "0" {
				// Any refusal of the refresh token is final: a revoked or
				// expired grant must be authorised again.
				return httpkit.Verdict{Action: httpkit.Fatal, Code: string(a.Code), Message: message(a.Message, a.MessageCN)}
			}
			return httpkit.Verdict{}
		},
	}, func(r *httpkit.Response) error {
		ans = tokenAnswer{}
		if err := json.Unmarshal(r.Body, &ans); err != nil || ans.Data.AccessToken == "" {
			return errors.Join(httpkit.ErrMalformed, errors.New("the token endpoint answered without data.access_token"))
		}
		return nil
	})
	if err != nil {
		var pe *httpkit.Error
		if errors.As(err, &pe) && pe.Permanent {
			pe.Message += " (check client_id, client_secret and refresh_token; a revoked refresh token must be authorised again)"
			if pe.Err == nil {
				pe.Err = httpkit.ErrAuth
			}
		}
		return "", err
	}
	s.c.Redactor().Add(ans.Data.AccessToken, ans.Data.RefreshToken)
	s.token = ans.Data.AccessToken
	s.expires = time.Time{}
	if n, err := ans.Data.ExpiresIn.Int64(); err == nil && n > 0 {
		s.expires = s.c.Clock().Now().Add(time.Duration(n) * time.Second)
	}
	if ans.Data.RefreshToken != "" {
		s.refresh = httpkit.Secret(ans.Data.RefreshToken)
	}
	return s.token, nil
}

// message joins Tencent's English and Chinese messages.
func message(en, cn string) string {
	switch {
	case en == "":
		return cn
	case cn == "" || cn == en:
		return en
	}
	return en + " (" + cn + ")"
}
