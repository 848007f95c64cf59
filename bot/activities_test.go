package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/notify"
)

// activityFor organises an activity three days ahead inviting deputies (indexes of the tenant).
func (b *bundle) activityFor(title string, deputies ...int) *activity.Activity {
	b.t.Helper()
	var ids []int64
	for _, i := range deputies {
		ids = append(ids, b.tn.Deputies[i])
	}
	return must(b.acts.Create(b.ctx, b.reviewer(), activity.Input{Kind: activity.KindInspection, Title: title,
		StartsAt: time.Now().Add(72 * time.Hour).Truncate(time.Minute), Place: "雄关区胜利路社区", DeputyIDs: ids}))
}

// answerOf is a deputy's stored answer and note to an activity.
func (b *bundle) answerOf(activityID int64, deputy int) (string, string) {
	b.t.Helper()
	var answer, note string
	if err := b.pool.QueryRow(b.ctx, `SELECT answer::text, note FROM activity_invitations
		WHERE tenant_id = $1 AND activity_id = $2 AND deputy_id = $3`, b.tn.ID, activityID, b.tn.Deputies[deputy]).Scan(&answer, &note); err != nil {
		b.t.Fatal(err)
	}
	return answer, note
}

// A deputy who got an activity invitation in the official account answers it in the chat:
// lists their invitations, says 参加 or 不参加 with a reason, and the organiser hears it. A
// deputy with one invitation need not give its number; one with several is asked which.
func TestDeputiesAnswerActivitiesInChat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.link("oa-act-zhang", 0)
	b.link("oa-act-li", 1)

	if got := b.say("oa-act-zhang", "我的活动"); !strings.Contains(got, "没有待参加的代表活动") {
		t.Fatalf("no invitations yet: %q", got)
	}
	first := b.activityFor("视察老旧小区改造", 0, 1)
	second := b.activityFor("走访供热企业", 0)
	cancelled := b.activityFor("座谈营商环境", 0)
	must(b.acts.Cancel(b.ctx, b.reviewer(), cancelled.ID, cancelled.Version, "议程调整"))

	got := b.say("oa-act-zhang", "我的活动")
	for _, want := range []string{fmt.Sprintf("【活动%d】视察《视察老旧小区改造》", first.ID), fmt.Sprintf("【活动%d】视察《走访供热企业》", second.ID),
		"雄关区胜利路社区", "您的答复：待答复", "参加 "} {
		if !strings.Contains(got, want) {
			t.Fatalf("the list lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "座谈营商环境") {
		t.Fatalf("a cancelled activity is listed as one to attend:\n%s", got)
	}

	// Two invitations and no number: the bot asks which, and nothing is answered.
	if got := b.say("oa-act-zhang", "参加"); !strings.Contains(got, "2个待参加的代表活动") || !strings.Contains(got, fmt.Sprintf("【活动%d】", second.ID)) {
		t.Fatalf("which one: %q", got)
	}
	if a, _ := b.answerOf(first.ID, 0); a != "invited" {
		t.Fatalf("a question was taken for an answer: %s", a)
	}

	got = b.say("oa-act-zhang", fmt.Sprintf("参加 %d 准时到", first.ID))
	if !strings.Contains(got, "已答复参加视察《视察老旧小区改造》") || !strings.Contains(got, "组织者已收到") {
		t.Fatalf("attend: %q", got)
	}
	if a, n := b.answerOf(first.ID, 0); a != "accepted" || n != "准时到" {
		t.Fatalf("stored answer %s %q, want accepted 准时到", a, n)
	}
	got = b.say("oa-act-zhang", fmt.Sprintf("不参加 第%d号，当天在外地出差，抱歉！", second.ID))
	if !strings.Contains(got, "已答复不参加") {
		t.Fatalf("decline: %q", got)
	}
	if a, n := b.answerOf(second.ID, 0); a != "declined" || n != "当天在外地出差，抱歉" {
		t.Fatalf("stored answer %s %q, want declined with the reason as typed", a, n)
	}
	// The organiser hears both answers.
	if n := b.count(`SELECT count(*) FROM notices WHERE tenant_id = $1 AND kind = $2 AND recipient_kind = 'user' AND recipient_id = $3`,
		b.tn.ID, notify.KindActivityAnswered, b.tn.Reviewer); n != 2 {
		t.Fatalf("the organiser got %d answer notices, want 2", n)
	}
	if got := b.say("oa-act-zhang", "我的活动"); !strings.Contains(got, "您的答复：参加") || !strings.Contains(got, "您的答复：不参加") {
		t.Fatalf("the list does not show the answers:\n%s", got)
	}

	// One invitation: no number needed.
	if got := b.say("oa-act-li", "不参加，家中有事"); !strings.Contains(got, "已答复不参加视察《视察老旧小区改造》") {
		t.Fatalf("the single invitation: %q", got)
	}
	if a, n := b.answerOf(first.ID, 1); a != "declined" || n != "家中有事" {
		t.Fatalf("stored answer %s %q", a, n)
	}

	// A sentence that merely starts with 参加/不参加 answers nothing, and neither does a
	// 不满意 reason that starts with it: it stays the reason.
	before := b.count(`SELECT count(*) FROM activity_invitations WHERE answer <> 'invited'`)
	if got := b.say("oa-act-li", "参加社区座谈会后，群众反映民政路路灯不亮"); strings.Contains(got, "已答复") {
		t.Fatalf("a sentence was taken for an answer: %q", got)
	}
	rated := b.replied(1, "关于新华路路灯维修的建议")
	if got := b.say("oa-act-li", fmt.Sprintf("评价 %d 不满意", rated.Number)); !strings.Contains(got, "理由") {
		t.Fatalf("the bot did not ask for the reason: %q", got)
	}
	if got := b.say("oa-act-li", "不参加现场核实就答复了，太敷衍"); strings.Contains(got, "已答复") || strings.Contains(got, "已取消") {
		t.Fatalf("a 不满意 reason was taken for an activity answer: %q", got)
	}
	if n := b.count(`SELECT count(*) FROM evaluations WHERE suggestion_id = $1 AND rating = 'unsatisfied' AND reason = '不参加现场核实就答复了，太敷衍'`, rated.ID); n != 1 {
		t.Fatalf("the reason was not recorded with the 不满意 rating (%d)", n)
	}
	if after := b.count(`SELECT count(*) FROM activity_invitations WHERE answer <> 'invited'`); after != before {
		t.Fatalf("words were taken for answers: %d → %d answered invitations", before, after)
	}

	// Not invited, called off, or not a number the deputy was given: refused in words, and
	// nothing is written.
	before = b.count(`SELECT count(*) FROM activity_invitations WHERE answer <> 'invited'`)
	if got := b.say("oa-act-li", fmt.Sprintf("参加 %d", second.ID)); !strings.Contains(got, "不存在") {
		t.Fatalf("an activity the deputy is not invited to: %q", got)
	}
	if got := b.say("oa-act-zhang", fmt.Sprintf("参加 %d", cancelled.ID)); !strings.Contains(got, "取消") {
		t.Fatalf("a cancelled activity: %q", got)
	}
	if after := b.count(`SELECT count(*) FROM activity_invitations WHERE answer <> 'invited'`); after != before {
		t.Fatalf("refused answers wrote: %d → %d answered invitations", before, after)
	}
}
