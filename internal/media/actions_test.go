package media_test

import (
	"testing"

	"jianyi/internal/media"
	"jianyi/internal/suggestion"
)

// The timeline labels its lines by suggestion.RecordedActions; the photo decisions media
// records must be the names listed there, or they show unlabelled.
func TestPhotoDecisionsAreRecordedActions(t *testing.T) {
	listed := map[suggestion.Action]bool{}
	for _, a := range suggestion.RecordedActions() {
		listed[a] = true
	}
	for _, a := range []string{media.ActPhotoPassed, media.ActPhotoHidden} {
		if !listed[suggestion.Action(a)] {
			t.Errorf("media records %q, which suggestion.RecordedActions does not list", a)
		}
	}
}
