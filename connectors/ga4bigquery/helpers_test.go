package ga4bigquery_test

import (
	"os"
	"strconv"
)

func strconvItoa(n int) string { return strconv.Itoa(n) }

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
