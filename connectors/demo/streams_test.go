package demo

import (
	"slices"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/connectors"
)

func TestStreamsKey(t *testing.T) {
	tests := []struct {
		streams []string
		want    []string
		err     string
	}{
		{nil, []string{"ad_performance", "web_traffic", "touchpoints", "conversions", "orders", "crm_deals", "survey_metrics", "market_benchmarks"}, ""},
		{[]string{"market_benchmarks", "touchpoints"}, []string{"touchpoints", "market_benchmarks"}, ""},
		{[]string{"touchpoint"}, nil, `unknown stream "touchpoint"`},
	}
	for _, tt := range tests {
		cfg := connectors.Config{Name: "d", Decode: func(v any) error { v.(*config).Streams = tt.streams; return nil }}
		src, err := New(cfg)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("streams %v: error %v, want %q", tt.streams, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("streams %v: %v", tt.streams, err)
		}
		var got []string
		for _, s := range src.Streams() {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("streams %v: produces %v, want %v", tt.streams, got, tt.want)
		}
	}
}
