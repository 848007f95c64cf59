package suggestion_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"jianyi/internal/suggestion"
)

// withdrawnCase is a case assigned to lead unit 0 and co-unit 1 whose co-unit asked to return
// its part ("与本单位无关") and the reviewer agreed, naming no unit in its place.
func (b *bundle) withdrawnCase(t *testing.T) (s *suggestion.Suggestion, lead, co suggestion.Assignment, got *suggestion.Assignment) {
	t.Helper()
	s, asgs := b.assigned(t, "农贸市场周边排水改造")
	lead, co = asgs[0], asgs[1]
	must(b.svc.RequestReturn(b.ctx, b.unit(1), co.ID, "排水改造与我局职责无关"))
	got = must(b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), co.ID, "经核实与该局职责无关，无需协办"))
	return s, lead, co, got
}

// The reviewer grants a co-unit's return request without another unit: its assignment is
// withdrawn and inactive, recorded with the reason and announced; the co-unit no longer sees
// the case or acts on it; the lead unit handles and replies, and the case is closed.
func TestWithdrawCoUnitTakesItOffTheCase(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, lead, co, got := b.withdrawnCase(t)
	if got.ID != co.ID || got.State != suggestion.AsgWithdrawn || got.Active || got.ReplacedBy != 0 {
		t.Fatalf("the withdrawn assignment: %+v", got)
	}
	if got.State.Label() != "已撤回协办" {
		t.Fatalf("label %q", got.State.Label())
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	if len(det.Assignments) != 2 {
		t.Fatalf("history lost or grown: %+v", det.Assignments)
	}
	for _, a := range det.Assignments {
		switch a.ID {
		case lead.ID:
			if !a.Active || a.State != suggestion.AsgPending {
				t.Fatalf("the lead unit's assignment changed: %+v", a)
			}
		case co.ID:
			if a.Active || a.State != suggestion.AsgWithdrawn || a.ReturnReason != "排水改造与我局职责无关" {
				t.Fatalf("the co-unit's assignment: %+v", a)
			}
		}
	}
	last := det.Timeline[len(det.Timeline)-1]
	if last.Action != string(suggestion.ActWithdrawCoUnit) || last.Reason != "经核实与该局职责无关，无需协办" || last.From != "" ||
		last.Data["decision"] != "withdrawn" || last.Data["role"] != "co" {
		t.Fatalf("timeline line: %+v", last)
	}
	if n := b.count(`SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event=$3
		AND payload->>'decision' = 'withdrawn' AND (payload->>'assignment_id')::bigint = $4 AND (payload->>'unit_id')::bigint = $5
		AND payload->>'reason' = '经核实与该局职责无关，无需协办'`,
		b.tn.ID, s.ID, suggestion.EvReturnDecided, co.ID, b.tn.Units[1]); n != 1 {
		t.Fatalf("%d return_decided outbox rows for the withdrawal, want 1", n)
	}

	// The co-unit is off the case: it reads and does nothing more, as a re-routed unit.
	cu := b.unit(1)
	_, err := b.svc.Detail(b.ctx, cu, s.ID)
	wantErr(t, err, suggestion.ErrNotFound, "not_found")
	if rows := must(b.svc.List(b.ctx, cu, suggestion.ListFilter{})); len(rows) != 0 {
		t.Fatalf("the withdrawn co-unit still lists %d cases", len(rows))
	}
	_, err = b.svc.Accept(b.ctx, cu, co.ID, suggestion.AcceptInput{HandlerName: "周经办"})
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	_, err = b.svc.RequestReturn(b.ctx, cu, co.ID, "再次申请退回")
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	_, err = b.svc.SubmitCoOpinion(b.ctx, cu, co.ID, "协办意见")
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	_, err = b.svc.AddProgress(b.ctx, cu, s.ID, "已了解情况", false)
	wantErr(t, err, suggestion.ErrNotFound, "not_found")
	_, err = b.svc.Assignment(b.ctx, cu, co.ID)
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")

	// The lead unit carries on alone, with no co-opinion awaited, to the end.
	lu := b.unit(0)
	must(b.svc.Accept(b.ctx, lu, lead.ID, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.RecordContact(b.ctx, lu, lead.ID, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}))
	must(b.svc.Reply(b.ctx, lu, lead.ID, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "排水管网已完成改造，积水问题已解决。"}))
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("after the lead unit's reply rated 满意: %s", s.Status)
	}
}

// Only a co-unit's pending return request can be granted with no unit in its place: the lead
// unit's never (a case always keeps its lead unit), nor an assignment with no request, nor
// one withdrawn already; a reason is required; only the reviewer decides. A refusal changes
// nothing.
func TestWithdrawCoUnitRefusals(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "学校周边交通秩序")
	lead, co := asgs[0], asgs[1]
	must(b.svc.RequestReturn(b.ctx, b.unit(0), lead.ID, "应由交通局主办"))
	before := b.mxFootprint(s.ID)

	_, err := b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), lead.ID, "主办单位也不需要")
	wantErr(t, err, suggestion.ErrInvalid, "lead_not_withdrawable")
	var e *suggestion.Error
	if !errors.As(err, &e) || e.Message != "主办单位的退回申请不能同意后不再安排单位：每件建议都须有主办单位答复，请维持原交办或改派其他单位主办" {
		t.Fatalf("the lead unit's refusal reads %v", err)
	}
	_, err = b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), co.ID, "协办单位尚未申请退回")
	wantErr(t, err, suggestion.ErrInvalidTransition, "no_return_request")
	must(b.svc.RequestReturn(b.ctx, b.unit(1), co.ID, "与我局无关"))
	before = b.mxFootprint(s.ID)
	_, err = b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), co.ID, "  ")
	wantErr(t, err, suggestion.ErrInvalid, "reason_required")
	for _, a := range []struct {
		name string
		err  func() error
	}{
		{"coordinator", func() error {
			_, err := b.svc.WithdrawCoUnit(b.ctx, b.coordinator(), co.ID, "同意")
			return err
		}},
		{"co-unit", func() error { _, err := b.svc.WithdrawCoUnit(b.ctx, b.unit(1), co.ID, "同意"); return err }},
	} {
		wantErr(t, a.err(), suggestion.ErrForbidden, "forbidden")
	}
	if after := b.mxFootprint(s.ID); after != before {
		t.Fatalf("refusals changed the case: %+v → %+v", before, after)
	}
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	for _, a := range det.Assignments {
		if !a.Active || a.State != suggestion.AsgReturnRequested {
			t.Fatalf("a refused withdrawal changed assignment %d: %+v", a.ID, a)
		}
	}

	// Granted once, it is not granted again, and the request is no longer open to the other
	// answers either.
	must(b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), co.ID, "与交通局职责无关"))
	before = b.mxFootprint(s.ID)
	_, err = b.svc.WithdrawCoUnit(b.ctx, b.reviewer(), co.ID, "再次同意")
	wantErr(t, err, suggestion.ErrInvalidTransition, "no_return_request")
	_, err = b.svc.DecideReturn(b.ctx, b.reviewer(), co.ID, 0, "维持")
	wantErr(t, err, suggestion.ErrInvalidTransition, "no_return_request")
	_, err = b.svc.DecideReturn(b.ctx, b.reviewer(), co.ID, b.tn.Units[2], "改派")
	wantErr(t, err, suggestion.ErrInvalidTransition, "no_return_request")
	if after := b.mxFootprint(s.ID); after != before {
		t.Fatalf("refusals after the withdrawal changed the case: %+v → %+v", before, after)
	}
	// The lead unit's request is still there to keep or re-route.
	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), lead.ID, b.tn.Units[2], "改由第三个单位主办"))
	if n.Role != suggestion.RoleLead || !n.Active {
		t.Fatalf("re-routed lead: %+v", n)
	}
}

// The decisions page offers the withdrawal by Assignment.Withdrawable: a co-unit's request
// only, while it is pending.
func TestWithdrawableOnlyForACoUnitsRequest(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	_, asgs := b.assigned(t, "老旧小区加装电梯")
	lead, co := asgs[0], asgs[1]
	read := func(id int64) *suggestion.Assignment { return must(b.svc.Assignment(b.ctx, b.reviewer(), id)) }
	if read(co.ID).Withdrawable() {
		t.Fatal("a co-unit's assignment with no request is withdrawable")
	}
	must(b.svc.RequestReturn(b.ctx, b.unit(0), lead.ID, "应由交通局主办"))
	must(b.svc.RequestReturn(b.ctx, b.unit(1), co.ID, "与我局无关"))
	if read(lead.ID).Withdrawable() || !read(co.ID).Withdrawable() {
		t.Fatalf("withdrawable: lead %v, co-unit %v; want only the co-unit's", read(lead.ID).Withdrawable(), read(co.ID).Withdrawable())
	}
	// A unit reads its own assignment, not another unit's.
	if a := must(b.svc.Assignment(b.ctx, b.unit(1), co.ID)); a.UnitID != b.tn.Units[1] {
		t.Fatalf("own assignment: %+v", a)
	}
	_, err := b.svc.Assignment(b.ctx, b.unit(1), lead.ID)
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
	_, err = b.svc.Assignment(b.ctx, b.committee(), lead.ID)
	wantErr(t, err, suggestion.ErrNotFound, "assignment_not_found")
}

// Staff and deputies read assignment states by their Chinese labels: none falls back to its
// raw name (a withdrawn co-unit must never read "withdrawn").
func TestEveryAssignmentStateHasAChineseLabel(t *testing.T) {
	t.Parallel()
	seen := map[string]suggestion.AssignmentState{}
	for _, s := range suggestion.AssignmentStates {
		l := s.Label()
		if l == string(s) || !strings.ContainsFunc(l, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("state %q is labelled %q", s, l)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("states %q and %q share the label %q", other, s, l)
		}
		seen[l] = s
	}
}
