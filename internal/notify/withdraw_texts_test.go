package notify_test

import (
	"fmt"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/notify"
)

// TestWithdrawnCoUnitIsToldItIsOffTheCase: the reviewer grants a co-unit's return request
// with no unit in its place. The co-unit reads that its request was granted and it has nothing
// more to do, with the reason and a link to its own list (the case's page is gone for it); the
// lead unit reads that it need not wait for that unit's opinion; the deputies read that the
// unit no longer works on their case. Nobody else hears of it, and no unit is told of a new
// assignment.
func TestWithdrawnCoUnitIsToldItIsOffTheCase(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := caseTo(t, b, "assigned", b.tn.Units[1])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	var coAsg int64
	for _, a := range must(b.svc.Detail(b.ctx, rev, s.ID)).Assignments {
		if a.UnitID == b.tn.Units[1] {
			coAsg = a.ID
		}
	}
	must(b.svc.RequestReturn(b.ctx, unitActor(b, 1), coAsg, "排水改造与本单位职责无关"))
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID)
	must(b.svc.WithdrawCoUnit(b.ctx, rev, coAsg, "经核实与该单位职责无关"))
	b.drain(t)
	subj, coName := subjectOf(t, b, s.ID), unitName(t, b, b.tn.Units[1])

	title, body, page, note := noticeOf(t, b, "user", b.tn.Handlers[1], notify.KindReturnDecided)
	wantText(t, "co-unit's title", title, "退回申请已同意")
	wantText(t, "co-unit's notice", body, "贵单位关于建议"+subj+"的退回申请已同意，本单位不再协办该建议，无需再办理。原因：经核实与该单位职责无关")
	wantText(t, "co-unit's note", note, "不再协办")
	wantText(t, "co-unit's page", page, notify.ConsoleUnitInbox)

	title, body, page, _ = noticeOf(t, b, "user", b.tn.Handlers[0], notify.KindProgress)
	wantText(t, "lead unit's title", title, "协办单位已调整")
	wantText(t, "lead unit's notice", body, "建议"+subj+"的协办单位"+coName+"经同意退回，不再协办，无需等待其协办意见。")
	wantText(t, "lead unit's page", page, notify.ConsolePage(s.ID))

	title, body, _, note = noticeOf(t, b, "deputy", b.tn.Deputies[0], notify.KindAssigned)
	wantText(t, "deputy's title", title, "协办单位已调整")
	wantText(t, "deputy's notice", body, "您的建议"+subj+"的协办单位"+coName+"不再参与办理。")
	wantText(t, "deputy's note", note, "不再协办："+coName)

	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "deputy",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]):   "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
		fmt.Sprintf("user:%d", b.tn.Handlers[1]): "h1", fmt.Sprintf("user:%d", b.tn.UnitLeaders[1]): "l1",
	}
	got := noticeKinds(t, b, who)
	for name, w := range map[string]string{"deputy": "assigned", "h0": "progress", "l0": "progress", "h1": "return_decided", "l1": "return_decided"} {
		if got[name] != w {
			t.Errorf("%s notices: got %q, want %q", name, got[name], w)
		}
	}
}
