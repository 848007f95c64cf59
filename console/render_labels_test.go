package console

import (
	"testing"

	"jianyi/internal/suggestion"
)

// Staff read the timeline by its labels: an action without one would show its raw name
// ("nudge"), and a label for an action never recorded hides a renamed one.
func TestEveryRecordedActionHasAConsoleLabel(t *testing.T) {
	recorded := map[string]bool{}
	for _, a := range suggestion.RecordedActions() {
		recorded[string(a)] = true
		if _, ok := actionLabels[string(a)]; !ok {
			t.Errorf("action %q has no label on the console's timeline", a)
		}
	}
	for a := range actionLabels {
		if !recorded[a] {
			t.Errorf("label for %q, which the service never records", a)
		}
	}
}
