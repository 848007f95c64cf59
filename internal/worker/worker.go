// Package worker runs the background side of Jianyi: the asynq server with its task routes
// (deliveries, reminders, the official account's 随手拍 photos) and the periodic loops
// (outbox relay, delivery reconciler, reminder reconciler). Several worker processes may run
// at once: the relay takes outbox rows with SKIP LOCKED, tasks carry deterministic ids, and
// every delivery is claimed under a row lock.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"jianyi/internal/notify"
	jredis "jianyi/storage/redis"
)

// Deliverer handles delivery tasks (notify.Deliverer).
type Deliverer interface {
	Deliver(ctx context.Context, tenantID, deliveryID int64) error
}

// Reminder handles reminder tasks (remind.Service).
type Reminder interface {
	Fire(ctx context.Context, key string) error
}

// SnapPhotos handles the photo tasks of 随手拍 sent to the official account
// (bot.SnapPhotos): fetch the photos from WeChat, store them for the snap, answer the
// deputy. An error is retried with the worker's backoff; lastAttempt is true on the task's
// last retry, when the handler should settle for what it has instead of failing again.
type SnapPhotos interface {
	FetchSnapPhotos(ctx context.Context, tenantID, snapID, deputyID int64, mediaIDs []string, lastAttempt bool) error
}

// Loop is a background loop: Start runs until ctx is done.
type Loop interface{ Start(ctx context.Context) }

// Config tunes the server.
type Config struct {
	Concurrency     int           // parallel tasks per process (default 20)
	RetryBase       time.Duration // first retry delay (default 5 s), doubled per retry, with jitter
	RetryMax        time.Duration // cap of the retry delay (default 10 min)
	ShutdownTimeout time.Duration // running tasks get this long at shutdown (default 10 s)
	PollInterval    time.Duration // asynq's idle poll and scheduled-task check (default 1 s)
}

func (c *Config) defaults() {
	if c.Concurrency <= 0 {
		c.Concurrency = 20
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 5 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Minute
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
}

// Worker is one worker process's asynq server and loops.
type Worker struct {
	queue     *jredis.Queue
	cfg       Config
	log       *slog.Logger
	deliverer Deliverer
	reminder  Reminder
	snaps     SnapPhotos
	loops     []Loop

	srv    *asynq.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a worker; reminder may be nil. loops (relay, reconcilers) run beside the server.
func New(queue *jredis.Queue, cfg Config, d Deliverer, r Reminder, log *slog.Logger, loops ...Loop) *Worker {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{queue: queue, cfg: cfg, log: log.With("component", "worker"), deliverer: d, reminder: r, loops: loops}
}

// SetSnapPhotos routes the 随手拍 photo tasks to h (call before Start). Without it those
// tasks are not taken by this worker.
func (w *Worker) SetSnapPhotos(h SnapPhotos) { w.snaps = h }

// RetryDelay is the retry policy: a *notify.RetryError names its own time; anything else
// backs off exponentially (base·2ⁿ, capped) with jitter in [d/2, d].
func RetryDelay(base, max time.Duration) asynq.RetryDelayFunc {
	return func(n int, err error, _ *asynq.Task) time.Duration {
		var re *notify.RetryError
		if errors.As(err, &re) {
			d := time.Until(re.At)
			if d < 10*time.Millisecond {
				d = 10 * time.Millisecond
			}
			return d
		}
		d := base
		for i := 0; i < n && d < max; i++ {
			d *= 2
		}
		if d > max {
			d = max
		}
		half := d / 2
		return half + time.Duration(rand.Int64N(int64(half)+1))
	}
}

// isFailure: waiting for a due time or for another worker's claim is not a failure, so it
// does not use up the task's retries.
func isFailure(err error) bool {
	var re *notify.RetryError
	return err != nil && !errors.As(err, &re) && !errors.Is(err, notify.ErrBusy)
}

// Mux routes tasks to their handlers.
func (w *Worker) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(jredis.TaskDeliver, func(ctx context.Context, t *asynq.Task) error {
		var p jredis.DeliverPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("bad delivery payload: %v: %w", err, asynq.SkipRetry)
		}
		return w.deliverer.Deliver(ctx, p.TenantID, p.DeliveryID)
	})
	if w.reminder != nil {
		mux.HandleFunc(jredis.TaskRemind, func(ctx context.Context, t *asynq.Task) error {
			id, ok := asynq.GetTaskID(ctx)
			if !ok {
				return fmt.Errorf("reminder without task id: %w", asynq.SkipRetry)
			}
			return w.reminder.Fire(ctx, id)
		})
	}
	if w.snaps != nil {
		mux.HandleFunc(jredis.TaskSnapPhotos, func(ctx context.Context, t *asynq.Task) error {
			var p jredis.SnapPhotosPayload
			if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID <= 0 || p.SnapID <= 0 || p.DeputyID <= 0 {
				return fmt.Errorf("bad snap photos payload: %w", asynq.SkipRetry)
			}
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			return w.snaps.FetchSnapPhotos(ctx, p.TenantID, p.SnapID, p.DeputyID, p.MediaIDs, retried >= maxRetry)
		})
	}
	return mux
}

// Start starts the asynq server and the loops. Stop shuts them down.
func (w *Worker) Start(ctx context.Context) error {
	w.srv = w.queue.NewServer(asynq.Config{
		Concurrency:              w.cfg.Concurrency,
		Queues:                   map[string]int{jredis.QueueName: 1},
		RetryDelayFunc:           RetryDelay(w.cfg.RetryBase, w.cfg.RetryMax),
		IsFailure:                isFailure,
		ShutdownTimeout:          w.cfg.ShutdownTimeout,
		TaskCheckInterval:        w.cfg.PollInterval,
		DelayedTaskCheckInterval: w.cfg.PollInterval,
		Logger:                   asynqLogger{w.log},
		LogLevel:                 asynq.WarnLevel,
	})
	if err := w.srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("start asynq server: %w", err)
	}
	lctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	for _, l := range w.loops {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			l.Start(lctx)
		}()
	}
	return nil
}

// Stop stops in order: the loops (no new work is queued), then the asynq server (running
// tasks finish within ShutdownTimeout; unfinished ones go back to the queue).
func (w *Worker) Stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
	if w.srv != nil {
		w.srv.Shutdown()
	}
}

// Run starts the worker and blocks until ctx is done, then stops it.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
