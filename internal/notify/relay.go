package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// RelayStore claims undispatched outbox rows.
type RelayStore interface {
	// RelayBatch locks up to limit undispatched outbox rows with FOR UPDATE SKIP LOCKED (so
	// several relays never take the same row), calls fn with them (oldest first) in the same
	// transaction, marks them dispatched and commits. It returns how many rows it took.
	RelayBatch(ctx context.Context, limit int, fn func(ctx context.Context, tx PublishTx, evs []OutboxEvent) error) (int, error)
}

// Relay moves outbox events into notices and delivery jobs.
type Relay struct {
	store    RelayStore
	queue    Queue
	clock    Clock
	log      *slog.Logger
	Batch    int           // rows per transaction
	Interval time.Duration // idle poll interval
	Parallel int           // concurrent relay loops in this process (SKIP LOCKED keeps them apart)
}

// NewRelay builds a relay with a batch of 200 rows and a 500 ms idle poll.
func NewRelay(store RelayStore, queue Queue, clock Clock, log *slog.Logger) *Relay {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{store: store, queue: queue, clock: clock, log: log.With("component", "notify_relay"),
		Batch: 100, Interval: 500 * time.Millisecond, Parallel: 2}
}

// RunOnce relays one batch and reports how many outbox rows it took.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	var jobs []Job
	n, err := r.store.RelayBatch(ctx, r.Batch, func(ctx context.Context, tx PublishTx, evs []OutboxEvent) error {
		items := make([]publishItem, 0, len(evs))
		for _, ev := range evs {
			specs, err := Plan(ctx, tx, ev)
			if errors.Is(err, ErrNotFound) {
				// A dangling event (its suggestion is gone) tells nobody anything; never block the relay.
				r.log.Warn("outbox event without its rows; dispatched without notices", "outbox_id", ev.ID, "event", ev.Event)
				continue
			}
			if err != nil {
				return fmt.Errorf("plan outbox %d (%s): %w", ev.ID, ev.Event, err)
			}
			items = append(items, publishItem{ev.TenantID, ev.SuggestionID, "ob:" + strconv.FormatInt(ev.ID, 10), specs})
		}
		js, err := publish(ctx, tx, items, r.clock.Now())
		if err != nil {
			return fmt.Errorf("publish %d outbox events from %d: %w", len(evs), evs[0].ID, err)
		}
		jobs = js
		return nil
	})
	if err != nil {
		return 0, err
	}
	enqueueAll(ctx, r.queue, r.log, jobs)
	return n, nil
}

// Drain relays until the outbox is empty.
func (r *Relay) Drain(ctx context.Context) error {
	for {
		n, err := r.RunOnce(ctx)
		if err != nil {
			return err
		}
		if n < r.Batch {
			return nil
		}
	}
}

// Start runs Parallel relay loops until ctx is done: full batches back to back, otherwise
// every Interval.
func (r *Relay) Start(ctx context.Context) {
	var wg sync.WaitGroup
	for range max(1, r.Parallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.loop(ctx)
		}()
	}
	wg.Wait()
}

func (r *Relay) loop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Error("relay batch failed", "err", err)
		}
		if err == nil && n >= r.Batch {
			t.Reset(0)
		} else {
			t.Reset(r.Interval)
		}
	}
}
