package ga4_test

import (
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/ga4"
	"github.com/pacerhq/pacer/connectors/ga4/ga4test"
)

// TestConformanceOnFixture runs the conformance suite on a fake serving
// three weeks of the demo company: paging, faults, quota, restatement and
// backfill work on fixture data as on invented data.
func TestConformanceOnFixture(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	set := conntest.DemoSet(t, start, start.AddDate(0, 0, 20), "web_traffic")
	conformance.Run(t, conformance.Harness{
		Type: ga4.Type,
		New:  conformance.Factory(ga4.New),
		Start: func(t testing.TB) conformance.Fake {
			s := ga4test.New(ga4test.Options{Fixture: set})
			t.Cleanup(s.Close)
			return s
		},
	})
}
