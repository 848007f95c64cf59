package worker

import (
	"context"
	"log/slog"
	"time"
)

// Every is a periodic loop: fn runs at start and then every interval until ctx is done.
// Errors are logged; the next run comes anyway.
func Every(name string, interval time.Duration, fn func(ctx context.Context) error, log *slog.Logger) Loop {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return every{name: name, interval: interval, fn: fn, log: log}
}

type every struct {
	name     string
	interval time.Duration
	fn       func(ctx context.Context) error
	log      *slog.Logger
}

func (e every) Start(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := e.fn(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("periodic job failed", "job", e.name, "err", err)
		}
		t.Reset(e.interval)
	}
}
