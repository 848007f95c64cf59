package worker_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"jianyi/internal/worker"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

type snapCall struct {
	tenant, snap, deputy int64
	media                []string
	last                 bool
}

// flakySnaps fails its first run, as a WeChat outage would, and records every run.
type flakySnaps struct {
	mu    sync.Mutex
	calls []snapCall
	done  chan struct{}
}

func (f *flakySnaps) FetchSnapPhotos(_ context.Context, tenantID, snapID, deputyID int64, mediaIDs []string, last bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, snapCall{tenantID, snapID, deputyID, mediaIDs, last})
	if len(f.calls) == 1 {
		return errors.New("wechat media_get: errcode=-1: wechat unavailable")
	}
	close(f.done)
	return nil
}

// TestSnapPhotosTaskRetried: the bot's 随手拍 photo task reaches its handler with the
// payload queued, a failed run is retried with the worker's backoff, and the handler is told
// when a run is the task's last attempt.
func TestSnapPhotosTaskRetried(t *testing.T) {
	rdb := redistest.New(t)
	queue := jredis.NewQueue(rdb)
	defer queue.Close()
	queue.MaxRetry = 1
	h := &flakySnaps{done: make(chan struct{})}
	w := worker.New(queue, worker.Config{Concurrency: 2, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		PollInterval: 50 * time.Millisecond, ShutdownTimeout: 2 * time.Second}, nil, nil, nil)
	w.SetSnapPhotos(h)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := queue.EnqueueSnapPhotos(ctx, 5, 11, 2, []string{"m-1", "m-2"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("snap task not retried to success: %d runs", len(h.calls))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.calls) != 2 {
		t.Fatalf("%d runs, want 2", len(h.calls))
	}
	for i, c := range h.calls {
		if c.tenant != 5 || c.snap != 11 || c.deputy != 2 || !slices.Equal(c.media, []string{"m-1", "m-2"}) {
			t.Fatalf("run %d got %+v", i, c)
		}
	}
	if h.calls[0].last || !h.calls[1].last {
		t.Fatalf("last attempt flags %v, %v; want false, true (max retry 1)", h.calls[0].last, h.calls[1].last)
	}
}
