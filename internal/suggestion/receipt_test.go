package suggestion_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"jianyi/internal/suggestion"
)

// A change with a receipt stores the answer with it; a key another request has taken rolls
// the whole change back.
func TestReceiptIsWrittenWithTheChange(t *testing.T) {
	defer catch(t)
	b := setup(t)
	dep := b.deputy(0)
	receipt := func(key string) *suggestion.Receipt {
		return &suggestion.Receipt{Actor: fmt.Sprintf("deputy:%d", dep.ID), Key: key, Hash: "h", Status: 200,
			Render: func(s *suggestion.Suggestion) ([]byte, error) {
				return json.Marshal(map[string]any{"id": s.ID, "status": s.Status, "version": s.Version})
			}}
	}
	d1 := must(b.svc.CreateDraft(b.ctx, dep, suggestion.DraftInput{Title: "路灯维修", Body: body}))
	d2 := must(b.svc.CreateDraft(b.ctx, dep, suggestion.DraftInput{Title: "道路拓宽", Body: body}))

	r := receipt("k1")
	s := must(b.svc.Submit(suggestion.WithReceipt(b.ctx, r), dep, d1.ID, d1.Version))
	var raw string
	var status int
	noErr(b.pool.QueryRow(b.ctx, `SELECT status_code, response FROM idempotency_keys WHERE tenant_id=$1 AND actor=$2 AND key='k1'`,
		b.tn.ID, r.Actor).Scan(&status, &raw))
	var stored map[string]any
	noErr(json.Unmarshal([]byte(raw), &stored))
	if status != 200 || raw != string(r.Body) || stored["status"] != "submitted" || stored["version"] != float64(s.Version) {
		t.Fatalf("stored answer %d %s, rendered %s, suggestion version %d", status, raw, r.Body, s.Version)
	}

	_, err := b.svc.Submit(suggestion.WithReceipt(b.ctx, receipt("k1")), dep, d2.ID, d2.Version)
	wantErr(t, err, suggestion.ErrConflict, "idempotency_key_taken")
	if got := must(b.svc.Get(b.ctx, dep, d2.ID)); got.Status != suggestion.StatusDraft || got.Version != d2.Version {
		t.Fatalf("the refused submit changed the draft: %s v%d", got.Status, got.Version)
	}
	var n int
	noErr(b.pool.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND suggestion_id=$2 AND action='submit')
		+ (SELECT count(*) FROM outbox WHERE tenant_id=$1 AND suggestion_id=$2)`, b.tn.ID, d2.ID).Scan(&n))
	if n != 0 {
		t.Fatalf("the refused submit left %d audit or outbox rows", n)
	}
	// Another key submits it.
	if s := must(b.svc.Submit(suggestion.WithReceipt(b.ctx, receipt("k2")), dep, d2.ID, d2.Version)); s.Status != suggestion.StatusSubmitted {
		t.Fatalf("with a fresh key: %s", s.Status)
	}
}

// A new draft whose key is taken is not created: a retried save leaves one draft.
func TestDraftReceiptTakenCreatesNothing(t *testing.T) {
	defer catch(t)
	b := setup(t)
	dep := b.deputy(0)
	r := func() *suggestion.Receipt {
		return &suggestion.Receipt{Actor: fmt.Sprintf("deputy:%d", dep.ID), Key: "draft-1", Hash: "h", Status: 201,
			Render: func(s *suggestion.Suggestion) ([]byte, error) { return json.Marshal(map[string]any{"id": s.ID}) }}
	}
	in := suggestion.DraftInput{Title: "路灯维修", Body: body}
	first := must(b.svc.CreateDraft(suggestion.WithReceipt(b.ctx, r()), dep, in))
	_, err := b.svc.CreateDraft(suggestion.WithReceipt(b.ctx, r()), dep, in)
	wantErr(t, err, suggestion.ErrConflict, "idempotency_key_taken")
	var drafts, events int
	noErr(b.pool.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM suggestions WHERE tenant_id=$1),
		(SELECT count(*) FROM audit_events WHERE tenant_id=$1 AND action='create_draft')`, b.tn.ID).Scan(&drafts, &events))
	if drafts != 1 || events != 1 {
		t.Fatalf("%d drafts and %d events after a retried save, want 1 and 1 (draft %d)", drafts, events, first.ID)
	}
}
