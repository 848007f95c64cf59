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

// PublishTx is what creating notices needs inside a transaction. Its batch methods take the
// notices of a whole relay batch at once, so a batch costs a handful of round trips however
// many events and recipients it holds.
type PublishTx interface {
	Lookup
	Settings(ctx context.Context, tenantID int64) (Settings, error)
	// RecipientsOf resolves several audiences in one round trip (as Recipients would, one by
	// one); out[i] belongs to qs[i].
	RecipientsOf(ctx context.Context, qs []AudienceOf) ([][]Recipient, error)
	// LastPushes: per recipient, the latest send_after of its pending pushes (zero if none)
	// and the latest sent_at of its sent pushes (zero if none).
	LastPushes(ctx context.Context, rs []TenantRecipient) (map[TenantRecipient]PushState, error)
	// InsertNotices inserts the notices (those whose delivery key exists are left out) with
	// one delivery per channel (in-app recorded sent at now, pushes pending from SendAfter)
	// and returns the first push delivery of every notice it created.
	InsertNotices(ctx context.Context, ns []NewNotice, now time.Time) ([]Delivery, error)
}

// AudienceOf is an audience of one suggestion of one tenant.
type AudienceOf struct {
	TenantID     int64
	SuggestionID int64
	Audience     Audience
}

// TenantRecipient is a recipient of one tenant.
type TenantRecipient struct {
	TenantID int64
	Recipient
}

// PushState is what the digest window needs to know of a recipient's earlier pushes.
type PushState struct{ PendingAt, LastSentAt time.Time }

// NewNotice is a notice to insert with its deliveries.
type NewNotice struct {
	Notice    *Notice
	Channels  []string
	SendAfter time.Time
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

// publishItem is one event's (or one Publish call's) notices: specs for the recipients of
// their audiences, keyed "<key>:<kind>:<recipient kind>:<recipient id>".
type publishItem struct {
	tenantID     int64
	suggestionID int64
	key          string
	specs        []NoticeSpec
}

// publish creates the notices of items and returns the push jobs to enqueue after commit. It
// works set-wise: one round trip resolves every audience, one reads the recipients' last
// pushes (digest window only), one inserts every notice with its deliveries.
//
// Every notice of one recipient in the batch gets the same push time: pushTime is idempotent
// (a push time computed from (pending, lastSent) computes itself again once it is pending),
// so this is what inserting and re-reading them one by one would give.
func publish(ctx context.Context, tx PublishTx, items []publishItem, now time.Time) ([]Job, error) {
	type ref struct{ item, spec int }
	var qs []AudienceOf
	var refs []ref
	for i, it := range items {
		for j, sp := range it.specs {
			qs = append(qs, AudienceOf{TenantID: it.tenantID, SuggestionID: it.suggestionID, Audience: sp.Audience})
			refs = append(refs, ref{i, j})
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	sets := map[int64]Settings{}
	for _, it := range items {
		if _, ok := sets[it.tenantID]; ok {
			continue
		}
		set, err := tx.Settings(ctx, it.tenantID)
		if err != nil {
			return nil, fmt.Errorf("notify settings: %w", err)
		}
		sets[it.tenantID] = set
	}
	rss, err := tx.RecipientsOf(ctx, qs)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	var digest []TenantRecipient
	seen := map[TenantRecipient]bool{}
	for k, rs := range rss {
		tid := qs[k].TenantID
		if sets[tid].DigestWindow <= 0 {
			continue
		}
		for _, r := range rs {
			tr := TenantRecipient{TenantID: tid, Recipient: r}
			if !seen[tr] {
				seen[tr] = true
				digest = append(digest, tr)
			}
		}
	}
	var last map[TenantRecipient]PushState
	if len(digest) > 0 {
		if last, err = tx.LastPushes(ctx, digest); err != nil {
			return nil, fmt.Errorf("last push: %w", err)
		}
	}
	type noticeKey struct {
		tenantID int64
		key      string
	}
	keys := map[noticeKey]bool{}
	var ns []NewNotice
	for k, rs := range rss {
		it, sp := items[refs[k].item], items[refs[k].item].specs[refs[k].spec]
		set := sets[it.tenantID]
		for _, r := range rs {
			n := &Notice{TenantID: it.tenantID, RecipientKind: r.Kind, RecipientID: r.ID, Kind: sp.Kind,
				Title: sp.Title, Body: sp.Body, Page: sp.Page, SuggestionID: it.suggestionID, Fields: sp.Fields,
				DeliveryKey: it.key + ":" + sp.Kind + ":" + r.Kind + ":" + strconv.FormatInt(r.ID, 10)}
			nk := noticeKey{it.tenantID, n.DeliveryKey}
			if keys[nk] {
				continue // the same notice twice in one batch: the first one counts
			}
			keys[nk] = true
			ps := last[TenantRecipient{TenantID: it.tenantID, Recipient: r}]
			ns = append(ns, NewNotice{Notice: n, Channels: channelsFor(r.Kind),
				SendAfter: set.pushTime(now, ps.PendingAt, ps.LastSentAt)})
		}
	}
	if len(ns) == 0 {
		return nil, nil
	}
	firsts, err := tx.InsertNotices(ctx, ns, now)
	if err != nil {
		return nil, fmt.Errorf("insert notices: %w", err)
	}
	jobs := make([]Job, 0, len(firsts))
	for _, d := range firsts {
		jobs = append(jobs, Job{TenantID: d.TenantID, DeliveryID: d.ID, At: d.SendAfter})
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

// Now implements Publishing: the Publisher's clock.
func (p *Publisher) Now() time.Time { return p.clock.Now() }

// Enqueue implements Publishing: the pushes of notices published in a record's transaction
// (PublishIn), after it committed. A failed enqueue is logged; the reconciler queues the
// pending deliveries again.
func (p *Publisher) Enqueue(ctx context.Context, jobs []Job) { enqueueAll(ctx, p.queue, p.log, jobs) }

// Publish creates the notices of specs once per key (a second call with the same key creates
// nothing) and queues their pushes. It reports how many notices were created.
func (p *Publisher) Publish(ctx context.Context, tenantID, suggestionID int64, key string, specs []NoticeSpec) (int, error) {
	var jobs []Job
	err := p.store.PublishTx(ctx, func(tx PublishTx) error {
		var err error
		jobs, err = publish(ctx, tx, []publishItem{{tenantID, suggestionID, key, specs}}, p.clock.Now())
		return err
	})
	if err != nil {
		return 0, err
	}
	enqueueAll(ctx, p.queue, p.log, jobs)
	return len(jobs), nil
}
