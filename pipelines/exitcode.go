package pipelines

import (
	"errors"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/warehouse"
)

// Exit codes of PRODUCT.md.
const (
	ExitOK           = 0
	ExitFailure      = 1
	ExitInvalid      = 2
	ExitChecksFailed = 3
	ExitLocked       = 75 // EX_TEMPFAIL: another run holds the lock
)

// ExitCode classifies err for cron and Airflow. A run can fail in several
// ways at once (errors.Join); the most urgent wins: a held lock (retry
// later), then a runtime failure, then invalid input, then failed checks.
// An error is classified by the sentinel it wraps (ErrLocked, ErrInvalid,
// connectors.ErrInvalidInput, ErrChecksFailed); anything else is a runtime
// failure.
func ExitCode(err error) int {
	switch err {
	case nil:
		return ExitOK
	case ErrLocked, warehouse.ErrLocked:
		return ExitLocked
	case ErrInvalid, connectors.ErrInvalidInput:
		return ExitInvalid
	case ErrChecksFailed:
		return ExitChecksFailed
	}
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		code := ExitOK
		for _, e := range multi.Unwrap() {
			code = moreUrgent(code, ExitCode(e))
		}
		return code
	}
	if next := errors.Unwrap(err); next != nil {
		return ExitCode(next)
	}
	return ExitFailure
}

// urgency orders exit codes: the larger, the more a scheduler must know.
var urgency = map[int]int{ExitOK: 0, ExitChecksFailed: 1, ExitInvalid: 2, ExitFailure: 3, ExitLocked: 4}

func moreUrgent(a, b int) int {
	if urgency[b] > urgency[a] {
		return b
	}
	return a
}
