package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"jianyi/internal/config"
)

func (a *app) serve(ctx context.Context) error {
	return a.start(ctx, config.ModeServe, true, false)
}

// maxDrain bounds the drain period: long enough for a load balancer polling /readyz every
// second or so to see it fail, short against SHUTDOWN_TIMEOUT.
const maxDrain = 2 * time.Second

// drainPeriod is how long a stopping server keeps serving with /readyz at 503 before it
// stops accepting: min(2s, SHUTDOWN_TIMEOUT/4), none under `jianyi dev` (no load balancer).
func drainPeriod(d *deps) time.Duration {
	if d.dev {
		return 0
	}
	return min(maxDrain, d.cfg.ShutdownTimeout/4)
}

// runHTTP serves the engine (with the front doors when mountAll) and, when withWorker, the
// workers in the same process, until ctx is cancelled; then it shuts down in order
// HTTP → workers → pools under SHUTDOWN_TIMEOUT. HTTP shutdown starts with a drain period
// (drainPeriod) in which requests are still served but /readyz answers 503, so a load
// balancer stops sending before the listener closes. It always closes d.
func (a *app) runHTTP(ctx context.Context, d *deps, mountAll, withWorker bool) (err error) {
	defer d.close()
	d.draining = new(atomic.Bool)
	r := newEngine(d)
	if mountAll {
		for name, mount := range map[string]func() error{
			"mini-program API": func() error { return mountMiniprogram(r, d) },
			"console":          func() error { return mountConsole(r, d) },
			"bot":              func() error { return mountBot(r, d) },
		} {
			if err := mount(); err != nil {
				return fmt.Errorf("mount %s: %w", name, err)
			}
		}
	}

	workerCtx, cancelWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWorkers()
	stopWorkers := func() {}
	if withWorker {
		stop, err := startWorker(workerCtx, d)
		if err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		if stop != nil {
			stopWorkers = stop
		}
	}

	ln, err := net.Listen("tcp", d.cfg.HTTPAddr)
	if err != nil {
		stopWorkers()
		return fmt.Errorf("listen on %s (JIANYI_HTTP_ADDR): %w", d.cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	d.log.Info("http listening", "addr", ln.Addr().String())
	if a.ready != nil {
		a.ready(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		stopWorkers()
		return fmt.Errorf("http server: %w", err)
	}

	drain := drainPeriod(d)
	d.log.Info("shutting down", "timeout", d.cfg.ShutdownTimeout.String(), "drain", drain.String())
	sctx, cancel := context.WithTimeout(context.Background(), d.cfg.ShutdownTimeout)
	defer cancel()
	// Drain: fail readiness and close each connection after its current request, while
	// still accepting, so the load balancer moves the traffic to the other instances.
	d.draining.Store(true)
	srv.SetKeepAlivesEnabled(false)
	if drain > 0 {
		t := time.NewTimer(drain)
		select {
		case <-t.C:
		case <-sctx.Done():
			t.Stop()
		}
	}
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		d.log.Warn("http shutdown incomplete", "err", err)
		_ = srv.Close()
	}
	cancelWorkers()
	if withWorker {
		waitOrTimeout(sctx, stopWorkers, func() { d.log.Warn("workers did not stop before the shutdown timeout") })
	}
	d.log.Info("stopped")
	return nil
}

// waitOrTimeout runs fn and waits for it until ctx ends.
func waitOrTimeout(ctx context.Context, fn func(), onTimeout func()) {
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		onTimeout()
	}
}
