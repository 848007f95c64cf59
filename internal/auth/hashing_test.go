package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond for up to 10 s (goroutines reaching a state, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// At most `concurrent` computations run at once, at most `maxWaiting` wait, and everyone
// beyond is refused at once with ErrBusy (the 40 parallel sign-ins that took the process from
// 0.85 to 1.87 GB would now hold at most concurrent × 64 MiB).
func TestHashLimiterBoundsConcurrency(t *testing.T) {
	l := NewHashLimiter(3, 5)
	release := make(chan struct{})
	var inFlight, peak, ran atomic.Int64
	work := func() {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		inFlight.Add(-1)
		ran.Add(1)
	}
	var busy atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := l.Do(context.Background(), work); errors.Is(err, ErrBusy) {
				busy.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		})
	}
	waitFor(t, "3 running, 5 waiting, 12 refused", func() bool {
		return l.Running() == 3 && l.Waiting() == 5 && busy.Load() == 12
	})
	close(release)
	wg.Wait()
	if peak.Load() != 3 || ran.Load() != 8 || busy.Load() != 12 {
		t.Fatalf("peak %d (bound 3), ran %d (want 8), refused %d (want 12)", peak.Load(), ran.Load(), busy.Load())
	}
	if l.Running() != 0 || l.Waiting() != 0 {
		t.Fatalf("left running %d waiting %d", l.Running(), l.Waiting())
	}
}

// A waiter whose request ends (the browser gave up) leaves the queue at once; a request that
// has already ended never starts a computation.
func TestHashLimiterGivesUpWithTheRequest(t *testing.T) {
	l := NewHashLimiter(1, 5)
	release := make(chan struct{})
	go l.Do(context.Background(), func() { <-release })
	waitFor(t, "the slot taken", func() bool { return l.Running() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Do(ctx, func() { t.Error("ran after its request ended") }) }()
	waitFor(t, "one waiting", func() bool { return l.Waiting() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, ErrBusy) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	if err := l.Do(ctx, func() { t.Error("ran for an ended request") }); !errors.Is(err, ErrBusy) {
		t.Fatalf("ended request: %v", err)
	}
	close(release)
}

// A sign-in that finds every hashing slot taken and the queue full is refused with ErrBusy,
// and the refusal counts as no failure (the account owner is not locked out by a flood).
func TestLoginBusy(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore(Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true})
	l := NewHashLimiter(1, 0)
	s := NewSessions(st, DefaultPolicy(), nil, WithHashLimiter(l))
	release := make(chan struct{})
	go l.Do(context.Background(), func() { <-release })
	waitFor(t, "the slot taken", func() bool { return l.Running() == 1 })
	for range 10 {
		if _, _, err := s.Login(context.Background(), "t", "u", "wrong"); !errors.Is(err, ErrBusy) {
			t.Fatalf("saturated: %v", err)
		}
	}
	close(release)
	waitFor(t, "the slot free", func() bool { return l.Running() == 0 })
	if st.user.failed != 0 || st.user.lockedUntil != nil {
		t.Fatalf("refused attempts were counted: %+v", st.user)
	}
	if _, _, err := s.Login(context.Background(), "t", "u", "correct horse"); err != nil {
		t.Fatal(err)
	}
}
