package oceanengine

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Ocean Engine's codes. Only 0 is verified; the others follow TikTok's
// scheme (the same company's API) and are configurable.
const (
	CodeOK = 0
	// CodeRateLimited: too many requests (unverified).
	CodeRateLimited = 40100
	// CodeTokenExpired and CodeBadToken: refresh once (unverified).
	CodeTokenExpired = 40102
	CodeBadToken     = 40105
	// CodeSystemError is retried (unverified).
	CodeSystemError = 50000
)

// envelope is Ocean Engine's answer around data.
type envelope struct {
	Code      *int64          `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// classifier reads the code inside HTTP 200 answers.
type classifier struct {
	throttleWait time.Duration
	throttle     []int64 // codes to wait out
	refresh      []int64 // codes to refresh the token for
	retry        []int64 // transient codes
}

// maxEnvelope is the largest body classify parses whole. Error answers are
// tiny ({"code":…,"data":{}}); larger bodies are report pages, whose code
// the decoder reads in the same pass as the rows, so they are not parsed twice.
const maxEnvelope = 64 << 10

// classify reads a data call's answer: code≠0 inside a 200 is an error.
func (c *classifier) classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status != http.StatusOK {
		var e envelope
		if json.Unmarshal(r.Body, &e) == nil && e.Code != nil && *e.Code != 0 {
			v := c.verdict(*e.Code, e.Message, e.RequestID)
			if r.Status >= 500 || r.Status == http.StatusTooManyRequests {
				v.Action = httpkit.Retry
			}
			return v
		}
		return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	}
	if len(r.Body) > maxEnvelope {
		return httpkit.Verdict{Action: httpkit.OK}
	}
	var e envelope
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Code == nil {
		return httpkit.Verdict{Action: httpkit.OK} // the decoder reports a truncated body
	}
	if *e.Code == CodeOK {
		return httpkit.Verdict{Action: httpkit.OK, RequestID: e.RequestID}
	}
	return c.verdict(*e.Code, e.Message, e.RequestID)
}

// verdict maps a code to the client's action.
func (c *classifier) verdict(code int64, msg, reqID string) httpkit.Verdict {
	v := httpkit.Verdict{Code: strconv.FormatInt(code, 10), Message: msg, RequestID: reqID}
	switch {
	case slices.Contains(c.throttle, code):
		v.Action, v.Wait = httpkit.Retry, c.throttleWait
	case slices.Contains(c.refresh, code):
		v.Action = httpkit.Refresh
	case slices.Contains(c.retry, code):
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal // no permission, bad parameter, unknown
	}
	return v
}

// codeError is the *httpkit.Error of a code≠0 found while decoding a page.
func (c *classifier) codeError(code int64, msg, reqID string) error {
	v := c.verdict(code, msg, reqID)
	return &httpkit.Error{Platform: Type, Status: http.StatusOK, Code: v.Code, Message: v.Message,
		RequestID: v.RequestID, Action: v.Action, Wait: v.Wait, Permanent: v.Action == httpkit.Fatal}
}
