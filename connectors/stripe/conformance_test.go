package stripe_test

import (
	"testing"

	"github.com/pacerhq/pacer/connectors/conformance"
	"github.com/pacerhq/pacer/connectors/stripe"
	"github.com/pacerhq/pacer/connectors/stripe/stripetest"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Type: stripe.Type,
		New:  conformance.Factory(stripe.New),
		Start: func(t testing.TB) conformance.Fake {
			s := stripetest.New(stripetest.Options{})
			t.Cleanup(s.Close)
			return s
		},
		Skip: map[string]string{
			"expired_token": "Stripe API keys do not expire and cannot be refreshed: a rejected key is fatal (see revoked)",
		},
	})
}
