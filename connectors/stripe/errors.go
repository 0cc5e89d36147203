package stripe

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// apiError is Stripe's error body: {"error":{"type","code","message","param","doc_url"}}.
type apiError struct {
	Error *struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Param   string `json:"param"`
	} `json:"error"`
}

// classifier reads Stripe's answers (CONNECTORS.md §8).
type classifier struct {
	// throttleWait is the wait after a 429; 0 leaves full-jitter backoff
	// (Stripe sends no Retry-After as a rule; a Retry-After, if any, wins).
	throttleWait time.Duration
}

// classify maps a response to the client's action:
//   - 2xx: OK (a body cut short is the decoder's ErrMalformed, retried);
//   - Stripe-Should-Retry: true retries and false stops, whatever the status;
//   - 429 (code rate_limit or lock_timeout): retry after throttle_wait or backoff;
//   - 401: fatal, no refresh (API keys cannot be refreshed), wraps ErrAuth;
//   - 400, 402, 403, 404: fatal with Stripe's message;
//   - 409, 5xx: retry.
//
// The request id is Stripe's Request-Id header.
func (c *classifier) classify(r *httpkit.Response) httpkit.Verdict {
	v := httpkit.Verdict{RequestID: r.Header.Get("Request-Id")}
	if r.Status >= 200 && r.Status < 300 {
		v.Action = httpkit.OK
		return v
	}
	var e apiError
	if json.Unmarshal(r.Body, &e) == nil && e.Error != nil {
		v.Code, v.Message = e.Error.Code, strings.TrimSpace(e.Error.Message)
		if v.Code == "" {
			v.Code = e.Error.Type
		} else if e.Error.Type != "" {
			v.Detail = e.Error.Type
		}
		if e.Error.Param != "" {
			v.Detail = strings.TrimSpace(v.Detail + " param " + e.Error.Param)
		}
	} else {
		v.Message = strings.TrimSpace(http.StatusText(r.Status))
	}
	switch strings.ToLower(r.Header.Get("Stripe-Should-Retry")) {
	case "true":
		v.Action = httpkit.Retry
		if r.Status == http.StatusTooManyRequests {
			v.Wait = c.throttleWait
		}
		return v
	case "false":
		if r.Status == http.StatusUnauthorized {
			v.Message = strings.TrimSpace(v.Message + " (check api_key; Stripe keys cannot be refreshed)")
		}
		v.Action = httpkit.Fatal
		return v
	}
	switch {
	case r.Status == http.StatusTooManyRequests || v.Code == "rate_limit" || v.Code == "lock_timeout":
		v.Action, v.Wait = httpkit.Retry, c.throttleWait
	case r.Status == http.StatusUnauthorized:
		v.Action = httpkit.Fatal
		v.Message = strings.TrimSpace(v.Message + " (check api_key; Stripe keys cannot be refreshed)")
	case r.Status == http.StatusConflict || r.Status >= 500 || r.Status == http.StatusRequestTimeout:
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal
	}
	return v
}
