package suggestion_test

import (
	"testing"

	"jianyi/internal/suggestion"
)

// A progress note sent again (the form resent from the back button, a double click) is the
// note already written: the same note comes back, and there is no second note, timeline
// line or notice. The same words after another note, or kept private where the first was
// shared, are a new note.
func TestProgressNoteSentAgainIsOneNote(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, asgs := b.assigned(t, "关于民政路拓宽的建议")
	must(b.svc.Accept(b.ctx, b.unit(0), asgs[0].ID, suggestion.AcceptInput{HandlerName: "孙经办"}))
	notes := func() int { return b.count(`SELECT count(*) FROM progress_notes WHERE suggestion_id = $1`, s.ID) }
	notices := func() int {
		return b.count(`SELECT count(*) FROM outbox WHERE suggestion_id = $1 AND event = $2`, s.ID, suggestion.EvProgress)
	}
	lines := b.auditCount(t, s.ID)

	first := must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查", false))
	again := must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "  已完成现场勘查 ", false))
	if again.ID != first.ID || notes() != 1 || notices() != 1 || b.auditCount(t, s.ID) != lines+1 {
		t.Fatalf("sent again: note %d (first %d), %d notes, %d notices, %d timeline lines",
			again.ID, first.ID, notes(), notices(), b.auditCount(t, s.ID)-lines)
	}
	// Another author's identical words are their own note.
	leader := must(b.svc.AddProgress(b.ctx, b.leader(), s.ID, "已完成现场勘查", false))
	if leader.ID == first.ID || notes() != 2 {
		t.Fatalf("the leader's note was taken for the unit's: %d notes", notes())
	}
	// The unit's words again after the leader's note, and kept private: new notes both.
	must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查", false))
	must(b.svc.AddProgress(b.ctx, b.unit(0), s.ID, "已完成现场勘查", true))
	if notes() != 4 {
		t.Fatalf("%d notes, want 4", notes())
	}
}
