package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// The lead deputy's phone retrying an answer to a contact gets the recorded answer back, and
// nothing new is recorded or sent; the other answer is refused saying what was recorded.
// Before, the retried dispute was "该沟通记录已确认过" — the opposite of what was recorded.
func TestContactAnswerRetried(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	cc := b.contactCase(t)
	const why = "当天没有电话沟通"
	lead := b.deputy(0)
	must(b.svc.ConfirmContact(b.ctx, lead, cc.during.ID, false, why))
	must(b.svc.ConfirmContact(b.ctx, lead, cc.before.ID, true, ""))
	lines := b.auditCount(t, cc.sg.ID)
	events := func() int {
		return b.count(`SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event IN ($3,$4)`,
			b.tn.ID, cc.sg.ID, suggestion.EvContactConfirmed, suggestion.EvContactDisputed)
	}
	sent := events()

	c := must(b.svc.ConfirmContact(b.ctx, lead, cc.during.ID, false, "再次提交"))
	if c.ID != cc.during.ID || c.Confirmation != "disputed" || c.DeputyComment != why || c.ConfirmedAt == nil {
		t.Fatalf("retried dispute answered %+v, want the recorded dispute", c)
	}
	c = must(b.svc.ConfirmContact(b.ctx, lead, cc.before.ID, true, ""))
	if c.Confirmation != "confirmed" {
		t.Fatalf("retried confirmation answered %+v", c)
	}
	if b.auditCount(t, cc.sg.ID) != lines || events() != sent {
		t.Fatal("a retried answer was recorded again")
	}

	_, err := b.svc.ConfirmContact(b.ctx, lead, cc.during.ID, true, "")
	wantErr(t, err, suggestion.ErrConflict, "contact_already_answered")
	wantMsg(t, err, "该沟通记录已标记为有异议，不能再确认")
	_, err = b.svc.ConfirmContact(b.ctx, lead, cc.before.ID, false, "其实没有见面")
	wantErr(t, err, suggestion.ErrConflict, "contact_already_answered")
	wantMsg(t, err, "该沟通记录已确认，不能再提出异议")
	if got := b.contactState(t, cc.sg.ID, cc.during.ID); got.Confirmation != "disputed" || got.DeputyComment != why {
		t.Fatalf("the dispute as stored: %+v", got)
	}
	if got := b.contactState(t, cc.sg.ID, cc.before.ID); got.Confirmation != "confirmed" || got.DeputyComment != "" {
		t.Fatalf("the confirmation as stored: %+v", got)
	}
	if b.auditCount(t, cc.sg.ID) != lines {
		t.Fatal("a refused answer was recorded")
	}
}
