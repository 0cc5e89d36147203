//go:build !goexperiment.jsonv2

package jsonarrow

import "testing"

// benchJSONv2 needs GOEXPERIMENT=jsonv2 (encoding/json/v2).
func benchJSONv2(b *testing.B, body []byte) {
	b.Run("encoding_json_v2", func(b *testing.B) { b.Skip("run with GOEXPERIMENT=jsonv2") })
}
