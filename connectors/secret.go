package connectors

import "log/slog"

// Secret holds a credential decoded from configuration (written there as
// ${ENV_NAME}, expanded from the environment). It prints as [redacted]
// with fmt (%v, %s, %#v), slog and JSON; Reveal returns the value for the
// one place that sends it. pipelines.Secret and httpkit.Secret are this
// type.
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer (%#v) without revealing the value.
func (s Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer without revealing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[redacted]", so that a config dumped as JSON leaks nothing.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Reveal returns the credential.
func (s Secret) Reveal() string { return string(s) }
