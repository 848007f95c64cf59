package notify_test

import (
	"fmt"
	"strings"
	"testing"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
)

// TestJointAssignmentTellsCoordinators: a case assigned for 协同联办 also reaches the
// coordinators (督查室), who follow it with the 代表工作部门, with its lead unit and co-units
// named; a case assigned the normal way, co-unit and all, does not.
func TestJointAssignmentTellsCoordinators(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.exec(t, `INSERT INTO notify_settings (tenant_id, digest_minutes) VALUES ($1, 0)`, b.tn.ID)
	lead := auth.Deputy(b.tn.ID, b.tn.Deputies[0])
	rev := staffActor(b, b.tn.Reviewer, auth.RoleReviewer)
	registered := func(title string) *suggestion.Suggestion {
		d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: title, Body: "沿岸垃圾堆放、排污口无人管护，建议多部门联合开展专项整治。"}))
		s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
		return must(b.svc.Register(b.ctx, rev, s.ID, s.Version, b.tn.Categories[0]))
	}
	normal, joint := registered("关于增设公交站点的建议"), registered("关于治理讨赖河沿岸环境的建议")
	b.drain(t)
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID) // only what the assignments cause

	who := map[string]string{
		fmt.Sprintf("deputy:%d", b.tn.Deputies[0]): "deputy",
		fmt.Sprintf("user:%d", b.tn.Handlers[0]):   "h0", fmt.Sprintf("user:%d", b.tn.UnitLeaders[0]): "l0",
		fmt.Sprintf("user:%d", b.tn.Handlers[1]): "h1", fmt.Sprintf("user:%d", b.tn.UnitLeaders[1]): "l1",
		fmt.Sprintf("user:%d", b.tn.Handlers[2]): "h2", fmt.Sprintf("user:%d", b.tn.UnitLeaders[2]): "l2",
		fmt.Sprintf("user:%d", b.tn.Coordinator): "coordinator",
	}

	// Normal mode with a co-unit: the units and the deputy hear it, the 督查室 does not.
	must(b.svc.Assign(b.ctx, rev, normal.ID, normal.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0], CoUnitIDs: []int64{b.tn.Units[1]}}))
	b.drain(t)
	got := noticeKinds(t, b, who)
	if got["coordinator"] != "" {
		t.Fatalf("a normal assignment told the coordinator: %q", got["coordinator"])
	}
	if got["h0"] != "new_assignment" || got["h1"] != "new_assignment" || got["deputy"] != "assigned" {
		t.Fatalf("normal assignment notices: %v", got)
	}
	b.exec(t, `DELETE FROM notices WHERE tenant_id = $1`, b.tn.ID)

	// Joint mode: the same, and the coordinator gets one notice naming lead and co-units.
	must(b.svc.Assign(b.ctx, rev, joint.ID, joint.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0],
		CoUnitIDs: []int64{b.tn.Units[1], b.tn.Units[2]}, Mode: suggestion.ModeJoint,
		Chain: suggestion.Chain{Principal: "市政府分管副市长", InCharge: "市住建局局长", Handler: "城建科科长",
			Plan: "市住建局牵头，市教育局、市交通局配合，9月底前完成整治。"}}))
	b.drain(t)
	got = noticeKinds(t, b, who)
	want := map[string]string{
		"deputy": "assigned", "coordinator": "new_assignment",
		"h0": "new_assignment", "l0": "new_assignment", "h1": "new_assignment", "l1": "new_assignment",
		"h2": "new_assignment", "l2": "new_assignment",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s notices after the joint assignment: got %q, want %q", name, got[name], w)
		}
	}
	var title, body, page string
	if err := b.pool.QueryRow(b.ctx, `SELECT title, body, page FROM notices WHERE tenant_id = $1
		AND recipient_kind = 'user' AND recipient_id = $2`, b.tn.ID, b.tn.Coordinator).Scan(&title, &body, &page); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"讨赖河", "协同联办", "主办单位：市住房和城乡建设局", "协办单位：市教育局、市交通运输局", "答复期限"} {
		if !strings.Contains(title+body, w) {
			t.Errorf("coordinator's notice lacks %q: %s / %s", w, title, body)
		}
	}
	if page != fmt.Sprintf("/suggestions/%d", joint.ID) {
		t.Errorf("coordinator's notice links to %q", page)
	}
}
