package activity_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/internal/activity"
	"jianyi/internal/notify"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// When the notices cannot be published, the change is not saved either (no deputy invited
// without being told, no activity moved or cancelled behind the invitees' backs), and the
// same action done again once PostgreSQL takes notices saves it and tells.
func TestChangeAndItsNoticesCommitTogether(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rev := b.reviewer()
	act := b.create(b.input())
	moved := b.input()
	moved.StartsAt = moved.StartsAt.Add(24 * time.Hour)

	restore := pgtest.FailNotices(t, b.pool, b.tn.ID)
	before := b.tables()
	if _, err := b.svc.Create(ctx, rev, b.input()); err == nil {
		t.Error("an activity was created whose invitations could not be told")
	}
	if _, err := b.svc.Update(ctx, rev, act.ID, act.Version, moved); err == nil {
		t.Error("an activity was moved whose invitees could not be told")
	}
	if _, err := b.svc.Invite(ctx, rev, act.ID, []int64{b.tn.Deputies[2]}); err == nil {
		t.Error("a deputy was invited who could not be told")
	}
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, "准时参加"); err == nil {
		t.Error("an answer was saved the organiser could not be told of")
	}
	if _, err := b.svc.Cancel(ctx, rev, act.ID, act.Version, "天气原因"); err == nil {
		t.Error("an activity was cancelled whose invitees could not be told")
	}
	if after := b.tables(); after != before {
		t.Fatalf("a failed publish left a change behind:\n%s\n%s", before, after)
	}

	restore()
	if _, err := b.svc.Invite(ctx, rev, act.ID, []int64{b.tn.Deputies[2]}); err != nil {
		t.Fatalf("the retried invitation: %v", err)
	}
	if got := b.told(notify.KindActivityInvited); !slices.Contains(got, "deputy:"+strconv.FormatInt(b.tn.Deputies[2], 10)) {
		t.Fatalf("the invited deputy was not told: %v", got)
	}
	if _, err := b.svc.Answer(ctx, b.deputy(0), act.ID, true, "准时参加"); err != nil {
		t.Fatalf("the retried answer: %v", err)
	}
	if got := b.told(notify.KindActivityAnswered); len(got) != 1 {
		t.Fatalf("the organiser was told %v, want once", got)
	}
	cur, err := b.svc.Get(ctx, rev, act.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Cancel(ctx, rev, act.ID, cur.Version, "天气原因"); err != nil {
		t.Fatalf("the retried cancel: %v", err)
	}
	if got := deputies(b.told(notify.KindActivityCancelled)); len(got) != 3 {
		t.Fatalf("cancel told %v, want the three invitees", got)
	}
}

// deputies keeps the deputies among told (the unit's staff hear of the same change too).
func deputies(told []string) []string {
	return slices.DeleteFunc(told, func(s string) bool { return !strings.HasPrefix(s, "deputy:") })
}

// hangupStore holds the service back right after an update is committed until the
// organiser's browser has hung up: Update commits, then waits for the request's context to
// end before it returns.
type hangupStore struct {
	activity.Store
	reached chan struct{}
	once    sync.Once
}

func (h *hangupStore) Update(ctx context.Context, tenantID, id int64, version int, in activity.Input, reset bool, at time.Time,
	tell func(*activity.Activity) *notify.Notices) (*activity.Activity, []notify.Job, error) {
	act, jobs, err := h.Store.Update(ctx, tenantID, id, version, in, reset, at, tell)
	h.once.Do(func() {
		close(h.reached)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	})
	return act, jobs, err
}

// The organiser moves an activity and closes the page right after the save: the invitees are
// told of the new time all the same, once each.
func TestHangUpAfterAMoveStillTellsTheInvitees(t *testing.T) {
	t.Parallel()
	b := setup(t)
	act := b.create(b.input())
	hang := &hangupStore{Store: postgres.NewActivityStore(b.pool), reached: make(chan struct{})}
	queue := jredis.NewQueue(redistest.New(t))
	t.Cleanup(func() { _ = queue.Close() })
	pub := notify.NewPublisher(postgres.NewNotifyStore(b.pool), queue, notify.ClockFunc(b.clock), nil)
	svc := activity.NewService(hang, b.clock).WithNotices(pub, nil)
	in := b.input()
	in.StartsAt = in.StartsAt.Add(24 * time.Hour)

	ctx, hangUp := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := svc.Update(ctx, b.reviewer(), act.ID, act.Version, in)
		done <- err
	}()
	<-hang.reached
	hangUp()
	<-done // the page is gone: whatever the request answers, nobody reads it
	want := []string{"deputy:" + strconv.FormatInt(b.tn.Deputies[0], 10), "deputy:" + strconv.FormatInt(b.tn.Deputies[1], 10)}
	if got := deputies(b.told(notify.KindActivityChanged)); !slices.Equal(got, want) {
		t.Fatalf("after the hang-up the invitees were told %v, want %v", got, want)
	}
}
