package microsoftads

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// apiFault is the error body of the Reporting REST API (an ApiFaultDetail,
// or an AdApiFaultDetail for authentication errors):
//
//	{"OperationErrors":[{"Code":100,"ErrorCode":"NullRequest","Details":null,"Message":"…"}],
//	 "BatchErrors":[],"TrackingId":"6560…","Type":"ApiFaultDetail"}
type apiFault struct {
	OperationErrors []opError `json:"OperationErrors"`
	BatchErrors     []opError `json:"BatchErrors"`
	Errors          []opError `json:"Errors"` // AdApiFaultDetail
	TrackingID      string    `json:"TrackingId"`
	Type            string    `json:"Type"`
}

type opError struct {
	Code      int    `json:"Code"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

// Codes Microsoft documents for the Bing Ads API (Operation error codes).
const (
	codeInternalError       = 0
	codeInvalidCredentials  = 105
	codeUserIsNotAuthorized = 106
	codeTokenExpired        = 109
	codeCallRateExceeded    = 117 // (unverified for REST)
)

// classifier reads Microsoft's fault bodies: throttling (CallRateExceeded)
// first, whatever the HTTP status, then expired or invalid tokens (refresh
// once), internal errors (retry), anything else fatal with Microsoft's code
// and message.
func classifier(throttleWait time.Duration) func(*httpkit.Response) httpkit.Verdict {
	return func(r *httpkit.Response) httpkit.Verdict {
		if r.Status >= 200 && r.Status < 300 {
			return httpkit.Verdict{}
		}
		var f apiFault
		if json.Unmarshal(r.Body, &f) != nil {
			return httpkit.Verdict{Message: strings.TrimSpace(http.StatusText(r.Status))}
		}
		all := append(append(append([]opError(nil), f.OperationErrors...), f.BatchErrors...), f.Errors...)
		v := httpkit.Verdict{RequestID: f.TrackingID}
		if len(all) == 0 {
			return v
		}
		e := all[0]
		for _, x := range all {
			// The most actionable error wins: throttling, then auth.
			if x.Code == codeCallRateExceeded || x.ErrorCode == "CallRateExceeded" {
				e = x
				break
			}
			if x.Code == codeTokenExpired || x.Code == codeInvalidCredentials {
				e = x
			}
		}
		v.Code, v.Message = e.ErrorCode, e.Message
		v.Detail = "code " + strconv.Itoa(e.Code)
		switch {
		case e.Code == codeCallRateExceeded || e.ErrorCode == "CallRateExceeded":
			v.Action, v.Wait = httpkit.Retry, throttleWait
		case e.Code == codeTokenExpired || e.Code == codeInvalidCredentials ||
			e.ErrorCode == "AuthenticationTokenExpired" || e.ErrorCode == "InvalidCredentials":
			v.Action = httpkit.Refresh
		case e.Code == codeInternalError && (e.ErrorCode == "" || e.ErrorCode == "InternalError"), r.Status >= 500:
			v.Action = httpkit.Retry
		case e.Code == codeUserIsNotAuthorized:
			v.Action = httpkit.Fatal
			v.Message += " Check that the OAuth user can reach customer_id and account_ids."
		default:
			v.Action = httpkit.Fatal
		}
		return v
	}
}
