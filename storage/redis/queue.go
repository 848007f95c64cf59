package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"jianyi/internal/notify"
)

// Task types on the asynq queue.
const (
	TaskDeliver    = "notify:deliver"
	TaskRemind     = "r" // reminders: the payload is empty and the task id is the reminder key (small in Redis)
	TaskSnapPhotos = "bot:snap_photos"
)

// QueueName is the asynq queue Jianyi uses.
const QueueName = "default"

// DeliverPayload is the payload of a TaskDeliver task.
type DeliverPayload struct {
	TenantID   int64 `json:"t"`
	DeliveryID int64 `json:"d"`
}

// DeliveryTaskID is the asynq task id of a delivery: the same delivery is never queued twice
// while its task exists.
func DeliveryTaskID(tenantID, deliveryID int64) string {
	return "dlv:" + strconv.FormatInt(tenantID, 10) + ":" + strconv.FormatInt(deliveryID, 10)
}

// SnapPhotosPayload is the payload of a TaskSnapPhotos task: the photos of a 随手拍 sent to
// the official account, to fetch from WeChat and store for the snap. It holds no openid: the
// task reads the deputy's when it answers.
type SnapPhotosPayload struct {
	TenantID int64    `json:"t"`
	SnapID   int64    `json:"s"`
	DeputyID int64    `json:"d"`
	MediaIDs []string `json:"m"`
}

// SnapPhotosTaskID is the asynq task id of a snap's photo task: a snap's photos are queued
// once while the task exists.
func SnapPhotosTaskID(tenantID, snapID int64) string {
	return "snap:" + strconv.FormatInt(tenantID, 10) + ":" + strconv.FormatInt(snapID, 10)
}

// SnapPhotosTimeout bounds one run of a snap's photo task (up to 9 downloads and intakes).
const SnapPhotosTimeout = 3 * time.Minute

// Queue enqueues Jianyi's tasks on asynq (over the shared go-redis v9 client).
type Queue struct {
	rdb      *Client
	client   *asynq.Client
	MaxRetry int
}

// NewQueue builds a queue on rdb; Close it when done (rdb stays open).
func NewQueue(rdb *Client) *Queue {
	return &Queue{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), MaxRetry: 25}
}

// NewServer builds an asynq server on the same connection (internal/worker runs it).
func (q *Queue) NewServer(cfg asynq.Config) *asynq.Server {
	return asynq.NewServerFromRedisClient(q.rdb, cfg)
}

// Close releases the asynq client (not the shared connection).
func (q *Queue) Close() error { return q.client.Close() }

func (q *Queue) enqueue(ctx context.Context, t *asynq.Task, id string, at time.Time, more ...asynq.Option) error {
	opts := append([]asynq.Option{asynq.TaskID(id), asynq.Queue(QueueName), asynq.MaxRetry(q.MaxRetry)}, more...)
	if !at.IsZero() && at.After(time.Now()) {
		opts = append(opts, asynq.ProcessAt(at))
	}
	_, err := q.client.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil // already queued: enqueueing is idempotent
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", id, err)
	}
	return nil
}

// EnqueueDelivery implements notify.Queue.
func (q *Queue) EnqueueDelivery(ctx context.Context, j notify.Job) error {
	b, _ := json.Marshal(DeliverPayload{TenantID: j.TenantID, DeliveryID: j.DeliveryID})
	id := DeliveryTaskID(j.TenantID, j.DeliveryID)
	if j.Gen != 0 {
		id += ":g" + strconv.FormatInt(j.Gen, 10)
	}
	return q.enqueue(ctx, asynq.NewTask(TaskDeliver, b), id, j.At)
}

// EnqueueReminder queues a reminder whose key says everything (see internal/remind).
func (q *Queue) EnqueueReminder(ctx context.Context, key string, at time.Time) error {
	return q.enqueue(ctx, asynq.NewTask(TaskRemind, nil), key, at)
}

// EnqueueSnapPhotos queues the photo fetch of a 随手拍 sent to the official account
// (bot.SnapQueue); queueing the same snap again is a no-op while its task exists.
func (q *Queue) EnqueueSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string) error {
	b, err := json.Marshal(SnapPhotosPayload{TenantID: tenantID, SnapID: snapID, DeputyID: deputyID, MediaIDs: mediaIDs})
	if err != nil {
		return fmt.Errorf("snap photos payload: %w", err)
	}
	return q.enqueue(ctx, asynq.NewTask(TaskSnapPhotos, b), SnapPhotosTaskID(tenantID, snapID), time.Time{},
		asynq.Timeout(SnapPhotosTimeout))
}

var _ notify.Queue = (*Queue)(nil)

// QueueDepth is how many of Jianyi's tasks wait in each state (the workers' backlog).
type QueueDepth struct {
	Pending, Active, Scheduled, Retry, Archived int
	// Latency is how long the oldest pending task has waited.
	Latency time.Duration
}

// Depth reads the queue's backlog; a queue no task was ever put on is empty.
func (q *Queue) Depth(ctx context.Context) (QueueDepth, error) {
	if err := ctx.Err(); err != nil {
		return QueueDepth{}, err
	}
	in := asynq.NewInspectorFromRedisClient(q.rdb)
	names, err := in.Queues()
	if err != nil {
		return QueueDepth{}, fmt.Errorf("queue depth: %w", err)
	}
	if !slices.Contains(names, QueueName) {
		return QueueDepth{}, nil
	}
	info, err := in.GetQueueInfo(QueueName)
	if err != nil {
		return QueueDepth{}, fmt.Errorf("queue depth: %w", err)
	}
	return QueueDepth{Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled, Retry: info.Retry,
		Archived: info.Archived, Latency: info.Latency}, nil
}
