// Package fakekit is the plumbing the fake API servers under
// connectors/<name>/<name>test share: fault injection by request number
// (Faults), the restated days and the pages and token requests counted
// (Ledger), canary secrets and token values (RandomHex) and Google's OAuth
// token endpoint (GoogleOAuth), so that each fake holds only what its
// platform does differently.
//
// The fakes serve tests, `pacer demo --via-apis` and benchmarks; fakekit
// does not import "testing".
package fakekit
