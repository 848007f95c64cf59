package redis_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/hibiken/asynq"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// TestEnqueueSnapPhotosOncePerSnap: a snap's photo task carries tenant, snap, deputy and the
// media ids under an id derived from tenant and snap, so queueing it again (a retry of the
// bot's answer) leaves one task with the first payload.
func TestEnqueueSnapPhotosOncePerSnap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := redistest.New(t)
	q := jredis.NewQueue(rdb)
	t.Cleanup(func() { _ = q.Close() })
	tn := tenant()
	if err := q.EnqueueSnapPhotos(ctx, tn, 7, 3, []string{"m-1", "m-2"}); err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueSnapPhotos(ctx, tn, 7, 3, []string{"m-1", "m-2", "m-3"}); err != nil {
		t.Fatalf("second enqueue of the same snap: %v", err)
	}
	if err := q.EnqueueSnapPhotos(ctx, tn, 8, 3, []string{"m-9"}); err != nil {
		t.Fatal(err)
	}
	ins := asynq.NewInspectorFromRedisClient(rdb)
	tasks, err := ins.ListPendingTasks(jredis.QueueName)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 {
		t.Fatalf("%d tasks queued for two snaps", len(tasks))
	}
	info, err := ins.GetTaskInfo(jredis.QueueName, jredis.SnapPhotosTaskID(tn, 7))
	if err != nil {
		t.Fatal(err)
	}
	var p jredis.SnapPhotosPayload
	if err := json.Unmarshal(info.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if info.Type != jredis.TaskSnapPhotos || p.TenantID != tn || p.SnapID != 7 || p.DeputyID != 3 || !slices.Equal(p.MediaIDs, []string{"m-1", "m-2"}) {
		t.Fatalf("task %s %+v", info.Type, p)
	}
	if info.Timeout != jredis.SnapPhotosTimeout || info.MaxRetry != q.MaxRetry {
		t.Fatalf("timeout %v, max retry %d", info.Timeout, info.MaxRetry)
	}
}
