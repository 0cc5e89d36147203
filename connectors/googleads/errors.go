package googleads

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/pacerhq/pacer/connectors/httpkit"
	"github.com/pacerhq/pacer/connectors/httpkit/jsonarrow"
)

// rpcStatus is a google.rpc.Status with GoogleAdsFailure details.
type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Details []struct {
		Type   string `json:"@type"`
		Errors []struct {
			ErrorCode map[string]string `json:"errorCode"`
			Message   string            `json:"message"`
			Details   struct {
				Quota struct {
					RateScope  string `json:"rateScope"`
					RateName   string `json:"rateName"`
					RetryDelay string `json:"retryDelay"`
				} `json:"quotaErrorDetails"`
			} `json:"details"`
		} `json:"errors"`
		RequestID string `json:"requestId"`
	} `json:"details"`
}

// throttles are the quotaError codes that mean "wait the retryDelay".
var throttles = []string{"RESOURCE_EXHAUSTED", "RESOURCE_TEMPORARILY_EXHAUSTED",
	"EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION"}

// classify reads Google's error bodies (array-wrapped on searchStream).
func classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var st rpcStatus
	var arr []struct {
		Error *rpcStatus `json:"error"`
	}
	var obj struct {
		Error *rpcStatus `json:"error"`
	}
	switch {
	case json.Unmarshal(r.Body, &arr) == nil && len(arr) > 0 && arr[0].Error != nil:
		st = *arr[0].Error
	case json.Unmarshal(r.Body, &obj) == nil && obj.Error != nil:
		st = *obj.Error
	default:
		return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
	}
	return verdict(r.Status, st)
}

// verdict turns a Status into the client's action.
func verdict(status int, st rpcStatus) httpkit.Verdict {
	v := httpkit.Verdict{Code: st.Status, Message: st.Message}
	kind, code := "", ""
	for _, d := range st.Details {
		if v.RequestID == "" {
			v.RequestID = d.RequestID
		}
		for _, e := range d.Errors {
			if kind != "" {
				break
			}
			for k, c := range e.ErrorCode {
				kind, code = k, c
			}
			if e.Message != "" {
				v.Message = e.Message
			}
			if w, ok := httpkit.ProtoDuration(e.Details.Quota.RetryDelay); ok {
				v.Wait = w
			}
		}
	}
	if kind != "" {
		v.Detail = kind + " " + code
	}
	switch {
	case kind == "quotaError" && slices.Contains(throttles, code), st.Status == "RESOURCE_EXHAUSTED":
		v.Action = httpkit.Retry
	case kind == "internalError", st.Status == "INTERNAL", st.Status == "UNAVAILABLE", st.Status == "DEADLINE_EXCEEDED":
		v.Action = httpkit.Retry
	case status == http.StatusUnauthorized || st.Status == "UNAUTHENTICATED":
		v.Action = httpkit.Refresh
	case kind == "requestError" && code == "UNSUPPORTED_VERSION":
		v.Action = httpkit.Fatal
		v.Message += " Set api_version to " + DefaultAPIVersion + "."
	}
	return v
}

// streamError turns an error element inside a 200 searchStream body into
// an *httpkit.Error whose Action the client applies.
func streamError(resp *httpkit.Response, raw jsonarrow.Value) error {
	var st rpcStatus
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	v := verdict(st.Code, st)
	if v.Action == httpkit.Decide {
		v.Action = httpkit.DefaultAction(st.Code)
	}
	return &httpkit.Error{Platform: Type, Status: st.Code, Code: v.Code, Detail: v.Detail, Message: v.Message,
		RequestID: v.RequestID, Action: v.Action, Wait: v.Wait, Permanent: v.Action == httpkit.Fatal}
}
