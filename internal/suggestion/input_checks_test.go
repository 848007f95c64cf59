package suggestion_test

import (
	"strings"
	"testing"
	"time"

	"jianyi/internal/suggestion"
)

// auditCount is how many timeline lines the suggestion has: a refused call adds none.
func (b *bundle) auditCount(t *testing.T, id int64) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(b.ctx, `SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2`, b.tn.ID, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Text no person typed (NUL, control characters, broken UTF-8), half a coordinate, dates
// nobody means and fields far too long are refused with a Chinese message and a stable code,
// by every workflow call that takes them, and nothing is written. Before, a NUL reached
// PostgreSQL and came back as a 500.
func TestWorkflowRefusesBadInput(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	lat := 39.8
	_, err := b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "标题\x00", Body: body})
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
	_, err = b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于路灯的建议", Body: "正文\xff\xfe"})
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
	_, err = b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于路灯的建议", Body: body,
		Location: suggestion.Location{Lat: &lat}})
	wantErr(t, err, suggestion.ErrInvalid, "bad_location")
	var drafts int
	if err := b.pool.QueryRow(b.ctx, `SELECT count(*) FROM suggestions WHERE tenant_id=$1`, b.tn.ID).Scan(&drafts); err != nil || drafts != 0 {
		t.Fatalf("refused drafts stored: %d (%v)", drafts, err)
	}
	// Tabs and line breaks are what people type: accepted.
	must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于路灯的建议", Body: "一、现状\n\t路灯不亮。\r\n二、建议\n\t尽快修复。"}))

	s, asgs := b.assigned(t, "关于民政路拓宽的建议")
	lead := asgs[0].ID
	before := b.auditCount(t, s.ID)
	_, err = b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: strings.Repeat("孙", 100_000)})
	wantErr(t, err, suggestion.ErrInvalid, "too_long")
	_, err = b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办\x07"})
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
	_, err = b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办",
		Chain: &suggestion.Chain{Principal: strings.Repeat("长", 5000), InCharge: "分管", Handler: "科长"}})
	wantErr(t, err, suggestion.ErrInvalid, "too_long")
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	before++

	contact := func(mut func(*suggestion.ContactInput)) error {
		in := suggestion.ContactInput{Stage: suggestion.ContactBefore, HappenedAt: b.now.Add(-time.Hour),
			Method: "电话", People: "孙经办、张建国代表", Summary: "沟通了办理思路"}
		mut(&in)
		_, err := b.svc.RecordContact(b.ctx, b.unit(0), lead, in)
		return err
	}
	wantErr(t, contact(func(in *suggestion.ContactInput) { in.Method = strings.Repeat("电话", 1000) }), suggestion.ErrInvalid, "too_long")
	wantErr(t, contact(func(in *suggestion.ContactInput) { in.People = strings.Repeat("人", 100_000) }), suggestion.ErrInvalid, "too_long")
	wantErr(t, contact(func(in *suggestion.ContactInput) { in.Summary = "情况\x00" }), suggestion.ErrInvalid, "bad_text")
	wantErr(t, contact(func(in *suggestion.ContactInput) { in.HappenedAt = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC) }), suggestion.ErrInvalid, "bad_time")
	wantErr(t, contact(func(in *suggestion.ContactInput) { in.HappenedAt = time.Date(1900, 5, 1, 0, 0, 0, 0, time.UTC) }), suggestion.ErrInvalid, "bad_time")
	noErr(contact(func(*suggestion.ContactInput) {}))
	before++

	reply := func(due time.Time, what string) error {
		_, err := b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassB,
			Body: "拓宽工程已列入明年计划，先行实施交通疏导。", Commitments: []suggestion.CommitmentInput{{What: what, DueOn: due}}})
		return err
	}
	wantErr(t, reply(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), "完成拓宽"), suggestion.ErrInvalid, "bad_commitment_due")
	wantErr(t, reply(b.now.AddDate(-1, 0, 0), "完成拓宽"), suggestion.ErrInvalid, "bad_commitment_due")
	wantErr(t, reply(b.now.AddDate(30, 0, 0), "完成拓宽"), suggestion.ErrInvalid, "bad_commitment_due")
	wantErr(t, reply(b.now.AddDate(0, 6, 0), "完成\x00拓宽"), suggestion.ErrInvalid, "bad_text")
	_, err = b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查\x1b[31m", false)
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
	_, err = b.svc.Return(b.ctx, b.reviewer(), s.ID, -1, "理由\x00")
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
	if n := b.auditCount(t, s.ID); n != before {
		t.Fatalf("refused calls wrote %d timeline lines", n-before)
	}

	noErr(reply(b.now.AddDate(0, 6, 0), "完成民政路拓宽"))
	_, err = b.svc.RateReply(b.ctx, b.deputy(0), s.ID, suggestion.Unsatisfied, "理由\xc3\x28")
	wantErr(t, err, suggestion.ErrInvalid, "bad_text")
}

// Inviting the same co-signers again (a resent request from a weak network) records and tells
// nothing new, and never turns an accepted co-signer back into an invitee; inviting one who
// declined asks again.
func TestReinvitingCosignersChangesNothing(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	lead := b.deputy(0)
	d := must(b.svc.CreateDraft(b.ctx, lead, suggestion.DraftInput{Title: "关于民政路提升改建的建议", Body: body}))
	invite := func(ids ...int64) { noErr(b.svc.InviteCosigners(b.ctx, lead, d.ID, ids)) }
	outbox := func() int {
		var n int
		if err := b.pool.QueryRow(b.ctx, `SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2 AND event=$3`,
			b.tn.ID, d.ID, suggestion.EvCosignInvited).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	invite(b.tn.Deputies[1], b.tn.Deputies[2])
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(1), d.ID, true))
	noErr(b.svc.RespondCosign(b.ctx, b.deputy(2), d.ID, false))
	lines, sent := b.auditCount(t, d.ID), outbox()

	invite(b.tn.Deputies[1])
	invite(b.tn.Deputies[1])
	if b.auditCount(t, d.ID) != lines || outbox() != sent {
		t.Fatalf("re-inviting an accepted co-signer wrote %d lines and %d notices", b.auditCount(t, d.ID)-lines, outbox()-sent)
	}
	det := must(b.svc.Detail(b.ctx, lead, d.ID))
	for _, c := range det.Cosigners {
		if c.DeputyID == b.tn.Deputies[1] && c.State != "accepted" {
			t.Fatalf("re-invite turned an accepted co-signer into %q", c.State)
		}
	}

	invite(b.tn.Deputies[1], b.tn.Deputies[2]) // the one who declined is asked again
	if b.auditCount(t, d.ID) != lines+1 || outbox() != sent+1 {
		t.Fatalf("inviting a co-signer who declined: %d lines, %d notices", b.auditCount(t, d.ID)-lines, outbox()-sent)
	}
	var ids []int64
	if err := b.pool.QueryRow(b.ctx, `SELECT ARRAY(SELECT jsonb_array_elements_text(data->'deputy_ids')::bigint) FROM audit_events
		WHERE tenant_id=$1 AND suggestion_id=$2 AND action='invite_cosigners' ORDER BY id DESC LIMIT 1`, b.tn.ID, d.ID).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != b.tn.Deputies[2] {
		t.Fatalf("the new invitation names %v, want only the deputy who declined", ids)
	}
}
