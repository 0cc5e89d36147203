// Package jsonarrow decodes JSON answers of ad and analytics platforms into
// Arrow record batches of a given schema, in one pass over the bytes.
//
// A Spec says where the rows are (Rows: "data", "data.list", "*.results"),
// which value of each row feeds which column (Field: a dotted path and a
// Conv), what an absent value becomes (NULL, zero for proto3 JSON, a
// default), which values outside the rows to hand back (Capture: paging
// links, request ids, an error element in a stream), and constant columns
// set per answer (Decoder.Set: account id, currency, time zone).
//
// Numbers arrive as JSON numbers or as strings (Google's and TikTok's
// int64s, Meta's money) and convert alike. Decimal columns are parsed from
// the text into decimal128 exactly, never through float64, with Shift for
// micros, cents or fen. A row whose value does not convert is left out and
// reported (Result.Rejected) for the quarantine; a body that is not JSON, or
// is cut short, fails with a *SyntaxError wrapping httpkit.ErrMalformed so
// that httpkit.Client.DoDecode retries the request.
//
// The scanner is hand-written: known keys are matched in place, strings
// are scanned eight bytes at a time, unknown values are skipped without
// decoding, dates repeat from a one-entry cache, and fixed-width columns
// append without per-value capacity checks. On a 100,000-row searchStream
// body (BenchmarkDecodeSearchStream, one core) it builds 1.15 M rows/s,
// against 0.89 M for github.com/goccy/go-json, 0.36 M for encoding/json/v2
// (GOEXPERIMENT=jsonv2) and 0.21 M for encoding/json, each decoding into
// structs that keep numbers as text and then building the same Arrow batches.
package jsonarrow
