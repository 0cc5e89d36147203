package fakekit

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// GoogleOAuth is Google's OAuth 2.0 token endpoint for an installed-app
// client holding a refresh token, as the GA4 and Google Ads fakes serve
// it, and the access tokens it issued. It is not locked: the fake guards
// it, Serve included, with its own mutex.
type GoogleOAuth struct {
	ClientID, ClientSecret, RefreshToken string
	// Scope is the scope the token answers carry.
	Scope string
	// Revoked refuses the refresh token from now on (invalid_grant).
	Revoked bool
	// Requests counts the token requests received.
	Requests int
	// Issued lists the access tokens issued, oldest first.
	Issued []string

	valid map[string]bool
}

// Serve answers a token request as oauth2.googleapis.com/token does:
// 405 unless POST, 400 on a malformed form or another grant than
// refresh_token, 401 invalid_client, 400 invalid_grant for a wrong or
// revoked refresh token, else a new access token valid until Expire.
func (g *GoogleOAuth) Serve(w http.ResponseWriter, r *http.Request) {
	g.Requests++
	if r.Method != http.MethodPost {
		googleJSON(w, 405, `{"error":"invalid_request","error_description":"Only POST is supported"}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		googleJSON(w, 400, `{"error":"invalid_request","error_description":"Malformed form body"}`)
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "refresh_token":
		q, _ := json.Marshal(f.Get("grant_type"))
		googleJSON(w, 400, fmt.Sprintf(`{"error":"unsupported_grant_type","error_description":"Invalid grant_type: %s"}`, q[1:len(q)-1]))
	case f.Get("client_id") != g.ClientID || f.Get("client_secret") != g.ClientSecret:
		googleJSON(w, 401, `{"error":"invalid_client","error_description":"Unauthorized"}`)
	case g.Revoked || f.Get("refresh_token") != g.RefreshToken:
		googleJSON(w, 400, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
	default:
		tok := fmt.Sprintf("ya29.a0Fake%d%s", len(g.Issued)+1, RandomHex(12))
		if g.valid == nil {
			g.valid = map[string]bool{}
		}
		g.valid[tok] = true
		g.Issued = append(g.Issued, tok)
		googleJSON(w, 200, fmt.Sprintf(`{"access_token":%q,"expires_in":3599,"scope":%q,"token_type":"Bearer"}`, tok, g.Scope))
	}
}

// Valid reports whether tok is an access token issued and not expired.
func (g *GoogleOAuth) Valid(tok string) bool { return g.valid[tok] }

// Expire expires every access token issued so far.
func (g *GoogleOAuth) Expire() { clear(g.valid) }

func googleJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
