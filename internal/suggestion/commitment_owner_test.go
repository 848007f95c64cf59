package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// A commitment is the lead unit's promise: a co-unit, which can see the suggestion, must not
// be able to report it done, and the refusal must leave the commitment untouched.
func TestOnlyLeadUnitCompletesItsCommitment(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.replied(t, "民政路拓宽", suggestion.ClassB)
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	cid := det.Replies[len(det.Replies)-1].Commitments[0].ID
	undone := func() bool {
		return b.count(`SELECT count(*) FROM commitments WHERE tenant_id=$1 AND id=$2 AND done_at IS NULL`, b.tn.ID, cid) == 1
	}

	// The co-unit sees the suggestion, yet the commitment is not its own.
	if _, err := b.svc.Detail(b.ctx, b.unit(1), s.ID); err != nil {
		t.Fatalf("co-unit should see the suggestion: %v", err)
	}
	err := b.svc.CompleteCommitment(b.ctx, b.unit(1), cid, "协办单位代为标记")
	wantErr(t, err, suggestion.ErrNotFound, "commitment_not_found")
	// A unit with no assignment at all gets the plain not-found.
	err = b.svc.CompleteCommitment(b.ctx, b.unit(2), cid, "无关单位")
	wantErr(t, err, suggestion.ErrNotFound, "")
	if !undone() {
		t.Fatal("a refused completion changed the commitment")
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='commitment_done'`, b.tn.ID, s.ID); n != 0 {
		t.Fatalf("a refused completion wrote %d audit events", n)
	}

	noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), cid, "拓宽工程已完工通车"))
	if undone() {
		t.Fatal("the lead unit could not complete its own commitment")
	}
}
