package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// The co-unit sees the suggestion but the commitment is the lead unit's promise: its POST
// is refused as not found and the commitment stays open.
func TestCoUnitCannotCompleteLeadCommitment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.handleAndReply(asg)
	var cid int64
	if err := b.pool.QueryRow(context.Background(), `SELECT id FROM commitments WHERE tenant_id = 1 AND suggestion_id = $1`, b.sid).Scan(&cid); err != nil {
		t.Fatal(err)
	}
	doneAt := func() *time.Time {
		var at *time.Time
		if err := b.pool.QueryRow(context.Background(), `SELECT done_at FROM commitments WHERE id = $1`, cid).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	path := "/commitments/" + strconv.FormatInt(cid, 10) + "/done"

	co := b.client()
	tok := co.login("jyg", "jiaotong", testPassword)
	if status, _ := co.get("/suggestions/" + strconv.FormatInt(b.sid, 10)); status != http.StatusOK {
		t.Fatalf("co-unit should see the suggestion: %d", status)
	}
	status, _, body := co.post(path, url.Values{"csrf": {tok}, "note": {"协办单位代为标记完成"}})
	if status != http.StatusNotFound {
		t.Fatalf("co-unit completing the lead's commitment: %d %.300s", status, body)
	}
	if at := doneAt(); at != nil {
		t.Fatalf("refused completion set done_at %v", at)
	}

	lead := b.client()
	tok = lead.login("jyg", "zhujian", testPassword)
	if status, _, body := lead.post(path, url.Values{"csrf": {tok}, "note": {"收费公示办法已出台"}}); status != http.StatusSeeOther {
		t.Fatalf("lead unit completing its commitment: %d %.300s", status, body)
	}
	if doneAt() == nil {
		t.Fatal("the lead unit's completion was not recorded")
	}
}

// After sign-in the browser goes back only to a path of this site.
func TestLoginNextNeverLeavesTheSite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, next := range []string{"/\t/evil.host", "//evil.host", "/\\evil.host", "https://evil.host", "javascript:alert(1)"} {
		c := b.client()
		tok := c.csrf("/login?next=" + url.QueryEscape(next))
		status, loc, body := c.post("/login", url.Values{"csrf": {tok}, "tenant": {"jyg"}, "username": {"shencha"}, "password": {testPassword}, "next": {next}})
		if status != http.StatusSeeOther || loc != "/" {
			t.Fatalf("next=%q: %d %q %.200s", next, status, loc, body)
		}
	}
}

// 改派 with no unit chosen is refused with a message; it never falls through to "keep".
func TestReassignWithoutUnitIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	unit := b.client()
	tok := unit.login("jyg", "zhujian", testPassword)
	a := "/assignments/" + strconv.FormatInt(asg, 10)
	if status, _, _ := unit.post(a+"/request-return", url.Values{"csrf": {tok}, "reason": {"不属于本局职责"}}); status != http.StatusSeeOther {
		t.Fatalf("request return: %d", status)
	}
	state := func() string {
		var s string
		if err := b.pool.QueryRow(context.Background(), `SELECT state::text FROM assignments WHERE id = $1`, asg).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	audits := func() int {
		var n int
		_ = b.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE suggestion_id = $1`, b.sid).Scan(&n)
		return n
	}
	before := audits()
	rev := b.client()
	rtok := rev.login("jyg", "shencha", testPassword)
	for _, form := range []url.Values{
		{"csrf": {rtok}, "decision": {"reassign"}, "new_unit": {""}, "reason": {"改派"}},
		{"csrf": {rtok}, "decision": {"reassign"}, "reason": {"改派"}},
	} {
		status, loc, _ := rev.post(a+"/decide-return", form)
		if status != http.StatusSeeOther || loc != "/decisions" {
			t.Fatalf("reassign without unit: %d %s", status, loc)
		}
		_, page := rev.get("/decisions")
		contains(t, page, "请选择改派单位")
		if st := state(); st != "return_requested" {
			t.Fatalf("reassign without unit moved the assignment to %s", st)
		}
		if n := audits(); n != before {
			t.Fatalf("reassign without unit wrote %d audit events", n-before)
		}
	}
}
