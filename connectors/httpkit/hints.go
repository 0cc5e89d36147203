package httpkit

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ProtoDuration parses a protobuf JSON duration such as Google's retryDelay
// ("30s", "1.500s", "0.25s").
func ProtoDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	num, ok := strings.CutSuffix(s, "s")
	if !ok || num == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// MetaRegainWait reads Meta's X-Business-Use-Case-Usage header and returns
// the longest estimated_time_to_regain_access (given in minutes), and the
// highest usage percentage of call_count, total_cputime and total_time
// (callers slow down above 75). Both are 0 when the header is absent.
func MetaRegainWait(h http.Header) (wait time.Duration, usagePct float64) {
	raw := h.Get("X-Business-Use-Case-Usage")
	if raw == "" {
		return 0, 0
	}
	var usage map[string][]struct {
		CallCount    float64 `json:"call_count"`
		TotalCPUTime float64 `json:"total_cputime"`
		TotalTime    float64 `json:"total_time"`
		Regain       float64 `json:"estimated_time_to_regain_access"`
	}
	if json.Unmarshal([]byte(raw), &usage) != nil {
		return 0, 0
	}
	for _, entries := range usage {
		for _, e := range entries {
			wait = max(wait, time.Duration(e.Regain*float64(time.Minute)))
			usagePct = max(usagePct, e.CallCount, e.TotalCPUTime, e.TotalTime)
		}
	}
	return wait, usagePct
}
