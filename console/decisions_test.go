package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// A unit asks to return a wrong assignment inside the window; the reviewer reassigns it and
// the history keeps both; a reviewer merges a duplicate and reopens a closed case.
func TestReturnReassignAndSupervision(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	unit := b.client()
	tok := unit.login("jyg", "zhujian", testPassword)
	a := "/assignments/" + strconv.FormatInt(asg, 10)
	if status, _, _ := unit.post(a+"/request-return", url.Values{"csrf": {tok}, "reason": {"不属于本局职责，应由交通局主办"}}); status != http.StatusSeeOther {
		t.Fatalf("request return: %d", status)
	}
	rev := b.client()
	rtok := rev.login("jyg", "shencha", testPassword)
	_, page := rev.get("/decisions")
	contains(t, page, "不属于本局职责")
	// The co-unit (交通局) is made the lead: its co-assignment gives way, so it is on the case once.
	status, _, _ := rev.post(a+"/decide-return", url.Values{"csrf": {rtok}, "decision": {"reassign"}, "new_unit": {"2"}, "reason": {"改由交通局主办"}})
	if status != http.StatusSeeOther {
		t.Fatalf("decide: %d", status)
	}
	_, page = rev.get("/decisions")
	contains(t, page, "没有待决定的申请")
	var n int
	_ = b.pool.QueryRow(context.Background(), `SELECT count(*) FROM assignments WHERE suggestion_id = $1 AND unit_id = 2 AND active`, b.sid).Scan(&n)
	if n != 1 {
		t.Fatalf("the co-unit made lead has %d active assignments, want 1", n)
	}
	_ = b.pool.QueryRow(context.Background(), `SELECT count(*) FROM assignments WHERE suggestion_id = $1 AND unit_id = 2 AND role = 'lead' AND active`, b.sid).Scan(&n)
	if n != 1 {
		t.Fatalf("reassigned lead assignments: %d", n)
	}
	// The old unit no longer reaches the assignment; the history shows the reassignment.
	if status, _ := unit.get(a); status != http.StatusNotFound {
		t.Fatalf("old unit after reassignment: %d", status)
	}
	_, page = rev.get("/suggestions/" + strconv.FormatInt(b.sid, 10))
	contains(t, page, "改派承办单位")
	contains(t, page, "已改派")

	// Merge a duplicate submission into the registered one.
	dup := b.submit(1, 2, "关于加强老旧小区物业管理的建议（重复）", "和前一件建议相同的问题，请一并办理物业收费公示。")
	_, page = rev.get("/suggestions/" + strconv.FormatInt(dup, 10))
	contains(t, page, "相似的既往建议")
	status, _, _ = rev.post("/suggestions/"+strconv.FormatInt(dup, 10)+"/merge", url.Values{"csrf": {rtok}, "version": {strconv.Itoa(b.version(dup))}, "into": {strconv.FormatInt(b.sid, 10)}, "reason": {"重复建议并案"}})
	if status != http.StatusSeeOther || b.status(dup) != "merged" {
		t.Fatalf("merge: %d %s", status, b.status(dup))
	}
}
