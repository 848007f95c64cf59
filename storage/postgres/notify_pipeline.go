package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipeline sends the statements of concurrent callers together: one round trip and one
// commit for all the calls waiting when a connection frees up, instead of one each. A
// delivery worker runs dozens of deliveries at once, each with its own load, claim and
// finish; pipelined, they cost PostgreSQL a fraction of the commits and round trips.
//
// The statements of one flush run in one implicit transaction (a single Sync), so when one
// fails none of them took effect: each call is then run again on its own, and only the
// failing one reports an error. Each statement keeps its own plan (no set-based rewrite):
// a call's effect is exactly that of running it alone.
type pipeline struct {
	pool    *pgxpool.Pool
	max     int // calls per flush
	flushes int // flushes in flight at most

	mu      sync.Mutex
	queue   []*pipeCall
	running int
}

// pipeCall is one caller's statement: queue adds it to a batch, with a callback that keeps
// its result.
type pipeCall struct {
	queue func(b *pgx.Batch)
	err   error
	done  chan struct{}
}

// flushTimeout bounds a flush; callers wait for their result even when their own context
// ends (a claim that went through must be known to its caller).
const flushTimeout = 30 * time.Second

func newPipeline(pool *pgxpool.Pool, max, flushes int) *pipeline {
	return &pipeline{pool: pool, max: max, flushes: flushes}
}

// do runs the statement queue adds (with its result callback) in the next flush and waits
// for it.
func (p *pipeline) do(queue func(b *pgx.Batch)) error {
	c := &pipeCall{queue: queue, done: make(chan struct{})}
	p.mu.Lock()
	p.queue = append(p.queue, c)
	start := p.running < p.flushes
	if start {
		p.running++
	}
	p.mu.Unlock()
	if start {
		go p.flushLoop()
	}
	<-c.done
	return c.err
}

func (p *pipeline) flushLoop() {
	for {
		p.mu.Lock()
		n := min(len(p.queue), p.max)
		if n == 0 {
			p.running--
			p.mu.Unlock()
			return
		}
		calls := make([]*pipeCall, n)
		copy(calls, p.queue)
		p.queue = p.queue[n:]
		p.mu.Unlock()
		p.flush(calls)
	}
}

func (p *pipeline) flush(calls []*pipeCall) {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	err := p.send(ctx, calls)
	if err != nil && len(calls) > 1 {
		// Nothing of the flush took effect: run each call alone, so one bad call fails alone.
		for _, c := range calls {
			c.err = p.send(ctx, []*pipeCall{c})
			close(c.done)
		}
		return
	}
	for _, c := range calls {
		c.err = err
		close(c.done)
	}
}

func (p *pipeline) send(ctx context.Context, calls []*pipeCall) error {
	b := &pgx.Batch{}
	for _, c := range calls {
		c.queue(b)
	}
	return p.pool.SendBatch(ctx, b).Close()
}
