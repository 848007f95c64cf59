package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Reconciler puts back on the queue every delivery PostgreSQL says is still to do (after a
// Redis flush or restart, or a failed enqueue), and settles claims of dead workers.
type Reconciler struct {
	store    DeliveryStore
	relay    *Relay
	queue    Queue
	clock    Clock
	log      *slog.Logger
	lease    time.Duration
	Interval time.Duration
	Horizon  time.Duration // enqueue deliveries due up to this far ahead
	Batch    int
	// StaleAfter: a pending delivery untouched this long lost its task (set above the
	// queue's longest backoff).
	StaleAfter time.Duration
	// Grace: deliveries touched more recently than this are left to their queued task.
	// Enqueueing one counts as a touch: while a backlog drains, its waiting deliveries are put
	// back at most once per Grace, not on every run (each a Redis call, and a wasted task
	// when it lands just after the delivery was sent).
	Grace time.Duration

	mu       sync.Mutex
	enqueued map[[2]int64]time.Time // (tenant, delivery) → when this reconciler enqueued it
}

// NewReconciler builds a reconciler; lease must match the Deliverer's.
func NewReconciler(store DeliveryStore, relay *Relay, queue Queue, clock Clock, lease time.Duration, log *slog.Logger) *Reconciler {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{store: store, relay: relay, queue: queue, clock: clock, lease: lease,
		log: log.With("component", "notify_reconciler"), Interval: 2 * time.Minute, Horizon: 24 * time.Hour, Batch: 5000,
		StaleAfter: 15 * time.Minute, Grace: time.Minute}
}

// RunOnce relays what is left in the outbox, expires dead claims and re-enqueues runnable
// deliveries. Enqueueing is idempotent (the delivery id is the task id).
func (r *Reconciler) RunOnce(ctx context.Context) (enqueued int, err error) {
	if r.relay != nil {
		if err := r.relay.Drain(ctx); err != nil {
			return 0, err
		}
	}
	now := r.clock.Now()
	if n, err := r.store.ExpireClaims(ctx, now.Add(-r.lease)); err != nil {
		return 0, err
	} else if n > 0 {
		r.log.Warn("deliveries of dead workers marked unknown", "count", n)
	}
	jobs, err := r.store.Runnable(ctx, now.Add(-r.Grace), now.Add(r.Horizon), r.Batch)
	if err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, at := range r.enqueued {
		if now.Sub(at) >= r.Grace || at.After(now) {
			delete(r.enqueued, k)
		}
	}
	if r.enqueued == nil {
		r.enqueued = map[[2]int64]time.Time{}
	}
	for _, j := range jobs {
		k := [2]int64{j.TenantID, j.DeliveryID}
		if _, ok := r.enqueued[k]; ok {
			continue // put back less than Grace ago: still with that task
		}
		last := j.Touched
		if j.At.After(last) {
			last = j.At
		}
		if !last.IsZero() && now.Sub(last) > r.StaleAfter {
			j.Gen = last.UnixMilli()
		}
		if err := r.queue.EnqueueDelivery(ctx, j); err != nil {
			return enqueued, err
		}
		r.enqueued[k] = now
		enqueued++
	}
	return enqueued, nil
}
