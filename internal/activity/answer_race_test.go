package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// An answer given to the activity as it was before its time moved does not land on the reset
// invitation: the deputy must answer the new time (the store refuses the stale version).
func TestAnswerToAMovedActivityIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	act := b.create(b.input())
	seen := act.Version // the deputy reads the activity …
	in := b.input()
	in.StartsAt = in.StartsAt.Add(24 * time.Hour)
	if _, err := b.svc.Update(ctx, b.reviewer(), act.ID, act.Version, in); err != nil { // … staff move it …
		t.Fatal(err)
	}
	store := postgres.NewActivityStore(b.pool)
	_, err := store.SetAnswer(ctx, b.tn.ID, act.ID, seen, b.tn.Deputies[0], activity.AnswerAccepted, "", b.clock(), nil) // … the answer lands
	if !errors.Is(err, activity.ErrConflict) {
		t.Fatalf("stale answer: %v, want conflict", err)
	}
	got, err := b.svc.Get(ctx, b.deputy(0), act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Invitations[0].Answer != activity.AnswerInvited {
		t.Fatalf("the invitation reads %s after the move, want invited", got.Invitations[0].Answer)
	}
	// Answering the activity as it is now works.
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, ""); err != nil {
		t.Fatal(err)
	}
}

// Invited deputies see an activity's linked suggestions, so only registered (numbered) ones
// may be linked: a submission still under review is another deputy's own business.
func TestOnlyRegisteredSuggestionsAreLinked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	dep := b.deputy(2)
	d, err := b.sugg.CreateDraft(ctx, dep, suggestion.DraftInput{Title: "关于增设公交站台的建议", Body: "新建小区周边缺少公交站台，建议增设。"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.sugg.Submit(ctx, dep, d.ID, d.Version); err != nil {
		t.Fatal(err)
	}
	before := b.tables()
	in := b.input()
	in.SuggestionIDs = []int64{d.ID}
	_, err = b.svc.Create(ctx, b.reviewer(), in)
	wantCode(t, "linking a submitted suggestion", err, activity.ErrInvalid, "unknown_suggestion")
	if after := b.tables(); after != before {
		t.Fatal("a refused activity was written")
	}
	in.SuggestionIDs = []int64{b.suggestion(b.tn, "关于民政路拓宽的建议", false)}
	if _, err := b.svc.Create(ctx, b.reviewer(), in); err != nil {
		t.Fatalf("linking a registered suggestion: %v", err)
	}
}
