package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// wantMsg stops the test unless err carries the message people are shown.
func wantMsg(t *testing.T, err error, msg string) {
	t.Helper()
	if e, ok := err.(*suggestion.Error); !ok || e.Message != msg {
		t.Fatalf("message of %v = %q, want %q", err, func() string {
			if ok {
				return e.Message
			}
			return ""
		}(), msg)
	}
}

// The reply's rating window is 20 working days (PRODUCT.md), "then counted as 未反馈, never as
// satisfied": past it nobody rates the reply, the lead deputy included, although the case
// still waits in 已答复 for staff to close it; and no page offers the rating any more. Before,
// only a co-signer rating after the case moved on was held to the window, and a lead deputy's
// late 非常满意 closed the case as satisfied.
func TestReplyRatingRefusedAfterItsWindow(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassA)
	s = must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
	if s.Status != suggestion.StatusReplied || s.RatingDueAt == nil {
		t.Fatalf("replied case: %s, rating due %v", s.Status, s.RatingDueAt)
	}
	// The last moment of the window is still inside it.
	b.now = s.RatingDueAt.Add(-time.Minute)
	if d := must(b.svc.Detail(b.ctx, b.deputy(0), s.ID)); d.RateReplyUntil == nil || !d.RateReplyUntil.Equal(*s.RatingDueAt) {
		t.Fatalf("inside the window the lead's page offers the rating until %v", d.RateReplyUntil)
	}

	b.now = s.RatingDueAt.Add(time.Minute)
	lines := b.auditCount(t, s.ID)
	for i, who := range []int{0, 1} { // the lead deputy, a co-signer
		if d := must(b.svc.Detail(b.ctx, b.deputy(who), s.ID)); d.RateReplyUntil != nil {
			t.Fatalf("deputy %d's page offers a rating whose window closed: %v", i, d.RateReplyUntil)
		}
		_, err := b.svc.RateReply(b.ctx, b.deputy(who), s.ID, suggestion.Satisfied, "")
		wantErr(t, err, suggestion.ErrInvalidTransition, "rating_closed")
		wantMsg(t, err, "答复评价期限已过")
	}
	after := must(b.svc.Get(b.ctx, b.reviewer(), s.ID))
	if after.Status != suggestion.StatusReplied || after.Version != s.Version || b.auditCount(t, s.ID) != lines {
		t.Fatalf("a refused late rating changed the case: %s v%d → v%d", after.Status, s.Version, after.Version)
	}
	if n := len(b.evaluations(s, suggestion.EvalReply)); n != 0 {
		t.Fatalf("%d late ratings stored", n)
	}
	// Staff close it unrated (未反馈); the lead deputy still cannot rate, and is told why.
	must(b.svc.Close(b.ctx, b.reviewer(), s.ID, after.Version, "评价期满未反馈"))
	_, err := b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_closed")
}

// The lead deputy rating the same round twice (a retry, a second tap) is told the rating was
// given, not that no rating is due.
func TestLeadRatingTwiceIsAlreadyRated(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "口袋公园建设", suggestion.ClassA)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("after 满意: %s", s.Status)
	}
	lines := b.auditCount(t, s.ID)
	_, err := b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrConflict, "already_rated")
	wantMsg(t, err, "您已评价过本轮答复")
	if b.auditCount(t, s.ID) != lines {
		t.Fatal("the refused second rating wrote to the timeline")
	}

	// Likewise after a 不满意 has started the next round: the reply was rated.
	s2, _ := b.replied(t, "小区物业管理", suggestion.ClassA)
	s2 = must(b.svc.RateReply(b.ctx, b.deputy(0), s2.ID, suggestion.Unsatisfied, "物业问题依旧"))
	if s2.Status != suggestion.StatusRehandling {
		t.Fatalf("after 不满意: %s", s2.Status)
	}
	_, err = b.svc.RateReply(b.ctx, b.deputy(0), s2.ID, suggestion.Unsatisfied, "物业问题依旧")
	wantErr(t, err, suggestion.ErrConflict, "already_rated")
	if s := must(b.svc.Get(b.ctx, b.reviewer(), s2.ID)); s.Status != suggestion.StatusRehandling || s.Round != 2 {
		t.Fatalf("a repeated 不满意 moved the case on: %s round %d", s.Status, s.Round)
	}
}
