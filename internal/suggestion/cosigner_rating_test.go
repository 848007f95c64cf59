package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// cosignedReply drives a suggestion led by deputy 0 and co-signed by deputies 1 and 2 to its
// first reply of the given class (B and C promise one commitment).
func (b *bundle) cosignedReply(t *testing.T, class suggestion.ReplyClass) (*suggestion.Suggestion, int64) {
	t.Helper()
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建的建议", Body: body}))
	noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1], b.tn.Deputies[2]}))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, true))
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	asg := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), asg, suggestion.AcceptInput{HandlerName: "孙经办"}))
	must(b.svc.RecordContact(b.ctx, b.unit(0), asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}))
	in := suggestion.ReplyInput{Class: class, Body: "经研究，已将民政路拓宽纳入年度计划并完成信号灯优化。"}
	if class != suggestion.ClassA {
		in.Commitments = []suggestion.CommitmentInput{{What: "完成民政路拓宽工程", DueOn: b.now.AddDate(0, 2, 0)}}
	}
	must(b.svc.Reply(b.ctx, b.unit(0), asg, in))
	return s, asg
}

// evaluations returns the suggestion's ratings of one kind by deputy, with their rounds.
func (b *bundle) evaluations(s *suggestion.Suggestion, kind suggestion.EvaluationKind) map[int64]suggestion.Evaluation {
	out := map[int64]suggestion.Evaluation{}
	for _, e := range must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Evaluations {
		if e.Kind == kind {
			out[e.DeputyID] = e
		}
	}
	return out
}

// Every author may rate the reply (PRODUCT.md: "all are told and may rate"). The lead deputy's
// rating decides and moves the case on at once, so a co-signer who opens the "please rate"
// notice an hour later must still be able to rate, until the reply's rating window closes.
func TestCosignerRatesReplyAfterTheLead(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassA)
	if d := must(b.svc.Detail(b.ctx, b.deputy(0), s.ID)); d.RateReplyUntil == nil || !d.RateReplyUntil.Equal(*d.Suggestion.RatingDueAt) {
		t.Fatalf("lead's page offers the reply rating until %v, want %v", d.RateReplyUntil, d.Suggestion.RatingDueAt)
	}
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("lead's 满意 on an A reply: %s, want closed", s.Status)
	}

	// The page offers the rating to the co-signers who have not rated, not to the lead.
	if d := must(b.svc.Detail(b.ctx, b.deputy(1), s.ID)); d.RateReplyUntil == nil || !d.RateReplyUntil.After(b.now) {
		t.Fatalf("co-signer's page offers no reply rating: %v", d.RateReplyUntil)
	}
	if d := must(b.svc.Detail(b.ctx, b.deputy(0), s.ID)); d.RateReplyUntil != nil || d.RateImplUntil != nil {
		t.Fatalf("lead's page offers a rating after rating: %v %v", d.RateReplyUntil, d.RateImplUntil)
	}
	s = must(b.svc.RateReply(b.ctx, b.deputy(1), s.ID, suggestion.Unsatisfied, "只优化了信号灯，道路没有拓宽"))
	if d := must(b.svc.Detail(b.ctx, b.deputy(1), s.ID)); d.RateReplyUntil != nil {
		t.Fatal("co-signer's page still offers the rating they gave")
	}
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("a co-signer's late rating moved the case to %s", s.Status)
	}
	got := b.evaluations(s, suggestion.EvalReply)
	if e, ok := got[b.tn.Deputies[1]]; !ok || e.Round != 1 || e.Rating != suggestion.Unsatisfied {
		t.Fatalf("co-signer's rating not recorded for round 1: %+v", got)
	}
	_, err := b.svc.RateReply(b.ctx, b.deputy(1), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrConflict, "already_rated")
	_, err = b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrConflict, "already_rated") // the lead's rating moved the case on
	_, err = b.svc.RateReply(b.ctx, b.deputy(3), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrNotFound, "") // not an author: the case is not theirs to see

	// The window is 20 working days from the reply; two months on it has closed.
	b.now = b.now.AddDate(0, 2, 0)
	if d := must(b.svc.Detail(b.ctx, b.deputy(2), s.ID)); d.RateReplyUntil != nil {
		t.Fatalf("page offers a rating whose window closed: %v", d.RateReplyUntil)
	}
	_, err = b.svc.RateReply(b.ctx, b.deputy(2), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_closed")
	if len(b.evaluations(s, suggestion.EvalReply)) != 2 {
		t.Fatal("a refused rating was recorded")
	}
}

// After the lead deputy's 不满意 the case is in its second round; a co-signer's rating of the
// first reply still counts for the first round and does not touch the new one.
func TestCosignerRatesFirstReplyDuringRehandling(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassA)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "道路没有拓宽"))
	if s.Status != suggestion.StatusRehandling || s.Round != 2 {
		t.Fatalf("after the lead's 不满意: %s round %d", s.Status, s.Round)
	}
	s = must(b.svc.RateReply(b.ctx, b.deputy(2), s.ID, suggestion.BasicallySatisfied, ""))
	if s.Status != suggestion.StatusRehandling || s.Round != 2 {
		t.Fatalf("a co-signer's rating moved the case: %s round %d", s.Status, s.Round)
	}
	if e := b.evaluations(s, suggestion.EvalReply)[b.tn.Deputies[2]]; e.Round != 1 {
		t.Fatalf("co-signer's rating is for round %d, want 1", e.Round)
	}
}

// The implementation rating likewise stays open to co-signers after the lead deputy's 满意
// closed the tracking case, until its window (from the last commitment's due date) closes.
func TestCosignerRatesImplementationAfterTheLead(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassB)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusTracking {
		t.Fatalf("B reply with an open commitment rated 满意: %s, want tracking", s.Status)
	}
	_, err := b.svc.RateImplementation(b.ctx, b.deputy(1), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "commitments_open")
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), det.Replies[0].Commitments[0].ID, "拓宽工程已完工通车"))
	s = must(b.svc.RateImplementation(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("after the lead's implementation 满意: %s", s.Status)
	}

	if d := must(b.svc.Detail(b.ctx, b.deputy(2), s.ID)); d.RateImplUntil == nil || !d.RateImplUntil.After(b.now) {
		t.Fatalf("co-signer's page offers no implementation rating: %v", d.RateImplUntil)
	}
	s = must(b.svc.RateImplementation(b.ctx, b.deputy(1), s.ID, suggestion.BasicallySatisfied, ""))
	if s.Status != suggestion.StatusClosed {
		t.Fatalf("a co-signer's late rating moved the case to %s", s.Status)
	}
	if e, ok := b.evaluations(s, suggestion.EvalImplementation)[b.tn.Deputies[1]]; !ok || e.Round != 1 {
		t.Fatalf("co-signer's implementation rating not recorded: %+v", e)
	}
	_, err = b.svc.RateImplementation(b.ctx, b.deputy(1), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrConflict, "already_rated")
	_, err = b.svc.RateImplementation(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_not_due")

	// The commitment was due in two months; ten working days after that the window is shut.
	b.now = b.now.AddDate(0, 3, 0)
	_, err = b.svc.RateImplementation(b.ctx, b.deputy(2), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_closed")
}

// A reply that promised nothing is never rated for implementation, closed or not.
func TestNoImplementationRatingWithoutCommitments(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassA)
	must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	_, err := b.svc.RateImplementation(b.ctx, b.deputy(1), s.ID, suggestion.Satisfied, "")
	wantErr(t, err, suggestion.ErrInvalidTransition, "rating_not_due")
	if d := must(b.svc.Detail(b.ctx, b.deputy(1), s.ID)); d.RateImplUntil != nil {
		t.Fatalf("page offers an implementation rating for a reply that promised nothing: %v", d.RateImplUntil)
	}
}
