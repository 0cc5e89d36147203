package tencentads_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/tencentads"
	"github.com/pacerhq/pacer/connectors/tencentads/tencentadstest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: tencentads.Type,
		New:  conformance.Factory(tencentads.New),
		Start: func(t testing.TB) conformance.Fake {
			s := tencentadstest.New(tencentadstest.Options{})
			t.Cleanup(s.Close)
			return s
		},
	})
}
