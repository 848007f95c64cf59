package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/console"
	"jianyi/internal/account"
	"jianyi/internal/activity"
	"jianyi/internal/analysis"
	"jianyi/internal/appraisal"
	"jianyi/internal/auth"
	"jianyi/internal/directory"
	"jianyi/internal/export"
	"jianyi/internal/media"
	"jianyi/internal/notify"
	"jianyi/internal/stats"
	"jianyi/internal/suggestion"
	"jianyi/internal/supervise"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// mountConsole adds the staff web console (console/) to r at "/" (sign-in at /login).
func mountConsole(r *gin.Engine, d *deps) error {
	if d.pool == nil {
		return errors.New("console needs PostgreSQL")
	}
	cfg := consoleConfig(d.pool, d.objects, d.log)
	if cfg.Photos != nil {
		d.withDecoding(cfg.Photos)
	}
	if d.limiter != nil {
		// Sign-in attempts per client IP (c.ClientIP() with JIANYI_TRUSTED_PROXIES), before
		// any password is checked.
		cfg.LoginLimiter = consoleLimiter{d.limiter}
	}
	if d.rdb != nil {
		// Stopping a deputy in 代表名册 ends their mini-program logins at once.
		cfg.Directory.EndingSessions(jredis.NewMPSessions(d.rdb))
	}
	// 问题清单 and 约谈 tell the unit's staff and the supervisors: the in-app notice at once,
	// the push through the queue (without Redis, once the worker's reconciler finds it pending).
	var queue notify.Queue = reconcilerQueue{}
	if d.rdb != nil {
		q := jredis.NewQueue(d.rdb)
		d.onStop = append(d.onStop, func() { _ = q.Close() })
		queue = q
	}
	pub := notify.NewPublisher(postgres.NewNotifyStore(d.pool), queue, nil, d.log)
	cfg.Supervise.WithNotices(pub, d.log)
	// 代表参与活动 tells invited deputies and the organisers the same way.
	activities := activity.NewService(postgres.NewActivityStore(d.pool), nil).WithNotices(pub, d.log)
	// 专题测评 and 年度反馈市政府 tell the units concerned the same way; the 双测评 figures are
	// the dashboard's.
	appraisals := appraisal.NewService(postgres.NewAppraisalStore(d.pool), cfg.Stats, nil).WithNotices(pub, d.log)
	return console.Mount(r, cfg, console.WithActivities(activities), console.WithAppraisals(appraisals))
}

// consoleLimiter keys the console's rate-limit subjects in Redis (jy:g:console:rl:<subject>;
// sign-ins come before a tenant is known, so the keys are global).
type consoleLimiter struct{ l *jredis.RateLimiter }

func (c consoleLimiter) Allow(ctx context.Context, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	return c.l.Allow(ctx, jredis.GlobalKey("console", "rl", subject), limit, window)
}

// reconcilerQueue leaves a delivery pending in PostgreSQL, where the notify reconciler of
// `jianyi worker` finds it and queues it.
type reconcilerQueue struct{}

func (reconcilerQueue) EnqueueDelivery(context.Context, notify.Job) error { return nil }

// consoleConfig builds the console's services over the shared pool and object store.
func consoleConfig(pool *pgxpool.Pool, obj *objects.Store, log *slog.Logger) console.Config {
	notifyStore := postgres.NewNotifyStore(pool)
	cfg := console.Config{
		Sessions:    auth.NewSessions(postgres.NewConsoleAuthStore(pool), auth.DefaultPolicy(), nil),
		Suggestions: suggestion.NewService(postgres.NewSuggestionStore(pool), nil),
		Directory:   directory.NewService(postgres.NewDirectoryStore(pool)),
		Stats:       stats.NewService(postgres.NewStatsStore(pool), nil),
		Supervise:   supervise.NewService(postgres.NewSuperviseStore(pool), nil),
		Export:      export.NewService(postgres.NewExportStore(pool), nil),
		Templates:   notify.NewTemplates(notifyStore),
		Inbox:       notify.NewInbox(notifyStore, nil),
		Invites:     account.NewService(postgres.NewAccountStore(pool), nil),
		// 建议集中分析 and 调研报告 (/analysis).
		Analysis: analysis.NewService(postgres.NewAnalysisStore(pool), nil),
		Log:      log,
	}
	if obj != nil {
		cfg.Documents = consoleDocuments{obj}
		// The reviewers' queue of photos WeChat's image check flagged (/review/flagged).
		cfg.Photos = media.NewService(postgres.NewMediaStore(pool), objects.MediaAdapter{S: obj}, nil, nil, log)
	}
	return cfg
}

// consoleDocuments adapts the object store to console.Documents.
type consoleDocuments struct{ s *objects.Store }

func (d consoleDocuments) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := d.s.Put(ctx, key, r, size, contentType)
	return err
}

func (d consoleDocuments) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	rc, info, err := d.s.Get(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	return rc, info.Size, nil
}

// Delete removes a stored reply document the workflow then refused, so that refused replies
// leave no file behind.
func (d consoleDocuments) Delete(ctx context.Context, key string) error { return d.s.Remove(ctx, key) }
