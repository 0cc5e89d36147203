package oceanengine_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/oceanengine"
	"github.com/pacerhq/pacer/connectors/oceanengine/oceanenginetest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: oceanengine.Type,
		New:  conformance.Factory(oceanengine.New),
		Start: func(t testing.TB) conformance.Fake {
			s := oceanenginetest.New(oceanenginetest.Options{})
			t.Cleanup(s.Close)
			return s
		},
	})
}
