package ga4bigquery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// googleError is BigQuery's error body:
// {"error":{"code":403,"message":"…","errors":[{"message":"…","domain":"global","reason":"accessDenied"}],"status":"PERMISSION_DENIED"}}.
type googleError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Errors  []struct {
		Message string `json:"message"`
		Domain  string `json:"domain"`
		Reason  string `json:"reason"`
	} `json:"errors"`
	Details []struct {
		Type       string `json:"@type"`
		RetryDelay string `json:"retryDelay"`
		Reason     string `json:"reason"`
	} `json:"details"`
}

// retryReasons are BigQuery's transient error reasons (the Go client's
// jobRetryReasons): rateLimitExceeded comes as a 403.
var retryReasons = map[string]bool{
	"rateLimitExceeded": true, "jobRateLimitExceeded": true, "backendError": true, "internalError": true,
}

// classify reads BigQuery's error bodies. Throttles (rateLimitExceeded,
// also as 403; 429 RESOURCE_EXHAUSTED) and 5xx are retried, waiting for
// Retry-After or a retryDelay when Google gives one, else with backoff;
// quotaExceeded (a daily or per-project quota) stops the read until the
// next run; 401 refreshes the token once; accessDenied, notFound,
// invalidQuery and other 4xx fail at once with Google's message.
func (s *Source) classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var obj struct {
		Error *googleError `json:"error"`
	}
	if json.Unmarshal(r.Body, &obj) != nil || obj.Error == nil {
		return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	}
	e := obj.Error
	v := httpkit.Verdict{Code: e.Status, Message: e.Message}
	reason := ""
	if len(e.Errors) > 0 {
		reason = e.Errors[0].Reason
		v.Detail = reason
	}
	if v.Code == "" {
		v.Code = reason
	}
	for _, d := range e.Details {
		if w, ok := httpkit.ProtoDuration(d.RetryDelay); ok {
			v.Wait = w
		}
	}
	switch {
	case retryReasons[reason], r.Status == http.StatusTooManyRequests, e.Status == "RESOURCE_EXHAUSTED" && reason != "quotaExceeded":
		v.Action = httpkit.Retry
	case reason == "quotaExceeded":
		v.Action = httpkit.StopToday
	case r.Status >= 500:
		v.Action = httpkit.Retry
	case r.Status == http.StatusUnauthorized || e.Status == "UNAUTHENTICATED":
		v.Action = httpkit.Refresh
	default:
		v.Action = httpkit.Fatal
	}
	return v
}

// callState follows one query (job, polls, pages) through the transport:
// the first failure httpkit gave up on is kept, and the query's context is
// cancelled so that the Google library's own retry loop ends at once
// instead of retrying on the real clock.
type callState struct {
	op     string
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	err    error
}

type stateKey struct{}

func (st *callState) failed(err error) {
	st.mu.Lock()
	if st.err == nil {
		st.err = err
	}
	st.mu.Unlock()
	st.cancel(err)
}

// result returns the error to report for err, a failure of the BigQuery
// client: httpkit's own *Error when the transport failed, else err worded
// with the operation.
func (st *callState) result(err error) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err != nil {
		return st.err
	}
	var he *httpkit.Error
	if errors.As(err, &he) {
		return he
	}
	return fmt.Errorf("%s: %s: %w", Type, st.op, err)
}
