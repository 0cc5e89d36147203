package hubspot_test

import (
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/conntest"
	"github.com/pacerhq/pacer/connectors/hubspot"
	"github.com/pacerhq/pacer/connectors/hubspot/hubspottest"
)

// TestConformanceOnFixture runs the conformance suite on a fake serving
// three weeks of the demo company's deals behind a small result cap
// (two-day windows: a checkpoint comes before the resume check's failure).
func TestConformanceOnFixture(t *testing.T) {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	set := conntest.DemoSet(t, start, start.AddDate(0, 0, 20), "crm_deals")
	conformance.Run(t, conformance.Harness{
		Type: hubspot.Type,
		New:  conformance.Factory(hubspot.New),
		Start: func(t testing.TB) conformance.Fake {
			s := hubspottest.New(hubspottest.Options{Fixture: set, MaxResults: 7, PageSize: 3, WindowDays: 2})
			t.Cleanup(s.Close)
			return s
		},
		Skip: crmSkips,
	})
}
