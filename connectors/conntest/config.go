package conntest

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Decode returns a connectors.Config Decode func that reads y, a source's
// keys, as the pipeline does: strictly, an unknown key fails.
func Decode(y string) func(any) error {
	return func(v any) error {
		dec := yaml.NewDecoder(strings.NewReader(y))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
}

// Expand replaces each ${NAME} in y, a fake's Config, with env[NAME] as
// it is (the fakes' secrets need no quoting).
func Expand(y string, env map[string]string) string {
	for k, v := range env {
		y = strings.ReplaceAll(y, "${"+k+"}", v)
	}
	return y
}
