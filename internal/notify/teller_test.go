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

func (p *ctxPublisher) Now() time.Time { return time.Now() }

func (p *ctxPublisher) Enqueue(ctx context.Context, _ []notify.Job) {
	p.calls++
	p.err = ctx.Err()
}

// A unit's push is still queued when the staff member's browser went away (the request's
// context cancelled) between the commit of the record with its notices and the enqueue.
func TestTellerQueuesAfterTheRequestIsGone(t *testing.T) {
	pub := &ctxPublisher{}
	teller := notify.NewTeller(pub, nil, "test")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	teller.Queue(ctx, []notify.Job{{TenantID: 1, DeliveryID: 1}})
	if pub.calls != 1 {
		t.Fatalf("queued %d times, want once", pub.calls)
	}
	if pub.err != nil {
		t.Fatalf("the push was queued under a dead context (%v): a real enqueue would fail and wait for the reconciler", pub.err)
	}
}

// The zero Teller tells nobody: it builds no notices and queues nothing.
func TestZeroTellerTellsNobody(t *testing.T) {
	var teller notify.Teller
	n := teller.Notices().Add(1, 0, "k", notify.NoticeSpec{Kind: notify.KindProblemRecorded})
	if !n.Empty() {
		t.Fatal("the zero Teller built notices")
	}
	teller.Queue(context.Background(), []notify.Job{{TenantID: 1, DeliveryID: 1}}) // must not panic
}
