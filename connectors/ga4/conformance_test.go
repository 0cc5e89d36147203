package ga4_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/ga4"
	"github.com/pacerhq/pacer/connectors/ga4/ga4test"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type:  ga4.Type,
		New:   conformance.Factory(ga4.New),
		Start: func(t testing.TB) conformance.Fake { s := ga4test.New(ga4test.Options{}); t.Cleanup(s.Close); return s },
	})
}
