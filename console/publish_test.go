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

// 答复公开 in the console: the reviewer sees each reply with a 公开答复 button; after it the
// reply is marked public, the tenant's public page (no sign-in) shows it with the phone
// number masked and no deputy named, and another tenant's page does not. Only reviewers may
// publish.
func TestPublishReplyFromTheConsole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	asg := b.registerAndAssign()
	u := unitActor(3, 1)
	if _, err := b.sugg.Accept(ctx, u, asg, suggestion.AcceptInput{HandlerName: "刘经办"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.RecordContact(ctx, u, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: time.Now().Add(-time.Hour),
		Method: "电话", People: "张建国", Summary: "了解诉求"}); err != nil {
		t.Fatal(err)
	}
	r, err := b.sugg.Reply(ctx, u, asg, suggestion.ReplyInput{Class: suggestion.ClassA,
		Body: "已完成老旧小区物业收费公示，监督电话13912345678，欢迎监督。"})
	if err != nil {
		t.Fatal(err)
	}
	sid := strconv.FormatInt(b.sid, 10)
	publish := "/suggestions/" + sid + "/replies/" + strconv.FormatInt(r.ID, 10) + "/publish"

	anon := b.client()
	if _, page := anon.get("/public/jyg/replies"); !strings.Contains(page, "暂无公开的答复") {
		t.Fatalf("public page before publishing:\n%.1500s", page)
	}

	unit := b.client()
	utok := unit.login("jyg", "zhujian", testPassword)
	if status, _, _ := unit.post(publish, url.Values{"csrf": {utok}}); status != http.StatusNotFound {
		t.Fatalf("a unit publishes: %d, want 404", status)
	}

	rev := b.client()
	tok := rev.login("jyg", "shencha", testPassword)
	_, page := rev.get("/suggestions/" + sid)
	contains(t, page, `action="`+publish+`"`)
	contains(t, page, "/public/jyg/replies")
	status, loc, _ := rev.post(publish, url.Values{"csrf": {tok}})
	if status != http.StatusSeeOther || loc != "/suggestions/"+sid {
		t.Fatalf("publish: %d %s", status, loc)
	}
	_, page = rev.get("/suggestions/" + sid)
	contains(t, page, "答复已公开")
	contains(t, page, "公开</span>")
	if strings.Contains(page, `action="`+publish+`"`) {
		t.Fatal("a published reply still offers 公开答复")
	}
	// Publishing it again is refused next to the reply, on the page shown again (409).
	if status, _, page = rev.post(publish, url.Values{"csrf": {tok}}); status != http.StatusConflict {
		t.Fatalf("publish again: %d, want 409", status)
	}
	contains(t, page, "该答复已公开")

	// The tenant's own class labels show on the public page too.
	admin := b.client()
	atok := admin.login("jyg", "admin", testPassword)
	admin.post("/admin/settings/labels", url.Values{"csrf": {atok}, "A": {"已办结解决"}, "B": {"正在解决"}, "C": {"暂难解决"}, "D": {"参考采纳"}})

	_, page = anon.get("/public/jyg/replies")
	contains(t, page, "A类 已办结解决")
	contains(t, page, "关于加强老旧小区物业管理的建议")
	contains(t, page, "监督电话139****5678")
	contains(t, page, "市住房和城乡建设局")
	for _, leak := range []string{"13912345678", "张建国", "退出登录"} {
		if strings.Contains(page, leak) {
			t.Fatalf("public page shows %q", leak)
		}
	}
	if _, page := anon.get("/public/other/replies"); strings.Contains(page, "物业管理") {
		t.Fatal("another tenant's public page shows this tenant's reply")
	}
	if status, _ := anon.get("/public/jyg/replies?before=abc"); status != http.StatusBadRequest {
		t.Fatalf("bad page cursor: %d", status)
	}
}

// 回头看 is a tab of the supervision lists.
func TestReviewBackTab(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	status, page := rev.get("/supervise/review_back")
	if status != http.StatusOK {
		t.Fatalf("回头看: %d", status)
	}
	contains(t, page, "需回头看的建议")
	contains(t, page, `href="/supervise/review_back"`)
}
