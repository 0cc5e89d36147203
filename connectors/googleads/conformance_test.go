package googleads_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/googleads"
	"github.com/pacerhq/pacer/connectors/googleads/googleadstest"
)

func TestConformance(t *testing.T) {
	for _, level := range []string{"campaign", "ad"} {
		t.Run(level, func(t *testing.T) {
			conformance.Run(t, conformance.Harness{
				Type: googleads.Type,
				New:  conformance.Factory(googleads.New),
				Start: func(t testing.TB) conformance.Fake {
					s := googleadstest.New(googleadstest.Options{Level: level})
					t.Cleanup(s.Close)
					return s
				},
			})
		})
	}
}
