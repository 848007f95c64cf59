package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Delivery is one row of deliveries: a notice on one channel.
type Delivery struct {
	TenantID      int64
	ID            int64
	NoticeID      int64
	Channel       string
	Seq           int
	RecipientKind string
	RecipientID   int64
	Status        string
	SendAfter     time.Time
	Attempts      int
	ClaimedAt     *time.Time
}

// Job is a delivery to put on the queue.
type Job struct {
	TenantID   int64
	DeliveryID int64
	At         time.Time
	// Gen, when not zero, gives the task a new id: the reconciler sets it for a delivery left
	// pending far longer than any backoff (its task was lost with a killed worker). The row
	// claim still guarantees a single send.
	Gen int64
	// touched is when the row last changed (reconciler only).
	Touched time.Time
}

// PublishTx is what creating notices needs inside a transaction.
type PublishTx interface {
	Lookup
	Settings(ctx context.Context, tenantID int64) (Settings, error)
	// LastPush: the earliest send_after of the recipient's pending pushes (zero if none) and
	// the latest sent_at of its sent pushes (zero if none).
	LastPush(ctx context.Context, tenantID int64, r Recipient) (pendingAt, lastSentAt time.Time, err error)
	// InsertNotice inserts n (unless its delivery key exists: created=false) with one delivery
	// per channel (in-app recorded sent at now, pushes pending from sendAfter) and returns the
	// first push delivery.
	InsertNotice(ctx context.Context, n *Notice, channels []string, sendAfter, now time.Time) (created bool, first *Delivery, err error)
}

// Queue puts delivery jobs on the task queue. Enqueueing a job twice is a no-op (the
// delivery id is the task id).
type Queue interface {
	EnqueueDelivery(ctx context.Context, j Job) error
}

// channelsFor lists a recipient's channels in the order pushes are tried.
func channelsFor(kind string) []string {
	if kind == RecipientDeputy {
		return []string{ChannelInApp, ChannelMPSubscribe, ChannelOATemplate}
	}
	return []string{ChannelInApp, ChannelOAStaff}
}

// publish creates the notices of specs for every recipient, keyed "<key>:<kind>:<recipient>",
// and returns the push jobs to enqueue after commit.
func publish(ctx context.Context, tx PublishTx, tenantID, suggestionID int64, key string, specs []NoticeSpec, now time.Time) ([]Job, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	set, err := tx.Settings(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("notify settings: %w", err)
	}
	var jobs []Job
	for _, sp := range specs {
		rs, err := tx.Recipients(ctx, tenantID, suggestionID, sp.Audience)
		if err != nil {
			return nil, fmt.Errorf("recipients of %s: %w", sp.Kind, err)
		}
		for _, r := range rs {
			n := &Notice{TenantID: tenantID, RecipientKind: r.Kind, RecipientID: r.ID, Kind: sp.Kind,
				Title: sp.Title, Body: sp.Body, Page: sp.Page, SuggestionID: suggestionID, Fields: sp.Fields,
				DeliveryKey: key + ":" + sp.Kind + ":" + r.Kind + ":" + strconv.FormatInt(r.ID, 10)}
			var pendingAt, lastSent time.Time
			if set.DigestWindow > 0 {
				if pendingAt, lastSent, err = tx.LastPush(ctx, tenantID, r); err != nil {
					return nil, fmt.Errorf("last push: %w", err)
				}
			}
			at := set.pushTime(now, pendingAt, lastSent)
			created, first, err := tx.InsertNotice(ctx, n, channelsFor(r.Kind), at, now)
			if err != nil {
				return nil, fmt.Errorf("insert notice: %w", err)
			}
			if created && first != nil {
				jobs = append(jobs, Job{TenantID: tenantID, DeliveryID: first.ID, At: first.SendAfter})
			}
		}
	}
	return jobs, nil
}

func enqueueAll(ctx context.Context, q Queue, log *slog.Logger, jobs []Job) {
	for _, j := range jobs {
		if err := q.EnqueueDelivery(ctx, j); err != nil {
			// The reconciler finds pending deliveries in PostgreSQL and enqueues them again.
			log.Warn("enqueue delivery failed; the reconciler will retry", "tenant_id", j.TenantID, "delivery_id", j.DeliveryID, "err", err)
		}
	}
}

// PublishStore runs a publishing transaction.
type PublishStore interface {
	PublishTx(ctx context.Context, fn func(tx PublishTx) error) error
}

// Publisher creates notices outside the outbox (reminders, escalations).
type Publisher struct {
	store PublishStore
	queue Queue
	clock Clock
	log   *slog.Logger
}

// NewPublisher builds a Publisher.
func NewPublisher(store PublishStore, queue Queue, clock Clock, log *slog.Logger) *Publisher {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{store: store, queue: queue, clock: clock, log: log}
}

// Publish creates the notices of specs once per key (a second call with the same key creates
// nothing) and queues their pushes. It reports how many notices were created.
func (p *Publisher) Publish(ctx context.Context, tenantID, suggestionID int64, key string, specs []NoticeSpec) (int, error) {
	var jobs []Job
	err := p.store.PublishTx(ctx, func(tx PublishTx) error {
		var err error
		jobs, err = publish(ctx, tx, tenantID, suggestionID, key, specs, p.clock.Now())
		return err
	})
	if err != nil {
		return 0, err
	}
	enqueueAll(ctx, p.queue, p.log, jobs)
	return len(jobs), nil
}
