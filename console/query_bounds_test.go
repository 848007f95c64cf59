package console_test

import (
	"net/http"
	"testing"
)

// A hand-edited address is answered, never a 500: an unknown status filter is refused with a
// Chinese message, and ids beyond the 32-bit range (a page cursor, a unit filter) are read as
// the 64-bit ids they are.
func TestHandEditedQueriesAreAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	status, body := c.get("/suggestions?status=bogus")
	if status != http.StatusBadRequest {
		t.Fatalf("unknown status filter: %d", status)
	}
	contains(t, body, "状态筛选条件不正确")
	for _, path := range []string{
		"/suggestions?before=9223372036854775807",
		"/problems?unit=9223372036854775807",
		"/public/jyg/replies?before=9223372036854775807",
		"/public/jyg/replies?before=2147483648",
	} {
		if status, body := c.get(path); status != http.StatusOK {
			t.Errorf("%s: %d\n%.500s", path, status, body)
		}
	}
}
