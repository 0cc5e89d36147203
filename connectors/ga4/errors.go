package ga4

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// rpcStatus is the google.rpc.Status of a Data API error body:
// {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}.
type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []struct {
		Type       string `json:"@type"`
		RetryDelay string `json:"retryDelay"` // google.rpc.RetryInfo
		Reason     string `json:"reason"`     // google.rpc.ErrorInfo
	} `json:"details"`
}

// untilNextHour is the wait from now to the start of the next hour, when
// GA4's hourly token quotas come back.
func untilNextHour(now time.Time) time.Duration {
	return now.Truncate(time.Hour).Add(time.Hour).Sub(now)
}

// classify reads the Data API's error bodies. RESOURCE_EXHAUSTED (429)
// waits for Google's retryDelay when it gives one, else until the next
// hour on the client's clock (hourly token quotas); an exhausted daily
// quota stops the read until the next run; concurrent-request limits are
// retried with backoff. 401 refreshes; INTERNAL, UNAVAILABLE and
// DEADLINE_EXCEEDED are retried; other 4xx (PERMISSION_DENIED,
// INVALID_ARGUMENT) fail at once with Google's message.
func (s *Source) classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var obj struct {
		Error *rpcStatus `json:"error"`
	}
	if json.Unmarshal(r.Body, &obj) != nil || obj.Error == nil {
		return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	}
	st := obj.Error
	v := httpkit.Verdict{Code: st.Status, Message: st.Message}
	var hint time.Duration
	for _, d := range st.Details {
		if w, ok := httpkit.ProtoDuration(d.RetryDelay); ok {
			hint = w
		}
		if d.Reason != "" && v.Detail == "" {
			v.Detail = d.Reason
		}
	}
	msg := strings.ToLower(st.Message)
	switch {
	case st.Status == "RESOURCE_EXHAUSTED" || r.Status == http.StatusTooManyRequests:
		switch {
		case strings.Contains(msg, "per day"):
			// Daily quotas reset at midnight Pacific: the next run resumes.
			v.Action = httpkit.StopToday
		case strings.Contains(msg, "concurrent"):
			v.Action = httpkit.Retry
		default:
			v.Action, v.Wait = httpkit.Retry, hint
			if hint == 0 {
				v.Wait = untilNextHour(s.now())
			}
		}
	case st.Status == "INTERNAL", st.Status == "UNAVAILABLE", st.Status == "DEADLINE_EXCEEDED":
		v.Action, v.Wait = httpkit.Retry, hint
	case r.Status == http.StatusUnauthorized || st.Status == "UNAUTHENTICATED":
		v.Action = httpkit.Refresh
	}
	return v
}

// now is the client's clock (the injected one in tests).
func (s *Source) now() time.Time {
	if s.client == nil {
		return time.Now()
	}
	return s.client.Clock().Now()
}
