package auth

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// ErrBusy: too many passwords are being checked already; the caller should answer "try again
// later" at once rather than queue (each argon2id computation holds 64 MiB, so an unbounded
// queue of sign-ins is an unbounded heap).
var ErrBusy = errors.New("auth: too many password checks at once")

// HashLimiter bounds how many argon2id computations run at once and how many may wait for
// one. A request beyond both, or whose context ends while waiting, gets ErrBusy.
type HashLimiter struct {
	sem        *semaphore.Weighted
	maxWaiting int64
	running    atomic.Int64
	waiting    atomic.Int64
}

// NewHashLimiter lets concurrent computations run at once (at least 1) and at most maxWaiting
// more wait for a turn (0: none waits).
func NewHashLimiter(concurrent, maxWaiting int) *HashLimiter {
	concurrent = max(concurrent, 1)
	return &HashLimiter{sem: semaphore.NewWeighted(int64(concurrent)), maxWaiting: int64(max(maxWaiting, 0))}
}

// MaxHashWaiting is how many password checks may wait for a turn process-wide.
const MaxHashWaiting = 32

// sharedHashing is the process-wide limiter: one argon2id computation per CPU (at least 2,
// at most 16, i.e. at most 1 GiB of argon2 memory), 32 waiting. Every HashPassword and every
// sign-in of this process goes through it unless a Sessions is given another.
var sharedHashing = NewHashLimiter(min(max(runtime.GOMAXPROCS(0), 2), 16), MaxHashWaiting)

// Do runs fn (the computation) when a slot is free. It returns ErrBusy without running fn
// when ctx has ended, or when maxWaiting callers are already waiting.
func (l *HashLimiter) Do(ctx context.Context, fn func()) error {
	if ctx.Err() != nil {
		return ErrBusy
	}
	if !l.sem.TryAcquire(1) {
		if l.waiting.Add(1) > l.maxWaiting {
			l.waiting.Add(-1)
			return ErrBusy
		}
		err := l.sem.Acquire(ctx, 1)
		l.waiting.Add(-1)
		if err != nil {
			return ErrBusy
		}
	}
	defer l.sem.Release(1)
	l.running.Add(1)
	defer l.running.Add(-1)
	fn()
	return nil
}

// Running is how many computations run now; Waiting how many wait for a slot (for metrics
// and tests).
func (l *HashLimiter) Running() int { return int(l.running.Load()) }

// Waiting: see Running.
func (l *HashLimiter) Waiting() int { return int(l.waiting.Load()) }
