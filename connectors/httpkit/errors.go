package httpkit

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Action is what the client does about a response or a failed attempt.
type Action int

// The actions of CONNECTORS.md's retry rules.
const (
	// Decide leaves the decision to the defaults: 2xx succeed; 401 refreshes
	// once; 408, 425, 429 and 5xx retry; other statuses are fatal.
	Decide Action = iota
	// OK accepts the response.
	OK
	// Retry waits (the platform's hint, else backoff) and tries again.
	Retry
	// Refresh gets a new access token once and tries again; a second one is fatal.
	Refresh
	// StopToday gives up: a daily quota is spent. The next run resumes from
	// the last checkpoint.
	StopToday
	// Fatal gives up at once: a bad token, a bad request, no permission.
	Fatal
)

func (a Action) String() string {
	switch a {
	case Decide:
		return "decide"
	case OK:
		return "ok"
	case Retry:
		return "retry"
	case Refresh:
		return "refresh"
	case StopToday:
		return "stop_today"
	case Fatal:
		return "fatal"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Verdict is a platform classifier's reading of a response.
type Verdict struct {
	// Action to take; Decide applies the status-based defaults.
	Action Action
	// Wait is the platform's own wait hint (Google's retryDelay, Meta's
	// estimated_time_to_regain_access); 0 when it gave none. Retry-After,
	// when present, wins.
	Wait time.Duration
	// Code is the platform's error code ("PERMISSION_DENIED", "190",
	// "40100"), Message its own message, RequestID its request id.
	Code, Message, RequestID string
	// Detail adds the platform's finer code ("authorizationError USER_PERMISSION_DENIED").
	Detail string
}

// Sentinel errors that *Error wraps, for callers that branch.
var (
	// ErrPermanent is wrapped by errors that retrying will not fix: bad or
	// revoked credentials, missing permission, a bad request.
	ErrPermanent = errors.New("permanent error")
	// ErrAuth is wrapped (with ErrPermanent) when the platform rejected the
	// credentials, or a refreshed token, or the token endpoint refused.
	ErrAuth = errors.New("authentication failed")
	// ErrRateLimited is wrapped when the platform's quota is spent for now
	// (StopToday, or a wait longer than the client allows).
	ErrRateLimited = errors.New("rate limited")
	// ErrRetriesExhausted is wrapped when every try failed transiently, or
	// the client's retry budget is spent.
	ErrRetriesExhausted = errors.New("retries exhausted")
	// ErrMalformed is wrapped by decoders for a response body that is not
	// what the platform promised (truncated or invalid JSON). Client.DoDecode
	// retries such responses.
	ErrMalformed = errors.New("malformed response")
)

// Error is a failed platform call, worded with the platform's own code and
// message, e.g.
//
//	google_ads: searchStream customer 1234567890: PERMISSION_DENIED: User doesn't have permission to access customer. (authorizationError USER_PERMISSION_DENIED; HTTP 403; request id fAk3Req1)
//
// Its text never contains a credential.
type Error struct {
	Platform  string // connector type, e.g. google_ads
	Op        string // what was being done, e.g. "searchStream customer 1234567890"
	Status    int    // HTTP status; 0 when no response came
	Code      string // platform code
	Detail    string // platform's finer code
	Message   string // platform message, redacted
	RequestID string
	Action    Action // the last verdict: Fatal, StopToday, Refresh (after a refresh) or Retry (out of tries)
	// Permanent reports that retrying will not help (bad credentials,
	// permissions, bad request). Quota and exhausted retries are not permanent.
	Permanent bool
	// Wait is how long the platform asked to wait, when it did.
	Wait  time.Duration
	Tries int   // attempts made
	Err   error // cause: network error, context error, or a sentinel
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Platform != "" {
		b.WriteString(e.Platform)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.Status != 0:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	default:
		b.WriteString("failed")
	}
	var notes []string
	if e.Detail != "" {
		notes = append(notes, e.Detail)
	}
	if e.Status != 0 {
		notes = append(notes, fmt.Sprintf("HTTP %d", e.Status))
	}
	if e.RequestID != "" {
		notes = append(notes, "request id "+e.RequestID)
	}
	if e.Tries > 1 {
		notes = append(notes, fmt.Sprintf("%d tries", e.Tries))
	}
	if e.Wait > 0 {
		notes = append(notes, "platform asks to wait "+e.Wait.String())
	}
	if len(notes) > 0 {
		b.WriteString(" (")
		b.WriteString(strings.Join(notes, "; "))
		b.WriteString(")")
	}
	if e.Message != "" && e.Err != nil && !isSentinel(e.Err) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func isSentinel(err error) bool {
	switch err {
	case ErrPermanent, ErrAuth, ErrRateLimited, ErrRetriesExhausted, ErrMalformed:
		return true
	}
	return false
}

// Unwrap returns the cause and the sentinels that apply.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if e.Permanent {
		out = append(out, ErrPermanent)
	}
	if e.Permanent && (e.Status == 401 || e.Action == Refresh) {
		out = append(out, ErrAuth)
	}
	if e.Action == StopToday {
		out = append(out, ErrRateLimited)
	}
	return out
}

// redactedError carries a cause's text through a Redactor while keeping
// errors.Is for the cause's own cause (context.Canceled, net errors).
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// redactErr returns err with its text redacted. The *url.Error layer (which
// prints the full URL, query included) is dropped from the chain.
func redactErr(r *Redactor, err error) error {
	if err == nil {
		return nil
	}
	cause := errors.Unwrap(err)
	if cause == nil {
		cause = err
	}
	return &redactedError{msg: r.Redact(err.Error()), cause: cause}
}
