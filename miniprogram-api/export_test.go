package mpapi

import "testing"

// CheckAPITimes lets the HTTP tests (package mpapi_test) hold whole answers to the API's
// one time shape: it fails for every time in body that is not UTC to the microsecond and
// returns how many times it saw.
func CheckAPITimes(t testing.TB, body []byte) int { return checkAPITimes(t, body) }
