package notify

import (
	"context"
	"log/slog"
	"time"
)

// Publishing is what a Teller tells through; Publisher implements it.
type Publishing interface {
	// Now is the time notices are created at (their push time follows from it).
	Now() time.Time
	// Enqueue puts on the queue the pushes of notices a store published in a record's
	// transaction, once it committed.
	Enqueue(ctx context.Context, jobs []Job)
}

// Teller tells of the records of services that are not workflow changes with an outbox row
// (专题测评, 问题清单, 约谈, 代表参与活动). Their stores publish the notices Notices builds in the
// transaction that saves the record (PublishIn), so the record and its notices commit
// together or not at all; after commit the service queues the pushes (Queue). The zero
// Teller tells nobody.
type Teller struct {
	pub  Publishing
	log  *slog.Logger
	from string // the service, in the log line
}

// NewTeller tells through pub (nil: nobody) and logs failures to log as from.
func NewTeller(pub Publishing, log *slog.Logger, from string) Teller {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Teller{pub: pub, log: log, from: from}
}

// tellWithin bounds the enqueue once it no longer follows the request's context.
const tellWithin = 10 * time.Second

// Notices starts the notices of one record, to publish in the transaction that saves it; it
// is nil (nobody is told) when the Teller tells nobody.
func (t Teller) Notices() *Notices {
	if t.pub == nil {
		return nil
	}
	return &Notices{now: t.pub.Now()}
}

// Queue puts the pushes of notices published with a record on the queue, after the record
// committed. The notices are saved by then, so this no longer depends on the request (a
// browser closing the page does not stop it), and a failed enqueue is left to the notify
// reconciler, which finds the deliveries pending in PostgreSQL.
func (t Teller) Queue(ctx context.Context, jobs []Job) {
	if t.pub == nil || len(jobs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tellWithin)
	defer cancel()
	t.pub.Enqueue(ctx, jobs)
}

// Notices are the notices of one record, published by its store in the transaction that
// saves it (PublishIn). A nil *Notices holds none.
type Notices struct {
	now   time.Time
	items []publishItem
}

// Add adds specs under key (suggestionID 0 when they are about no suggestion); a key
// publishes once, as with Publisher.Publish. It returns n, for chaining; on nil it adds
// nothing.
func (n *Notices) Add(tenantID, suggestionID int64, key string, specs ...NoticeSpec) *Notices {
	if n != nil && len(specs) > 0 {
		n.items = append(n.items, publishItem{tenantID: tenantID, suggestionID: suggestionID, key: key, specs: specs})
	}
	return n
}

// Empty reports whether n holds no notice.
func (n *Notices) Empty() bool { return n == nil || len(n.items) == 0 }

// PublishIn creates the notices of n inside tx, the transaction that saves the record they
// are about, and returns the push jobs to enqueue once it committed (Teller.Queue). It does
// what Publisher.Publish does, in the caller's transaction.
func PublishIn(ctx context.Context, tx PublishTx, n *Notices) ([]Job, error) {
	if n.Empty() {
		return nil, nil
	}
	return publish(ctx, tx, n.items, n.now)
}
