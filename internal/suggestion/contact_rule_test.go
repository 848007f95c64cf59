package suggestion_test

import (
	"testing"
	"time"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// contactCase is a suggestion led by deputy 0, with deputy 1 invited to co-sign (never
// answered) and deputy 2 a co-signer who accepted, handled by unit 0, which has recorded a
// "before" and a "during" contact.
type contactCase struct {
	sg             *suggestion.Suggestion
	before, during *suggestion.Contact
}

func (b *bundle) contactCase(t *testing.T) contactCase {
	t.Helper()
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路拓宽的建议", Body: body}))
	noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, []int64{b.tn.Deputies[1], b.tn.Deputies[2]}))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, true))
	d = must(b.svc.Get(b.ctx, lead, d.ID))
	s := must(b.svc.Submit(b.ctx, lead, d.ID, d.Version))
	s = must(b.svc.Register(b.ctx, b.reviewer(), s.ID, s.Version, b.tn.Categories[0]))
	s = must(b.svc.Assign(b.ctx, b.reviewer(), s.ID, s.Version, suggestion.AssignInput{LeadUnitID: b.tn.Units[0]}))
	asg := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)).Assignments[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), asg, suggestion.AcceptInput{HandlerName: "孙经办"}))
	before := must(b.svc.RecordContact(b.ctx, b.unit(0), asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now.Add(-2 * time.Hour), Method: "座谈", People: "孙经办、张建国代表", Summary: "了解代表意图"}))
	during := must(b.svc.RecordContact(b.ctx, b.unit(0), asg, suggestion.ContactInput{Stage: suggestion.ContactDuring,
		HappenedAt: b.now.Add(-time.Hour), Method: "电话", People: "孙经办、张建国代表", Summary: "征求对拓宽方案的意见"}))
	return contactCase{sg: s, before: before, during: during}
}

// contactState reads what the deputy sees of a contact.
func (b *bundle) contactState(t *testing.T, sgID, contactID int64) suggestion.Contact {
	t.Helper()
	for _, c := range must(b.svc.Detail(b.ctx, b.deputy(0), sgID)).Contacts {
		if c.ID == contactID {
			return c
		}
	}
	t.Fatalf("contact %d not in suggestion %d", contactID, sgID)
	return suggestion.Contact{}
}

// TestConfirmContactOnlyLeadDeputy: the unit met the lead deputy, so only the lead deputy
// confirms or disputes the record. A co-signer (invited or accepted) who can see it is
// refused with a reason; a deputy who cannot see the suggestion is told it does not exist;
// nothing a refused deputy sends changes the contact, so the lead can still answer.
func TestConfirmContactOnlyLeadDeputy(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	cc := b.contactCase(t)
	other := pgtest.NewTenant(t, b.pool)

	refusals := []struct {
		name    string
		who     auth.Actor
		confirm bool
		kind    error
		code    string
	}{
		{"invited co-signer disputes", b.deputy(1), false, suggestion.ErrForbidden, "not_lead_deputy"},
		{"invited co-signer confirms", b.deputy(1), true, suggestion.ErrForbidden, "not_lead_deputy"},
		{"accepted co-signer confirms", b.deputy(2), true, suggestion.ErrForbidden, "not_lead_deputy"},
		{"accepted co-signer disputes", b.deputy(2), false, suggestion.ErrForbidden, "not_lead_deputy"},
		{"deputy of another suggestion", b.deputy(3), true, suggestion.ErrNotFound, "contact_not_found"},
		{"deputy of another tenant", auth.Deputy(other.ID, other.Deputies[0]), true, suggestion.ErrNotFound, "contact_not_found"},
		{"unit handler", b.unit(0), true, suggestion.ErrForbidden, "forbidden"},
	}
	for _, r := range refusals {
		_, err := b.svc.ConfirmContact(b.ctx, r.who, cc.before.ID, r.confirm, "没有见过面")
		if err == nil {
			t.Fatalf("%s: answered the lead deputy's contact", r.name)
		}
		wantErr(t, err, r.kind, r.code)
	}
	// A contact that does not exist answers like one of a suggestion the deputy cannot see.
	_, err := b.svc.ConfirmContact(b.ctx, b.deputy(3), cc.before.ID+1000000, true, "")
	wantErr(t, err, suggestion.ErrNotFound, "contact_not_found")
	if c := b.contactState(t, cc.sg.ID, cc.before.ID); c.Confirmation != "pending" || c.DeputyComment != "" || c.ConfirmedAt != nil {
		t.Fatalf("a refused answer changed the contact: %+v", c)
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2
		AND action IN ('contact_confirmed','contact_disputed')`, b.tn.ID, cc.sg.ID); n != 0 {
		t.Fatalf("%d contact answers on the timeline after refusals only", n)
	}

	// The lead deputy still answers: confirms one, disputes the other with the reason.
	c := must(b.svc.ConfirmContact(b.ctx, b.deputy(0), cc.before.ID, true, ""))
	if c.Confirmation != "confirmed" {
		t.Fatalf("confirmed contact: %+v", c)
	}
	_, err = b.svc.ConfirmContact(b.ctx, b.deputy(0), cc.during.ID, false, "  ")
	wantErr(t, err, suggestion.ErrInvalid, "reason_required")
	const why = "当天没有电话沟通"
	c = must(b.svc.ConfirmContact(b.ctx, b.deputy(0), cc.during.ID, false, "  "+why+" "))
	if c.Confirmation != "disputed" || c.DeputyComment != why {
		t.Fatalf("disputed contact: %+v", c)
	}
	if got := b.contactState(t, cc.sg.ID, cc.during.ID); got.Confirmation != "disputed" || got.DeputyComment != why || got.ConfirmedAt == nil {
		t.Fatalf("disputed contact as stored: %+v", got)
	}
	// A co-signer still cannot overwrite the lead's answer; the lead cannot answer twice.
	_, err = b.svc.ConfirmContact(b.ctx, b.deputy(2), cc.during.ID, true, "")
	wantErr(t, err, suggestion.ErrForbidden, "not_lead_deputy")
	_, err = b.svc.ConfirmContact(b.ctx, b.deputy(0), cc.during.ID, true, "")
	wantErr(t, err, suggestion.ErrConflict, "contact_already_answered")

	// The dispute is on the timeline with its reason and goes to the outbox for the unit and
	// the reviewers.
	var disputed bool
	for _, e := range must(b.svc.Detail(b.ctx, b.deputy(0), cc.sg.ID)).Timeline {
		if e.Action == string(suggestion.ActContactDisputed) && e.Reason == why && e.ActorID == b.tn.Deputies[0] {
			disputed = true
		}
	}
	if !disputed {
		t.Fatal("the dispute is not on the timeline")
	}
	if n := b.count(`SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2
		AND event=$3 AND payload->>'reason'=$4 AND (payload->>'contact_id')::bigint=$5`,
		b.tn.ID, cc.sg.ID, suggestion.EvContactDisputed, why, cc.during.ID); n != 1 {
		t.Fatalf("%d contact.disputed outbox rows, want 1", n)
	}
}

// TestConfirmContactStoreKeepsToLead: the store's write itself answers a contact only for the
// suggestion's lead deputy, whatever its caller checked.
func TestConfirmContactStoreKeepsToLead(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	cc := b.contactCase(t)
	store := postgres.NewSuggestionStore(b.pool)
	answer := func(deputyID int64) bool {
		var ok bool
		noErr(store.Tx(b.ctx, func(tx suggestion.Tx) error {
			var err error
			ok, err = tx.ConfirmContact(b.ctx, b.tn.ID, cc.before.ID, deputyID, "disputed", "不是我", b.now)
			return err
		}))
		return ok
	}
	if answer(b.tn.Deputies[1]) || answer(b.tn.Deputies[2]) {
		t.Fatal("the store let a co-signer answer the lead deputy's contact")
	}
	if c := b.contactState(t, cc.sg.ID, cc.before.ID); c.Confirmation != "pending" {
		t.Fatalf("contact after refused writes: %+v", c)
	}
	if !answer(b.tn.Deputies[0]) {
		t.Fatal("the store refused the lead deputy")
	}
}

func (b *bundle) count(sql string, args ...any) int {
	var n int
	noErr(b.pool.QueryRow(b.ctx, sql, args...).Scan(&n))
	return n
}
