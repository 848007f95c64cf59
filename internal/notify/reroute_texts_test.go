package notify_test

import (
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

// TestRerouteTellsEachWhatItIs: a co-unit asks to return its part after the lead unit has
// replied and is re-routed. The deputy reads that the 协办 unit changed, with no reply
// deadline; the new unit reads 协办 and its co-opinion deadline; the unit that asked reads
// that the case moved and it has nothing more to do, with a link to its own list.
func TestRerouteTellsEachWhatItIs(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "replied", b.tn.Units[1])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	coDue := dueOf(t, b, s.ID, b.tn.Units[1])
	det := must(b.svc.Detail(b.ctx, rev, s.ID))
	var coAsg int64
	for _, a := range det.Assignments {
		if a.UnitID == b.tn.Units[1] {
			coAsg = a.ID
		}
	}
	must(b.svc.RequestReturn(b.ctx, unitActor(b, 1), coAsg, "不属于本单位职责"))
	must(b.svc.DecideReturn(b.ctx, rev, coAsg, b.tn.Units[2], "改由职能单位协办"))
	b.drain(t)
	subj := subjectOf(t, b, s.ID)
	newName := unitName(t, b, b.tn.Units[2])

	title, body, _, note := noticeOf(t, b, "deputy", b.tn.Deputies[0], notify.KindAssigned)
	wantText(t, "deputy's title", title, "协办单位已调整")
	wantText(t, "deputy's notice", body, "您的建议"+subj+"的协办单位调整为"+newName+"。")
	wantText(t, "deputy's note", note, "协办单位："+newName)

	_, body, _, _ = noticeOf(t, b, "user", b.tn.Handlers[2], notify.KindNewAssignment)
	wantText(t, "new co-unit's notice", body, "建议"+subj+"已改派贵单位协办，协办意见期限"+day(coDue)+"，请及时签收并向主办单位提出协办意见。")

	title, body, page, note := noticeOf(t, b, "user", b.tn.Handlers[1], notify.KindReturnDecided)
	wantText(t, "asking unit's title", title, "退回申请已同意")
	wantText(t, "asking unit's notice", body, "贵单位关于建议"+subj+"的退回申请已同意，已改派给"+newName+"，本单位无需再办理。原因：改由职能单位协办")
	wantText(t, "asking unit's note", note, "已改派给"+newName)
	wantText(t, "asking unit's page", page, "/unit")
}

// TestRerouteOfTheLeadUnitGivesTheReplyDeadline: a re-routed lead unit takes over the reply,
// and the deputy reads who handles it now and by when the reply is due.
func TestRerouteOfTheLeadUnitGivesTheReplyDeadline(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned", b.tn.Units[1])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	leadAsg := must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments[0]
	if leadAsg.UnitID != b.tn.Units[0] {
		t.Fatalf("first assignment is unit %d", leadAsg.UnitID)
	}
	must(b.svc.RequestReturn(b.ctx, unitActor(b, 0), leadAsg.ID, "不属于本单位职责"))
	must(b.svc.DecideReturn(b.ctx, rev, leadAsg.ID, b.tn.Units[2], ""))
	b.drain(t)
	subj := subjectOf(t, b, s.ID)
	newName, replyDue := unitName(t, b, b.tn.Units[2]), replyDueOf(t, b, s.ID)

	title, body, _, _ := noticeOf(t, b, "deputy", b.tn.Deputies[0], notify.KindAssigned)
	wantText(t, "deputy's title", title, "建议已改交办")
	wantText(t, "deputy's notice", body, "您的建议"+subj+"已改由"+newName+"主办，答复期限"+day(replyDue)+"。")

	_, body, _, _ = noticeOf(t, b, "user", b.tn.Handlers[2], notify.KindNewAssignment)
	wantText(t, "new lead unit's notice", body, "建议"+subj+"已改派贵单位主办，答复期限"+day(replyDue)+"，请及时签收办理。")

	_, body, page, _ := noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindReturnDecided)
	wantText(t, "asking unit's notice", body, "贵单位关于建议"+subj+"的退回申请已同意，已改派给"+newName+"，本单位无需再办理。")
	wantText(t, "asking unit's page", page, "/unit")
}

// TestReturnKeptTellsTheUnitToHandleIt: a refused return request leaves the case with the
// unit, which must sign for it; its link is the case's page, which it still sees.
func TestReturnKeptTellsTheUnitToHandleIt(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned")
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	asg := must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments[0]
	must(b.svc.RequestReturn(b.ctx, unitActor(b, 0), asg.ID, "不属于本单位职责"))
	must(b.svc.DecideReturn(b.ctx, rev, asg.ID, 0, "排水管网改造属于贵单位职责"))
	b.drain(t)
	subj := subjectOf(t, b, s.ID)
	title, body, page, note := noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindReturnDecided)
	wantText(t, "unit's title", title, "退回申请未同意")
	wantText(t, "unit's notice", body, "贵单位关于建议"+subj+"的退回申请未同意，仍由本单位办理，请及时签收办理。原因：排水管网改造属于贵单位职责")
	wantText(t, "unit's note", note, "仍由本单位办理")
	wantText(t, "unit's page", page, notify.ConsolePage(s.ID))
	// The page really is one the unit may open: it is still on the case.
	if _, err := b.svc.Detail(b.ctx, unitActor(b, 0), s.ID); err != nil {
		t.Errorf("the unit cannot open the case it keeps: %v", err)
	}
}
