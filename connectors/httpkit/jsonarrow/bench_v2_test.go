//go:build goexperiment.jsonv2

package jsonarrow

import (
	jsonv2 "encoding/json/v2"
	"testing"
)

func benchJSONv2(b *testing.B, body []byte) {
	b.Run("encoding_json_v2", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var batches []ssBatch
			if err := jsonv2.Unmarshal(body, &batches); err != nil {
				b.Fatal(err)
			}
			buildStructRows(b, batches)
		}
		report(b, body)
	})
}
