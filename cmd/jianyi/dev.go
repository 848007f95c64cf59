package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/alicebob/miniredis/v2"
	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
	"github.com/jackc/pgx/v5"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"jianyi/internal/config"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres"
)

// demoInfo is what seedDemo reports for `jianyi dev` to print.
type demoInfo struct {
	Tenant   string        // demo tenant name (and code)
	Accounts []demoAccount // console logins, mini-program dev logins, bot openids
	Notes    []string      // any other line worth printing (pages to open, codes to try)
}

// demoAccount is one demo login. Password is empty where the login needs none (e.g. a
// mini-program dev login code on the fake WeChat).
type demoAccount struct {
	Role, Name, Login, Password string
}

// localPostgres is the PostgreSQL `jianyi dev` tries before starting an embedded one.
const localPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=2"

// devDir holds dev state (embedded PostgreSQL data).
const devDir = "var"

// dev runs every part in one process with zero set-up: real services where configured or
// reachable, embedded ones otherwise, the fake WeChat, migrations and the demo tenant.
func (a *app) dev(ctx context.Context) error {
	cfg, err := a.loadConfig(config.ModeDev)
	if err != nil {
		return err
	}
	if _, set := a.lookupEnv("JIANYI_HTTP_ADDR"); !set {
		cfg.HTTPAddr = "127.0.0.1:8080" // loopback only unless asked otherwise
	}
	log := a.newLogger(cfg)
	d := &deps{cfg: cfg, log: log, metrics: newRegistry(), dev: true}
	var used []string // what backs each service, for the banner
	fail := func(err error) error { d.close(); return err }

	// PostgreSQL: DATABASE_URL, else local, else embedded.
	switch {
	case cfg.DatabaseURL != "":
		used = append(used, "PostgreSQL  "+cfg.Masked().DatabaseURL+" (DATABASE_URL)")
	default:
		url, how, stop, err := devPostgres(ctx, a.stderr)
		if err != nil {
			return fail(err)
		}
		if stop != nil {
			d.closers = append(d.closers, stop)
		}
		cfg.DatabaseURL = url
		used = append(used, "PostgreSQL  "+how)
	}

	// Redis: REDIS_URL, else miniredis.
	if cfg.RedisURL == "" {
		mr, err := devRedis()
		if err != nil {
			return fail(fmt.Errorf("embedded redis: %w", err))
		}
		d.closers = append(d.closers, mr.Close)
		cfg.RedisURL = "redis://" + mr.Addr() + "/0"
		used = append(used, "Redis       embedded miniredis on "+mr.Addr()+" (in memory)")
	} else {
		used = append(used, "Redis       "+cfg.Masked().RedisURL+" (REDIS_URL)")
	}

	// Object store: S3_* settings, else gofakes3 in memory. (gofakes3's file backends need
	// modules go.mod does not carry, so dev photos do not survive a restart.)
	if cfg.S3Endpoint == "" {
		addr, stop, err := devS3()
		if err != nil {
			return fail(err)
		}
		d.closers = append(d.closers, stop)
		cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3UseSSL = addr, "dev", "devsecret", false
		if cfg.S3Region == "" {
			cfg.S3Region = "us-east-1"
		}
		used = append(used, "Objects     embedded S3 (gofakes3, in memory) on "+addr)
	} else {
		used = append(used, "Objects     "+cfg.S3Endpoint+" bucket "+cfg.S3Bucket+" (S3_*)")
	}

	// WeChat: the fake unless real mini-program credentials are given without WECHAT_FAKE.
	if cfg.WechatFake || cfg.WechatMPAppID == "" {
		fake, err := wechattest.NewStandalone("127.0.0.1:0")
		if err != nil {
			return fail(fmt.Errorf("fake wechat: %w", err))
		}
		d.wechatFake = fake
		cfg.WechatFake = true
		used = append(used, "WeChat      built-in fake on "+fake.URL()+` (login code "dev-<x>" logs in as openid "dev-openid-<x>")`)
	} else {
		used = append(used, "WeChat      real, app "+cfg.WechatMPAppID)
	}

	d.cfg = cfg
	if err := postgres.Migrate(ctx, cfg.DatabaseURL, "up"); err != nil {
		return fail(fmt.Errorf("postgresql: %w", err))
	}
	opened, err := openDeps(ctx, cfg, log)
	if err != nil {
		return fail(err)
	}
	d.pool, d.rdb, d.redis, d.limiter, d.objects = opened.pool, opened.rdb, opened.redis, opened.limiter, opened.objects
	if err := d.openWechat(); err != nil {
		return fail(err)
	}
	info, err := seedDemo(ctx, d)
	if err != nil {
		return fail(fmt.Errorf("seed demo data: %w", err))
	}

	prev := a.ready
	a.ready = func(addr string) {
		a.printBanner(addr, used, info)
		if prev != nil {
			prev(addr)
		}
	}
	return a.runHTTP(ctx, d, true, true)
}

// devRedis starts the in-memory Redis of `jianyi dev` with its TTLs following the wall clock
// (miniredis' ClockTTL, applied as each command comes in). Left alone, miniredis counts TTLs
// down only when told to (FastForward), so nothing ever expired: a rate-limit window once
// full (30 login attempts from 127.0.0.1) locked the deputies out until a restart, and
// sessions, dedupe keys and locks stayed for ever. Nothing runs beside it, so nothing needs
// stopping but the server itself.
func devRedis() (*miniredis.Miniredis, error) {
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true)
	if err := mr.Start(); err != nil {
		return nil, err
	}
	return mr, nil
}

func (a *app) lookupEnv(key string) (string, bool) {
	if a.environ != nil {
		v, ok := a.environ[key]
		return v, ok
	}
	return os.LookupEnv(key)
}

// printBanner tells the developer where dev listens (addr, the listener's address) and
// what backs it.
func (a *app) printBanner(addr string, used []string, info demoInfo) {
	base := "http://" + dialAddr(addr)
	w := a.stdout
	fmt.Fprintf(w, "\nJianyi %s (dev) is running: API, bot, console and workers in one process.\n\n", version)
	fmt.Fprintf(w, "  Listening    %s  (console %s/login)\n", base, base)
	fmt.Fprintf(w, "  Health       %s/healthz   Ready %s/readyz   Metrics %s/metrics\n\n", base, base, base)
	for _, u := range used {
		fmt.Fprintf(w, "  %s\n", u)
	}
	if info.Tenant != "" {
		fmt.Fprintf(w, "\n  Demo tenant  %s\n", info.Tenant)
	}
	if len(info.Accounts) > 0 {
		fmt.Fprintln(w, "\n  Demo logins:")
		for _, acc := range info.Accounts {
			line := fmt.Sprintf("    %-14s %-12s login %s", acc.Role, acc.Name, acc.Login)
			if acc.Password != "" {
				line += "  password " + acc.Password
			}
			fmt.Fprintln(w, line)
		}
	}
	for _, n := range info.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintln(w, "\nStop with Ctrl-C.")
}

// devPostgres finds or starts a PostgreSQL for dev: the local server on 127.0.0.1:5432
// (creating database jianyi_dev), else an embedded one under ./var (not as root: initdb
// refuses to run as root).
func devPostgres(ctx context.Context, logw io.Writer) (url, how string, stop func(), err error) {
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(cctx, localPostgres); err == nil {
		defer conn.Close(ctx)
		var exists bool
		if err := conn.QueryRow(cctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'jianyi_dev')").Scan(&exists); err != nil {
			return "", "", nil, fmt.Errorf("local postgresql: %w", err)
		}
		if !exists {
			if _, err := conn.Exec(cctx, "CREATE DATABASE jianyi_dev"); err != nil {
				return "", "", nil, fmt.Errorf("local postgresql: create database jianyi_dev: %w", err)
			}
		}
		url := "postgres://postgres@127.0.0.1:5432/jianyi_dev?sslmode=disable"
		return url, "local 127.0.0.1:5432, database jianyi_dev", nil, nil
	}
	if os.Geteuid() == 0 {
		return "", "", nil, errors.New("no PostgreSQL on 127.0.0.1:5432 and the embedded one cannot run as root: set DATABASE_URL or run scripts/services.sh")
	}
	port, err := freePort()
	if err != nil {
		return "", "", nil, err
	}
	abs, _ := filepath.Abs(filepath.Join(devDir, "pg"))
	epg := embeddedpostgres.NewDatabase(embeddedpostgres.DefaultConfig().
		Port(uint32(port)).
		Database("jianyi_dev").
		DataPath(filepath.Join(abs, "data")).
		RuntimePath(filepath.Join(abs, "run")).
		CachePath(filepath.Join(abs, "cache")).
		StartTimeout(60 * time.Second).
		Logger(logw))
	fmt.Fprintln(logw, "jianyi dev: starting an embedded PostgreSQL (the first run downloads it) in", abs)
	if err := epg.Start(); err != nil {
		return "", "", nil, fmt.Errorf("embedded postgresql: %w", err)
	}
	url = fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/jianyi_dev?sslmode=disable", port)
	return url, fmt.Sprintf("embedded on 127.0.0.1:%d, data in %s", port, abs), func() { _ = epg.Stop() }, nil
}

// devS3 serves an in-memory S3 on a loopback port.
func devS3() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("embedded s3: %w", err)
	}
	faker := gofakes3.New(s3mem.New())
	srv := &http.Server{Handler: faker.Server(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// seed loads the demo tenant into DATABASE_URL (after migrating up). Redis and the object
// store are used when configured.
func (a *app) seed(ctx context.Context) error {
	cfg, err := a.loadConfig(config.ModeSeed)
	if err != nil {
		return err
	}
	log := a.newLogger(cfg)
	if err := postgres.Migrate(ctx, cfg.DatabaseURL, "up"); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	d := &deps{cfg: cfg, log: log, metrics: newRegistry()}
	defer d.close()
	if d.pool, err = postgres.Open(ctx, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	if cfg.RedisURL != "" && cfg.S3Endpoint != "" {
		full, err := openDeps(ctx, cfg, log)
		if err != nil {
			return err
		}
		d.pool.Close()
		*d = *full
	}
	info, err := seedDemo(ctx, d)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(a.stdout, "seeded demo tenant %q (%d demo accounts)\n", info.Tenant, len(info.Accounts))
	return nil
}
