package suggestion_test

import (
	"strings"
	"testing"

	"jianyi/internal/suggestion"
)

// A unit reporting a commitment done with a note over the limit is told the note is too long,
// not asked to fill it in; the commitment stays open.
func TestCommitmentNoteTooLongSaysSo(t *testing.T) {
	t.Parallel()
	defer catch(t)
	b := setup(t)
	s, _ := b.cosignedReply(t, suggestion.ClassB)
	det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID))
	id := det.Replies[0].Commitments[0].ID

	err := b.svc.CompleteCommitment(b.ctx, b.unit(0), id, strings.Repeat("完", suggestion.MaxReason+1))
	wantErr(t, err, suggestion.ErrInvalid, "note_too_long")
	wantMsg(t, err, "完成情况不能超过1000个字")
	err = b.svc.CompleteCommitment(b.ctx, b.unit(0), id, "  ")
	wantErr(t, err, suggestion.ErrInvalid, "note_required")
	if det := must(b.svc.Detail(b.ctx, b.reviewer(), s.ID)); det.Replies[0].Commitments[0].DoneAt != nil {
		t.Fatal("a refused note completed the commitment")
	}
	noErr(b.svc.CompleteCommitment(b.ctx, b.unit(0), id, "拓宽工程已完工通车"))
}
