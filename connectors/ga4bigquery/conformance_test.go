package ga4bigquery_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/ga4bigquery"
	"github.com/pacerhq/pacer/connectors/ga4bigquery/bqtest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: ga4bigquery.Type,
		New:  conformance.Factory(ga4bigquery.New),
		Start: func(t testing.TB) conformance.Fake {
			s := bqtest.New(bqtest.Options{DaysPerQuery: 3})
			t.Cleanup(s.Close)
			return s
		},
	})
}
