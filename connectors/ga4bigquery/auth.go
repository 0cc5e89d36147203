package ga4bigquery

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pacerhq/pacer/connectors/httpkit"
)

// Scope is the OAuth scope the service account asks for: read-only
// BigQuery (query jobs and their results).
const Scope = "https://www.googleapis.com/auth/bigquery.readonly"

// serviceAccount is the part of a Google service account key file we use.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
	rsa          *rsa.PrivateKey
}

// parseServiceAccount reads a service account key. Its errors never quote
// the key.
func parseServiceAccount(raw []byte) (*serviceAccount, error) {
	var k serviceAccount
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, errors.New("not a service account key: the JSON does not parse")
	}
	if k.Type != "service_account" {
		return nil, fmt.Errorf("type %q: want a service_account key (user credentials and external accounts are not supported)", k.Type)
	}
	if k.ClientEmail == "" || k.PrivateKey == "" {
		return nil, errors.New("the key lacks client_email or private_key")
	}
	block, _ := pem.Decode([]byte(k.PrivateKey))
	if block == nil {
		return nil, errors.New("private_key is not PEM")
	}
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, errors.New("private_key is not an RSA key")
	}
	k.rsa = rk
	return &k, nil
}

// jwtSource is the service account's OAuth 2.0 JWT bearer grant (RFC 7523,
// as Google's token endpoint takes it): a JWT signed RS256 with the key,
// iss the client email, aud the token URL, scope bigquery.readonly, one
// hour long, exchanged for an access token. Requests go through the
// httpkit client (loopback guard, clock, retries on 5xx, redaction); a
// refused grant is ErrAuth.
type jwtSource struct {
	key      *serviceAccount
	tokenURL string
	c        *httpkit.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

var _ httpkit.TokenSource = (*jwtSource)(nil)

func (s *jwtSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.c.Clock().Now().Before(s.expires.Add(-time.Minute)) {
		return s.token, nil
	}
	return s.fetch(ctx)
}

func (s *jwtSource) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
	_, err := s.fetch(ctx)
	return err
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// assertion returns the signed JWT.
func (s *jwtSource) assertion(now time.Time) (string, error) {
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.key.PrivateKeyID})
	claims, _ := json.Marshal(map[string]any{
		"iss": s.key.ClientEmail, "scope": Scope, "aud": s.tokenURL,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	signing := b64(head) + "." + b64(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key.rsa, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (s *jwtSource) fetch(ctx context.Context) (string, error) {
	now := s.c.Clock().Now()
	jwt, err := s.assertion(now)
	if err != nil {
		return "", &httpkit.Error{Platform: Type, Op: "token", Message: "signing the JWT with the service account key failed", Permanent: true, Action: httpkit.Fatal, Err: httpkit.ErrAuth}
	}
	s.c.Redactor().Add(jwt)
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {jwt}}
	resp, err := s.c.Do(ctx, &httpkit.Request{
		Method: "POST", URL: s.tokenURL, Body: []byte(form.Encode()),
		ContentType: "application/x-www-form-urlencoded", NoAuth: true,
		Op: "token (service account " + s.key.ClientEmail + ")", Classify: classifyToken,
	})
	if err != nil {
		var pe *httpkit.Error
		if errors.As(err, &pe) && pe.Permanent {
			pe.Message = strings.TrimSpace(pe.Message + " (check the service account key: a deleted or disabled key must be issued again)")
			if pe.Err == nil {
				pe.Err = httpkit.ErrAuth
			}
		}
		return "", err
	}
	var ta tokenAnswer
	if err := json.Unmarshal(resp.Body, &ta); err != nil || ta.AccessToken == "" {
		return "", &httpkit.Error{Platform: Type, Op: "token", Status: resp.Status, Message: "the token endpoint answered without an access_token", Permanent: true, Action: httpkit.Fatal, Err: httpkit.ErrAuth}
	}
	s.c.Redactor().Add(ta.AccessToken)
	s.token = ta.AccessToken
	if ta.ExpiresIn <= 0 {
		ta.ExpiresIn = 3600
	}
	s.expires = now.Add(time.Duration(ta.ExpiresIn) * time.Second)
	return s.token, nil
}

// classifyToken reads RFC 6749 §5.2 errors: invalid_grant (a deleted key,
// a bad signature) and other 4xx are fatal; 429 and 5xx are retried.
func classifyToken(r *httpkit.Response) httpkit.Verdict {
	if r.Status >= 200 && r.Status < 300 {
		return httpkit.Verdict{Action: httpkit.OK}
	}
	var ta tokenAnswer
	_ = json.Unmarshal(r.Body, &ta)
	v := httpkit.Verdict{Code: ta.Error, Message: ta.Description}
	if v.Code == "" {
		v.Code = fmt.Sprintf("HTTP %d", r.Status)
	}
	if v.Message == "" {
		v.Message = "the token endpoint refused the service account's grant"
	}
	if r.Status == 429 || r.Status >= 500 {
		v.Action = httpkit.Retry
	} else {
		v.Action = httpkit.Fatal
	}
	return v
}
