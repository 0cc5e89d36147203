package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/demo"
	"github.com/pacerhq/pacer/connectors/fixture"
	"github.com/pacerhq/pacer/connectors/ga4"
	"github.com/pacerhq/pacer/connectors/ga4/ga4test"
	"github.com/pacerhq/pacer/connectors/googleads"
	"github.com/pacerhq/pacer/connectors/googleads/googleadstest"
	"github.com/pacerhq/pacer/connectors/hubspot"
	"github.com/pacerhq/pacer/connectors/hubspot/hubspottest"
	"github.com/pacerhq/pacer/connectors/meta"
	"github.com/pacerhq/pacer/connectors/meta/metatest"
	"github.com/pacerhq/pacer/connectors/oceanengine"
	"github.com/pacerhq/pacer/connectors/oceanengine/oceanenginetest"
	"github.com/pacerhq/pacer/connectors/stripe"
	"github.com/pacerhq/pacer/connectors/stripe/stripetest"
	"github.com/pacerhq/pacer/connectors/tencentads"
	"github.com/pacerhq/pacer/connectors/tencentads/tencentadstest"
	"github.com/pacerhq/pacer/connectors/tiktok"
	"github.com/pacerhq/pacer/connectors/tiktok/tiktoktest"
)

// With --via-apis the demo company's rows travel through the real
// connectors: each platform's fake API (the same fakes the connector tests
// use) serves the company's own rows in its wire format on a loopback port,
// and the job syncs them as it would from the vendor. The demo source keeps
// only what no API here serves: touchpoints, conversions, the brand survey
// and the market panel.

// fakeAPI is a running fake of a vendor's API.
type fakeAPI interface {
	// Config returns the source's keys pointing at the fake, with secrets
	// as ${ENV} references, and the values of those variables.
	Config() (string, map[string]string)
	Close()
}

// viaAPI is one source of the demo served by a fake.
type viaAPI struct {
	name, typ string
	fake      fakeAPI
}

// demoStreamsViaAPIs are the demo company's streams the fakes serve.
var demoStreamsViaAPIs = []string{"ad_performance", "orders", "crm_deals", "web_traffic"}

// demoStreamsKept are the streams the demo source still produces.
var demoStreamsKept = []string{"touchpoints", "conversions", "survey_metrics", "market_benchmarks"}

// startDemoFakes reads the demo company (as the demo source of pacer.yaml
// would produce it up to day) and starts a fake per API serving its rows.
// The caller closes them.
func startDemoFakes(ctx context.Context, seed int64, start, day, incident time.Time) ([]viaAPI, error) {
	keys := fmt.Sprintf("seed: %d\nscale: small\nincident_from: %s\n", seed, incident.Format(time.DateOnly))
	src, err := demo.New(connectors.Config{Name: "demo", StartDate: start,
		Decode: func(v any) error { return yaml.Unmarshal([]byte(keys), v) }})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	set, err := fixture.Collect(ctx, src, day, demoStreamsViaAPIs...)
	if err != nil {
		return nil, err
	}
	// The fakes panic on rows they cannot serve; ask first.
	if err := errors.Join(googleadstest.CheckFixture(set), metatest.CheckFixture(set)); err != nil {
		return nil, fmt.Errorf("the demo company cannot be served by the fakes: %w", err)
	}
	return []viaAPI{
		{"google_ads", googleads.Type, googleadstest.New(googleadstest.Options{Fixture: set})},
		{"meta", meta.Type, metatest.New(metatest.Options{Fixture: set})},
		{"ocean_engine", oceanengine.Type, oceanenginetest.New(oceanenginetest.Options{Fixture: set})},
		{"tiktok", tiktok.Type, tiktoktest.New(tiktoktest.Options{Fixture: set})},
		{"tencent_ads", tencentads.Type, tencentadstest.New(tencentadstest.Options{Fixture: set})},
		{"stripe", stripe.Type, stripetest.New(stripetest.Options{Fixture: set})},
		{"hubspot", hubspot.Type, hubspottest.New(hubspottest.Options{Fixture: set})},
		{"ga4", ga4.Type, ga4test.New(ga4test.Options{Fixture: set})},
	}, nil
}

// viaAPIsSources returns the sources part of pacer.yaml for the fakes, and
// the variables their secrets need.
func viaAPIsSources(seed int64, start, incident time.Time, apis []viaAPI) (string, map[string]string) {
	var b strings.Builder
	fmt.Fprintf(&b, `sources:
  # The sources below point at fake APIs that lived on 127.0.0.1 only while
  # `+"`pacer demo --via-apis`"+` ran: every command works on the warehouse, but a
  # new sync needs the demo again. Their secrets are in .env beside this file.
  - name: demo                # what no API here serves
    type: demo
    seed: %d
    scale: small
    start_date: %s
    incident_from: %s
    streams: [%s]
`, seed, start.Format(time.DateOnly), incident.Format(time.DateOnly), strings.Join(demoStreamsKept, ", "))
	env := map[string]string{}
	for _, a := range apis {
		keys, vars := a.fake.Config()
		fmt.Fprintf(&b, "  - name: %s\n    type: %s\n    start_date: %s\n", a.name, a.typ, start.Format(time.DateOnly))
		for line := range strings.SplitSeq(strings.TrimRight(keys, "\n"), "\n") {
			fmt.Fprintf(&b, "    %s\n", line)
		}
		maps.Copy(env, vars)
	}
	return b.String(), env
}

// writeDotEnv writes the fakes' credentials beside the config, readable by
// the owner only, and sets them in this process.
func writeDotEnv(dir string, env map[string]string) error {
	var b strings.Builder
	b.WriteString("# credentials of the fake APIs of `pacer demo --via-apis` (loopback only, not real)\n")
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(&b, "%s=%s\n", k, env[k])
		if err := os.Setenv(k, env[k]); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, ".env"), []byte(b.String()), 0o600)
}
