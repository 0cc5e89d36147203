package meta_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/meta"
	"github.com/pacerhq/pacer/connectors/meta/metatest"
)

// TestConformance runs the suite twice: synchronous insights at campaign
// grain, and async report runs (async_after_days: 0) at ad grain.
func TestConformance(t *testing.T) {
	zero := 0
	for _, tc := range []struct {
		name string
		o    metatest.Options
	}{
		{"campaign_sync", metatest.Options{Level: "campaign"}},
		{"ad_async", metatest.Options{Level: "ad", AsyncAfterDays: &zero}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conformance.Run(t, conformance.Harness{
				Type: meta.Type,
				New:  conformance.Factory(meta.New),
				Start: func(t testing.TB) conformance.Fake {
					s := metatest.New(tc.o)
					t.Cleanup(s.Close)
					return s
				},
				Skip: map[string]string{
					"expired_token": "Meta has no refresh tokens: an expired token (code 190, subcode 463) cannot be refreshed and fails at once; the revoked check covers it",
				},
			})
		})
	}
}
