package microsoftads_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/microsoftads"
	"github.com/pacerhq/pacer/connectors/microsoftads/microsoftadstest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: microsoftads.Type,
		New:  conformance.Factory(microsoftads.New),
		Start: func(t testing.TB) conformance.Fake {
			s := microsoftadstest.New(microsoftadstest.Options{})
			t.Cleanup(s.Close)
			return s
		},
	})
}
