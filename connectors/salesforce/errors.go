package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Salesforce error codes (CONNECTORS.md §7).
const (
	CodeInvalidSession = "INVALID_SESSION_ID"
	CodeRequestLimit   = "REQUEST_LIMIT_EXCEEDED"
	CodeQueryTimeout   = "QUERY_TIMEOUT"
)

// apiError is one element of Salesforce's error array.
type apiError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// classify reads Salesforce's error arrays: the request limit (a 403)
// first, then the session, then the status.
func classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{Action: httpkit.OK, RequestID: r.Header.Get("Sforce-Call-Id")}
	}
	var errs []apiError
	if json.Unmarshal(r.Body, &errs) != nil || len(errs) == 0 {
		var one apiError
		if json.Unmarshal(r.Body, &one) == nil && one.ErrorCode != "" {
			errs = []apiError{one}
		}
	}
	v := httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	if len(errs) > 0 {
		v.Code, v.Message = errs[0].ErrorCode, errs[0].Message
	}
	switch {
	case v.Code == CodeRequestLimit:
		v.Action = httpkit.StopToday
		v.Message = strings.TrimSpace(v.Message + " (the org's 24-hour API allowance is spent: the next run resumes from the cursor)")
	case v.Code == CodeInvalidSession || r.Status == http.StatusUnauthorized:
		v.Action = httpkit.Refresh
	case v.Code == CodeQueryTimeout || r.Status >= 500 || r.Status == http.StatusTooManyRequests:
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal
	}
	return v
}

// auth is the refresh-token grant; it also learns the instance URL.
type auth struct {
	c        *httpkit.Client
	tokenURL string
	clientID string
	secret   httpkit.Secret
	refresh  httpkit.Secret
	mu       sync.Mutex
	token    string
	instance string
}

func (a *auth) Token(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" {
		return a.token, nil
	}
	return a.fetch(ctx)
}

func (a *auth) Refresh(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.token = ""
	_, err := a.fetch(ctx)
	return err
}

// Instance returns the instance URL of the last token, fetching one if needed.
func (a *auth) Instance(ctx context.Context) (string, error) {
	if _, err := a.Token(ctx); err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.instance, nil
}

func (a *auth) fetch(ctx context.Context) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {a.clientID},
		"client_secret": {a.secret.Reveal()}, "refresh_token": {a.refresh.Reveal()}}
	resp, err := a.c.Do(ctx, &httpkit.Request{Method: "POST", URL: a.tokenURL, Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", NoAuth: true, Op: "token refresh", Classify: classifyToken})
	if err != nil {
		var he *httpkit.Error
		if errors.As(err, &he) && he.Permanent {
			he.Message = strings.TrimSpace(he.Message + " (check client_id, client_secret and refresh_token; a revoked refresh token must be issued again)")
			if he.Err == nil {
				he.Err = httpkit.ErrAuth
			}
		}
		return "", err
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	if err := json.Unmarshal(resp.Body, &tr); err != nil || tr.AccessToken == "" {
		return "", &httpkit.Error{Platform: Type, Op: "token refresh", Status: resp.Status, Permanent: true, Action: httpkit.Fatal,
			Message: "the token endpoint answered without an access_token", Err: httpkit.ErrAuth}
	}
	a.c.Redactor().Add(tr.AccessToken)
	a.token, a.instance = tr.AccessToken, strings.TrimRight(tr.InstanceURL, "/")
	return a.token, nil
}

// classifyToken reads OAuth errors: {"error","error_description"}.
func classifyToken(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{Action: httpkit.OK}
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(r.Body, &e)
	v := httpkit.Verdict{Code: e.Error, Message: e.Description}
	if v.Message == "" {
		v.Message = "token refresh refused"
	}
	if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
		v.Action = httpkit.Retry
	} else {
		v.Action = httpkit.Fatal
	}
	return v
}
