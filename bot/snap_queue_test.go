package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jianyi/bot"
	"jianyi/internal/wechat/wechattest"
	"jianyi/internal/worker"
	jredis "jianyi/storage/redis"
)

type enqueued struct {
	tenant, snap, deputy int64
	media                []string
}

// recQueue records what the bot queues and passes it to the real queue (when set).
type recQueue struct {
	mu    sync.Mutex
	calls []enqueued
	q     *jredis.Queue
	err   error
}

func (r *recQueue) EnqueueSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string) error {
	r.mu.Lock()
	r.calls = append(r.calls, enqueued{tenantID, snapID, deputyID, slices.Clone(mediaIDs)})
	q, err := r.q, r.err
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return q.EnqueueSnapPhotos(ctx, tenantID, snapID, deputyID, mediaIDs)
}

func (r *recQueue) snapshot() []enqueued {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// sendSnap sends a 随手拍 with two photos as a deputy would and returns the snap's id.
func (b *bundle) sendSnap(openid string) int64 {
	b.t.Helper()
	contains(b.t, b.send(b.image(openid, "media-1")), "已收到照片")
	contains(b.t, b.send(b.location(openid, 39.8, 98.3, "嘉峪关市民政路12号")), "几句话")
	contains(b.t, b.send(b.image(openid, "media-2")), "第2张照片")
	words := b.text(openid, "井盖缺失，夜间很危险")
	contains(b.t, b.send(words), "随手拍线索已记录")
	b.send(words) // WeChat's retry
	b.bot.Wait()
	var id int64
	if err := b.pool.QueryRow(b.ctx, `SELECT id FROM snaps WHERE tenant_id=$1 AND deputy_id=$2`, b.tn.ID, b.tn.Deputies[0]).Scan(&id); err != nil {
		b.t.Fatal(err)
	}
	return id
}

// With a queue the bot answers and queues the snap's photos for the worker instead of
// fetching them; the worker's task (retrying a WeChat failure with its backoff) then stores
// them and answers once.
func TestSnapPhotosQueuedForWorker(t *testing.T) {
	t.Parallel()
	rq := &recQueue{}
	b := setupWith(t, func(d *bot.Deps) { d.Queue = rq })
	queue := jredis.NewQueue(b.rdb)
	t.Cleanup(func() { _ = queue.Close() })
	rq.q = queue
	const me = "o-queued"
	b.link(me, 0)
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)

	snap := b.sendSnap(me)
	if got := rq.snapshot(); len(got) != 1 || got[0].tenant != b.tn.ID || got[0].snap != snap || got[0].deputy != b.tn.Deputies[0] ||
		!slices.Equal(got[0].media, []string{"media-1", "media-2"}) {
		t.Fatalf("queued %+v", got)
	}
	if n := b.app.Count(wechattest.APIMediaGet); n != 0 {
		t.Fatalf("the bot fetched %d photos itself", n)
	}
	if n := b.app.Count(wechattest.APICustomSend); n != 0 || len(b.snapSources(snap)) != 0 {
		t.Fatalf("the bot answered (%d) or stored photos itself", n)
	}

	b.app.FailNext(wechattest.APIMediaGet, -1, 1)
	w := worker.New(queue, worker.Config{Concurrency: 2, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		PollInterval: 50 * time.Millisecond, ShutdownTimeout: 5 * time.Second}, nil, nil, nil)
	w.SetSnapPhotos(b.snapJob(nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for b.app.Count(wechattest.APICustomSend) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no answer from the worker: photos %v, %d media/get calls", b.snapSources(snap), b.app.Count(wechattest.APIMediaGet))
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.wantSnapPhotos(snap, me, 2, "media-1", "media-2")
	if n := b.app.Count(wechattest.APIMediaGet); n != 3 {
		t.Fatalf("%d media/get calls, want the failed one, its retry and the other photo", n)
	}
	if strings.Contains(b.logs.String(), me) || strings.Contains(b.logs.String(), "井盖") {
		t.Fatal("openid or snap content logged")
	}
}

// A queue that refuses the task (Redis down) does not lose the photos: the bot fetches them
// in its own process, as it does without a queue.
func TestSnapPhotosFetchedInProcessWhenQueueFails(t *testing.T) {
	t.Parallel()
	rq := &recQueue{err: errors.New("enqueue snap:1:2: dial tcp: connection refused")}
	b := setupWith(t, func(d *bot.Deps) { d.Queue = rq })
	const me = "o-noqueue"
	b.link(me, 0)
	photo := jpegBytes(t)
	b.app.AddMedia("media-1", "image/jpeg", photo)
	b.app.AddMedia("media-2", "image/jpeg", photo)
	snap := b.sendSnap(me)
	if n := len(rq.snapshot()); n != 1 {
		t.Fatalf("%d enqueue attempts", n)
	}
	b.wantSnapPhotos(snap, me, 2, "media-1", "media-2")
}
