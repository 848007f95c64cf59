package console_test

import (
	"net/http"
	"testing"
)

// A supervision list says how many cases it holds and how many of them are overdue, so a
// leader reads the figure without counting rows.
func TestSupervisionListsCountTheirCases(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.registerAndAssign()
	b.exec(`UPDATE suggestions SET reply_due_at = now() - interval '3 days', is_key = true WHERE tenant_id = 1 AND id = $1`, b.sid)
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	for _, path := range []string{"/supervise/overdue", "/supervise/key"} {
		status, page := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		contains(t, page, `<p class="muted" id="case-count">共1件，其中逾期1件</p>`)
	}
	_, page := c.get("/supervise/tracking")
	contains(t, page, "清单为空")
}
