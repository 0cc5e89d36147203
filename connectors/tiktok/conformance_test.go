package tiktok_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/tiktok"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

func TestConformance(t *testing.T) {
	for _, level := range []string{"campaign", "ad"} {
		t.Run(level, func(t *testing.T) {
			conformance.Run(t, conformance.Harness{
				Type: tiktok.Type,
				New:  conformance.Factory(tiktok.New),
				Start: func(t testing.TB) conformance.Fake {
					s := tiktoktest.New(tiktoktest.Options{Level: level})
					t.Cleanup(s.Close)
					return s
				},
			})
		})
	}
}
