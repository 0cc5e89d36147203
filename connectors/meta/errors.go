package meta

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// graphError is the Graph API's error body.
type graphError struct {
	Error *struct {
		Message     string `json:"message"`
		Type        string `json:"type"`
		Code        int    `json:"code"`
		Subcode     int    `json:"error_subcode"`
		IsTransient bool   `json:"is_transient"`
		UserTitle   string `json:"error_user_title"`
		UserMsg     string `json:"error_user_msg"`
		FBTraceID   string `json:"fbtrace_id"`
	} `json:"error"`
}

// throttleCodes are Meta's call-limit codes: app (4), user (17), ad-account
// management (613) and the business-use-case limits (80000–80014, 80004 for
// ads management, 80000 for ads insights). Wait the
// estimated_time_to_regain_access of X-Business-Use-Case-Usage.
var throttleCodes = []int{4, 17, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014}

// Error codes and subcodes the connector branches on.
const (
	codeUnknown     = 1
	codeService     = 2
	codeParam       = 100
	codeToken       = 190
	codeAsyncFailed = -2
	subTimeout      = 1504018
)

// classify reads the Graph API's error bodies and usage headers.
func classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var ge graphError
	if json.Unmarshal(r.Body, &ge) != nil || ge.Error == nil {
		return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	}
	e := ge.Error
	v := httpkit.Verdict{Code: strconv.Itoa(e.Code), Message: e.Message, RequestID: e.FBTraceID}
	if e.UserMsg != "" && !strings.Contains(v.Message, e.UserMsg) {
		v.Message += " " + e.UserMsg
	}
	detail := []string{}
	if e.Type != "" {
		detail = append(detail, e.Type)
	}
	if e.Subcode != 0 {
		detail = append(detail, "subcode "+strconv.Itoa(e.Subcode))
	}
	v.Detail = strings.Join(detail, " ")
	wait, _ := httpkit.MetaRegainWait(r.Header)
	switch {
	case slices.Contains(throttleCodes, e.Code):
		v.Action, v.Wait = httpkit.Retry, wait
	case e.Code == codeToken || e.Code == 102:
		// No refresh tokens at Meta: the static token source refuses to
		// refresh, which makes this a permanent authentication error.
		v.Action = httpkit.Refresh
		v.Message += " (issue a new access token: a system-user token does not expire, a user token lasts 60 days)"
	case tooLargeSignal(e.Code, e.Subcode, e.Message):
		// Retrying the same synchronous call will not help: the connector
		// reads the window with an async report run instead.
		v.Action = httpkit.Fatal
	case e.Code == codeUnknown || e.Code == codeService || e.IsTransient:
		v.Action = httpkit.Retry
	case e.Code == 2635:
		v.Action = httpkit.Fatal
		v.Message += " Set api_version to " + DefaultAPIVersion + "."
	}
	return v
}

// tooLargeSignal reports Meta's "this synchronous report is too big" answers:
// code 1 "Please reduce the amount of data you're asking for" and the
// 100/1504018 timeout.
func tooLargeSignal(code, subcode int, msg string) bool {
	return code == codeUnknown && strings.Contains(strings.ToLower(msg), "reduce the amount of data") ||
		code == codeParam && subcode == subTimeout
}

// tooLarge reports whether a failed synchronous insights call should be
// read again as an async report run: a too-large signal, or code 1 or 2
// still failing after every retry.
func tooLarge(err error) bool {
	var he *httpkit.Error
	if !errors.As(err, &he) {
		return false
	}
	switch he.Code {
	case strconv.Itoa(codeUnknown), strconv.Itoa(codeService):
		return he.Action == httpkit.Fatal || errors.Is(err, httpkit.ErrRetriesExhausted)
	case strconv.Itoa(codeParam):
		return strings.Contains(he.Detail, "subcode "+strconv.Itoa(subTimeout))
	}
	return false
}

// asyncFailed reports the -2/2490547 error of a report run that failed:
// the run is submitted again.
func asyncFailed(err error) bool {
	var he *httpkit.Error
	return errors.As(err, &he) && he.Code == strconv.Itoa(codeAsyncFailed)
}
