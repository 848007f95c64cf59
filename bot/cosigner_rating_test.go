package bot_test

import (
	"strings"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// A co-signer reads a case the lead deputy has already rated (and so closed) in chat: the bot
// says they may still rate and until when, takes 评价 … 不满意 with its reason, and does not
// promise a rehandling that only the lead's rating can start.
func TestCosignerRatesInChatAfterTheLead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const co = "o-li"
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于新华路路灯维修的建议", Body: "建议正文：新华路路灯长期不亮，夜间出行不便。"}))
	if err := b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1]}); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true); err != nil {
		t.Fatal(err)
	}
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	asg := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), asg, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "孙经办、代表", Summary: "沟通了办理思路"}))
	must(b.svc.Reply(b.ctx, b.unit(0), asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "新华路路灯已全部修复。"}))
	if s = must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, "")); s.Status != suggestion.StatusClosed {
		t.Fatalf("lead's 满意: %s", s.Status)
	}

	b.link(co, 1)
	contains(t, b.say(co, "查询 "+itoa(s.Number)), "已办结", "您尚未评价答复", "评价 "+itoa(s.Number))
	contains(t, b.say(co, "评价 "+itoa(s.Number)+" 不满意"), "不满意的理由")
	reply := b.say(co, "只修了东段，西段还是黑的")
	contains(t, reply, "已记录", "不满意", "转告承办单位")
	if strings.Contains(reply, "重新办理") {
		t.Fatalf("a co-signer's rating promised a rehandling: %s", reply)
	}
	var rating, reason string
	if err := b.pool.QueryRow(b.ctx, `SELECT rating::text, reason FROM evaluations WHERE tenant_id=$1 AND suggestion_id=$2 AND deputy_id=$3`,
		b.tn.ID, s.ID, b.tn.Deputies[1]).Scan(&rating, &reason); err != nil {
		t.Fatal(err)
	}
	if rating != "unsatisfied" || reason != "只修了东段，西段还是黑的" {
		t.Fatalf("co-signer's rating stored as %q %q", rating, reason)
	}
	if got := b.say(co, "查询 "+itoa(s.Number)); strings.Contains(got, "尚未评价") {
		t.Fatalf("still offered the rating after rating: %s", got)
	}
	contains(t, b.say(co, "评价 "+itoa(s.Number)+" 不满意"), "已评价")
}

// 回头看 in chat: a closed case says it can be asked for; the command needs a reason, is taken
// once, and goes where the mini-program's request goes.
func TestReviewRequestInChat(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const me = "o-zhang"
	s := b.replied(0, "关于新华路路灯维修的建议")
	if _, err := b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""); err != nil {
		t.Fatal(err)
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if err := b.svc.CompleteCommitment(b.ctx, b.unit(0), det.Replies[0].Commitments[0].ID, "改造已完工"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RateImplementation(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""); err != nil {
		t.Fatal(err)
	}
	b.link(me, 0)
	n := itoa(s.Number)
	contains(t, b.say(me, "查询 "+n), "已办结", "回头看 "+n+" 理由")
	contains(t, b.say(me, "回头看 "+n), "回头看 编号 理由")
	contains(t, b.say(me, "回头看 "+n+" 改造后路灯又不亮了"), "已提交", "回头看申请")
	contains(t, b.say(me, "回头看 "+n+" 还是不亮"), "已申请回头看")
	if got := b.say(me, "查询 "+n); strings.Contains(got, "回头看 "+n+" 理由") {
		t.Fatalf("still offered after asking: %s", got)
	}
	var reason string
	if err := b.pool.QueryRow(b.ctx, `SELECT reason FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='reopen_requested'`,
		b.tn.ID, s.ID).Scan(&reason); err != nil || reason != "改造后路灯又不亮了" {
		t.Fatalf("request recorded as %q (%v)", reason, err)
	}
}
