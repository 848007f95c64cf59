package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
		status, loc, page := rev.post(a+"/decide-return", form)
		refusedShown(t, rev, "reassign without unit", status, loc, page, "/decisions", "请选择改派单位")
		if st := state(); st != "return_requested" {
			t.Fatalf("reassign without unit moved the assignment to %s", st)
		}
		if n := audits(); n != before {
			t.Fatalf("reassign without unit wrote %d audit events", n-before)
		}
	}
}

// addStaff adds a tenant-1 user with roles (and committee categories).
func (b *bundle) addStaff(id int64, username string, roles []string, categories ...int64) {
	b.t.Helper()
	pgExec(b.t, b, `INSERT INTO users (tenant_id, id, username, display_name, password_hash) VALUES (1, $1, $2, $2, $3)`, id, username, passwordHash(b.t))
	for _, r := range roles {
		pgExec(b.t, b, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, $1, $2)`, id, r)
	}
	for _, c := range categories {
		pgExec(b.t, b, `INSERT INTO user_categories (tenant_id, user_id, category_id) VALUES (1, $1, $2)`, id, c)
	}
}

// Each role is offered only what the domain lets it do: the page lacks the link or form,
// and the route itself refuses.
func TestEachRoleSeesOnlyItsActions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addStaff(60, "ducha", []string{"coordinator"})
	b.addStaff(61, "gongwei", []string{"committee"}, 1)
	asg := b.registerAndAssign()
	unit := b.client()
	utok := unit.login("jyg", "zhujian", testPassword)
	if status, _, _ := unit.post("/assignments/"+strconv.FormatInt(asg, 10)+"/request-return", url.Values{"csrf": {utok}, "reason": {"不属于本局职责"}}); status != http.StatusSeeOther {
		t.Fatalf("request return: %d", status)
	}
	asgState := func() string {
		var s string
		_ = b.pool.QueryRow(context.Background(), `SELECT state::text FROM assignments WHERE id = $1`, asg).Scan(&s)
		return s
	}
	has := func(who, page, body, want string, yes bool) {
		t.Helper()
		if got := strings.Contains(body, want); got != yes {
			t.Errorf("%s %s: contains %q = %v, want %v", who, page, want, got, yes)
		}
	}
	refused := func(who string, status int, what string) {
		t.Helper()
		if status != http.StatusNotFound && status != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403/404", who, what, status)
		}
	}

	// Reviewer: decides returns and extensions.
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	_, home := rev.get("/")
	has("reviewer", "/", home, `href="/decisions"`, true)
	status, page := rev.get("/decisions")
	if status != http.StatusOK {
		t.Fatalf("reviewer /decisions: %d", status)
	}
	has("reviewer", "/decisions", page, "decide-return", true)

	// Coordinator (督查室): assigns and supervises, but does not decide returns or extensions.
	co := b.client()
	ctok := co.login("jyg", "ducha", testPassword)
	_, home = co.get("/")
	has("coordinator", "/", home, `href="/assign"`, true)
	has("coordinator", "/", home, `href="/decisions"`, false)
	has("coordinator", "/", home, `href="/supervise/overdue"`, true)
	status, page = co.get("/decisions")
	refused("coordinator", status, "GET /decisions")
	has("coordinator", "/decisions", page, "decide-return", false)
	status, _, _ = co.post("/assignments/"+strconv.FormatInt(asg, 10)+"/decide-return", url.Values{"csrf": {ctok}, "decision": {"keep"}, "reason": {"维持"}})
	refused("coordinator", status, "POST decide-return")
	status, _, _ = co.post("/extensions/1/decide", url.Values{"csrf": {ctok}, "decision": {"approve"}, "reason": {"同意"}})
	refused("coordinator", status, "POST extension decide")
	if st := asgState(); st != "return_requested" {
		t.Fatalf("coordinator's refused decision moved the assignment to %s", st)
	}

	// Committee (专工委): its categories' suggestions, their supervision lists (to read) and
	// the deputy list, nothing else.
	cm := b.client()
	cm.login("jyg", "gongwei", testPassword)
	_, home = cm.get("/")
	has("committee", "/", home, `href="/suggestions"`, true)
	has("committee", "/", home, `href="/supervise/overdue"`, true)
	has("committee", "/", home, `href="/problems"`, false)
	has("committee", "/", home, `href="/decisions"`, false)
	has("committee", "/", home, `href="/assign"`, false)
	if status, _ = cm.get("/supervise/overdue"); status != http.StatusOK {
		t.Errorf("committee GET /supervise/overdue: %d, want 200", status)
	}
	status, _ = cm.get("/problems")
	refused("committee", status, "GET /problems")
	status, page = cm.get("/exports")
	if status != http.StatusOK {
		t.Fatalf("committee /exports: %d", status)
	}
	has("committee", "/exports", page, "deputy-opinions.xlsx", true)
	has("committee", "/exports", page, "unit-assignments.xlsx", false)
	status, _ = cm.get("/exports/unit-assignments.xlsx")
	refused("committee", status, "GET unit-assignments.xlsx")

	// Unit: its own list, never the deputy list or the decisions.
	_, home = unit.get("/")
	has("unit", "/", home, `href="/decisions"`, false)
	_, page = unit.get("/exports")
	has("unit", "/exports", page, "unit-assignments.xlsx", true)
	has("unit", "/exports", page, "deputy-opinions.xlsx", false)
	status, _ = unit.get("/decisions")
	refused("unit", status, "GET /decisions")

	// Leader: supervises, does not decide.
	ld := b.client()
	ld.login("jyg", "lingdao", testPassword)
	_, home = ld.get("/")
	has("leader", "/", home, `href="/decisions"`, false)
	has("leader", "/", home, `href="/supervise/overdue"`, true)
	status, _ = ld.get("/decisions")
	refused("leader", status, "GET /decisions")
}

// Unknown or another tenant's ids in a form are refused with a Chinese message (no 500), and
// only a 常委会领导 may be named to lead a key suggestion.
func TestForeignIDsAreValidationErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	sg := b.registered()
	rev := b.client()
	tok := rev.login("jyg", "admin", testPassword) // admin + reviewer
	detail := "/suggestions/" + strconv.FormatInt(b.sid, 10)
	refused := func(name, path, back string, form url.Values, msg string) {
		t.Helper()
		form.Set("csrf", tok)
		status, loc, body := rev.post(path, form)
		refusedShown(t, rev, name, status, loc, body, back, msg)
	}
	assign := func(extra url.Values) url.Values {
		f := url.Values{"version": {strconv.Itoa(sg.Version)}, "lead_unit": {"1"}, "mode": {"leader_led"}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	refused("leader 999", detail+"/assign", detail, assign(url.Values{"leader": {"999"}}), "所选领衔督办领导不是本常委会领导")
	refused("a unit handler as leader", detail+"/assign", detail, assign(url.Values{"leader": {"3"}}), "所选领衔督办领导不是本常委会领导")
	refused("another tenant's user as leader", detail+"/assign", detail, assign(url.Values{"leader": {"6"}}), "所选领衔督办领导不是本常委会领导")
	refused("another tenant's unit", detail+"/assign", detail, assign(url.Values{"leader": {"5"}, "lead_unit": {"3"}}), "承办单位不存在")
	if st := b.status(b.sid); st != "registered" {
		t.Fatalf("a refused assignment moved the suggestion to %s", st)
	}

	refused("user with another tenant's unit", "/admin/users", "/admin/users",
		url.Values{"username": {"xinren"}, "display_name": {"新人"}, "roles": {"unit_handler"}, "unit": {"3"}, "password": {testPassword}}, "所选承办单位不存在")
	refused("user with another tenant's category", "/admin/users", "/admin/users",
		url.Values{"username": {"xinren"}, "display_name": {"新人"}, "roles": {"committee"}, "categories": {"3"}, "password": {testPassword}}, "所选类别不存在")
	refused("deputy with another tenant's delegation", "/admin/deputies", "/admin/deputies",
		url.Values{"name": {"新代表"}, "delegation": {"2"}}, "所选代表团不存在")
	refused("group with another tenant's delegation", "/admin/groups", "/admin/catalog",
		url.Values{"name": {"新小组"}, "delegation": {"2"}}, "所选代表团不存在")
	var n int
	_ = b.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users WHERE username = 'xinren') + (SELECT count(*) FROM deputies WHERE name = '新代表') + (SELECT count(*) FROM deputy_groups WHERE name = '新小组')`).Scan(&n)
	if n != 0 {
		t.Fatalf("refused saves wrote %d rows", n)
	}

	// The tenant's own leader is accepted.
	status, loc, _ := rev.post(detail+"/assign", assign(url.Values{"csrf": {tok}, "leader": {"5"}}))
	if status != http.StatusSeeOther || loc != detail || b.status(b.sid) != "assigned" {
		t.Fatalf("assign with the tenant's leader: %d %s %s", status, loc, b.status(b.sid))
	}
}
