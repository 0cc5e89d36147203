package hubspot

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// HubSpot's 429 policies (CONNECTORS.md §6).
const (
	PolicySecondly           = "SECONDLY"
	PolicyTenSecondlyRolling = "TEN_SECONDLY_ROLLING"
	PolicyDaily              = "DAILY"
)

// Waits after a throttle without Retry-After: search sends no rate headers.
const (
	SecondlyWait    = time.Second
	TenSecondlyWait = 10 * time.Second
)

// apiError is HubSpot's error body.
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	ErrorType     string `json:"errorType"`
	PolicyName    string `json:"policyName"`
	RequestID     string `json:"requestId"`
}

// classify reads HubSpot's answers: throttle policies first, then the status.
func classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{Action: httpkit.OK}
	}
	var e apiError
	_ = json.Unmarshal(r.Body, &e)
	v := httpkit.Verdict{Code: e.Category, Message: e.Message, RequestID: e.CorrelationID}
	if v.RequestID == "" {
		v.RequestID = e.RequestID
	}
	if v.Message == "" {
		v.Message = strings.TrimSpace(http.StatusText(r.Status))
	}
	switch {
	case r.Status == http.StatusTooManyRequests || e.PolicyName != "":
		v.Code = e.PolicyName
		if v.Code == "" {
			v.Code = e.ErrorType
		}
		switch strings.ToUpper(e.PolicyName) {
		case PolicyDaily:
			v.Action = httpkit.StopToday
			v.Message = strings.TrimSpace(v.Message + " (daily limit: the next run resumes from the cursor)")
		case PolicySecondly:
			v.Action, v.Wait = httpkit.Retry, SecondlyWait
		case PolicyTenSecondlyRolling:
			v.Action, v.Wait = httpkit.Retry, TenSecondlyWait
		default:
			v.Action = httpkit.Retry
		}
	case r.Status == http.StatusUnauthorized:
		v.Action = httpkit.Refresh
	case r.Status >= 500 || r.Status == http.StatusRequestTimeout:
		v.Action = httpkit.Retry
	default:
		v.Action = httpkit.Fatal
	}
	return v
}
