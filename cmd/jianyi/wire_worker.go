package main

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jianyi/bot"
	"jianyi/internal/auth"
	"jianyi/internal/media"
	"jianyi/storage/objects"

	"jianyi/internal/notify"
	"jianyi/internal/remind"
	"jianyi/internal/worker"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// startWorker starts the background workers (internal/worker on asynq: deliveries, reminders,
// the bot's 随手拍 photos, outbox relay, reconcilers) and returns a stop function that stops
// them in order and waits for running jobs. ctx is cancelled at shutdown. See docs/notify.md.
func startWorker(ctx context.Context, d *deps) (stop func(), err error) {
	log := d.log
	clock := notify.SystemClock{}
	store := postgres.NewNotifyStore(d.pool)
	queue := jredis.NewQueue(d.rdb)
	pause := jredis.NewChannelPause(d.rdb)

	deliverer := notify.NewDeliverer(store, queue, newSender(d), pause, clock, log)
	relay := notify.NewRelay(store, queue, clock, log)
	reconciler := notify.NewReconciler(store, relay, queue, clock, deliverer.Lease, log)
	publisher := notify.NewPublisher(store, queue, clock, log)
	reminders := remind.New(postgres.NewRemindStore(d.pool), queue, publisher, clock)

	loops := []worker.Loop{relay,
		worker.Every("notify_reconcile", reconciler.Interval, func(ctx context.Context) error {
			_, err := reconciler.RunOnce(ctx)
			return err
		}, log),
		worker.Every("reminder_reconcile", reminders.Interval, func(ctx context.Context) error {
			n, err := reminders.Reconcile(ctx)
			if n > 0 {
				log.Debug("reminders queued", "count", n)
			}
			return err
		}, log),
	}
	// The dashboard rollup: apply the marks workflow changes leave (migration 00060), so a
	// dashboard view finds only the last few seconds' changes to apply itself.
	statsStore := postgres.NewStatsStore(d.pool)
	loops = append(loops, worker.Every("stats_drain", 10*time.Second, func(ctx context.Context) error {
		_, err := statsStore.Drain(ctx, 0)
		return err
	}, log))
	// Console sign-in failures of made-up usernames (login_failures, migration 00074): rows
	// whose streak is forgotten and that are not locked count for nothing; delete them across
	// tenants so a spray of names does not stay in the table for good.
	consoleAuth := postgres.NewConsoleAuthStore(d.pool)
	loops = append(loops, worker.Every("login_failures_prune", time.Hour, func(ctx context.Context) error {
		n, err := consoleAuth.PruneLoginFailures(ctx, auth.DefaultPolicy(), time.Now(), 1000)
		if n > 0 {
			log.Info("forgotten sign-in failures deleted", "count", n)
		}
		return err
	}, log))
	var snapPhotos *bot.SnapPhotos
	if d.wechat != nil {
		// Photos whose WeChat image check could not be submitted (requests-miniprogram.md).
		mediaStore := postgres.NewMediaStore(d.pool)
		photos := d.withDecoding(media.NewService(mediaStore, objects.MediaAdapter{S: d.objects}, d.wechat, nil, log))
		loops = append(loops, worker.Every("media_recheck", 10*time.Minute, func(ctx context.Context) error {
			n, err := photos.Recheck(ctx, 100)
			if n > 0 {
				log.Info("photo checks resubmitted", "count", n)
			}
			return err
		}, log))
		// The photos of a 随手拍 sent to the official account, queued by the bot (docs/bot.md).
		// They are stored with no image check: the official account's openid is no
		// mini-program openid (the intake submits none without one).
		if snapPhotos, err = bot.NewSnapPhotos(bot.SnapPhotosDeps{WeChat: d.wechat, Photos: photos, Answers: mediaStore, Log: log}); err != nil {
			_ = queue.Close()
			return nil, err
		}
	}
	w := worker.New(queue, worker.Config{}, deliverer, reminders, log, loops...)
	if snapPhotos != nil {
		w.SetSnapPhotos(snapPhotos)
	}
	if err := w.Start(ctx); err != nil {
		_ = queue.Close()
		return nil, err
	}
	// The backlog is scraped from /metrics of every process that runs the workers. A process
	// registers it once (dev and tests may start the workers again on the same registry).
	if err := d.metrics.Register(newBacklogCollector(queue, store, log)); err != nil {
		var already prometheus.AlreadyRegisteredError
		if !errors.As(err, &already) {
			log.Warn("metrics: backlog collector", "err", err)
		}
	}
	log.Info("workers started", "relay_interval", relay.Interval.String(), "reconcile_interval", reconciler.Interval.String(),
		"reminder_window", reminders.Window.String())
	return func() {
		w.Stop()
		_ = queue.Close()
	}, nil
}

// newSender is the WeChat sender of the deployment: staff template messages link to the
// console at JIANYI_CONSOLE_URL (without it they open nothing).
func newSender(d *deps) notify.Sender {
	if d.wechat == nil {
		return noSender{}
	}
	s := &notify.WeChatSender{Client: d.wechat, MiniAppID: d.cfg.WechatMPAppID, ConsoleURL: d.cfg.ConsoleURL}
	if d.wechatFake != nil && d.wechatFake.DevApp() != nil {
		s.MiniAppID, s.MPState = d.wechatFake.DevApp().MiniAppID, "developer"
	}
	return s
}

// noSender is used when no WeChat client is configured: every push fails as unavailable and
// stays pending (the in-app notice is always there).
type noSender struct{}

func (noSender) Send(context.Context, notify.Message) (int64, error) { return 0, errNoWechat }

var errNoWechat = errors.New("wechat client not configured")
