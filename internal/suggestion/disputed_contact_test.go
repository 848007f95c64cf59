package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// 办前沟通 must have happened: a "before" contact the deputy disputed (代表提出异议: it did not
// happen as recorded) does not let the unit reply; a new contact the deputy does not dispute
// does. One the deputy has not answered yet counts, as most deputies never answer.
func TestDisputedBeforeContactDoesNotUnlockTheReply(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	b.now = time.Date(2026, 9, 14, 2, 0, 0, 0, time.UTC)
	_, asgs := b.assigned(t, "关于民政路拓宽的建议")
	lead := asgs[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	record := func() *suggestion.Contact {
		return must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
			HappenedAt: b.now, Method: "电话", People: "孙经办、张建国代表", Summary: "了解代表意图"}))
	}
	reply := suggestion.ReplyInput{Class: suggestion.ClassA, Body: "经研究，已完成民政路信号灯配时优化。"}

	// The unit is reminded of the 办前沟通 while it owes one: until a contact is recorded,
	// and again once the deputy disputes it.
	owes := func() bool {
		t.Helper()
		_, open, err := postgres.NewRemindStore(b.pool).Obligation(b.ctx, b.tn.ID, remind.ClockBeforeContact, lead, 1)
		if err != nil {
			t.Fatal(err)
		}
		return open
	}
	if !owes() {
		t.Fatal("no 办前沟通 reminder before any contact")
	}
	c := record()
	if owes() {
		t.Fatal("a 办前沟通 reminder after the contact was recorded")
	}
	must(b.svc.ConfirmContact(b.ctx, b.deputy(0), c.ID, false, "从未联系过我"))
	if !owes() {
		t.Fatal("no 办前沟通 reminder after the deputy disputed the only contact")
	}
	_, err := b.svc.Reply(b.ctx, b.unit(0), lead, reply)
	wantErr(t, err, suggestion.ErrInvalid, "before_contact_required")
	wantMsg(t, err, "答复前须先与代表办前沟通并登记沟通记录（代表提出异议的沟通记录不计，请重新沟通并登记）")

	record() // the unit meets the deputy again; the deputy has not answered yet
	must(b.svc.Reply(b.ctx, b.unit(0), lead, reply))
}
