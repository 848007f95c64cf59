package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// Answering an invitation to co-sign: the same answer again (a phone retrying) succeeds and
// records nothing; the other answer after answering is refused, saying what stands; the lead
// deputy has no invitation to answer; and once the suggestion is submitted an open invitation
// has ended. Before, every answer but the first was "not found", and a deputy could accept
// after the suggestion had been submitted.
func TestCosignAnswers(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建的建议", Body: body}))
	noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1], b.tn.Deputies[2], b.tn.Deputies[3]}))
	answers := func() int {
		return b.count(`SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2
			AND action IN ('cosign_accepted','cosign_declined')`, b.tn.ID, d.ID)
	}
	state := func(i int) string {
		var s string
		noErr(b.pool.QueryRow(b.ctx, `SELECT state FROM suggestion_cosigners WHERE tenant_id=$1 AND suggestion_id=$2 AND deputy_id=$3`,
			b.tn.ID, d.ID, b.tn.Deputies[i]).Scan(&s))
		return s
	}

	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, false))
	if n := answers(); n != 2 {
		t.Fatalf("%d answers on the timeline, want 2", n)
	}
	// The same answers again: done, nothing new recorded.
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, false))
	if n := answers(); n != 2 {
		t.Fatalf("repeated answers recorded: %d answers on the timeline", n)
	}
	// The other answer: refused, saying what was answered.
	err := b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, false)
	wantErr(t, err, suggestion.ErrConflict, "cosign_answered")
	wantMsg(t, err, "您已答复过联名邀请：已同意联名，不能再谢绝")
	err = b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, true)
	wantErr(t, err, suggestion.ErrConflict, "cosign_answered")
	wantMsg(t, err, "您已答复过联名邀请：已谢绝联名；如需联名，请领衔代表重新邀请")
	// The lead deputy leads; there is nothing to answer.
	err = b.svc.RespondCosign(b.ctx, lead, d.ID, true)
	wantErr(t, err, suggestion.ErrForbidden, "cosign_lead")
	// A deputy never invited still finds nothing.
	err = b.svc.RespondCosign(b.ctx, b.deputy(4), d.ID, true)
	wantErr(t, err, suggestion.ErrNotFound, "")
	if state(1) != "accepted" || state(2) != "declined" || state(3) != "invited" || answers() != 2 {
		t.Fatalf("refused answers changed the co-signers: %s %s %s, %d answers", state(1), state(2), state(3), answers())
	}

	// Submitted: the open invitation has ended; a retried acceptance still succeeds.
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	err = b.svc.RespondCosign(b.ctx, b.deputy(3), d.ID, true)
	wantErr(t, err, suggestion.ErrInvalidTransition, "cosign_closed")
	wantMsg(t, err, "该建议已提交，联名邀请已结束")
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	if after := must(b.svc.Get(b.ctx, b.reviewer(), s.ID)); after.Version != s.Version || state(3) != "invited" || answers() != 2 {
		t.Fatalf("answers after the submit changed the suggestion: v%d → v%d, %s, %d answers", s.Version, after.Version, state(3), answers())
	}

	// Returned for revision, it is the deputies' draft again: the invitation may be answered.
	must(b.svc.Return(b.ctx, b.reviewer(), s.ID, s.Version, "请补充联名代表意见"))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(3), d.ID, true))
	if state(3) != "accepted" {
		t.Fatalf("after the return the invitation was not taken: %s", state(3))
	}
}
