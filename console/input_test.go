package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// Bad input gets a clear Chinese message and changes nothing: these tests post what no form
// of the console sends and check the answer a person sees and that nothing was written.

// desk is a signed-in client with its form token.
type desk struct {
	t   *testing.T
	c   *client
	tok string
}

func (b *bundle) desk(username string) *desk {
	c := b.client()
	return &desk{t: b.t, c: c, tok: c.login("jyg", username, testPassword)}
}

// refused posts form to path and wants it refused with msg: sent back to back, or that page
// shown again with what was typed.
func (d *desk) refused(name, path string, form url.Values, back, msg string) {
	d.t.Helper()
	form.Set("csrf", d.tok)
	status, loc, body := d.c.post(path, form)
	refusedShown(d.t, d.c, name, status, loc, body, back, msg)
}

// ok posts form to path and wants it done.
func (d *desk) ok(name, path string, form url.Values) string {
	d.t.Helper()
	form.Set("csrf", d.tok)
	status, loc, body := d.c.post(path, form)
	if status != http.StatusSeeOther {
		d.t.Fatalf("%s: %d %.400s", name, status, body)
	}
	return loc
}

func (b *bundle) count(sql string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// changes counts what the forms below could write, so a refused post can be seen to write none.
func (b *bundle) changes() string {
	b.t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(), `SELECT concat_ws(',',
		(SELECT count(*) FROM audit_events), (SELECT count(*) FROM units), (SELECT count(*) FROM deputies),
		(SELECT count(*) FROM users), (SELECT count(*) FROM categories), (SELECT count(*) FROM delegations),
		(SELECT count(*) FROM deputy_groups), (SELECT count(*) FROM meetings), (SELECT count(*) FROM holiday_overrides),
		(SELECT count(*) FROM problem_items), (SELECT count(*) FROM interviews), (SELECT count(*) FROM extensions WHERE state <> 'pending'),
		(SELECT count(*) FROM notices WHERE read_at IS NOT NULL),
		(SELECT string_agg(concat_ws('/', id, name, kind, active), ';' ORDER BY id) FROM units),
		(SELECT string_agg(concat_ws('/', id, name, delegation_id, group_id, active), ';' ORDER BY id) FROM deputies),
		(SELECT string_agg(concat_ws('/', id, status, version), ';' ORDER BY id) FROM suggestions),
		(SELECT settings::text FROM tenants WHERE id = 1))`).Scan(&s)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// A NUL (or another control character, or bytes that are not UTF-8) in any text field is
// refused with a message on the form's page: never the 500 page, nothing written.
func TestControlCharactersAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	ctx := context.Background()
	if _, err := b.sugg.Accept(ctx, unitActor(3, 1), asg, suggestion.AcceptInput{HandlerName: "刘经办", HandlerPhone: "0937-6200000"}); err != nil {
		t.Fatal(err)
	}
	var pid int64
	if err := b.pool.QueryRow(ctx, `INSERT INTO problem_items (tenant_id, unit_id, problem, state, created_by) VALUES (1, 1, '物业监管不到位', 'open', 2) RETURNING id`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	admin, unit := b.desk("admin"), b.desk("zhujian")
	detail, a := suggestionURL(b.sid), "/assignments/"+strconv.FormatInt(asg, 10)
	msg := "无法识别的字符"
	before := b.changes()
	for _, bad := range []string{"名称\x00", "\x01说明", "\xff\xfe名称", "名称\x7f"} {
		for _, p := range []struct {
			path string
			form url.Values
			back string
		}{
			{detail + "/progress", url.Values{"body": {"办理进展" + bad}}, detail},
			{detail + "/track", url.Values{"version": {"3"}, "reason": {bad}}, detail},
			{"/admin/units", url.Values{"name": {bad}, "kind": {"government"}}, "/admin/units"},
			{"/admin/deputies", url.Values{"name": {bad}}, "/admin/deputies"},
			{"/admin/categories", url.Values{"name": {bad}}, "/admin/catalog"},
			{"/admin/delegations", url.Values{"name": {bad}}, "/admin/catalog"},
			{"/admin/groups", url.Values{"name": {bad}, "delegation": {"1"}}, "/admin/catalog"},
			{"/admin/meetings", url.Values{"name": {bad}, "year": {"2027"}, "starts_on": {"2027-01-10"}, "ends_on": {"2027-01-13"}}, "/admin/catalog"},
			{"/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"0"}, "name": {bad}}, "/admin/holidays"},
			{"/admin/settings/labels", url.Values{"A": {bad}}, "/admin/settings"},
			{"/problems", url.Values{"unit": {"1"}, "problem": {bad}}, "/problems"},
			{"/problems/" + strconv.FormatInt(pid, 10) + "/rectify", url.Values{"state": {"rectifying"}, "rectification": {bad}}, "/problems"},
			{"/interviews", url.Values{"unit": {"1"}, "held_at": {"2026-01-05T10:00"}, "leader": {"赵副主任"}, "summary": {bad}}, "/problems"},
		} {
			admin.refused(p.path+" "+strconv.Quote(bad), p.path, p.form, p.back, msg)
		}
		unit.refused("reply "+strconv.Quote(bad), a+"/extension", url.Values{"reason": {bad}}, a, msg)
		unit.refused("contact "+strconv.Quote(bad), a+"/contacts", url.Values{"stage": {"before"}, "happened_at": {"2026-01-05T10:00"},
			"method": {"电话"}, "people": {bad}, "summary": {"了解诉求"}}, a, msg)
	}
	if after := b.changes(); after != before {
		t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
	}

	// A query with a NUL is a 400 page, not the 500 page.
	for _, q := range []string{"/suggestions?q=%00", "/admin/deputies?q=%00", "/problems?state=%00"} {
		status, page := admin.c.get(q)
		if status != http.StatusBadRequest || !strings.Contains(page, msg) {
			t.Fatalf("GET %s: %d %.300s", q, status, page)
		}
	}

	// Signing in with a NUL in the tenant or the user name: the sign-in page says why.
	for _, f := range []url.Values{{"tenant": {"jyg\x00"}, "username": {"admin"}}, {"tenant": {"jyg"}, "username": {"ad\x00min"}}} {
		c := b.client()
		f.Set("csrf", c.csrf("/login"))
		f.Set("password", testPassword)
		status, _, page := c.post("/login", f)
		if status != http.StatusBadRequest || !strings.Contains(page, msg) {
			t.Fatalf("login %q: %d %.300s", f, status, page)
		}
	}
}

// Enumerated fields take only the values their forms offer.
func TestEnumeratedValuesAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	ctx := context.Background()
	u := unitActor(3, 1)
	b.accept(asg)
	if _, err := b.sugg.RequestExtension(ctx, u, asg, "涉及多个部门，需要协调"); err != nil {
		t.Fatal(err)
	}
	ext := int64(b.count(`SELECT id FROM extensions WHERE assignment_id = $1`, asg))
	admin := b.desk("admin")
	before := b.changes()
	for _, d := range []string{"bogus", "", "Approve"} {
		admin.refused("extension decision "+d, "/extensions/"+strconv.FormatInt(ext, 10)+"/decide", url.Values{"decision": {d}, "reason": {"说明"}}, "/decisions", "请选择同意延期或不同意")
	}
	admin.refused("unit kind", "/admin/units", url.Values{"name": {"市教育局"}, "kind": {"bogus"}}, "/admin/units", "单位类型不正确")
	admin.refused("unit active", "/admin/units", url.Values{"id": {"1"}, "name": {"市住房和城乡建设局"}, "kind": {"government"}, "active": {"maybe"}}, "/admin/units", "状态只能选择启用或停用")
	admin.refused("deputy active", "/admin/deputies", url.Values{"id": {"1"}, "name": {"张建国"}, "active": {"no"}}, "/admin/deputies", "状态只能选择启用或停用")
	admin.refused("holiday working", "/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"yes"}}, "/admin/holidays", "类型的选项不正确")
	admin.refused("meeting is_current", "/admin/meetings", url.Values{"name": {"新会议"}, "year": {"2027"}, "starts_on": {"2027-01-10"}, "ends_on": {"2027-01-13"}, "is_current": {"on"}}, "/admin/catalog", "的选项不正确")
	if after := b.changes(); after != before {
		t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
	}
	// The offered values still work.
	admin.ok("unit kind court", "/admin/units", url.Values{"name": {"市中级人民法院"}, "kind": {"court"}})
	admin.ok("reject extension", "/extensions/"+strconv.FormatInt(ext, 10)+"/decide", url.Values{"decision": {"reject"}, "reason": {"不属于复杂件"}})
	if n := b.count(`SELECT count(*) FROM units WHERE kind = 'court' AND name = '市中级人民法院'`); n != 1 {
		t.Fatalf("court unit stored %d times", n)
	}
	_, page := admin.c.get("/admin/units")
	contains(t, page, "法院")
}

// A staff action on a suggestion carries the version it was decided on; a missing or bad one
// is refused, never read as "whatever the version is now".
func TestVersionIsRequired(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rev := b.desk("shencha")
	detail := suggestionURL(b.sid)
	before := b.changes()
	for _, v := range []string{"-1", "", "0", "abc", "1.0"} {
		rev.refused("register version "+v, detail+"/register", url.Values{"version": {v}, "category": {"1"}}, detail, "页面版本信息缺失或不正确")
		rev.refused("not-register version "+v, detail+"/not-register", url.Values{"version": {v}, "reason": {"不属于建议范围"}}, detail, "页面版本信息缺失或不正确")
		rev.refused("return version "+v, detail+"/return", url.Values{"version": {v}, "reason": {"请补充情况"}}, detail, "页面版本信息缺失或不正确")
	}
	if after := b.changes(); after != before {
		t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
	}
	if st := b.status(b.sid); st != "submitted" {
		t.Fatalf("status %s", st)
	}
}

// An id field that holds something other than an id is refused; it is never read as "new
// record" or "none".
func TestMalformedIDsAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sg := b.registered()
	admin := b.desk("admin")
	detail := suggestionURL(b.sid)
	before := b.changes()
	for _, id := range []string{"abc", "-5", "0", "1x"} {
		admin.refused("unit id "+id, "/admin/units", url.Values{"id": {id}, "name": {"市教育局"}, "kind": {"government"}}, "/admin/units", "承办单位编号不正确")
		admin.refused("deputy id "+id, "/admin/deputies", url.Values{"id": {id}, "name": {"新代表"}}, "/admin/deputies", "代表编号不正确")
		admin.refused("deputy delegation "+id, "/admin/deputies", url.Values{"id": {"1"}, "name": {"张建国"}, "delegation": {id}}, "/admin/deputies", "所选代表团不正确")
		admin.refused("user id "+id, "/admin/users", url.Values{"id": {id}, "username": {"xinren"}, "display_name": {"新人"}, "roles": {"reviewer"}, "password": {testPassword}}, "/admin/users", "用户编号不正确")
		admin.refused("category id "+id, "/admin/categories", url.Values{"id": {id}, "name": {"教育科技"}}, "/admin/catalog", "类别编号不正确")
		admin.refused("co_units "+id, detail+"/assign", url.Values{"version": {strconv.Itoa(sg.Version)}, "lead_unit": {"1"}, "co_units": {"2", id}}, detail, "协办单位不正确")
		admin.refused("interview problem "+id, "/interviews", url.Values{"unit": {"1"}, "problem": {id}, "held_at": {"2026-01-05T10:00"}, "leader": {"赵副主任"}, "summary": {"约谈住建局"}}, "/problems", "关联问题不正确")
		admin.refused("problem suggestion "+id, "/problems", url.Values{"unit": {"1"}, "suggestion": {id}, "problem": {"物业监管不到位"}}, "/problems", "关联建议的系统ID不正确")
	}
	if after := b.changes(); after != before {
		t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
	}
	if st := b.status(b.sid); st != "registered" {
		t.Fatalf("a refused assignment moved the suggestion to %s", st)
	}
	// Empty still means none.
	admin.ok("deputy without delegation", "/admin/deputies", url.Values{"id": {"2"}, "name": {"李秀英"}, "delegation": {""}, "group": {""}})
	if n := b.count(`SELECT count(*) FROM deputies WHERE id = 2 AND delegation_id IS NULL`); n != 1 {
		t.Fatal("an empty delegation did not clear the deputy's delegation")
	}
}

// Dates that do not parse, or that no working committee could mean, are refused.
func TestImplausibleDatesAreRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	before := b.changes()
	for _, due := range []string{"abc", "2026-02-30", "2026/06/01"} {
		admin.refused("due_on "+due, "/problems", url.Values{"unit": {"1"}, "problem": {"物业监管不到位"}, "due_on": {due}}, "/problems", "整改时限不是有效日期")
	}
	admin.refused("due_on 0001", "/problems", url.Values{"unit": {"1"}, "problem": {"物业监管不到位"}, "due_on": {"0001-01-01"}}, "/problems", "整改时限须在2000年至2100年之间")
	admin.refused("due_on passed", "/problems", url.Values{"unit": {"1"}, "problem": {"物业监管不到位"}, "due_on": {"2020-01-01"}}, "/problems", "整改时限不能早于今天")
	admin.refused("suggestion not registered", "/problems", url.Values{"unit": {"1"}, "suggestion": {strconv.FormatInt(b.sid, 10)}, "problem": {"物业监管不到位"}}, "/problems", "关联建议尚未立案")
	admin.refused("held_at 0001", "/interviews", url.Values{"unit": {"1"}, "held_at": {"0001-01-01T10:00"}, "leader": {"赵副主任"}, "summary": {"约谈住建局"}}, "/problems", "约谈时间不正确")
	admin.refused("held_at abc", "/interviews", url.Values{"unit": {"1"}, "held_at": {"abc"}, "leader": {"赵副主任"}, "summary": {"约谈住建局"}}, "/problems", "约谈时间不是有效时间")
	admin.refused("meeting far from its year", "/admin/meetings", url.Values{"name": {"新会议"}, "year": {"2026"}, "starts_on": {"9999-01-01"}, "ends_on": {"9999-01-03"}}, "/admin/catalog", "会议起止日期须在2025年至2027年之间")
	admin.refused("meeting bad date", "/admin/meetings", url.Values{"name": {"新会议"}, "year": {"2026"}, "starts_on": {"2026-02-30"}, "ends_on": {"2026-03-03"}}, "/admin/catalog", "开始日期不是有效日期")
	admin.refused("holiday 0001", "/admin/holidays", url.Values{"date": {"0001-01-01"}, "working": {"0"}}, "/admin/holidays", "日期须在2000年至2100年之间")
	if after := b.changes(); after != before {
		t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
	}
	admin.ok("a plausible problem", "/problems", url.Values{"unit": {"1"}, "problem": {"物业监管不到位"}, "due_on": {"2099-06-30"}})
	if n := b.count(`SELECT count(*) FROM problem_items WHERE due_on = '2099-06-30'`); n != 1 {
		t.Fatalf("problem with due date stored %d times", n)
	}
}

// postReply posts the reply form with a small signed PDF.
func (d *desk) postReply(asg int64, fields url.Values) (int, string) {
	d.t.Helper()
	status, loc, _ := d.postReplyPage(asg, fields)
	return status, loc
}

// A refused reply leaves no signed PDF behind in object storage.
func TestRefusedReplyLeavesNoDocument(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	ctx := context.Background()
	u := unitActor(3, 1)
	b.accept(asg)
	unit := b.desk("zhujian")
	a := "/assignments/" + strconv.FormatInt(asg, 10)
	good := "已列入明年计划，分步实施物业监管改革。"
	for _, r := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"before the before-contact", url.Values{"class": {"A"}, "body": {good}}, "答复前须先与代表办前沟通"},
		{"bogus class", url.Values{"class": {"E"}, "body": {good}}, "请选择答复类别"},
		{"bad commitment date", url.Values{"class": {"B"}, "body": {good}, "commit_what": {"出台办法"}, "commit_due": {"2026-13-01"}}, "完成时限不是有效日期"},
	} {
		status, loc, page := unit.postReplyPage(asg, r.form)
		refusedShown(t, unit.c, r.name, status, loc, page, a, r.msg)
		if left := b.docs.stored(t); len(left) != 0 {
			t.Fatalf("%s: refused reply left %v", r.name, left)
		}
	}
	if _, err := b.sugg.RecordContact(ctx, u, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: time.Now().Add(-time.Hour),
		Method: "电话", People: "张建国", Summary: "了解诉求"}); err != nil {
		t.Fatal(err)
	}
	// Refused by the service after the upload: the file is removed again.
	status, loc, page := unit.postReplyPage(asg, url.Values{"class": {"A"}, "body": {"太短"}})
	refusedShown(t, unit.c, "short reply", status, loc, page, a, "答复内容至少需要10个字")
	if left := b.docs.stored(t); len(left) != 0 {
		t.Fatalf("the refused reply left %v", left)
	}
	if n := b.count(`SELECT count(*) FROM replies WHERE assignment_id = $1`, asg); n != 0 {
		t.Fatalf("%d replies", n)
	}
	// A good reply keeps its file.
	if status, loc := unit.postReply(asg, url.Values{"class": {"A"}, "body": {good}}); status != http.StatusSeeOther || loc != a {
		t.Fatalf("good reply: %d %s", status, loc)
	}
	if left := b.docs.stored(t); len(left) != 1 {
		t.Fatalf("the accepted reply's file: %v", left)
	}
}

// Where a form says to go back to, the answer stays on this site.
func TestFormBackStaysOnSite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.registerAndAssign() // a case that takes 办理进展
	rev := b.desk("shencha")
	detail := suggestionURL(b.sid)
	for _, back := range []string{"/\\evil.example", "//evil.example", "https://evil.example/", "/\t/evil.example", "javascript:alert(1)"} {
		loc := rev.ok("progress back "+back, detail+"/progress", url.Values{"body": {"已电话督促承办单位"}, "private": {"1"}, "back": {back}})
		if loc != detail {
			t.Fatalf("back=%q: Location %q", back, loc)
		}
		// Refused, the note comes back on the suggestion's page, never elsewhere.
		status, loc, page := rev.c.post(detail+"/progress", url.Values{"csrf": {rev.tok}, "body": {"督促"}, "private": {"maybe"}, "back": {back}})
		if status != http.StatusUnprocessableEntity || loc != "" || !strings.Contains(page, `value="督促"`) {
			t.Fatalf("refused with back=%q: %d %q", back, status, loc)
		}
	}
}

// Deleting, unlocking or marking read something that is not there says so.
func TestMissingTargetsAreSaidToBeMissing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	admin.ok("holiday", "/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"0"}, "name": {"本地节日"}})
	admin.refused("delete date abc", "/admin/holidays/delete", url.Values{"date": {"abc"}}, "/admin/holidays", "日期格式应为 2026-06-01")
	admin.refused("delete a date with no override", "/admin/holidays/delete", url.Values{"date": {"2026-06-02"}}, "/admin/holidays", "没有找到2026-06-02的本地调整")
	if n := b.count(`SELECT count(*) FROM holiday_overrides WHERE tenant_id = 1`); n != 1 {
		t.Fatalf("%d overrides", n)
	}
	for _, id := range []string{"9223372036854775807", "999", "6"} { // 6 is another tenant's user
		status, _, page := admin.c.post("/admin/users/"+id+"/unlock", url.Values{"csrf": {admin.tok}})
		if status != http.StatusNotFound || !strings.Contains(page, "不存在") {
			t.Fatalf("unlock %s: %d %.300s", id, status, page)
		}
	}
	pgExec(t, b, `INSERT INTO notices (tenant_id, recipient_kind, recipient_id, kind, title, body, delivery_key) VALUES (1, 'user', 2, 'digest', '消息汇总', '有新的建议', 'k1')`)
	admin.refused("inbox id abc", "/inbox/read", url.Values{"id": {"abc"}}, "/inbox", "消息编号不正确")
	if n := b.count(`SELECT count(*) FROM notices WHERE read_at IS NULL`); n != 1 {
		t.Fatal("a refused mark-read marked the notice read")
	}
}

// A clock setting out of range is named in Chinese with its range, without Go's words, on
// the settings page shown again with every clock as typed.
func TestClockSettingsMessage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	form := func(name, v string) url.Values {
		f := url.Values{"reply_months": {"3"}, "complex_reply_months": {"6"}, "return_window_workdays": {"7"}, "co_opinion_months": {"1"},
			"before_contact_workdays": {"10"}, "rating_workdays": {"20"}, "rehandle_months": {"1"}, "impl_rating_workdays": {"10"},
			"publish_workdays": {"20"}, "fast_track_reply_workdays": {"15"}, "reminder_offsets": {"15,7,3,1"}}
		f.Set(name, v)
		return f
	}
	before := b.changes()
	for _, c := range []struct{ name, v, msg string }{
		{"reply_months", "0", "答复期限（月）应为1至12，当前填写的是0"},
		{"rehandle_months", "4", "重新办理期限（月）应为1至3"},
		{"reply_months", "abc", "答复期限（月）请填写整数"},
		{"reminder_offsets", "3,7", "须从大到小排列"},
	} {
		f := form(c.name, c.v)
		f.Set("csrf", admin.tok)
		status, _, page := admin.c.post("/admin/settings/clocks", f)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("%s=%s: %d, want the form again (422)", c.name, c.v, status)
		}
		flash := page[strings.Index(page, "<main>"):strings.Index(page, "<h1>")]
		if !strings.Contains(flash, c.msg) || strings.Contains(flash, c.name) || strings.Contains(flash, "invalid") || strings.Contains(flash, "want") {
			t.Fatalf("%s=%s: flash %q", c.name, c.v, flash)
		}
		mustContain(t, c.name+"="+c.v, page, `name="`+c.name+`" value="`+c.v+`"`, `name="complex_reply_months" value="6"`)
	}
	if after := b.changes(); after != before {
		t.Fatalf("refused settings were stored:\n%s\n%s", before, after)
	}
}

// Text without a length limit is bounded with a message.
func TestLongHolidayNameIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.desk("admin")
	admin.refused("100000-character name", "/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"0"}, "name": {strings.Repeat("节", 100000)}}, "/admin/holidays", "名称不能超过30个字")
	if n := b.count(`SELECT count(*) FROM holiday_overrides`); n != 0 {
		t.Fatalf("%d overrides stored", n)
	}
}

func suggestionURL(id int64) string { return "/suggestions/" + strconv.FormatInt(id, 10) }
