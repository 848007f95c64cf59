package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
	"jianyi/storage/postgres/pgtest"
)

// The workflow rules an audit found broken, each probed the way the audit probed it.

const auditReply = "经研究，已完成相关整改并将持续跟进落实情况。"

// auditReplyAgain has the lead unit reply once more (after a rehandle or a reopen).
func (b *bundle) auditReplyAgain(t *testing.T, lead int64) {
	t.Helper()
	must(b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassA, Body: auditReply}))
}

// auditUnchanged fails unless the suggestion is still at version and status.
func (b *bundle) auditUnchanged(t *testing.T, id int64, version int, st suggestion.Status) *suggestion.Suggestion {
	t.Helper()
	s := must(b.svc.Get(b.ctx, b.reviewer(), id))
	if s.Version != version || s.Status != st {
		t.Fatalf("a refusal changed the suggestion: %s v%d, want %s v%d", s.Status, s.Version, st, version)
	}
	return s
}

// A reopen in 回头看 starts the count of 不满意 afresh: the first 不满意 after it rehandles,
// however many rounds came before, and only a second one in a row escalates.
func TestFirstUnsatisfiedAfterReopenRehandles(t *testing.T) {
	t.Parallel()
	cases := map[string]func(b *bundle, s *suggestion.Suggestion) *suggestion.Suggestion{
		"closed as satisfied": func(b *bundle, s *suggestion.Suggestion) *suggestion.Suggestion {
			return must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
		},
		"closed as 未反馈": func(b *bundle, s *suggestion.Suggestion) *suggestion.Suggestion {
			b.now = b.now.AddDate(0, 2, 0)
			return must(b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "评价期满未反馈"))
		},
		"closed after an earlier 不满意": func(b *bundle, s *suggestion.Suggestion) *suggestion.Suggestion {
			s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "问题依旧"))
			lead := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments[0].ID
			b.auditReplyAgain(t, lead)
			return must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
		},
	}
	for name, closeIt := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer catch(t)
			b := setup(t)
			s, lead := b.replied(t, "老旧小区加装电梯", suggestion.ClassA)
			s = closeIt(b, s)
			if s.Status != suggestion.StatusClosed {
				t.Fatalf("not closed: %s", s.Status)
			}
			s = must(b.svc.Reopen(b.ctx, b.reviewer(), s.ID, s.Version, "回头看发现电梯仍未加装"))
			round := s.Round
			b.auditReplyAgain(t, lead)
			s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "仍未加装"))
			if s.Status != suggestion.StatusRehandling || s.Round != round+1 {
				t.Fatalf("first 不满意 after the reopen: %s round %d, want rehandling round %d", s.Status, s.Round, round+1)
			}
			b.auditReplyAgain(t, lead)
			s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "还是没有加装"))
			if s.Status != suggestion.StatusEscalated {
				t.Fatalf("second 不满意 after the reopen: %s, want escalated", s.Status)
			}
		})
	}
}

// Track waits for the deputies' rating like Close does: a reviewer cannot take a fresh
// reply out of the deputies' hands.
func TestTrackWaitsForTheRatingWindow(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "农贸市场改造", suggestion.ClassA)
	_, err := b.svc.Track(b.ctx, b.reviewer(), s.ID, s.Version, "长期跟踪")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_window_open")
	b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusReplied)
	if s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")); s.Status != suggestion.StatusClosed {
		t.Fatalf("the deputy's rating after the refused track: %s", s.Status)
	}

	// Once the window has passed without a rating, the reviewer may track it.
	s, _ = b.replied(t, "农贸市场排水", suggestion.ClassA)
	b.now = b.now.AddDate(0, 2, 0)
	if s = must(b.svc.Track(b.ctx, b.reviewer(), s.ID, s.Version, "评价期满未反馈，跟踪督办")); s.Status != suggestion.StatusTracking {
		t.Fatalf("track after the window: %s", s.Status)
	}
}

// A tracking case closes only after its commitments are done and the lead deputy rated the
// implementation, or the implementation rating window (10 working days from the last
// commitment's due date) passed without a rating.
func TestTrackingClosesOnlyWhenImplementationSettled(t *testing.T) {
	t.Parallel()
	tracking := func(t *testing.T, b *bundle) (*suggestion.Suggestion, int64) {
		s, _ := b.replied(t, "民政路拓宽", suggestion.ClassB) // commitment due 2026-09-20
		s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
		if s.Status != suggestion.StatusTracking {
			t.Fatalf("B reply rated 满意: %s", s.Status)
		}
		return s, must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Replies[0].Commitments[0].ID
	}
	t.Run("rated", func(t *testing.T) {
		t.Parallel()
		defer catch(t)
		b := setup(t)
		s, c := tracking(t, b)
		_, err := b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "办结")
		wantErr(t, err, suggestion.ErrInvalidTransition, "commitments_open")
		b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusTracking)
		noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), c, "拓宽工程已完工"))
		s = must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
		_, err = b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "办结")
		wantErr(t, err, suggestion.ErrInvalidTransition, "implementation_not_rated")
		b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusTracking)
		s = must(b.svc.RateImplementation(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "路面质量差"))
		if s.Status != suggestion.StatusTracking {
			t.Fatalf("落实不满意: %s, want tracking", s.Status)
		}
		if s = must(b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "经复核办结")); s.Status != suggestion.StatusClosed {
			t.Fatalf("close after the implementation rating: %s", s.Status)
		}
	})
	t.Run("window passed", func(t *testing.T) {
		t.Parallel()
		defer catch(t)
		b := setup(t)
		s, c := tracking(t, b)
		noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), c, "拓宽工程已完工"))
		// The day after the commitment's due date: the 10 working days have only begun.
		b.now = time.Date(2026, 9, 21, 2, 0, 0, 0, time.UTC)
		s = must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
		_, err := b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "办结")
		wantErr(t, err, suggestion.ErrInvalidTransition, "implementation_not_rated")
		b.now = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
		if s = must(b.svc.Close(b.ctx, b.reviewer(), s.ID, s.Version, "落实评价期满未反馈")); s.Status != suggestion.StatusClosed {
			t.Fatalf("close after the implementation window: %s", s.Status)
		}
	})
}

// A complex extension counts its 6 months from the suggestion's first assignment, not from
// the day the case was re-routed to another unit.
func TestComplexExtensionCountsFromFirstAssignment(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t) // assigned 2026-03-20
	s, asgs := b.assigned(t, "城区集中供热")
	must(b.svc.RequestReturn(b.ctx, b.unit(0), asgs[0].ID, "供热不属于本单位职责"))
	b.now = time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)
	n := must(b.svc.DecideReturn(b.ctx, b.reviewer(), asgs[0].ID, b.tn.Units[2], "改由交通运输局办理"))
	must(b.svc.Accept(b.ctx, b.unit(2), n.ID, suggestion.AcceptInput{HandlerName: "钱经办"}))
	e := must(b.svc.RequestExtension(b.ctx, b.unit(2), n.ID, "涉及管网改造，需统筹资金"))
	s = must(b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, "同意按复杂建议办理"))
	// 6 months from 2026-03-20 → 2026-09-20 (a make-up working Sunday); from the re-route it
	// would be 2026-09-25 or later.
	if got := s.ReplyDueAt.In(shanghai(t)).Format("2006-01-02"); got != "2026-09-20" {
		t.Fatalf("complex reply due %s, want 2026-09-20", got)
	}
	for _, as := range must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments {
		if as.ID == n.ID && as.DueAt.In(shanghai(t)).Format("2006-01-02") != "2026-09-20" {
			t.Fatalf("re-routed assignment due %s, want 2026-09-20", as.DueAt)
		}
	}
}

// An extension can be approved only while the reply is still owed by an active assignment.
func TestExtensionApprovalNeedsAnOpenAssignment(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)

	// Requested, then the case was replied, rated and closed.
	s, asgs := b.assigned(t, "背街小巷照明")
	lead := asgs[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	e := must(b.svc.RequestExtension(b.ctx, b.unit(0), lead, "需要统一招标"))
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}))
	b.auditReplyAgain(t, lead)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	_, err := b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, "同意")
	wantErr(t, err, suggestion.ErrInvalidTransition, "extension_not_allowed")
	if s = b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusClosed); s.Complex {
		t.Fatal("a refused approval marked the case complex")
	}
	// The stale request can still be cleared by rejecting it.
	s = must(b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, false, "已办结，无需延期"))
	if s.Complex || s.Status != suggestion.StatusClosed {
		t.Fatalf("rejecting a stale request: %s complex=%v", s.Status, s.Complex)
	}

	// Requested, then the assignment was re-routed to another unit.
	s, asgs = b.assigned(t, "公交站台遮雨棚")
	e = must(b.svc.RequestExtension(b.ctx, b.unit(0), asgs[0].ID, "需要统一招标"))
	must(b.svc.RequestReturn(b.ctx, b.unit(0), asgs[0].ID, "不属于本单位职责"))
	must(b.svc.DecideReturn(b.ctx, b.reviewer(), asgs[0].ID, b.tn.Units[2], "改由交通运输局办理"))
	s = must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
	_, err = b.svc.DecideExtension(b.ctx, b.reviewer(), e.ID, true, "同意")
	wantErr(t, err, suggestion.ErrInvalidTransition, "extension_not_allowed")
	if s = b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusAssigned); s.Complex {
		t.Fatal("a refused approval marked the case complex")
	}
}

// A duplicate merges only into a suggestion from its submission up to before its reply.
func TestMergeTargetMustAwaitItsReply(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	dup := b.submitted(t, "重复：学校门口交通拥堵")

	returned := b.submitted(t, "被退回的建议")
	returned = must(b.svc.Return(b.ctx, b.reviewer(), returned.ID, returned.Version, "请补充具体位置"))
	replied, _ := b.replied(t, "已答复的建议", suggestion.ClassA)
	closed, _ := b.replied(t, "已办结的建议", suggestion.ClassA)
	closed = must(b.svc.RateReply(b.ctx, b.deputy(0), closed.ID, suggestion.Satisfied, ""))
	draft := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "草稿", Body: body}))
	for _, into := range []*suggestion.Suggestion{returned, replied, closed, draft} {
		_, err := b.svc.Merge(b.ctx, b.reviewer(), dup.ID, into.ID, -1, "内容重复")
		wantErr(t, err, suggestion.ErrInvalidTransition, "merge_target_invalid")
		b.auditUnchanged(t, dup.ID, dup.Version, suggestion.StatusSubmitted)
	}

	into, _ := b.assigned(t, "学校门口交通拥堵")
	if dup = must(b.svc.Merge(b.ctx, b.reviewer(), dup.ID, into.ID, -1, "内容重复")); dup.Status != suggestion.StatusMerged {
		t.Fatalf("merge into an assigned suggestion: %s", dup.Status)
	}
}

// Register and Assign refuse a category or a supervising leader that is not the tenant's
// with a typed error, not a database error, and change nothing.
func TestRegisterAndAssignCheckTheirReferences(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	other := pgtest.NewTenant(t, b.pool)

	s := b.submitted(t, "社区养老服务")
	for _, cat := range []int64{other.Categories[0], 999999} {
		_, err := b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, cat)
		wantErr(t, err, suggestion.ErrInvalid, "category_not_found")
		b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusSubmitted)
	}

	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	for _, leader := range []int64{other.Leader, 999999, b.tn.Reviewer, b.tn.Handlers[0]} {
		_, err := b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
			LeadUnitID: b.tn.Units[0], Mode: suggestion.ModeLeaderLed, LeaderUserID: leader})
		wantErr(t, err, suggestion.ErrInvalid, "leader_not_found")
		b.auditUnchanged(t, s.ID, s.Version, suggestion.StatusRegistered)
	}
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{
		LeadUnitID: b.tn.Units[0], Mode: suggestion.ModeLeaderLed, LeaderUserID: b.tn.Leader}))
	if s.Status != suggestion.StatusAssigned || s.LeaderUserID != b.tn.Leader {
		t.Fatalf("assign with the tenant's leader: %s leader %d", s.Status, s.LeaderUserID)
	}
}
