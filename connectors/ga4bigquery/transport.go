package ga4bigquery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// transport carries the BigQuery client's requests through an
// httpkit.Client: the token goes on there, throttles and 5xx are retried
// there on the client's clock, and failures become *httpkit.Error with
// Google's message. A 200 whose JSON is cut short is retried too (the
// Google library would fail on it).
type transport struct {
	c *httpkit.Client
}

// forwarded are the request headers of the Google library worth keeping.
var forwarded = []string{"X-Goog-Api-Client", "X-Goog-Request-Reason", "X-Goog-User-Project"}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	h := http.Header{}
	for _, k := range forwarded {
		if v := req.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	st, _ := req.Context().Value(stateKey{}).(*callState)
	op := apiOp(req)
	if st != nil {
		op = st.op + ": " + op
	}
	hr := &httpkit.Request{
		Method: req.Method, URL: req.URL.String(), Header: h, Body: body,
		ContentType: req.Header.Get("Content-Type"), Op: op,
	}
	var out *httpkit.Response
	err := t.c.DoDecode(req.Context(), hr, func(r *httpkit.Response) error {
		if len(r.Body) > 0 && strings.Contains(r.Header.Get("Content-Type"), "json") && !json.Valid(r.Body) {
			return fmt.Errorf("%w: %s answered with invalid JSON (%d bytes)", httpkit.ErrMalformed, op, len(r.Body))
		}
		out = r
		return nil
	})
	if err != nil {
		if st != nil {
			st.failed(err)
		}
		return nil, err
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", out.Status, http.StatusText(out.Status)), StatusCode: out.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: out.Header, Body: io.NopCloser(bytes.NewReader(out.Body)), ContentLength: int64(len(out.Body)),
		Request: req,
	}, nil
}

// apiOp names a BigQuery REST call for logs and errors.
func apiOp(req *http.Request) string {
	p := req.URL.Path
	i := strings.Index(p, "/projects/")
	if i < 0 {
		return req.Method + " " + p
	}
	parts := strings.Split(strings.Trim(p[i+1:], "/"), "/")
	// projects/{p}/queries[/{id}] or projects/{p}/jobs[/{id}]
	switch {
	case len(parts) == 3 && parts[2] == "queries":
		return "jobs.query"
	case len(parts) == 4 && parts[2] == "queries":
		if tok := req.URL.Query().Get("pageToken"); tok != "" {
			return "jobs.getQueryResults " + parts[3] + " page " + tok
		}
		return "jobs.getQueryResults " + parts[3]
	case len(parts) == 3 && parts[2] == "jobs":
		return "jobs.insert"
	case len(parts) == 4 && parts[2] == "jobs":
		return "jobs.get " + parts[3]
	}
	return req.Method + " " + strings.Join(parts, "/")
}
