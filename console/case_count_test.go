package console_test

import (
	"context"
	"net/http"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
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

// A list that reached its cap says it shows the most urgent cases, not that they are all.
func TestSupervisionListAtItsCapSaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.exec(`INSERT INTO suggestions (tenant_id, meeting_id, number, lead_deputy_id, title, body, status, is_key, reply_due_at)
		SELECT 1, 1, 1000 + g, 1, '重点建议' || g, '正文', 'handling', true, now() + g * interval '1 day' FROM generate_series(1, 205) g`)
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	_, page := c.get("/supervise/key")
	contains(t, page, `<p class="muted" id="case-count">列出最紧急的200件（清单可能更长，请用筛选缩小范围）</p>`)
}

// A deputy's 不满意 puts the case on 跟踪督办 (source case: "对代表反馈'不满意'……的建议，纳入跟踪督办
// 清单"), with the deputy's reason, and the dashboard's 跟踪督办 figure counts it, until the
// case is closed.
func TestUnsatisfiedCaseIsTracked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.handleAndReplyUnrated(asg)
	if _, err := b.sugg.RateReply(context.Background(), auth.Deputy(1, 1), b.sid, suggestion.Unsatisfied, "路灯仍未修好"); err != nil {
		t.Fatal(err)
	}
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	_, page := c.get("/supervise/tracking")
	contains(t, page, `<p class="muted" id="case-count">共1件`)
	contains(t, page, "代表不满意：路灯仍未修好")
	_, page = c.get("/")
	contains(t, page, `<th>跟踪督办</th><td><a href="/supervise/tracking">1</a></td>`)

	// Closed (here by hand, with the audit event every change writes).
	b.exec(`UPDATE suggestions SET status = 'closed', closed_at = now() WHERE tenant_id = 1 AND id = $1`, b.sid)
	b.exec(`INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action, from_status, to_status)
		VALUES (1, $1, 'staff', 2, 'close', 'rehandling', 'closed')`, b.sid)
	_, page = c.get("/supervise/tracking")
	contains(t, page, "清单为空")
	_, page = c.get("/")
	contains(t, page, `<th>跟踪督办</th><td><a href="/supervise/tracking">0</a></td>`)
}

// A 部门快办 case answered without 办中征求意见 and 办后回访问效 is on 三见面, with what is missing,
// for supervisors and for its unit.
func TestFastTrackContactsListed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.exec(`UPDATE suggestions SET mode = 'fast_track' WHERE tenant_id = 1 AND id = $1`, b.sid)
	b.handleAndReplyUnrated(asg)
	c := b.client()
	c.login("jyg", "shencha", testPassword)
	status, page := c.get("/supervise/contacts")
	if status != http.StatusOK {
		t.Fatalf("/supervise/contacts: %d", status)
	}
	contains(t, page, `<p class="muted" id="case-count">共1件`)
	contains(t, page, "未落实：办中征求意见、办后回访问效")
	contains(t, page, "<h1>近六个月答复的部门快办建议中，承办单位办中征求意见或办后回访问效未落实（未登记或代表有异议）的建议</h1>")
}
