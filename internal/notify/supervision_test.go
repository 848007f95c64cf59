package notify_test

import (
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// TestSupervisionReachesTheUnit: a note the leader or the committee writes on a case (督办意见)
// reaches the lead unit's staff, also when it is kept from the deputies; a unit's own notes
// tell the deputies when public and nobody when private, and never notify the unit itself.
func TestSupervisionReachesTheUnit(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned", b.tn.Units[1]) // notices from here on are what the notes cause
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)

	leader := staffActor(b, b.tn.Leader, auth.RoleLeader)
	must(b.svc.AddProgress(b.ctx, leader, s.ID, "请住建局本月内拿出改造方案。", false))
	must(b.svc.AddProgress(b.ctx, rev, s.ID, "内部：请住建局先与街道对接。", true))
	must(b.svc.AddProgress(b.ctx, unitActor(b, 0), s.ID, "已完成现场勘查。", false))
	must(b.svc.AddProgress(b.ctx, unitActor(b, 0), s.ID, "内部：需协调资金。", true))
	b.drain(t)

	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "lead",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]):   "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
	}
	got := noticeKinds(t, b, who)
	want := map[string]string{
		"lead": "progress progress",     // the leader's public note and the unit's public note
		"h0":   "supervised supervised", // the leader's note and the reviewer's private one
		"l0":   "supervised supervised",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s notices:\n got %q\nwant %q", name, got[name], w)
		}
	}
}

// TestReopenRequestReachesReviewersAndUnit: an author's 回头看 request on a closed case goes to
// the reviewers, who decide, and to the lead unit's staff, who must hear the work was not done.
func TestReopenRequestReachesReviewersAndUnit(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "replied")
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID)

	if err := b.svc.RequestReopen(b.ctx, lead, s.ID, "改造后第一场大雨又积水了"); err != nil {
		t.Fatal(err)
	}
	b.drain(t)
	who := map[string]string{
		fmt.Sprintf("user:%d", b.tn.Reviewer):    "reviewer",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]): "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
	}
	got := noticeKinds(t, b, who)
	for _, name := range []string{"reviewer", "h0", "l0"} {
		if got[name] != "reopen_requested" {
			t.Errorf("%s notices: %q, want reopen_requested", name, got[name])
		}
	}
	var body string
	if err := b.pool.QueryRow(b.ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND recipient_id = $2 AND kind = 'reopen_requested'`,
		b.tn.ID, b.tn.Handlers[0]).Scan(&body); err != nil || !strings.Contains(body, "改造后第一场大雨又积水了") {
		t.Errorf("unit's notice %q (%v) lacks the reason", body, err)
	}
}

// TestOpinionLetterReachesTheUnits: 不予立案 with units named forwards the letter: their staff
// are told, and the deputy's notice says where it went.
func TestOpinionLetterReachesTheUnits(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "submitted")
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	must(b.svc.NotRegisterForward(b.ctx, rev, s.ID, s.Version, "属于部门日常工作范围", []int64{b.tn.Units[1]}))
	b.drain(t)
	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "lead",
		fmt.Sprintf("user:%d", b.tn.Handlers[1]):   "h1", fmt.Sprintf("user:%d", b.tn.UnitLeaders[1]): "l1",
	}
	got := noticeKinds(t, b, who)
	for name, want := range map[string]string{"lead": "not_registered", "h1": "opinion_forwarded", "l1": "opinion_forwarded"} {
		if got[name] != want {
			t.Errorf("%s notices: %q, want %q", name, got[name], want)
		}
	}
	var body, unit string
	_ = b.pool.QueryRow(b.ctx, `SELECT name FROM units WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.tn.Units[1]).Scan(&unit)
	if err := b.pool.QueryRow(b.ctx, `SELECT body FROM notices WHERE tenant_id = $1 AND recipient_kind = 'deputy' AND kind = 'not_registered'`,
		b.tn.ID).Scan(&body); err != nil || !strings.Contains(body, "转交"+unit) {
		t.Errorf("deputy's notice %q (%v) does not name %s", body, err, unit)
	}
}

// caseTo sets a tenant with no digest and drives a suggestion by deputy 0 up to stop:
// "submitted", "assigned" (lead unit 0, co-units), or "replied" (accepted, contacted, class A
// reply). Notices so far are drained and deleted, so a test sees only what it causes.
func caseTo(t *testing.T, b *bundle, stop string, coUnits ...int64) *suggestion.Suggestion {
	t.Helper()
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于改善老旧小区排水设施的建议", Body: "雨季老旧小区积水严重，建议改造排水管网。"}))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	if stop != "submitted" {
		s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
		s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], CoUnitIDs: coUnits}))
	}
	if stop == "replied" {
		asg := must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments[0].ID
		must(b.svc.Accept(b.ctx, unitActor(b, 0), asg, suggestion.AcceptInput{HandlerName: "孙经办"}))
		must(b.svc.RecordContact(b.ctx, unitActor(b, 0), asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
			HappenedAt: b.clock.Now(), Method: "电话", People: "孙经办、代表", Summary: "沟通了办理思路"}))
		must(b.svc.Reply(b.ctx, unitActor(b, 0), asg, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "排水管网改造已完成，积水问题已解决。"}))
		s = must(b.svc.Get(b.ctx, rev, s.ID))
	}
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID)
	return s
}
