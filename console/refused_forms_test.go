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
