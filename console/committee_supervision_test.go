package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// A committee (专工委) reads the supervision lists of its own categories from its menu, acts
// nowhere only supervisors act, and its dashboard offers only its categories.
func TestCommitteeReadsItsSupervisionLists(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.addStaff(61, "gongwei", []string{"committee"}, 1) // 城乡建设
	b.registerAndAssign()                               // category 1
	other := b.submit(1, 2, "关于优化公交线路的建议", "部分公交线路绕行严重、班次稀少，建议优化线路并加密班次。")
	sg, err := b.sugg.Get(ctx, reviewer(1), other)
	if err != nil {
		t.Fatal(err)
	}
	if sg, err = b.sugg.Register(ctx, reviewer(1), other, sg.Version, 2); err != nil { // 交通运输
		t.Fatal(err)
	}
	if _, err = b.sugg.Assign(ctx, reviewer(1), other, sg.Version, suggestion.AssignInput{LeadUnitID: 2}); err != nil {
		t.Fatal(err)
	}
	b.exec(`UPDATE suggestions SET reply_due_at = now() - interval '2 days' WHERE tenant_id = 1 AND id IN ($1, $2)`, b.sid, other)
	b.exec(`UPDATE suggestions SET reply_due_at = now() - interval '2 days' WHERE tenant_id = 2`)

	cm := b.desk("gongwei")
	_, home := cm.c.get("/")
	contains(t, home, `href="/supervise/overdue"`)
	if strings.Contains(home, `href="/problems"`) {
		t.Fatal("a committee is offered 问题清单")
	}
	status, page := cm.c.get("/supervise/overdue")
	if status != http.StatusOK {
		t.Fatalf("committee /supervise/overdue: %d %.300s", status, page)
	}
	contains(t, page, "老旧小区物业管理")
	for _, leak := range []string{"公交线路", "别家"} {
		if strings.Contains(page, leak) {
			t.Fatalf("the committee's overdue list shows %q, outside its categories", leak)
		}
	}
	for _, l := range []string{"key", "tracking", "unsatisfied", "review_back"} {
		if status, page := cm.c.get("/supervise/" + l); status != http.StatusOK {
			t.Fatalf("committee /supervise/%s: %d %.300s", l, status, page)
		}
	}
	// Reading is all: flagged content, 问题清单 and the reviewer's moves stay closed.
	for _, p := range []string{"/review/flagged", "/problems", "/decisions"} {
		if status, _ := cm.c.get(p); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Fatalf("committee GET %s: %d", p, status)
		}
	}
	status, _, _ = cm.c.post(suggestionURL(b.sid)+"/track", url.Values{"csrf": {cm.tok}, "version": {"3"}, "reason": {"督办"}})
	if status != http.StatusForbidden && status != http.StatusNotFound {
		t.Fatalf("committee POST track: %d", status)
	}

	// The dashboard offers the committee's categories only.
	sel := home[strings.Index(home, `<select name="category">`):]
	sel = sel[:strings.Index(sel, "</select>")]
	if !strings.Contains(sel, ">城乡建设<") || strings.Contains(sel, "交通运输") {
		t.Fatalf("the committee's dashboard offers categories:\n%s", sel)
	}
}
