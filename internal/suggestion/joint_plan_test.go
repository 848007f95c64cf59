package suggestion_test

import (
	"errors"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// jointPlan is a 办理工作方案 as a 市政府 office writes one: several lines, tabs included.
const jointPlan = "一、由市住建局牵头，会同市交通局制定整治方案。\n\t二、6月底前完成现场勘查，9月底前完成改造。\r\n三、市政府督查室每月调度一次进展。"

// A joint case (协同联办) needs its 办理工作方案 besides the 两抓一办 chain. Without one, or
// with one too long or holding characters no person typed, the assignment is refused with a
// Chinese message and a stable code and nothing is written; a good plan is kept with every
// unit's assignment, survives the unit signing for it with a corrected chain, and follows a
// re-routed assignment to its new unit.
func TestJointCaseNeedsAPlan(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	r := b.registered(t, "关于讨赖河沿岸环境综合整治的建议")
	chain := suggestion.Chain{Principal: "市政府分管副市长", InCharge: "市住建局局长", Handler: "城建科科长"}
	assign := func(plan string) error {
		c := chain
		c.Plan = plan
		_, err := b.svc.Assign(b.ctx, b.coordinator(), r.ID, r.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0],
			CoUnitIDs: []int64{b.tn.Units[1]}, Mode: suggestion.ModeJoint, Chain: c})
		return err
	}
	for _, c := range []struct {
		name, plan, code, msg string
	}{
		{"no plan", "", "plan_required", "协同联办须填写办理工作方案"},
		{"blank plan", " \n\t ", "plan_required", "协同联办须填写办理工作方案"},
		{"too long", strings.Repeat("方", suggestion.MaxPlan+1), "too_long", "办理工作方案不能超过2000个字"},
		{"NUL", "一、牵头单位\x00", "bad_text", "内容含有无法识别的字符"},
		{"escape", "一、牵头单位\x1b[31m", "bad_text", "内容含有无法识别的字符"},
	} {
		err := assign(c.plan)
		if err == nil {
			t.Fatalf("%s: the joint assignment was taken", c.name)
		}
		wantErr(t, err, suggestion.ErrInvalid, c.code)
		var e *suggestion.Error
		if !errors.As(err, &e) || !strings.Contains(e.Message, c.msg) {
			t.Fatalf("%s: message %v, want one saying %q", c.name, err, c.msg)
		}
	}
	after := must(b.svc.Get(b.ctx, b.reviewer(), r.ID))
	if after.Status != suggestion.StatusRegistered || after.Version != r.Version || after.Mode == suggestion.ModeJoint {
		t.Fatalf("refused joint assignments changed the suggestion: %s v%d %s", after.Status, after.Version, after.Mode)
	}
	var asg, audit, outbox int
	if err := b.pool.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM assignments WHERE tenant_id=$1 AND suggestion_id=$2),
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='assign'),
		(SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event=$3)`,
		b.tn.ID, r.ID, suggestion.EvAssigned).Scan(&asg, &audit, &outbox); err != nil {
		t.Fatal(err)
	}
	if asg != 0 || audit != 0 || outbox != 0 {
		t.Fatalf("refused joint assignments left %d assignments, %d audit events, %d outbox rows", asg, audit, outbox)
	}

	// A plan of exactly the limit, counting a CRLF line break as one, is taken: trimmed, with
	// LF line breaks.
	long := jointPlan + strings.Repeat("。", suggestion.MaxPlan-len([]rune(jointPlan))+strings.Count(jointPlan, "\r\n"))
	noErr(assign("\n  " + long + "  \n"))
	long = strings.ReplaceAll(long, "\r\n", "\n")
	plans := func(when string, want string) []suggestion.Assignment {
		t.Helper()
		d := must(b.svc.Detail(b.ctx, b.reviewer(), r.ID))
		if len(d.Assignments) < 2 {
			t.Fatalf("%s: %d assignments", when, len(d.Assignments))
		}
		for _, a := range d.Assignments {
			if a.Chain.Plan != want {
				t.Fatalf("%s: %s (%s) has plan %q…, want %q…", when, a.UnitName, a.Role, clipRunes(a.Chain.Plan, 30), clipRunes(want, 30))
			}
		}
		return d.Assignments
	}
	asgs := plans("after assignment", long)
	if asgs[0].Chain.Principal != chain.Principal || asgs[0].Chain.Handler != chain.Handler {
		t.Fatalf("chain read back as %+v", asgs[0].Chain)
	}
	// The names are the lead unit's officials: the co-unit shares the plan, not them.
	if c := asgs[1].Chain; c.Principal != "" || c.InCharge != "" || c.Handler != "" {
		t.Fatalf("the co-unit's assignment carries the lead unit's chain: %+v", c)
	}

	// Blanking part of a joint case's chain when signing is refused.
	_, err := b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "孙经办",
		Chain: &suggestion.Chain{Principal: "市政府副市长", InCharge: "", Handler: ""}})
	wantErr(t, err, suggestion.ErrInvalid, "chain_required")
	// The lead unit signs and corrects the chain's names: the plan stays.
	must(b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "孙经办",
		Chain: &suggestion.Chain{Principal: "市政府副市长", InCharge: "市住建局副局长", Handler: "城建科"}}))
	asgs = plans("after the lead unit signed", long)
	if asgs[0].Chain.Principal != "市政府副市长" {
		t.Fatalf("the unit's corrected chain was not kept: %+v", asgs[0].Chain)
	}

	// The co-unit asks to be taken off; the unit it is re-routed to works to the same plan.
	must(b.svc.RequestReturn(b.ctx, b.unit(1), asgs[1].ID, "不属于本局职责"))
	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), asgs[1].ID, b.tn.Units[2], "改由交通局协办"))
	if n.Chain.Plan != long {
		t.Fatalf("the re-routed assignment lost the plan: %q", clipRunes(n.Chain.Plan, 30))
	}
	plans("after re-routing", long)

	// A lead unit re-routed away: the unit that takes the case over gets the plan, not the
	// names of the first unit's officials (it names its own when it signs).
	r2 := b.registered(t, "关于讨赖河下游河道清淤的建议")
	c2 := chain
	c2.Plan = jointPlan
	must(b.svc.Assign(b.ctx, b.coordinator(), r2.ID, r2.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0],
		CoUnitIDs: []int64{b.tn.Units[1]}, Mode: suggestion.ModeJoint, Chain: c2}))
	lead2 := must(b.svc.Detail(b.ctx, b.reviewer(), r2.ID)).Assignments[0]
	must(b.svc.RequestReturn(b.ctx, b.unit(0), lead2.ID, "不属于本局职责"))
	n = must(b.svc.DecideReturn(b.ctx, b.reviewer(), lead2.ID, b.tn.Units[2], "改由交通局主办"))
	if n.Chain.Plan == "" || n.Chain.Principal != "" || n.Chain.InCharge != "" || n.Chain.Handler != "" {
		t.Fatalf("the unit the lead was re-routed to: chain %+v, want the plan without the old unit's names", n.Chain)
	}
	// A joint case keeps a whole chain: the new lead unit must name its people to sign.
	_, err = b.svc.Accept(b.ctx, b.unit(2), n.ID, suggestion.AcceptInput{HandlerName: "王经办"})
	wantErr(t, err, suggestion.ErrInvalid, "chain_required")
	must(b.svc.Accept(b.ctx, b.unit(2), n.ID, suggestion.AcceptInput{HandlerName: "王经办",
		Chain: &suggestion.Chain{Principal: "市政府副市长", InCharge: "市交通局局长", Handler: "综合科"}}))
}

// A normal case needs no plan.
func TestNormalCaseNeedsNoPlan(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	r := b.registered(t, "关于增设公交站点的建议")
	s := must(b.svc.Assign(b.ctx, b.reviewer(), r.ID, r.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	if s.Status != suggestion.StatusAssigned || s.Mode != suggestion.ModeNormal {
		t.Fatalf("normal assignment: %s %s", s.Status, s.Mode)
	}
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
