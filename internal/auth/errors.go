package auth

import "errors"

// Sign-in sentinels. The console maps them to Chinese messages; none of them says whether
// the username exists.
var (
	ErrBadCredentials = errors.New("auth: bad tenant, username or password")
	ErrLocked         = errors.New("auth: account locked after repeated failures")
	ErrNoSession      = errors.New("auth: no valid session")
	ErrBadCSRF        = errors.New("auth: missing or wrong csrf token")
)
