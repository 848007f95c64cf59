package mpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// discardQueue drops delivery jobs: the test reads the notices the relay writes.
type discardQueue struct{}

func (discardQueue) EnqueueDelivery(context.Context, notify.Job) error { return nil }

type contactView struct {
	ID            int64
	Stage         string
	Confirmation  string
	DeputyComment string `json:"deputy_comment"`
}

type contactDetail struct {
	Contacts []contactView
	Timeline []struct {
		Action string
		Label  string
		Reason string
	}
}

// TestContactConfirmAndDispute is 三见面 from the deputy's phone: the unit records a
// "before" and a "during" contact; a co-signer who was invited but never accepted tries to
// answer them and is refused (nothing changes); deputies who cannot see the suggestion are
// told it does not exist; the lead deputy confirms one and disputes the other with a reason,
// which the timeline shows and the unit and the reviewer are told; answering again is a
// conflict.
func TestContactConfirmAndDispute(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	pgtest.MustExec(t, b.pool, `INSERT INTO deputies (tenant_id, id, name, phone) VALUES (1, 12, '赵六', '13800000004')`)
	pgtest.MustExec(t, b.pool, `INSERT INTO user_roles (tenant_id, user_id, role) VALUES (1, 1, 'reviewer'), (1, 3, 'unit_handler')`)

	lead := b.deputy("openid-zhang", "jyg", "13800000001")
	co := b.deputy("openid-li", "jyg", "13800000002")
	stranger := b.deputy("openid-zhao", "jyg", "13800000004")
	elsewhere := b.deputy("openid-wang", "other", "13800000003")

	// The lead deputy writes, invites 李四 (who never answers) and submits.
	id := b.draft(lead, "关于修复雄关路路灯的建议")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/cosigners", id), lead, map[string]any{"deputy_ids": []int64{11}}), 204, "invite co-signer")
	b.want(b.do("POST", fmt.Sprintf("/api/v1/suggestions/%d/submit", id), lead, map[string]any{}, "Idempotency-Key", "submit-contact"), 200, "submit")

	// The core drives it to the unit: register, assign, accept, two contacts.
	asg := b.accepted(id)
	before, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: time.Now().Add(-2 * time.Hour), Method: "座谈", People: "赵经办、张三", Summary: "听取代表对路灯修复的意见"})
	if err != nil {
		t.Fatal(err)
	}
	during, err := b.sugg.RecordContact(ctx, handler, asg, suggestion.ContactInput{Stage: suggestion.ContactDuring,
		HappenedAt: time.Now().Add(-time.Hour), Method: "电话", People: "赵经办、张三", Summary: "征求对修复方案的意见"})
	if err != nil {
		t.Fatal(err)
	}
	confirmPath := func(c *suggestion.Contact) string { return fmt.Sprintf("/api/v1/contacts/%d/confirmation", c.ID) }
	detail := func(tok string) contactDetail {
		t.Helper()
		r := b.do("GET", fmt.Sprintf("/api/v1/suggestions/%d", id), tok, nil)
		b.want(r, 200, "detail")
		var out contactDetail
		r.json(t, &out)
		return out
	}
	contact := func(dt contactDetail, cid int64) contactView {
		t.Helper()
		for _, c := range dt.Contacts {
			if c.ID == cid {
				return c
			}
		}
		t.Fatalf("contact %d not in the detail: %+v", cid, dt.Contacts)
		return contactView{}
	}

	// The invited co-signer sees the suggestion and its contacts, but may not answer them.
	if c := contact(detail(co), before.ID); c.Confirmation != "pending" {
		t.Fatalf("co-signer's view of the contact: %+v", c)
	}
	for _, body := range []map[string]any{{"confirm": true}, {"confirm": false, "comment": "没有见过面"}} {
		r := b.do("POST", confirmPath(before), co, body)
		b.want(r, 403, "co-signer answers the lead's contact")
		var e struct{ Code, Message string }
		r.json(t, &e)
		if e.Code != "not_lead_deputy" || !strings.Contains(e.Message, "领衔代表") {
			t.Fatalf("co-signer's refusal: %s", r.Body)
		}
	}
	// Deputies who cannot see the suggestion do not learn it exists.
	for who, tok := range map[string]string{"another deputy": stranger, "another tenant's deputy": elsewhere} {
		b.want(b.do("POST", confirmPath(before), tok, map[string]any{"confirm": false, "comment": "没有见过面"}), 404, who+" answers the contact")
	}
	dt := detail(lead)
	for _, cid := range []int64{before.ID, during.ID} {
		if c := contact(dt, cid); c.Confirmation != "pending" || c.DeputyComment != "" {
			t.Fatalf("a refused answer changed contact %d: %+v", cid, c)
		}
	}
	if n := b.count(`SELECT count(*) FROM audit_events WHERE tenant_id=1 AND suggestion_id=$1
		AND action IN ('contact_confirmed', 'contact_disputed')`, id); n != 0 {
		t.Fatalf("%d contact answers recorded after refusals only", n)
	}

	// The lead deputy confirms the "before" contact.
	r := b.do("POST", confirmPath(before), lead, map[string]any{"confirm": true})
	b.want(r, 200, "lead confirms")
	var got contactView
	r.json(t, &got)
	if got.ID != before.ID || got.Confirmation != "confirmed" {
		t.Fatalf("confirm answer: %s", r.Body)
	}

	// Disputing needs a reason; with one, the dispute is recorded with it.
	r = b.do("POST", confirmPath(during), lead, map[string]any{"confirm": false})
	b.want(r, 422, "dispute without a reason")
	if r.code() != "reason_required" {
		t.Fatalf("dispute without a reason: %s", r.Body)
	}
	const why = "当天没有接到电话，方案也未征求过我的意见"
	r = b.do("POST", confirmPath(during), lead, map[string]any{"confirm": false, "comment": why})
	b.want(r, 200, "lead disputes")
	r.json(t, &got)
	if got.Confirmation != "disputed" || got.DeputyComment != why {
		t.Fatalf("dispute answer: %s", r.Body)
	}

	// Each contact is answered once, by the lead, and nobody overwrites the answer: the same
	// answer again (a retry) gets the recorded one back, the other answer is refused.
	r = b.do("POST", confirmPath(during), lead, map[string]any{"confirm": false, "comment": "重试"})
	b.want(r, 200, "lead disputes again")
	r.json(t, &got)
	if got.Confirmation != "disputed" || got.DeputyComment != why {
		t.Fatalf("retried dispute: %s", r.Body)
	}
	for _, c := range []*suggestion.Contact{before, during} {
		r = b.do("POST", confirmPath(c), lead, map[string]any{"confirm": c == during, "comment": "改变主意"})
		b.want(r, 409, "lead answers otherwise")
		if r.code() != "contact_already_answered" {
			t.Fatalf("second answer: %s", r.Body)
		}
	}
	b.want(b.do("POST", confirmPath(during), co, map[string]any{"confirm": true}), 403, "co-signer overwrites the dispute")

	// The deputy's phone shows both answers and the timeline has them, the dispute with its reason.
	dt = detail(lead)
	if c := contact(dt, before.ID); c.Confirmation != "confirmed" {
		t.Fatalf("confirmed contact: %+v", c)
	}
	if c := contact(dt, during.ID); c.Confirmation != "disputed" || c.DeputyComment != why {
		t.Fatalf("disputed contact: %+v", c)
	}
	var confirmed, disputed int
	for _, e := range dt.Timeline {
		switch e.Action {
		case "contact_confirmed":
			confirmed++
		case "contact_disputed":
			disputed++
			if e.Reason != why {
				t.Fatalf("dispute on the timeline without its reason: %+v", e)
			}
		}
	}
	if confirmed != 1 || disputed != 1 {
		t.Fatalf("timeline: %d confirmations, %d disputes, want 1 and 1: %+v", confirmed, disputed, dt.Timeline)
	}
	// Each line reads what happened, not the status the suggestion was in at the time.
	labels := map[string]string{"invite_cosigners": "邀请联名", "submit": "提交建议",
		"record_contact": "承办单位记录沟通", "contact_confirmed": "确认沟通", "contact_disputed": "对沟通有异议"}
	for _, e := range dt.Timeline {
		if want, ok := labels[e.Action]; ok && e.Label != want {
			t.Errorf("timeline line %s reads %q, want %q", e.Action, e.Label, want)
		}
	}

	// Staff are told of the dispute: the unit's handler and the reviewer, with the reason.
	relay := notify.NewRelay(postgres.NewNotifyStore(b.pool), discardQueue{}, nil, nil)
	if err := relay.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := b.pool.Query(ctx, `SELECT recipient_kind, recipient_id, body FROM notices
		WHERE tenant_id=1 AND suggestion_id=$1 AND kind=$2 ORDER BY recipient_id`, id, notify.KindDisputed)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for rows.Next() {
		var kind, body string
		var rid int64
		if err := rows.Scan(&kind, &rid, &body); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, why) {
			t.Errorf("dispute notice to %s %d lacks the reason: %s", kind, rid, body)
		}
		told = append(told, fmt.Sprintf("%s:%d", kind, rid))
	}
	rows.Close()
	if strings.Join(told, ",") != "user:1,user:3" {
		t.Fatalf("dispute notices went to %v, want the reviewer (user:1) and the unit handler (user:3)", told)
	}
}
