package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// The reviewer's 督办 card offers only the moves the case allows now, says why the others are
// not offered, and marks the reason of 办结 as required (the service refuses it empty).
func TestSupervisionOffersOnlyWhatTheCaseAllows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	asg := b.registerAndAssign()
	detail := suggestionURL(b.sid)
	track, closeForm := `action="`+detail+`/track"`, `action="`+detail+`/close"`
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	offers := func(when string, wantTrack, wantClose bool, note string) string {
		t.Helper()
		_, page := rev.get(detail)
		if got := strings.Contains(page, track); got != wantTrack {
			t.Fatalf("%s: 列入跟踪督办 offered = %v, want %v", when, got, wantTrack)
		}
		if got := strings.Contains(page, closeForm); got != wantClose {
			t.Fatalf("%s: 办结 offered = %v, want %v", when, got, wantClose)
		}
		if note != "" && !strings.Contains(page, note) {
			t.Fatalf("%s: the page does not say %q", when, note)
		}
		return page
	}

	// Just replied: the deputies' rating window is open; neither move is offered.
	u := unitActor(3, 1)
	b.handleAndReplyUnrated(asg)
	offers("just replied", false, false, "代表评价期限未到")

	// Rated 满意 on a B reply with a commitment: tracking, the commitment still open.
	if _, err := b.sugg.RateReply(ctx, auth.Deputy(1, 1), b.sid, suggestion.Satisfied, ""); err != nil {
		t.Fatal(err)
	}
	if st := b.status(b.sid); st != "tracking" {
		t.Fatalf("status %s, want tracking", st)
	}
	offers("tracking, commitment open", false, false, "承诺事项尚未全部完成（1项未完成）")
	// The unit's 承诺事项完成登记 asks for what was done: the service refuses it empty.
	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	_, page := unit.get("/assignments/" + strconv.FormatInt(asg, 10))
	if !strings.Contains(page, `placeholder="完成情况" required`) {
		t.Fatalf("the commitment's 完成情况 is not marked required:\n%.3000s", page)
	}

	// Commitment done, the implementation not yet rated and its window open.
	cid := int64(b.count(`SELECT c.id FROM commitments c JOIN replies r ON r.id = c.reply_id WHERE r.suggestion_id = $1`, b.sid))
	if err := b.sugg.CompleteCommitment(ctx, u, cid, "已出台并公示"); err != nil {
		t.Fatal(err)
	}
	offers("tracking, implementation not rated", false, false, "尚未评价落实情况")

	// The lead deputy rated the implementation (不满意: it stays tracked): 办结 is offered,
	// with its reason required.
	if _, err := b.sugg.RateImplementation(ctx, auth.Deputy(1, 1), b.sid, suggestion.Unsatisfied, "公示不及时"); err != nil {
		t.Fatal(err)
	}
	page = offers("tracking, implementation rated", false, true, "")
	form := page[strings.Index(page, closeForm):]
	form = form[:strings.Index(form, "</form>")]
	if !strings.Contains(form, `name="reason" required`) {
		t.Fatalf("the 办结 reason is not marked required:\n%s", form)
	}
	// … and 回头看 straight from tracking, without closing it first (which would tell the
	// deputy the work was done).
	if !strings.Contains(page, `id="reopen-form"`) {
		t.Fatalf("a tracked case the deputy rated 落实不满意 offers no 回头看:\n%.4000s", page)
	}
	sg, _ := b.sugg.Get(ctx, reviewer(1), b.sid)
	rtok := rev.csrf(detail)
	if status, _, _ := rev.post(detail+"/reopen", url.Values{"csrf": {rtok}, "version": {strconv.Itoa(sg.Version)}, "reason": {"代表对落实情况不满意，回头看"}}); status != http.StatusSeeOther {
		t.Fatalf("reopen from tracking: %d", status)
	}
	if st := b.status(b.sid); st != "rehandling" {
		t.Fatalf("after 回头看 from tracking: %s, want rehandling", st)
	}
}

// handleAndReplyUnrated is handleAndReply without the deputy's rating.
func (b *bundle) handleAndReplyUnrated(asg int64) {
	b.t.Helper()
	ctx := context.Background()
	u := unitActor(3, 1)
	b.accept(asg)
	if _, err := b.sugg.RecordContact(ctx, u, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: time.Now().Add(-time.Hour),
		Method: "电话", People: "张建国", Summary: "了解诉求"}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.sugg.Reply(ctx, u, asg, suggestion.ReplyInput{Class: suggestion.ClassB, Body: "已列入明年计划，分步实施物业监管改革。",
		Commitments: []suggestion.CommitmentInput{{What: "出台物业收费公示办法", DueOn: time.Now().AddDate(0, 3, 0)}}}); err != nil {
		b.t.Fatal(err)
	}
}

// Once the rating window has passed without a rating (未反馈), the case may be tracked or
// closed, and both are offered.
func TestSupervisionAfterTheRatingWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	asg := b.registerAndAssign()
	b.handleAndReplyUnrated(asg)
	b.exec(`UPDATE suggestions SET rating_due_at = now() - interval '1 hour' WHERE id = $1`, b.sid)
	rev := b.client()
	rev.login("jyg", "shencha", testPassword)
	detail := suggestionURL(b.sid)
	_, page := rev.get(detail)
	for _, w := range []string{`action="` + detail + `/track"`, `action="` + detail + `/close"`} {
		if !strings.Contains(page, w) {
			t.Fatalf("past the rating window the page lacks %s", w)
		}
	}
	if strings.Contains(page, "代表评价期限未到") {
		t.Fatal("past the rating window the page still says it is open")
	}
}

// The lead unit is offered 申请延期 only while it may ask: not while a request waits for the
// reviewer, and not once the case was made complex.
func TestExtensionOfferedOnlyWhileItMayBeAsked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	asg := b.registerAndAssign()
	u := unitActor(3, 1)
	b.accept(asg)
	unit := b.client()
	unit.login("jyg", "zhujian", testPassword)
	page := "/assignments/" + strconv.FormatInt(asg, 10)
	form := `action="` + page + `/extension"`
	offered := func(when string, want bool, note string) {
		t.Helper()
		_, body := unit.get(page)
		if got := strings.Contains(body, form); got != want {
			t.Fatalf("%s: 申请延期 offered = %v, want %v", when, got, want)
		}
		if note != "" && !strings.Contains(body, note) {
			t.Fatalf("%s: the page does not say %q", when, note)
		}
	}
	offered("accepted", true, "")
	ext, err := b.sugg.RequestExtension(ctx, u, asg, "涉及多个部门，需要协调")
	if err != nil {
		t.Fatal(err)
	}
	offered("request pending", false, "等待代表工委决定")
	if _, err := b.sugg.DecideExtension(ctx, reviewer(1), ext.ID, true, "同意"); err != nil {
		t.Fatal(err)
	}
	offered("approved", false, "已按复杂建议延长办理期限")
}
