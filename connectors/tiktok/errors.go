package tiktok

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// TikTok's return codes (CONNECTORS.md §3). Every answer is HTTP 200; the
// code says what happened.
const (
	CodeOK = 0
	// CodeRateLimited: too many requests (QPS, QPM or QPD); back off.
	CodeRateLimited = 40100
	// CodeBadApp: app_id or secret is wrong.
	CodeBadApp = 40101
	// CodeTokenExpired: the access token expired (unverified code).
	CodeTokenExpired = 40102
	// CodeBadToken: the access token is wrong or revoked (also sent for
	// "Bearer <token>"); refreshed once, fatal for a static token.
	CodeBadToken = 40105
	// CodeBadAuthCode: the auth_code is wrong or expired.
	CodeBadAuthCode = 40110
	// CodeSystemError and CodeTimeout are retried (unverified codes).
	CodeSystemError = 50000
	CodeTimeout     = 50002
)

// envelope is TikTok's answer around data.
type envelope struct {
	Code      *int64          `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// classifier reads TikTok's code inside HTTP 200 answers.
type classifier struct {
	throttleWait time.Duration
}

// maxEnvelope is the largest body classify parses whole. Error answers are
// tiny ({"code":…,"data":{}}); larger bodies are report pages, whose code
// the decoder reads in the same pass as the rows, so they are not parsed twice.
const maxEnvelope = 64 << 10

// classify reads a data call's answer: code≠0 inside a 200 is an error.
func (c *classifier) classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status != http.StatusOK {
		// Proxies and outages: the status decides, with TikTok's message if any.
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
		// A truncated page: the decoder reports it as malformed and it is retried.
		return httpkit.Verdict{Action: httpkit.OK}
	}
	if *e.Code == CodeOK {
		return httpkit.Verdict{Action: httpkit.OK, RequestID: e.RequestID}
	}
	return c.verdict(*e.Code, e.Message, e.RequestID)
}

// verdict maps a TikTok code to the client's action (CONNECTORS.md's
// cross-cutting rules: 40100 retry, 40105 refresh once, others fatal).
func (c *classifier) verdict(code int64, msg, reqID string) httpkit.Verdict {
	v := httpkit.Verdict{Code: strconv.FormatInt(code, 10), Message: msg, RequestID: reqID}
	switch code {
	case CodeRateLimited:
		v.Action, v.Wait = httpkit.Retry, c.throttleWait
	case CodeBadToken, CodeTokenExpired:
		v.Action = httpkit.Refresh
	case CodeSystemError, CodeTimeout:
		v.Action = httpkit.Retry
	case CodeBadApp:
		v.Action = httpkit.Fatal
		v.Message = strings.TrimSpace(msg + " (check app_id and secret)")
	default:
		// 40001 no permission, 40002 bad parameter and anything unknown:
		// retrying will not help.
		v.Action = httpkit.Fatal
	}
	return v
}

// codeError is the *httpkit.Error of a code≠0 found while decoding a page,
// carrying the verdict's action for the client to apply.
func (c *classifier) codeError(code int64, msg, reqID string) error {
	v := c.verdict(code, msg, reqID)
	return &httpkit.Error{Platform: Type, Status: http.StatusOK, Code: v.Code, Message: v.Message,
		RequestID: v.RequestID, Action: v.Action, Wait: v.Wait, Permanent: v.Action == httpkit.Fatal}
}
