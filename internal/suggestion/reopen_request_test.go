package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/postgres"
)

// An author who finds a closed case's work not done asks for 回头看: the request is recorded
// with the reason, puts the case on the 回头看 list, and is made once per author per closing.
// Only authors of a closed case may ask; the reviewer still decides.
func TestAuthorRequestsReopen(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassA)
	lead, co := b.deputy(0), b.deputy(1)

	err := b.svc.RequestReopen(b.ctx, lead, s.ID, "路灯又坏了")
	wantErr(t, err, suggestion.ErrInvalidTransition, "reopen_not_allowed") // replied, not closed
	s = must(b.svc.RateReply(b.ctx, lead, s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("status %s", s.Status)
	}
	if d := must(b.svc.Detail(b.ctx, lead, s.ID)); !d.CanRequestReopen {
		t.Fatal("the lead deputy of a closed case is not offered 回头看")
	}
	wantErr(t, b.svc.RequestReopen(b.ctx, lead, s.ID, "  "), suggestion.ErrInvalid, "reason_required")
	wantErr(t, b.svc.RequestReopen(b.ctx, b.deputy(3), s.ID, "不是我的建议"), suggestion.ErrNotFound, "")
	wantErr(t, b.svc.RequestReopen(b.ctx, b.reviewer(), s.ID, "工作人员"), suggestion.ErrForbidden, "")

	noErr(b.svc.RequestReopen(b.ctx, lead, s.ID, "东段路灯修好一个月后又不亮了"))
	wantErr(t, b.svc.RequestReopen(b.ctx, lead, s.ID, "再说一次"), suggestion.ErrConflict, "reopen_already_requested")
	noErr(b.svc.RequestReopen(b.ctx, co, s.ID, "西段也一样"))
	d := must(b.svc.Detail(b.ctx, lead, s.ID))
	if d.CanRequestReopen || d.Suggestion.Status != suggestion.StatusClosed {
		t.Fatalf("after asking: offer %v, status %s", d.CanRequestReopen, d.Suggestion.Status)
	}
	last := d.Timeline[len(d.Timeline)-1]
	if last.Action != string(suggestion.ActReopenRequested) || last.Reason != "西段也一样" {
		t.Fatalf("timeline ends with %s %q", last.Action, last.Reason)
	}

	cases, err := supervise.NewService(postgres.NewSuperviseStore(b.pool), nil).Cases(b.ctx, b.reviewer(), supervise.ListReviewBack, 0)
	noErr(err)
	if len(cases) != 1 || cases[0].SuggestionID != s.ID || cases[0].Note != "代表申请回头看：西段也一样" {
		t.Fatalf("回头看 list: %+v", cases)
	}

	// The reviewer reopens; once closed again the authors may ask again.
	s = must(b.svc.Reopen(b.ctx, b.reviewer(), s.ID, d.Suggestion.Version, "回头看：路灯反复损坏"))
	if s.Status != suggestion.StatusRehandling {
		t.Fatalf("reopened to %s", s.Status)
	}
	wantErr(t, b.svc.RequestReopen(b.ctx, lead, s.ID, "又坏了"), suggestion.ErrInvalidTransition, "reopen_not_allowed")
}
