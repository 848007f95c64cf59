package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// decisionForm is the decide-return form of assignment asg on the decisions page.
func decisionForm(t *testing.T, page string, asg int64) string {
	t.Helper()
	i := strings.Index(page, `action="/assignments/`+strconv.FormatInt(asg, 10)+`/decide-return"`)
	if i < 0 {
		t.Fatalf("no decision form for assignment %d:\n%.3000s", asg, page)
	}
	f := page[i:]
	return f[:strings.Index(f, "</form>")]
}

// The reviewer grants the co-unit's return request with no unit in its place (同意退回，不再
// 安排协办单位): offered for the co-unit's request only, refused with the reason and the form
// as typed when it cannot be done, and then the co-unit is off the case: its assignment is
// withdrawn, it no longer sees the case in its inbox or anywhere, and the case's page says so
// in Chinese.
func TestDecisionsWithdrawACoUnit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lead := b.registerAndAssign() // lead 住建局 (1), co-unit 交通局 (2)
	var co int64
	if err := b.pool.QueryRow(context.Background(), `SELECT id FROM assignments WHERE suggestion_id = $1 AND unit_id = 2`, b.sid).Scan(&co); err != nil {
		t.Fatal(err)
	}
	coPath := "/assignments/" + strconv.FormatInt(co, 10)
	leadPath := "/assignments/" + strconv.FormatInt(lead, 10)
	b.desk("zhujian").ok("lead unit asks to return", leadPath+"/request-return", url.Values{"reason": {"不属于本局职责"}})
	jt := b.desk("jiaotong")
	jt.ok("co-unit asks to return", coPath+"/request-return", url.Values{"reason": {"物业管理与交通局无关"}})
	if _, page := jt.c.get("/unit"); !strings.Contains(page, "老旧小区物业管理") {
		t.Fatal("the co-unit's inbox lacks the case it asked to return")
	}
	state := func(id int64) string {
		t.Helper()
		var s string
		var active bool
		if err := b.pool.QueryRow(context.Background(), `SELECT state::text, active FROM assignments WHERE id = $1`, id).Scan(&s, &active); err != nil {
			t.Fatal(err)
		}
		if !active {
			s += " (inactive)"
		}
		return s
	}

	rev := b.desk("shencha")
	_, page := rev.c.get("/decisions")
	if f := decisionForm(t, page, co); !strings.Contains(f, `value="withdraw"`) || !strings.Contains(f, "同意退回，不再安排协办单位") {
		t.Fatalf("the co-unit's request is not offered the withdrawal:\n%s", f)
	}
	if f := decisionForm(t, page, lead); strings.Contains(f, `value="withdraw"`) {
		t.Fatalf("the lead unit's request is offered the withdrawal:\n%s", f)
	}
	contains(t, page, `<span class="tag">协办</span>`)
	contains(t, page, `<span class="tag">主办</span>`)

	// Refusals show the page again, with why and what was typed, and change nothing.
	changes := b.changes()
	refuse := func(name, path string, form url.Values, msg string, typed ...string) {
		t.Helper()
		form.Set("csrf", rev.tok)
		status, loc, body := rev.c.post(path, form)
		if status != http.StatusUnprocessableEntity && status != http.StatusConflict {
			t.Fatalf("%s: %d %s, want the form again (422, or 409 for a request no longer open)\n%.2000s", name, status, loc, body)
		}
		refusedShown(t, rev.c, name, status, loc, body, "/decisions", msg)
		for _, w := range typed {
			contains(t, body, w)
		}
	}
	refuse("withdrawal without a reason", coPath+"/decide-return", url.Values{"decision": {"withdraw"}, "reason": {" "}}, "请填写理由")
	refuse("withdrawal with a unit chosen", coPath+"/decide-return",
		url.Values{"decision": {"withdraw"}, "new_unit": {"1"}, "reason": {"经核实与交通局无关"}}, "已选择改派单位", `value="经核实与交通局无关"`)
	refuse("withdrawal of the lead unit", leadPath+"/decide-return",
		url.Values{"decision": {"withdraw"}, "reason": {"住建局也不需要"}}, "每件建议都须有主办单位答复", `value="住建局也不需要"`, `href="#decide-return-`+strconv.FormatInt(lead, 10)+`"`)
	refuse("no decision", coPath+"/decide-return", url.Values{"reason": {"说明"}}, "请选择改派、维持原交办或同意退回")
	if got := b.changes(); got != changes {
		t.Fatalf("refused decisions wrote: %s → %s", changes, got)
	}
	if s := state(co); s != "return_requested" {
		t.Fatalf("co-unit's assignment after refusals: %s", s)
	}
	if s := state(lead); s != "return_requested" {
		t.Fatalf("lead unit's assignment after refusals: %s", s)
	}

	// Granted: the request leaves the page, the lead unit's stays.
	if loc := rev.ok("withdraw the co-unit", coPath+"/decide-return", url.Values{"decision": {"withdraw"}, "reason": {"经核实与交通局职责无关"}}); loc != "/decisions" {
		t.Fatalf("after the withdrawal: %s", loc)
	}
	_, page = rev.c.get("/decisions")
	contains(t, page, "已同意退回，该单位不再协办")
	if strings.Contains(page, `action="`+coPath+`/decide-return"`) {
		t.Fatal("the granted request is still on the decisions page")
	}
	decisionForm(t, page, lead)
	if s := state(co); s != "withdrawn (inactive)" {
		t.Fatalf("co-unit's assignment: %s", s)
	}
	// Withdrawing again is refused: nothing is pending any more.
	refuse("second withdrawal", coPath+"/decide-return", url.Values{"decision": {"withdraw"}, "reason": {"再次同意"}}, "该交办没有待处理的退回申请")

	// The co-unit is off the case: its inbox, the case and the assignment are gone for it.
	if _, page := jt.c.get("/unit"); strings.Contains(page, "老旧小区物业管理") {
		t.Fatal("the withdrawn co-unit's inbox still lists the case")
	}
	if status, _ := jt.c.get(coPath); status != http.StatusNotFound {
		t.Fatalf("the withdrawn co-unit opens its assignment: %d", status)
	}
	if status, _ := jt.c.get("/suggestions/" + strconv.FormatInt(b.sid, 10)); status != http.StatusNotFound {
		t.Fatalf("the withdrawn co-unit opens the case: %d", status)
	}
	jt.c.post(coPath+"/accept", url.Values{"csrf": {jt.tok}, "handler_name": {"陈经办"}})
	if s := state(co); s != "withdrawn (inactive)" {
		t.Fatalf("the withdrawn co-unit signed: %s", s)
	}

	// The case's history says what happened, in Chinese only.
	_, page = rev.c.get("/suggestions/" + strconv.FormatInt(b.sid, 10))
	for _, w := range []string{"市交通运输局<span class=\"muted\">（不再协办）</span>", "已撤回协办", "同意退回，撤回协办单位", "经核实与交通局职责无关"} {
		contains(t, page, w)
	}
	if strings.Contains(page, "withdraw") {
		t.Fatal("the case's page shows a raw state or action name")
	}
}
