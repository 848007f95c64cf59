package suggestion_test

import (
	"sync"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// A unit acting on its assignment in a state that does not allow it is told that state, not
// asked to accept an assignment it accepted long ago: a second co-unit opinion, a second
// reply, anything while a return request waits for the reviewer. Before, all of them read
// "请先签收交办".
func TestAssignmentStateRefusalsSayTheState(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "关于民政路拓宽的建议")
	lead, co := asgs[0].ID, asgs[1].ID
	const opinion = "教育局同意配合，学校门口路段一并考虑。"
	reply := suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，已完成民政路信号灯配时优化。"}
	contact := suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: b.now,
		Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}
	type refusal struct {
		name string
		err  error
		code string
		msg  string
	}
	check := func(rs ...refusal) {
		t.Helper()
		for _, r := range rs {
			if r.err == nil {
				t.Fatalf("%s: done, want refused", r.name)
			}
			wantErr(t, r.err, suggestion.ErrInvalidTransition, r.code)
			wantMsg(t, r.err, r.msg)
		}
	}
	first := func(_ any, err error) error { return err }

	// Not yet accepted: the one case the old message was right for.
	check(refusal{"co-opinion before accepting", first(b.svc.SubmitCoOpinion(b.ctx, b.unit(1), co, opinion)),
		"assignment_not_accepted", "请先签收交办"})
	must(b.svc.Accept(b.ctx, b.unit(1), co, suggestion.AcceptInput{HandlerName: "周经办"}))
	must(b.svc.SubmitCoOpinion(b.ctx, b.unit(1), co, opinion))
	lines := b.auditCount(t, s.ID)
	check(refusal{"co-opinion twice", first(b.svc.SubmitCoOpinion(b.ctx, b.unit(1), co, opinion)),
		"co_opinion_sent", "已提交过协办意见"})

	// A return request waiting for the reviewer.
	must(b.svc.RequestReturn(b.ctx, b.unit(0), lead, "属于市场监管职责"))
	lines++
	check(
		refusal{"contact while a return is asked", first(b.svc.RecordContact(b.ctx, b.unit(0), lead, contact)),
			"return_requested", "退回申请待审核，暂不能办理"},
		refusal{"reply while a return is asked", first(b.svc.Reply(b.ctx, b.unit(0), lead, reply)),
			"return_requested", "退回申请待审核，暂不能办理"},
	)
	must(b.svc.DecideReturn(b.ctx, b.reviewer(), lead, 0, "属于本单位职责"))
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, contact))
	must(b.svc.Reply(b.ctx, b.unit(0), lead, reply))
	lines += 4
	check(refusal{"reply twice", first(b.svc.Reply(b.ctx, b.unit(0), lead, reply)),
		"already_replied", "本轮已答复，等待代表评价"})
	if n := b.auditCount(t, s.ID); n != lines {
		t.Fatalf("refusals wrote %d timeline lines", n-lines)
	}
	var replies int
	noErr(b.pool.QueryRow(b.ctx, `SELECT count(*) FROM replies WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s.ID).Scan(&replies))
	if replies != 1 {
		t.Fatalf("%d replies stored", replies)
	}
}

// An assign or a close sent twice by the same person (a double click, the form sent again)
// is told the case is already assigned or closed, not that somebody else changed it; a stale
// version after another person's change is still the conflict.
func TestRepeatedAssignAndCloseSayWhatHappened(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	in := suggestion.AssignInput{LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}
	s := b.registered(t, "老旧小区改造")
	must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, in))
	_, err := b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, in)
	wantErr(t, err, suggestion.ErrConflict, "already_assigned")
	wantMsg(t, err, "该建议已交办")
	_, err = b.svc.Assign(b.ctx, b.coordinator(), s.ID, s.Version, in)
	wantErr(t, err, suggestion.ErrConflict, "version_conflict")

	// Two at once from the same form: one assigns, the other is told it is assigned.
	s2 := b.registered(t, "背街小巷改造")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = b.svc.Assign(b.ctx, b.reviewer(), s2.ID, s2.Version, in) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("double assign: %v, %v", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantErr(t, err, suggestion.ErrConflict, "already_assigned")
		}
	}
	if n := b.count(`SELECT count(*) FROM assignments WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, s2.ID); n != 2 {
		t.Fatalf("%d assignments after a double assign", n)
	}

	r, _ := b.replied(t, "口袋公园建设", suggestion.ClassA)
	b.now = b.now.AddDate(0, 2, 0) // the rating window has passed unrated
	must(b.svc.Close(b.ctx, b.reviewer(), r.ID, r.Version, "评价期满未反馈"))
	lines := b.auditCount(t, r.ID)
	_, err = b.svc.Close(b.ctx, b.reviewer(), r.ID, r.Version, "评价期满未反馈")
	wantErr(t, err, suggestion.ErrConflict, "already_closed")
	wantMsg(t, err, "该建议已办结")
	other := staff(b.tn, b.tn.Admin, auth.RoleReviewer)
	_, err = b.svc.Close(b.ctx, other, r.ID, r.Version, "评价期满未反馈")
	wantErr(t, err, suggestion.ErrConflict, "version_conflict")
	if n := b.auditCount(t, r.ID); n != lines {
		t.Fatalf("repeated closes wrote %d timeline lines", n-lines)
	}
}
