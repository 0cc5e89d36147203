package linkedin_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/linkedin"
	"github.com/pacerhq/pacer/connectors/linkedin/linkedintest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: linkedin.Type,
		New:  conformance.Factory(linkedin.New),
		Start: func(t testing.TB) conformance.Fake {
			s := linkedintest.New(linkedintest.Options{})
			t.Cleanup(s.Close)
			return s
		},
	})
}
