package suggestion_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// The handler's phone is what the deputy will dial: something else is refused with the
// reason and the assignment stays unsigned; what a Chinese keyboard types is kept usable.
func TestHandlerPhoneIsAPhoneNumber(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	_, asgs := b.assigned(t, "背街小巷路灯")
	lead, co := asgs[0].ID, asgs[1].ID
	for _, bad := range []string{"abc", "123", "0937-62000a0", "电话0937-6200000", "1380000000012345678901",
		"转转0937-6200000", "0937-6200000转", "0937-6200000转12转3", "0937 - - - - - - - - - - - 6200000"} {
		_, err := b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "刘工", HandlerPhone: bad})
		wantErr(t, err, suggestion.ErrInvalid, "bad_phone")
	}
	if d := must(b.svc.Detail(b.ctx, b.reviewer(), asgs[0].SuggestionID)); d.Assignments[0].State != suggestion.AsgPending {
		t.Fatalf("a refused signing changed the assignment: %s", d.Assignments[0].State)
	}
	as := must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "刘工", HandlerPhone: "０９３７－６２０００００转１２"}))
	if as.HandlerPhone != "0937-6200000转12" {
		t.Fatalf("stored phone %q, want 0937-6200000转12", as.HandlerPhone)
	}
	if as := must(b.svc.Accept(b.ctx, b.unit(1), co, suggestion.AcceptInput{HandlerName: "王工"})); as.HandlerPhone != "" {
		t.Fatalf("no phone given, stored %q", as.HandlerPhone)
	}
}

// A contact dated in the future is refused with why, not a bare "incorrect".
func TestContactInTheFutureSaysWhy(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	_, asgs := b.assigned(t, "小区充电桩")
	must(b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "刘工"}))
	_, err := b.svc.RecordContact(b.ctx, b.unit(0), asgs[0].ID, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.AddDate(0, 0, 1), Method: "电话", People: "刘工", Summary: "约定走访时间"})
	wantErr(t, err, suggestion.ErrInvalid, "bad_time")
	var e *suggestion.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "不能晚于当前时间") {
		t.Fatalf("the refusal does not say why: %v", err)
	}
}

// A tracked case whose implementation the lead deputy rates 不满意 stays tracked, and the
// tracking list now gives that as the reason instead of "commitments still open".
func TestTrackingReasonFollowsTheImplementationRating(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.implementationUnsatisfied(t, "只拓宽了一半，另一半仍拥堵")
	if s.Status != suggestion.StatusTracking {
		t.Fatalf("after the lead's implementation 不满意: %s, want tracking", s.Status)
	}
	var reasons []string
	rows, err := b.pool.Query(context.Background(), `SELECT reason FROM tracking_items
		WHERE tenant_id = $1 AND suggestion_id = $2 AND closed_at IS NULL`, b.tn.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		noErr(rows.Scan(&r))
		reasons = append(reasons, r)
	}
	rows.Close()
	if len(reasons) != 1 || reasons[0] != "代表对落实情况不满意：只拓宽了一半，另一半仍拥堵" {
		t.Fatalf("open tracking reasons %q, want the deputy's verdict", reasons)
	}
}

// The reviewer takes such a case up again (回头看) straight from tracking, without closing it
// first: the unit is back in hand and the case leaves the tracking list.
func TestReopenFromTrackingAfterImplementationUnsatisfied(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s := b.implementationUnsatisfied(t, "只拓宽了一半")
	s = must(b.svc.Reopen(b.ctx, b.reviewer(), s.ID, s.Version, "代表对落实情况不满意，回头看"))
	if s.Status != suggestion.StatusRehandling || s.Round != 2 || s.ClosedAt != nil {
		t.Fatalf("reopened from tracking: %s round %d closed %v", s.Status, s.Round, s.ClosedAt)
	}
	var open int
	noErr(b.pool.QueryRow(context.Background(), `SELECT count(*) FROM tracking_items WHERE tenant_id = $1 AND suggestion_id = $2 AND closed_at IS NULL`,
		b.tn.ID, s.ID).Scan(&open))
	if open != 0 {
		t.Fatalf("the reopened case is still on the tracking list (%d open items)", open)
	}
}

// implementationUnsatisfied tracks a B reply with one commitment, has the unit complete it and
// the lead deputy rate the implementation 不满意 with reason.
func (b *bundle) implementationUnsatisfied(t *testing.T, reason string) *suggestion.Suggestion {
	t.Helper()
	s, _ := b.cosignedReply(t, suggestion.ClassB)
	s = must(b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Satisfied, ""))
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), det.Replies[0].Commitments[0].ID, "拓宽工程已完工通车"))
	return must(b.svc.RateImplementation(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, reason))
}
