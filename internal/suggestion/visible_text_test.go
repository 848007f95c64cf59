package suggestion_test

import (
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// Text that shows nothing is no text: a title of zero-width spaces is missing, a body of
// twelve zero-width spaces is too short to submit, and a title that hides a line break, a
// bidirectional override, a byte order mark or a noncharacter is refused. A byte order mark
// pasted into a body is dropped; a noncharacter in it is refused. Before, all of these were
// saved, and the zero-width draft was submitted.
func TestInvisibleTextIsNotText(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	zw12 := strings.Repeat("\u200b", 12)
	refused := []struct {
		name string
		in   suggestion.DraftInput
		code string
	}{
		{"zero-width title and body", suggestion.DraftInput{Title: "\u200b\u200b\u200b", Body: zw12}, "title_required"},
		{"bidi override title", suggestion.DraftInput{Title: "\u202e\u202d", Body: body}, "title_required"},
		{"title with a line break", suggestion.DraftInput{Title: "关于路灯\n的建议", Body: body}, "bad_text"},
		{"title ending in a line break", suggestion.DraftInput{Title: "关于路灯的建议\n", Body: body}, "bad_text"},
		{"title with a BOM", suggestion.DraftInput{Title: "\ufeff关于路灯的建议", Body: body}, "bad_text"},
		{"title with U+FFFF", suggestion.DraftInput{Title: "关于路灯的建议\uffff", Body: body}, "bad_text"},
		{"title hiding a bidi override", suggestion.DraftInput{Title: "关于路灯\u202e的建议", Body: body}, "bad_text"},
		{"body with U+FFFF", suggestion.DraftInput{Title: "关于路灯的建议", Body: body + "\uffff"}, "bad_text"},
		{"body with U+FFFE", suggestion.DraftInput{Title: "关于路灯的建议", Body: "\ufffe" + body}, "bad_text"},
	}
	for _, r := range refused {
		_, err := b.svc.CreateDraft(b.ctx, b.deputy(0), r.in)
		if err == nil {
			t.Fatalf("%s: saved", r.name)
		}
		wantErr(t, err, suggestion.ErrInvalid, r.code)
	}
	if n := b.count(`SELECT count(*) FROM suggestions WHERE tenant_id=$1`, b.tn.ID); n != 0 {
		t.Fatalf("refused drafts stored: %d", n)
	}

	// A draft may be unfinished, but twelve zero-width spaces are not a body to submit.
	d := must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于路灯的建议", Body: zw12}))
	_, err := b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version)
	wantErr(t, err, suggestion.ErrInvalid, "body_too_short")
	// Nine characters padded with spaces and zero-width ones are still nine.
	d = must(b.svc.UpdateDraft(b.ctx, b.deputy(0), d.ID, d.Version, suggestion.DraftInput{Title: "关于路灯的建议",
		Body: "路灯\u200b不亮\u3000　请尽快\u2060修复 \u200b\u200b\u200b"}))
	_, err = b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version)
	wantErr(t, err, suggestion.ErrInvalid, "body_too_short")
	_, err = b.svc.UpdateDraft(b.ctx, b.deputy(0), d.ID, d.Version, suggestion.DraftInput{Title: "\u202e\u202d", Body: body})
	wantErr(t, err, suggestion.ErrInvalid, "title_required")
	if s := must(b.svc.Get(b.ctx, b.deputy(0), d.ID)); s.Status != suggestion.StatusDraft || s.Title != "关于路灯的建议" {
		t.Fatalf("refused edits changed the draft: %s %q", s.Status, s.Title)
	}

	// A byte order mark pasted with the body is dropped; spaces in a title are kept.
	d = must(b.svc.CreateDraft(b.ctx, b.deputy(0), suggestion.DraftInput{Title: "关于　路灯 的建议", Body: "\ufeff" + body}))
	if d.Body != body || d.Title != "关于　路灯 的建议" {
		t.Fatalf("stored title %q body %q", d.Title, d.Body)
	}
	must(b.svc.Submit(b.ctx, b.deputy(0), d.ID, d.Version))

	// The same count holds for a reply and for what must be filled in.
	_, asgs := b.assigned(t, "关于民政路拓宽的建议")
	lead := asgs[0].ID
	must(b.svc.Accept(b.ctx, b.unit(0), lead, suggestion.AcceptInput{HandlerName: "孙经办"}))
	_, err = b.svc.Accept(b.ctx, b.unit(1), asgs[1].ID, suggestion.AcceptInput{HandlerName: "\u200b\u200b"})
	wantErr(t, err, suggestion.ErrInvalid, "handler_required")
	_, err = b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now, Method: "电话", People: "孙经办", Summary: "\u200b\u200b\u200b"})
	wantErr(t, err, suggestion.ErrInvalid, "contact_incomplete")
	must(b.svc.RecordContact(b.ctx, b.unit(0), lead, suggestion.ContactInput{Stage: suggestion.ContactBefore,
		HappenedAt: b.now, Method: "电话", People: "孙经办", Summary: "沟通了办理思路"}))
	_, err = b.svc.Reply(b.ctx, b.unit(0), lead, suggestion.ReplyInput{Class: suggestion.ClassA, Body: "已解决" + zw12})
	wantErr(t, err, suggestion.ErrInvalid, "reply_too_short")
	_, err = b.svc.AddProgress(b.ctx, b.unit(0), asgs[0].SuggestionID, "\u200b\u200b", false)
	wantErr(t, err, suggestion.ErrInvalid, "note_required")
}
