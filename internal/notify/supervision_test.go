package notify_test

import (
	"fmt"
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
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于改善老旧小区排水设施的建议", Body: "雨季老旧小区积水严重，建议改造排水管网。"}))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, rev, s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID) // only what the notes cause

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
