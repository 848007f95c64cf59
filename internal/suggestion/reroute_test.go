package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// A re-routed case goes to a unit not already on it, and that unit gets its own window to
// ask for a return, counted from when it was given the case.
func TestRerouteToAFreshUnit(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "农贸市场排水改造") // lead Units[0], co-unit Units[1]
	lead, co := asgs[0], asgs[1]
	b.now = b.now.AddDate(0, 0, 5)
	must(b.svc.RequestReturn(b.ctx, b.unit(1), co.ID, "属于排水公司职责"))

	// The co-unit's part cannot go to the lead unit: it is on the case already.
	_, err := b.svc.DecideReturn(b.ctx, b.reviewer(), co.ID, b.tn.Units[0], "由主办单位一并办理")
	wantErr(t, err, suggestion.ErrInvalid, "unit_already_assigned")
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if len(det.Assignments) != 2 || det.Assignments[1].State != suggestion.AsgReturnRequested {
		t.Fatalf("a refused re-route changed the assignments: %+v", det.Assignments)
	}

	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), co.ID, b.tn.Units[2], "改由交通运输局协办"))
	if !n.ReturnDueAt.After(lead.ReturnDueAt) || !n.ReturnDueAt.After(b.now.AddDate(0, 0, 7)) {
		t.Fatalf("the new unit's return window ends %v (the first unit's ended %v, re-routed %v): it must run 7 working days from the re-route",
			n.ReturnDueAt, lead.ReturnDueAt, b.now)
	}
	// After the first unit's window, but inside its own, the new unit may still ask.
	b.now = co.ReturnDueAt.AddDate(0, 0, 1)
	must(b.svc.RequestReturn(b.ctx, b.unit(2), n.ID, "仍不属于我局职责"))
}

// The lead unit says the case is the co-unit's job, and the reviewer agrees: the co-unit
// becomes the lead, its co-assignment giving way, so that it is on the case once.
func TestRerouteMakesTheCoUnitLead(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "学校周边交通秩序") // lead Units[0], co-unit Units[1]
	must(b.svc.RequestReturn(b.ctx, b.unit(0), asgs[0].ID, "应由交通局主办"))
	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), asgs[0].ID, b.tn.Units[1], "改由交通局主办"))
	if n.UnitID != b.tn.Units[1] || n.Role != suggestion.RoleLead || n.State != suggestion.AsgPending {
		t.Fatalf("the new assignment: %+v", n)
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	active := map[int64][]suggestion.AssignmentRole{}
	for _, a := range det.Assignments {
		if a.Active {
			active[a.UnitID] = append(active[a.UnitID], a.Role)
		}
	}
	if len(active) != 1 || len(active[b.tn.Units[1]]) != 1 || active[b.tn.Units[1]][0] != suggestion.RoleLead {
		t.Fatalf("active assignments after making the co-unit lead: %v, want the co-unit once, as lead", active)
	}
	// Its old co-assignment is closed: signing it is refused, the new lead one is signed.
	_, err := b.svc.Accept(b.ctx, b.unit(1), asgs[1].ID, suggestion.AcceptInput{HandlerName: "赵经办"})
	wantErr(t, err, suggestion.ErrNotFound, "")
	must(b.svc.Accept(b.ctx, b.unit(1), n.ID, suggestion.AcceptInput{HandlerName: "赵经办"}))
}

// The responsibility chain and work plan belong to 协同联办: a normal assignment drops what a
// form switched back from joint mode still sends, so the units never see a joint plan.
func TestChainOnlyInJointMode(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.registered(t, "社区养老服务")
	chain := suggestion.Chain{Principal: "王局长", InCharge: "李副局长", Handler: "赵科长", Plan: "分三步推进"}
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		Mode: suggestion.ModeNormal, LeadUnitID: b.tn.Units[0], Chain: chain}))
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if c := det.Assignments[0].Chain; c != (suggestion.Chain{}) {
		t.Fatalf("a normal assignment carries a joint chain: %+v", c)
	}
}
