package linkedin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// restliError is the body of LinkedIn's errors:
// {"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"…"}.
type restliError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// classify reads LinkedIn's error bodies.
func classify(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{}
	}
	var e restliError
	v := httpkit.Verdict{}
	if json.Unmarshal(r.Body, &e) == nil && (e.Message != "" || e.Code != "") {
		v.Code, v.Message = e.Code, e.Message
		if e.ServiceErrorCode != 0 {
			v.Detail = "serviceErrorCode " + strconv.Itoa(e.ServiceErrorCode)
		}
	} else {
		v.Message = strings.TrimSpace(http.StatusText(r.Status))
	}
	switch {
	case r.Status == http.StatusUnauthorized:
		v.Action = httpkit.Refresh
	case r.Status == http.StatusTooManyRequests && strings.Contains(strings.ToUpper(v.Message), "DAY LIMIT"):
		// LinkedIn's quotas are per day (application and member): the
		// next run resumes after midnight UTC.
		v.Action = httpkit.StopToday
	case r.Status == http.StatusUpgradeRequired:
		v.Action = httpkit.Fatal
		v.Message = strings.TrimSpace(v.Message + " The Linkedin-Version is sunset: set api_version to " + DefaultAPIVersion + " or newer.")
	}
	return v
}
