package mpapi

import (
	"testing"
	"unicode"

	"jianyi/internal/suggestion"
)

// TestTimelineLabelsCoverRecordedActions: every action the service can record shows on the
// deputy's timeline under its own Chinese label, never the status name it would otherwise
// fall back to (an invitation to co-sign read "草稿", a disputed contact "办理中"), and the
// table holds no names the service never records.
func TestTimelineLabelsCoverRecordedActions(t *testing.T) {
	t.Parallel()
	recorded := map[suggestion.Action]bool{}
	byLabel := map[string]suggestion.Action{}
	for _, a := range suggestion.RecordedActions() {
		recorded[a] = true
		l, ok := actionLabels[a]
		if !ok {
			t.Errorf("action %q has no timeline label", a)
			continue
		}
		if !hasHan(l) {
			t.Errorf("action %q: label %q is not Chinese", a, l)
		}
		if other, dup := byLabel[l]; dup {
			t.Errorf("actions %q and %q share the label %q", other, a, l)
		}
		byLabel[l] = a
		for _, st := range suggestion.Statuses {
			if got := eventLabel(suggestion.AuditEvent{Action: string(a), To: st}); got != l {
				t.Errorf("action %q at %s is labelled %q, want %q", a, st, got, l)
			}
		}
	}
	for a := range actionLabels {
		if !recorded[a] {
			t.Errorf("label for %q, which the service never records", a)
		}
	}
}

// TestTimelineLabelFallback: an action without a label never shows a status name unless the
// line really moved the suggestion to that status.
func TestTimelineLabelFallback(t *testing.T) {
	t.Parallel()
	if got := eventLabel(suggestion.AuditEvent{Action: "unknown", To: suggestion.StatusDraft}); got == suggestion.StatusDraft.Label() {
		t.Errorf("an unlabelled line that moved nothing reads %q", got)
	}
	moved := suggestion.AuditEvent{Action: "unknown", From: suggestion.StatusHandling, To: suggestion.StatusReplied}
	if got := eventLabel(moved); got != suggestion.StatusReplied.Label() {
		t.Errorf("an unlabelled move reads %q, want %q", got, suggestion.StatusReplied.Label())
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
