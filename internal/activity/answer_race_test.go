package activity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jianyi/internal/activity"
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
	err := store.SetAnswer(ctx, b.tn.ID, act.ID, seen, b.tn.Deputies[0], activity.AnswerAccepted, "", b.clock()) // … the answer lands
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
