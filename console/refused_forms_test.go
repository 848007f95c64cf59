package console_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// refusedShown checks the answer to a refused form: either the page shown again (422, or
// 409 for a move the case's state does not allow) or a redirect back to it, and that the
// page the person then sees says msg. It returns that page.
func refusedShown(t *testing.T, c *client, name string, status int, loc, body, back, msg string) string {
	t.Helper()
	switch {
	case status == http.StatusUnprocessableEntity || status == http.StatusConflict:
	case status == http.StatusSeeOther && loc == back:
		_, body = c.get(back)
	default:
		t.Fatalf("%s: %d %q, want the form again or 303 to %s\n%.400s", name, status, loc, back, body)
	}
	if !strings.Contains(body, msg) {
		t.Fatalf("%s: the page lacks %q:\n%.3000s", name, msg, body)
	}
	return body
}

// postReplyPage posts the reply form with a small signed PDF and returns the answer.
func (d *desk) postReplyPage(asg int64, fields url.Values) (int, string, string) {
	d.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", d.tok)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("document", "reply.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4\n% 答复函\n%%EOF\n"))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, d.c.base+"/assignments/"+strconv.FormatInt(asg, 10)+"/reply", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := d.c.hc.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(page)
}

func mustContain(t *testing.T, what, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Fatalf("%s: page lacks %q:\n%.4000s", what, w, page)
		}
	}
}

// A refused reply comes back with the class, the full text and the commitments as typed, the
// reason, a word that the PDF must be chosen again, and a working form token; nothing is
// stored.
func TestRefusedReplyKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	if _, err := b.sugg.Accept(context.Background(), unitActor(3, 1), asg, suggestion.AcceptInput{HandlerName: "刘经办", HandlerPhone: "0937-6200000"}); err != nil {
		t.Fatal(err)
	}
	unit := b.desk("zhujian")
	text := "经研究，<我局>将分三步推进老旧小区物业监管：\r\n一、公开收费标准；\r\n二、建立季度检查制度。"
	status, loc, page := unit.postReplyPage(asg, url.Values{"class": {"B"}, "body": {text},
		"commit_what": {"出台物业收费公示办法", "", "建立季度检查制度"}, "commit_due": {"2026-09-30", "", "2026-12-31"}})
	page = refusedShown(t, unit.c, "reply before the before-contact", status, loc, page, "/assignments/"+strconv.FormatInt(asg, 10), "答复前须先与代表办前沟通")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("the refused reply: %d, want the form shown again (422)", status)
	}
	mustContain(t, "refused reply", page,
		`<option value="B" selected>`,
		html.EscapeString("经研究，<我局>将分三步推进老旧小区物业监管："),
		"二、建立季度检查制度。</textarea>",
		`name="commit_what" size="50" value="出台物业收费公示办法"`, `name="commit_due" value="2026-09-30"`,
		`name="commit_what" size="50" value="建立季度检查制度"`, `name="commit_due" value="2026-12-31"`,
		"请重新选择附件",
		`name="csrf" value="`+unit.tok+`"`)
	if strings.Contains(page, "<我局>") {
		t.Fatal("the typed text was not escaped")
	}
	if n := strings.Count(page, `name="commit_what"`); n != 2 {
		t.Fatalf("%d commitment rows, want the 2 typed", n)
	}
	if left := b.docs.stored(t); len(left) != 0 {
		t.Fatalf("the refused reply left %v", left)
	}
	if n := b.count(`SELECT count(*) FROM replies WHERE assignment_id = $1`, asg); n != 0 {
		t.Fatalf("%d replies", n)
	}
	// The page as shown can be sent again: its token is the session's.
	_, body := unit.c.get("/assignments/" + strconv.FormatInt(asg, 10))
	if strings.Contains(body, "出台物业收费公示办法") {
		t.Fatal("a fresh visit to the page still shows the refused form's values")
	}
}

// A refused contact record comes back with stage, method, people and summary as typed.
func TestRefusedContactKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	if _, err := b.sugg.Accept(context.Background(), unitActor(3, 1), asg, suggestion.AcceptInput{HandlerName: "刘经办", HandlerPhone: "0937-6200000"}); err != nil {
		t.Fatal(err)
	}
	unit := b.desk("zhujian")
	a := "/assignments/" + strconv.FormatInt(asg, 10)
	form := url.Values{"csrf": {unit.tok}, "stage": {"during"}, "happened_at": {"上周三下午"}, "method": {"实地调研"},
		"people": {"刘经办、张建国代表"}, "summary": {"到小区实地查看了物业公示栏，\r\n代表提出增加夜间巡查。"}}
	status, loc, page := unit.c.post(a+"/contacts", form)
	page = refusedShown(t, unit.c, "contact with a bad time", status, loc, page, a, "沟通时间不是有效时间")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("the refused contact: %d, want the form shown again (422)", status)
	}
	mustContain(t, "refused contact", page,
		`<option value="during" selected>`, `value="实地调研"`, `value="刘经办、张建国代表"`,
		"到小区实地查看了物业公示栏，", "代表提出增加夜间巡查。</textarea>", `name="csrf" value="`+unit.tok+`"`)
	if n := b.count(`SELECT count(*) FROM contacts WHERE assignment_id = $1`, asg); n != 0 {
		t.Fatalf("%d contacts", n)
	}
}

// A refused assignment (协同联办 with only 主要领导 named) comes back with the lead unit, the
// co-units, the mode, the chain and the whole 工作方案 as typed.
func TestRefusedAssignKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sg := b.registered()
	rev := b.desk("shencha")
	detail := suggestionURL(b.sid)
	// Close to the 2000-character limit: all of it must come back.
	plan := "一、住建局牵头制定物业服务整治方案；" + strings.Repeat("二、交通局配合整治小区周边停车秩序；", 100) + "9月底前完成。"
	form := url.Values{"csrf": {rev.tok}, "version": {strconv.Itoa(sg.Version)}, "lead_unit": {"1"}, "co_units": {"2"},
		"mode": {"joint"}, "chain_principal": {"市政府分管副市长"}, "plan": {plan}}
	status, loc, page := rev.c.post(detail+"/assign", form)
	page = refusedShown(t, rev.c, "joint without the chain", status, loc, page, detail, "协同联办须填写“两抓一办”责任链")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("the refused assignment: %d, want the form shown again (422)", status)
	}
	mustContain(t, "refused assignment", page,
		`<option value="1" selected>市住房和城乡建设局</option>`,
		`name="co_units" value="2" checked>市交通运输局`,
		`<option value="joint" selected>`,
		`name="chain_principal" value="市政府分管副市长"`,
		plan+"</textarea>",
		`name="csrf" value="`+rev.tok+`"`)
	if st := b.status(b.sid); st != "registered" {
		t.Fatalf("the refused assignment moved the suggestion to %s", st)
	}
}

// A refused acceptance comes back with the handler's name and telephone as typed.
func TestRefusedAcceptKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	page := "/assignments/" + strconv.FormatInt(asg, 10)
	unit := b.desk("zhujian")
	status, loc, body := unit.c.post(page+"/accept", url.Values{"csrf": {unit.tok}, "handler_name": {"  "}, "handler_phone": {"0937-6200001"}})
	body = refusedShown(t, unit.c, "accept without a name", status, loc, body, page, "请填写经办人姓名")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("the refused acceptance: %d, want the form shown again (422)", status)
	}
	mustContain(t, "refused accept", body, `value="0937-6200001"`)
}

// refusedForm is one refused post: the page comes back with status (422, or 409 for a move
// the case does not allow now), msg next to the form, and each of typed in the HTML.
type refusedForm struct {
	name   string
	who    string // the desk that posts
	path   string
	form   url.Values
	status int
	msg    string
	typed  []string
	once   string // typed text that must come back in its own form only
}

// postRefused posts each case and checks the page shown again.
func postRefused(t *testing.T, b *bundle, cases []refusedForm) {
	t.Helper()
	desks := map[string]*desk{}
	for _, c := range cases {
		d := desks[c.who]
		if d == nil {
			d = b.desk(c.who)
			desks[c.who] = d
		}
		c.form.Set("csrf", d.tok)
		status, loc, page := d.c.post(c.path, c.form)
		if status != c.status {
			t.Fatalf("%s: %d %q, want the form again (%d)\n%.600s", c.name, status, loc, c.status, page)
		}
		mustContain(t, c.name, page, append([]string{c.msg, `name="csrf" value="` + d.tok + `"`}, c.typed...)...)
		if !besideForm(page, c.msg) {
			t.Fatalf("%s: %q is not said next to the form", c.name, c.msg)
		}
		if c.once != "" {
			if n := strings.Count(page, c.once); n != 1 {
				t.Fatalf("%s: the typed text shows %d times, want once (in its own form)", c.name, n)
			}
		}
	}
}

// besideForm reports whether a refused form's message (class form-error) on page says msg.
func besideForm(page, msg string) bool {
	for _, part := range strings.Split(page, `class="flash err form-error">`)[1:] {
		if end := strings.Index(part, "</p>"); end >= 0 && strings.Contains(part[:end], msg) {
			return true
		}
	}
	return false
}

// Every console form refused for what was typed comes back on its page with status 422 (409
// for a conflict), the reason next to the form and every field as typed, and writes nothing.
func TestRefusedFormsKeepWhatWasTyped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("理由", 501) // 1002 characters: over the 1000 a reason may have
	version := func(b *bundle) string {
		return strconv.Itoa(b.count(`SELECT version FROM suggestions WHERE id = $1`, b.sid))
	}
	over := "理由不能超过1000个字"

	t.Run("review", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		detail, v := suggestionURL(b.sid), version(b)
		before := b.changes()
		postRefused(t, b, []refusedForm{
			{"register", "shencha", detail + "/register", url.Values{"version": {"0"}, "category": {"2"}}, 422,
				"页面版本信息缺失或不正确", []string{`<option value="2" selected>交通运输</option>`}, ""},
			{"return", "shencha", detail + "/return", url.Values{"version": {v}, "reason": {long + "退回"}}, 422,
				over, []string{long + "退回</textarea>"}, long + "退回"},
			{"not-register", "shencha", detail + "/not-register", url.Values{"version": {v}, "reason": {long + "不予立案"}, "forward_units": {"1"}}, 422,
				over, []string{long + "不予立案</textarea>", `name="forward_units" value="1" checked>`}, long + "不予立案"},
			{"merge", "shencha", detail + "/merge", url.Values{"version": {v}, "into": {"1"}, "reason": {"与第0003号重复，并案办理"}}, 422,
				"不能与自身并案", []string{`name="into" size="8" required value="1"`, `value="与第0003号重复，并案办理"`}, ""},
		})
		if after := b.changes(); after != before {
			t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
		}
	})

	t.Run("supervise", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		asg := b.registerAndAssign()
		b.handleAndReplyUnrated(asg)
		b.exec(`UPDATE suggestions SET rating_due_at = now() - interval '1 hour' WHERE id = $1`, b.sid)
		co := int64(b.count(`SELECT id FROM assignments WHERE suggestion_id = $1 AND unit_id = 2`, b.sid))
		if _, err := b.sugg.Accept(context.Background(), unitActor(4, 2), co, suggestion.AcceptInput{HandlerName: "陈经办", HandlerPhone: "0937-6200002"}); err != nil {
			t.Fatal(err)
		}
		cid := b.count(`SELECT c.id FROM commitments c JOIN replies r ON r.id = c.reply_id WHERE r.suggestion_id = $1`, b.sid)
		detail, v, a := suggestionURL(b.sid), version(b), "/assignments/"+strconv.FormatInt(asg, 10)
		stale := strconv.Itoa(b.count(`SELECT version - 1 FROM suggestions WHERE id = $1`, b.sid))
		note := strings.Repeat("督办", 2501) // over the 5000 characters of a note
		before := b.changes()
		postRefused(t, b, []refusedForm{
			{"track", "shencha", detail + "/track", url.Values{"version": {v}, "reason": {long + "跟踪"}}, 422,
				over, []string{`<label>列入跟踪督办的理由<input name="reason" required value="` + long + `跟踪">`}, long + "跟踪"},
			{"close", "shencha", detail + "/close", url.Values{"version": {v}, "reason": {long + "办结"}}, 422,
				over, []string{`<label>办结说明<input name="reason" required value="` + long + `办结">`}, long + "办结"},
			{"close on a stale page", "shencha", detail + "/close", url.Values{"version": {stale}, "reason": {"代表逾期未评价，按期办结"}}, 409,
				"该建议已被他人修改，请刷新后重试", []string{`value="代表逾期未评价，按期办结"`, `name="version" value="` + v + `"`}, ""},
			{"supervision note", "shencha", detail + "/progress", url.Values{"body": {note}, "private": {"1"}}, 422,
				"进展情况不能超过5000个字", []string{`value="` + note + `"`, `name="private" value="1" checked>`}, ""},
			{"unit progress", "zhujian", detail + "/progress", url.Values{"body": {"公示栏已完成改造"}, "private": {"maybe"}, "back": {a}}, 422,
				"内部备注的选项不正确", []string{`placeholder="告诉代表办理进展" required value="公示栏已完成改造"`}, ""},
			{"commitment done", "zhujian", "/commitments/" + strconv.Itoa(cid) + "/done", url.Values{"note": {long + "完成"}, "back": {a}}, 422,
				"完成情况", []string{`id="commitment-` + strconv.Itoa(cid) + `"`, `placeholder="完成情况" required value="` + long + `完成"`}, ""},
			{"co-unit opinion", "jiaotong", "/assignments/" + strconv.FormatInt(co, 10) + "/co-opinion", url.Values{"body": {strings.Repeat("意见", 5001)}}, 422,
				"协办意见不能超过10000个字", []string{strings.Repeat("意见", 5001) + "</textarea>"}, ""},
		})
		if after := b.changes(); after != before {
			t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
		}
		if st := b.status(b.sid); st != "replied" {
			t.Fatalf("status %s, want replied", st)
		}
	})

	t.Run("review-back", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		asg := b.registerAndAssign()
		b.handleAndReplyUnrated(asg)
		if _, err := b.sugg.RateReply(context.Background(), auth.Deputy(1, 1), b.sid, suggestion.Satisfied, ""); err != nil {
			t.Fatal(err)
		}
		detail := suggestionURL(b.sid)
		postRefused(t, b, []refusedForm{
			{"reopen", "shencha", detail + "/reopen", url.Values{"version": {version(b)}, "reason": {long + "回头看"}}, 422,
				over, []string{`<label>重新办理的理由<input name="reason" size="50" required value="` + long + `回头看">`}, long + "回头看"},
		})
		if st := b.status(b.sid); st != "tracking" {
			t.Fatalf("status %s, want tracking", st)
		}
	})

	t.Run("unit", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		asg := b.registerAndAssign()
		b.accept(asg)
		co := b.count(`SELECT id FROM assignments WHERE suggestion_id = $1 AND unit_id = 2`, b.sid)
		a := "/assignments/" + strconv.FormatInt(asg, 10)
		before := b.changes()
		postRefused(t, b, []refusedForm{
			{"extension", "zhujian", a + "/extension", url.Values{"reason": {long + "延期"}}, 422,
				over, []string{`placeholder="说明需要延期办理的原因" required value="` + long + `延期"`}, ""},
			{"return request", "jiaotong", "/assignments/" + strconv.Itoa(co) + "/request-return", url.Values{"reason": {long + "退回"}}, 422,
				over, []string{long + "退回</textarea>"}, ""},
		})
		if after := b.changes(); after != before {
			t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
		}
		if n := b.count(`SELECT count(*) FROM extensions`); n != 0 {
			t.Fatalf("%d extensions", n)
		}
	})

	t.Run("admin", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		asg := b.registerAndAssign()
		b.accept(asg)
		if _, err := b.sugg.RequestExtension(context.Background(), unitActor(3, 1), asg, "涉及多个部门，需要协调"); err != nil {
			t.Fatal(err)
		}
		ext := strconv.Itoa(b.count(`SELECT id FROM extensions WHERE assignment_id = $1`, asg))
		pid := strconv.Itoa(b.count(`INSERT INTO problem_items (tenant_id, unit_id, problem, state, created_by) VALUES (1, 1, '物业监管不到位', 'open', 2) RETURNING id`))
		held := "2026-01-05T10:00"
		clocks := url.Values{"reply_months": {"3"}, "complex_reply_months": {"6"}, "return_window_workdays": {"7"}, "co_opinion_months": {"1"},
			"before_contact_workdays": {"10"}, "rating_workdays": {"20"}, "rehandle_months": {"5"}, "impl_rating_workdays": {"10"},
			"publish_workdays": {"20"}, "fast_track_reply_workdays": {"15"}, "reminder_offsets": {"15,7,3,1"}, "require_before_contact": {"1"}}
		tpl := strings.Repeat("t", 129)
		before := b.changes()
		postRefused(t, b, []refusedForm{
			{"extension decision", "admin", "/extensions/" + ext + "/decide", url.Values{"decision": {"maybe"}, "reason": {"请补充协调部门名单"}}, 422,
				"请选择同意延期或不同意", []string{`id="decide-extension-` + ext + `"`, `<input name="reason" placeholder="说明" size="14" value="请补充协调部门名单">`}, ""},
			{"problem", "admin", "/problems", url.Values{"unit": {"1"}, "problem": {"老旧小区物业监管不到位，整改不力"}, "responsible": {"分管副局长"}, "due_on": {"2099-02-30"}}, 422,
				"整改时限不是有效日期", []string{`<option value="1" selected>市住房和城乡建设局</option>`, `name="responsible" value="分管副局长"`,
					`name="due_on" value="2099-02-30"`, "老旧小区物业监管不到位，整改不力</textarea>"}, ""},
			{"rectification", "admin", "/problems/" + pid + "/rectify", url.Values{"state": {"done"}, "rectification": {strings.Repeat("整改", 1001)}}, 422,
				"整改情况不能超过2000个字", []string{`id="rectify-` + pid + `"`, `value="` + strings.Repeat("整改", 1001) + `"`, `<option value="done" selected>`}, ""},
			{"interview", "admin", "/interviews", url.Values{"unit": {"1"}, "held_at": {"上周三上午"}, "leader": {"赵副主任"}, "summary": {"约谈住建局主要负责人"}, "follow_up": {"两周内完成整改"}}, 422,
				"约谈时间不是有效时间", []string{`name="held_at" required value="上周三上午"`, `name="leader" required value="赵副主任"`,
					"约谈住建局主要负责人</textarea>", "两周内完成整改</textarea>"}, ""},
			{"interview about a missing problem", "admin", "/interviews", url.Values{"unit": {"1"}, "problem": {"999999"}, "held_at": {held}, "leader": {"赵副主任"}, "summary": {"约谈住建局"}}, 422,
				"关联问题不存在", []string{`name="held_at" required value="` + held + `"`, "约谈住建局</textarea>"}, ""},
			{"clocks", "admin", "/admin/settings/clocks", clocks, 422,
				"重新办理期限（月）应为1至3", []string{`name="rehandle_months" value="5"`, `name="reminder_offsets" value="15,7,3,1"`, `name="require_before_contact" value="1" checked>`}, ""},
			{"reply labels", "admin", "/admin/settings/labels", url.Values{"A": {"已经解决"}, "B": {strings.Repeat("正", 31)}}, 422,
				"类别名称不能超过30个字", []string{`name="A" value="已经解决"`, `name="B" value="` + strings.Repeat("正", 31) + `"`}, ""},
			{"template id", "admin", "/admin/settings/templates", url.Values{"kind": {"replied"}, "channel": {"mp_subscribe"}, "template_id": {tpl}}, 422,
				"模板ID不正确", []string{`id="template-replied-mp_subscribe-form"`, `value="` + tpl + `"`}, tpl},
			{"new unit", "admin", "/admin/units", url.Values{"name": {"市教育局"}, "kind": {"bogus"}}, 422,
				"单位类型不正确", []string{`value="市教育局"`, `<option value="bogus" selected>`}, ""},
			{"unit edit", "admin", "/admin/units", url.Values{"id": {"2"}, "name": {"市交通运输局（改）"}, "kind": {"government"}, "active": {"maybe"}}, 422,
				"状态只能选择启用或停用", []string{`id="unit-2"`, `value="市交通运输局（改）"`}, ""},
			{"deputy edit", "admin", "/admin/deputies", url.Values{"id": {"2"}, "name": {"李秀英"}, "phone": {"1390000"}, "delegation": {""}, "active": {"0"}}, 422,
				"手机号格式不正确", []string{`value="1390000"`, `<option value="0" selected>停用`, `id="deputy-2"`}, ""},
			{"new deputy", "admin", "/admin/deputies", url.Values{"name": {"王新代表"}, "phone": {"abc"}, "delegation": {"1"}}, 422,
				"手机号格式不正确", []string{`name="name" required value="王新代表"`, `<option value="1" selected>雄关区代表团</option>`}, ""},
			{"new user", "admin", "/admin/users", url.Values{"username": {"新"}, "display_name": {"教育局 新经办"}, "phone": {"0937-6200009"}, "roles": {"unit_handler"}, "unit": {"2"}, "password": {"secret-pass-99"}}, 422,
				"用户名为2-32位", []string{`value="教育局 新经办"`, `value="0937-6200009"`, `name="roles" value="unit_handler" checked>`, `<option value="2" selected>市交通运输局</option>`}, ""},
			{"category", "admin", "/admin/categories", url.Values{"id": {"2"}, "name": {"交通运输"}, "reply_months": {"13"}}, 422,
				"类别答复期限（月）应为1至12", []string{`id="category-2"`, `name="reply_months" value="13"`}, ""},
			{"delegation", "admin", "/admin/delegations", url.Values{"name": {strings.Repeat("团", 41)}}, 422,
				"名称不能超过40个字", []string{`value="` + strings.Repeat("团", 41) + `"`}, ""},
			{"group", "admin", "/admin/groups", url.Values{"delegation": {"1"}, "name": {strings.Repeat("组", 41)}}, 422,
				"名称不能超过40个字", []string{`value="` + strings.Repeat("组", 41) + `"`, `<option value="1" selected>雄关区代表团</option>`}, ""},
			{"meeting", "admin", "/admin/meetings", url.Values{"name": {"市十届人大六次会议"}, "year": {"2027"}, "starts_on": {"2027-02-30"}, "ends_on": {"2027-03-03"}, "is_current": {"1"}}, 422,
				"开始日期不是有效日期", []string{`value="市十届人大六次会议"`, `name="year" size="6" required value="2027"`, `name="starts_on" required value="2027-02-30"`,
					`name="ends_on" required value="2027-03-03"`, `name="is_current" value="1" checked>`}, ""},
			{"holiday", "admin", "/admin/holidays", url.Values{"date": {"2026-06-01"}, "working": {"1"}, "name": {strings.Repeat("节", 31)}}, 422,
				"名称不能超过30个字", []string{`name="date" required value="2026-06-01"`, `<option value="1" selected>工作日</option>`, `value="` + strings.Repeat("节", 31) + `"`}, ""},
		})
		if after := b.changes(); after != before {
			t.Fatalf("refused posts wrote:\n%s\n%s", before, after)
		}
		// The password typed into a refused user form is never written into the page.
		_, _, page := b.desk("admin").c.post("/admin/users", url.Values{"csrf": {b.desk("admin").tok}, "username": {"新"}, "display_name": {"新人"}, "roles": {"reviewer"}, "password": {"secret-pass-99"}})
		if strings.Contains(page, "secret-pass-99") {
			t.Fatal("the refused user form shows the password typed")
		}
	})
}

// 并案 into a system id that does not exist (or is another tenant's) is an error of the merge
// form, on the suggestion's page; the suggestion of the address not being visible is still
// the 404 page.
func TestMergeIntoMissingSuggestion(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rev := b.desk("shencha")
	detail := suggestionURL(b.sid)
	before := b.changes()
	for _, into := range []string{"9999", strconv.FormatInt(b.otherS, 10)} {
		status, loc, page := rev.c.post(detail+"/merge", url.Values{"csrf": {rev.tok}, "version": {strconv.Itoa(b.version(b.sid))}, "into": {into}, "reason": {"重复建议并案办理"}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("merge into %s: %d %q, want the form again (422)\n%.400s", into, status, loc, page)
		}
		mustContain(t, "merge into "+into, page, "要并入的建议不存在", `href="#merge-form"`, `id="merge-form"`,
			`name="into" size="8" required value="`+into+`"`, `value="重复建议并案办理"`, "关于加强老旧小区物业管理的建议")
		if strings.Contains(page, "别家的机密建议") {
			t.Fatal("the page names another tenant's suggestion")
		}
	}
	if after := b.changes(); after != before {
		t.Fatalf("refused merges wrote:\n%s\n%s", before, after)
	}
	// The suggestion of the address is another tenant's, or is not there: 404, whatever the form.
	for _, path := range []string{suggestionURL(b.otherS), "/suggestions/999999"} {
		for _, into := range []string{strconv.FormatInt(b.sid, 10), "9999"} {
			status, _, page := rev.c.post(path+"/merge", url.Values{"csrf": {rev.tok}, "into": {into}})
			if status != http.StatusNotFound || !strings.Contains(page, "您要找的内容不存在") {
				t.Fatalf("merge %s into %s: %d, want 404", path, into, status)
			}
		}
	}
	if st := b.status(b.sid); st != "submitted" {
		t.Fatalf("status %s", st)
	}
}
