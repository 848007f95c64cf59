package deadline

import "errors"

// Domain sentinels. Front doors map them to stable machine codes and Chinese messages;
// the wrapped text here is English detail for logs and developers.
var (
	// ErrInvalidOverride: a calendar override has a malformed or out-of-range date,
	// or two overrides name the same date.
	ErrInvalidOverride = errors.New("deadline: invalid calendar override")
	// ErrInvalidSettings: a per-tenant clock setting is out of its allowed range.
	ErrInvalidSettings = errors.New("deadline: invalid clock settings")
	// ErrUnknownClock: Due was asked about a clock this package does not know.
	ErrUnknownClock = errors.New("deadline: unknown clock")
)
