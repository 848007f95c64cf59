package notify_test

import (
	"context"
	"testing"
	"time"

	"jianyi/internal/notify"
)

// ctxPublisher remembers whether the context it was handed was still live.
type ctxPublisher struct {
	calls int
	err   error
}

func (p *ctxPublisher) Publish(ctx context.Context, _, _ int64, _ string, _ []notify.NoticeSpec) (int, error) {
	p.calls++
	p.err = ctx.Err()
	return 1, nil
}

func (p *ctxPublisher) Now() time.Time { return time.Now() }

func (p *ctxPublisher) Enqueue(context.Context, []notify.Job) {}

// A unit is still told about a problem recorded against it when the staff member's browser
// went away (the request's context cancelled) between the save and the notice.
func TestTellerPublishesAfterTheRequestIsGone(t *testing.T) {
	pub := &ctxPublisher{}
	teller := notify.NewTeller(pub, nil, "test")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	teller.Tell(ctx, 1, 0, "problem:1", notify.NoticeSpec{Kind: notify.KindProblemRecorded})
	if pub.calls != 1 {
		t.Fatalf("published %d times, want once", pub.calls)
	}
	if pub.err != nil {
		t.Fatalf("the notice was published under a dead context (%v): a real publish would fail and the unit would never hear", pub.err)
	}
}
