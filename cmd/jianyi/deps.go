package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"jianyi/internal/config"
	"jianyi/internal/media"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/objects"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
)

// deps is everything the front doors and workers are built from. cmd/jianyi is the only
// place that sees all of it (ARCHITECTURE.md: config is read once here and passed down).
//
// Owners of wire_*.go: add the fields your wiring needs below the marked line (send infra a
// request if you want it done for you).
type deps struct {
	cfg     config.Config
	log     *slog.Logger
	pool    *pgxpool.Pool
	rdb     *jredis.Client
	redis   *jredis.Store // dedupe, locks
	limiter *jredis.RateLimiter
	objects *objects.Store
	metrics *prometheus.Registry

	// wechat is the WeChat client (mini-program + optional official account), sharing its
	// access token through Redis.
	wechat *wechat.Client
	// wechatFake is the built-in fake WeChat server; set only by `jianyi dev` (production
	// modes refuse WECHAT_FAKE). Its DevApp() holds the dev app ids and login codes.
	wechatFake *wechattest.Server
	// dev is true under `jianyi dev`.
	dev bool
	// decoding bounds the memory of the photos this process decodes at once
	// (MEDIA_DECODE_BUDGET_MB), shared by every photo service it wires (withDecoding).
	decoding *media.DecodeLimiter
	// draining, once set, makes /readyz answer 503: shutdown has begun (runHTTP sets it;
	// a pointer, so deps stays copyable).
	draining *atomic.Bool

	// onStop runs after HTTP shutdown and the workers stopped, before the pools close
	// (last added first): front doors flush their background jobs here.
	onStop []func()
	// closers release embedded dev services after the pools are closed (last first).
	closers []func()

	// ---- fields added by the owners of wire_*.go go below ----
}

// openDeps connects to PostgreSQL, Redis and the object store named by cfg and builds the
// shared clients. On error everything opened so far is closed, and the error names the
// dependency that failed ("postgresql: …", "redis: …", "objects: …") with its cause.
func openDeps(ctx context.Context, cfg config.Config, log *slog.Logger) (*deps, error) {
	d := &deps{cfg: cfg, log: log, metrics: newRegistry(),
		decoding: media.NewDecodeLimiter(int64(cfg.MediaDecodeBudgetMB) << 20)}
	if err := d.connect(ctx); err != nil {
		d.close()
		return nil, err
	}
	if !d.objects.ExpiresIncoming() {
		log.Warn("object storage has no lifecycle rule for abandoned uploads; they stay until removed by hand",
			"prefix", objects.IncomingPrefix)
	}
	return d, nil
}

// connect opens d's pool and clients in turn, stopping at the first that fails.
func (d *deps) connect(ctx context.Context) error {
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var err error
	if d.pool, err = postgres.Open(octx, d.cfg.DatabaseURL); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	if d.rdb, err = jredis.Open(octx, d.cfg.RedisURL); err != nil {
		return err // "redis: ping <addr> db <n>: <cause>"
	}
	d.redis = jredis.New(d.rdb)
	d.limiter = jredis.NewRateLimiter(d.rdb)
	if d.objects, err = objects.New(octx, objectsConfig(d.cfg)); err != nil {
		return fmt.Errorf("object store: %w", err)
	}
	return nil
}

// withDecoding gives photo service s the process's decoding budget (d.decoding; nil leaves
// the media package's default).
func (d *deps) withDecoding(s *media.Service) *media.Service {
	s.Decoding = d.decoding
	return s
}

func objectsConfig(cfg config.Config) objects.Config {
	return objects.Config{
		Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
		Bucket: cfg.S3Bucket, UseSSL: cfg.S3UseSSL, Region: cfg.S3Region,
	}
}

// openWechat builds the WeChat client; in dev it points the SDK at the fake server.
func (d *deps) openWechat() error {
	wcfg := wechat.Config{
		MiniAppID: d.cfg.WechatMPAppID, MiniSecret: d.cfg.WechatMPSecret,
		OAAppID: d.cfg.WechatOAAppID, OASecret: d.cfg.WechatOASecret,
		OAToken: d.cfg.WechatOAToken, OAAESKey: d.cfg.WechatOAAESKey,
	}
	if d.wechatFake != nil {
		d.wechatFake.Install()
		wcfg = d.wechatFake.DevApp().Config()
	}
	if wcfg.MiniAppID == "" {
		return errors.New("wechat: no mini-program credentials (set WECHAT_MP_APPID/WECHAT_MP_SECRET)")
	}
	c, err := wechat.New(wcfg, jredis.NewTokenCache(d.rdb, jredis.GlobalKey("wxtoken")), d.log)
	if err != nil {
		return err
	}
	d.wechat = c
	return nil
}

// close runs the onStop hooks, releases pools, then embedded dev services. Safe on a
// partly built or nil deps and when called twice.
func (d *deps) close() {
	if d == nil {
		return
	}
	for i := len(d.onStop) - 1; i >= 0; i-- {
		d.onStop[i]()
	}
	d.onStop = nil
	if d.pool != nil {
		d.pool.Close()
		d.pool = nil
	}
	if d.rdb != nil {
		_ = d.rdb.Close()
		d.rdb = nil
	}
	if d.wechatFake != nil {
		_ = d.wechatFake.Close()
		d.wechatFake = nil
	}
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
	d.closers = nil
}

func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return r
}
