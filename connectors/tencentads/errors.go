package tencentads

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// envelope is every answer's frame:
//
//	{"code":0,"message":"","message_cn":"","errors":[…],"data":{…}}
//
// An error is HTTP 200 with code≠0.
type envelope struct {
	Code      json.Number `json:"code"`
	Message   string      `json:"message"`
	MessageCN string      `json:"message_cn"`
	Errors    []struct {
		Code      json.Number `json:"code"`
		Message   string      `json:"message"`
		MessageCN string      `json:"message_cn"`
	} `json:"errors"`
	TraceID string `json:"trace_id"` // (unverified)
}

// classifier reads Tencent's answers: throttle codes first, then expired
// tokens, then system errors, any other code≠0 fatal.
type classifier struct {
	throttle, auth []int64
	wait           time.Duration
}

// classify handles non-2xx statuses (5xx and 429 retried, 401 refreshed by
// the defaults); a 200's code is read by Source's decoder, which calls
// verdict.
func (c *classifier) classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var e envelope
	if json.Unmarshal(r.Body, &e) == nil && e.Code != "" && e.Code != "0" {
		v := c.verdict(e)
		if r.Status >= 500 && v.Action == httpkit.Fatal {
			v.Action = httpkit.Retry
		}
		return v
	}
	return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
}

// verdict turns a code≠0 envelope into the client's action. The message
// keeps message_cn, Tencent's fuller wording.
func (c *classifier) verdict(e envelope) httpkit.Verdict {
	code, _ := strconv.ParseInt(string(e.Code), 10, 64)
	v := httpkit.Verdict{Code: string(e.Code), Message: message(e.Message, e.MessageCN), RequestID: e.TraceID}
	var details []string
	for _, x := range e.Errors {
		if m := message(x.Message, x.MessageCN); m != "" && m != v.Message {
			details = append(details, m)
		}
	}
	if len(details) > 0 {
		v.Detail = strings.Join(details, "; ")
	}
	text := strings.ToLower(e.Message + " " + e.MessageCN)
	switch {
	case slices.Contains(c.throttle, code) || strings.Contains(text, "频率") || strings.Contains(text, "frequen") ||
		strings.Contains(text, "rate limit") || strings.Contains(text, "too many"):
		v.Action, v.Wait = httpkit.Retry, c.wait
	case slices.Contains(c.auth, code) || strings.Contains(text, "access_token") &&
		(strings.Contains(text, "expire") || strings.Contains(text, "过期") || strings.Contains(text, "invalid") || strings.Contains(text, "无效")):
		v.Action = httpkit.Refresh
	case strings.Contains(text, "系统错误") || strings.Contains(text, "system error") || strings.Contains(text, "内部错误") ||
		strings.Contains(text, "internal error"):
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal
	}
	return v
}
