// Package httpkit is what every HTTP connector shares: one Client that
// knows base URLs, credentials, rate limits, retries and redaction, plus
// pagination, date-window and cursor helpers. Subpackage jsonarrow turns
// JSON answers into Arrow batches. Source-specific fields stay in the
// connectors; connectors/conformance checks them all the same way.
//
// # The client
//
// New(Config, ...Option) builds a Client for one platform:
//
//   - Base URL: requests carry paths relative to Config.BaseURL (the
//     connector's base_url, defaulting to production). Absolute URLs a
//     server returns (paging.next, nextRecordsUrl, instance_url) go through
//     Resolve: on a production host they are rebased onto base_url, so a
//     fake or proxy keeps every request; other hosts (pre-signed downloads)
//     are kept. WithLoopbackOnly refuses every non-loopback host, at the
//     URL and at the dial: tests and the demo cannot reach a platform.
//   - Credentials: Config.Auth is a TokenSource: NewOAuth2 for the
//     refresh-token grant (token_url overridable, tokens cached until a
//     minute before expiry, OnRotate for rotating refresh tokens) or
//     StaticToken. Config.Authorize places the token (default
//     "Authorization: Bearer"; TikTok's Access-Token header; Meta's
//     access_token parameter). A 401 refreshes once; a second is fatal.
//   - Rate limits: one token bucket per Request.RateKey (the account),
//     Config.RequestsPerSecond and Burst (golang.org/x/time/rate, waited on
//     the client's Clock).
//   - Retries (CONNECTORS.md): Config.Classify reads each answer, 200s
//     included, into a Verdict: Retry, Refresh, StopToday or Fatal, the
//     platform's code, message, request id and wait hint. Decide falls back
//     to the status: 401 refresh; 408, 425, 429, 5xx and network errors
//     retry; other 4xx are fatal. Waits come from Retry-After (seconds or
//     HTTP date), then the classifier's hint (Google's retryDelay:
//     ProtoDuration; Meta's estimated_time_to_regain_access:
//     MetaRegainWait), else full-jitter backoff rand(0, min(60 s, 1 s·2^n)).
//     At most MaxTries (6) tries per request, a RetryBudget (50 retries)
//     and WaitBudget (30 min) per client, and a hint longer than MaxWait
//     (15 min) stops the read with ErrRateLimited: the next run resumes.
//     DoDecode runs the decoder inside the loop, so a body cut short
//     (ErrMalformed) or a platform error inside a 200 is retried too.
//   - Time: every wait goes through the Clock (WithClock): tests pass a
//     FakeClock and assert waits without sleeping. Waits honour ctx.
//   - Errors: failures are *Error, worded with the platform's own code and
//     message ("google_ads: searchStream customer 1234567890 2026-11-01..2026-11-07:
//     PERMISSION_DENIED: User doesn't have permission to access customer.
//     (authorizationError USER_PERMISSION_DENIED; HTTP 403; request id …)"),
//     wrapping ErrPermanent, ErrAuth, ErrRateLimited or ErrRetriesExhausted.
//   - Redaction: a Redactor scrubs configured secrets (Config.Secrets, the
//     OAuth2 credentials), every access token obtained, and secret shapes
//     (Authorization, developer-token and Access-Token headers;
//     access_token, refresh_token, client_secret and appsecret_proof
//     parameters; pre-signed URL queries; sk_/rk_ keys, pat-…, ya29.…,
//     EAA…) from logs, errors and whatever a connector stores
//     (Client.Redactor). Logs go through NewRedactingHandler and carry
//     request ids instead. Config values hold credentials as Secret.
//
// # Building a connector
//
// A connector package (see connectors/googleads) has:
//
//  1. spec.go: connectors.Register in init with every key documented;
//     credentials typed Secret and marked Secret; base_url, token_url and
//     api_version keys defaulting to production; and
//     New(cfg connectors.Config, opts ...httpkit.Option) that validates
//     offline, reporting every problem at once, then calls httpkit.New with
//     the platform's Config and passes opts through (the conformance suite
//     injects its clock and loopback guard there).
//  2. A classifier: func(*httpkit.Response) httpkit.Verdict reading the
//     platform's error body and throttle signals (throttles first: Meta's
//     arrive as 400, Salesforce's limit as 403, TikTok's as 200).
//  3. Read: ParseDayCursor; AccountUntil per account (its own "yesterday");
//     DayPlan{Through, Lookback, Start, Until, Backfill, Earliest}.Range();
//     then for each of Windows(range, n): Emitter.Replace(window), fetch
//     every account's pages (Paginate, PageTokens, NextURLs, Offsets,
//     PageNumbers; Client.RunJob for async reports) with Client.DoDecode
//     and a jsonarrow.Decoder, emit the batches, quarantine rejected rows
//     (Raw through Client.Redactor), and Checkpoint(cursor.Advance(window))
//     (unchanged on a backfill). A failure then repeats at most one window,
//     and restated days are replaced in the same transaction as the cursor.
//  4. A fake package <name>test speaking the wire format under a path
//     prefix (real paths, auth checks, string numbers, paging, the
//     platform's throttle and error bodies, malformed JSON, expired and
//     revoked tokens, restatement) that implements conformance.Fake.
//  5. One test: conformance.Run(t, conformance.Harness{Type, New:
//     conformance.Factory(pkg.New), Start}), plus tests of its own quirks.
package httpkit
