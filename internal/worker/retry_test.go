package worker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"jianyi/internal/notify"
)

// TestRetryDelayBacksOffWithJitter: attempt n waits in [d/2, d] with d = base·2ⁿ capped at max,
// the waits vary (jitter), and a *notify.RetryError waits until its own time.
func TestRetryDelayBacksOffWithJitter(t *testing.T) {
	t.Parallel()
	base, max := 5*time.Second, 10*time.Minute
	f := RetryDelay(base, max)
	transient := errors.New("wechat: http 502")
	for n := 0; n <= 12; n++ {
		d := base << n
		if d > max {
			d = max
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			got := f(n, transient, nil)
			if got < d/2 || got > d {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", n, got, d/2, d)
			}
			seen[got] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct delays in 200: no jitter", n, len(seen))
		}
	}
	at := time.Now().Add(time.Minute)
	if got := f(3, fmt.Errorf("deliver: %w", &notify.RetryError{At: at, Reason: "quiet hours"}), nil); got < 55*time.Second || got > time.Minute {
		t.Errorf("retry error for 1 min ahead: delay %v", got)
	}
	if got := f(3, &notify.RetryError{At: time.Now().Add(-time.Hour)}, nil); got <= 0 || got > time.Second {
		t.Errorf("retry error in the past: delay %v, want a short positive one", got)
	}
}

// TestBusyAndWaitingAreNotFailures: a delivery another worker holds (ErrBusy) or one waiting for
// quiet hours, a digest window or a quota pause (*RetryError) must not use up its retries.
func TestBusyAndWaitingAreNotFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		fail bool
	}{
		{nil, false},
		{notify.ErrBusy, false},
		{fmt.Errorf("deliver 7: %w", notify.ErrBusy), false},
		{&notify.RetryError{At: time.Now().Add(time.Hour), Reason: "quiet hours"}, false},
		{fmt.Errorf("deliver 7: %w", &notify.RetryError{At: time.Now(), Reason: "channel paused"}), false},
		{errors.New("wechat: timeout"), true},
		{fmt.Errorf("load: %w", errors.New("connection refused")), true},
	} {
		if got := isFailure(c.err); got != c.fail {
			t.Errorf("isFailure(%v) = %v, want %v", c.err, got, c.fail)
		}
	}
}
