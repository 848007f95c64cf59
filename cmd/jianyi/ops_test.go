package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"jianyi/internal/config"
	"jianyi/internal/media"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres/pgtest"
	"jianyi/storage/redis/redistest"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// prodEnv is a complete production configuration on the test services.
func prodEnv(t *testing.T) map[string]string {
	t.Helper()
	_, s3 := objtest.NewWithConfig(t)
	return map[string]string{
		"JIANYI_HTTP_ADDR": "127.0.0.1:0",
		"DATABASE_URL":     pgtest.NewURL(t),
		"REDIS_URL":        redistest.URL(t),
		"S3_ENDPOINT":      s3.Endpoint,
		"S3_ACCESS_KEY":    s3.AccessKey,
		"S3_SECRET_KEY":    s3.SecretKey,
		"S3_BUCKET":        s3.Bucket,
		"S3_REGION":        s3.Region,
		"WECHAT_MP_APPID":  "wx-test-ops",
		"WECHAT_MP_SECRET": "mp-hunter2",
		"SHUTDOWN_TIMEOUT": "5s",
	}
}

func withEnv(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestUnreachableDependency: a dependency that does not answer at start-up is a runtime
// failure (exit 1, not the configuration status 2), reported with the dependency named and
// the cause, never as a crash.
func TestUnreachableDependency(t *testing.T) {
	t.Parallel()
	base := prodEnv(t)
	down := closedAddr(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"serve without postgresql", []string{"serve"}, withEnv(base, "DATABASE_URL", "postgres://jianyi:pw-hunter2@"+down+"/jianyi?sslmode=disable"),
			[]string{"jianyi serve: postgresql: ", "connection refused"}},
		{"worker without redis", []string{"worker"}, withEnv(base, "REDIS_URL", "redis://"+down+"/0"),
			[]string{"jianyi worker: redis: ", "connection refused"}},
		{"serve without object store", []string{"serve"}, withEnv(base, "S3_ENDPOINT", down),
			[]string{"jianyi serve: object store: ", "connection refused"}},
		{"seed without redis", []string{"seed"}, withEnv(base, "REDIS_URL", "redis://"+down+"/0"),
			[]string{"jianyi seed: redis: ", "connection refused"}},
		{"dev without redis", []string{"dev"}, withEnv(base, "REDIS_URL", "redis://"+down+"/0", "WECHAT_MP_APPID", "", "WECHAT_MP_SECRET", ""),
			[]string{"jianyi dev: redis: ", "connection refused"}},
		{"migrate without postgresql", []string{"migrate", "up"}, withEnv(base, "DATABASE_URL", "postgres://jianyi@"+down+"/jianyi?sslmode=disable"),
			[]string{"jianyi migrate: postgresql: ", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.env["DATABASE_URL"] == base["DATABASE_URL"] {
				tt.env["DATABASE_URL"] = pgtest.NewURL(t) // seed and dev migrate it
			}
			code, _, stderr := runApp(t, tt.env, tt.args...)
			if code != exitFailure {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, bad := range []string{"panic", "internal error", "invalid configuration", "hunter2"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr has %q:\n%s", bad, stderr)
				}
			}
		})
	}
}

// TestMigrateStatusPrints: `jianyi migrate status` lists every migration with its version,
// state and name on stdout.
func TestMigrateStatusPrints(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	code, out, stderr := runApp(t, env, "migrate", "status")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	if !regexpMatch(`(?m)^00001\s+pending\s+-\s+core$`, out) || strings.Contains(out, "applied  20") || !strings.Contains(out, " 0 applied, ") {
		t.Fatalf("status of an empty database:\n%s", out)
	}
	if code, _, stderr := runApp(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	_, out, _ = runApp(t, env, "migrate", "status")
	if !regexpMatch(`(?m)^00001\s+applied\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+core$`, out) || strings.Contains(out, "pending  -") || !strings.HasSuffix(out, ", 0 pending\n") {
		t.Fatalf("status after up:\n%s", out)
	}
}

// TestHealthcheckDialsConfiguredHost: the healthcheck reaches a server bound to one address
// at that address, and one bound to every address at 127.0.0.1.
func TestHealthcheckDialsConfiguredHost(t *testing.T) {
	t.Parallel()
	d := &deps{log: slog.New(slog.NewJSONHandler(io.Discard, nil)), metrics: newRegistry()}
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	srv := httptest.NewUnstartedServer(newEngine(d))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	if code, _, stderr := runApp(t, map[string]string{"JIANYI_HTTP_ADDR": ln.Addr().String()}, "healthcheck"); code != 0 {
		t.Fatalf("server on %s: healthcheck exit %d %s", ln.Addr(), code, stderr)
	}

	all := httptest.NewServer(newEngineFresh(d)) // 127.0.0.1
	defer all.Close()
	_, port, _ := net.SplitHostPort(all.Listener.Addr().String())
	for _, addr := range []string{":" + port, "0.0.0.0:" + port, "[::]:" + port} {
		if code, _, stderr := runApp(t, map[string]string{"JIANYI_HTTP_ADDR": addr}, "healthcheck", "ready"); code != 0 {
			t.Errorf("JIANYI_HTTP_ADDR=%s: healthcheck exit %d %s", addr, code, stderr)
		}
	}
}

// TestRedisLogsFollowLogLevel: go-redis's own log lines go through the configured logger,
// with its level and the service and version fields. Not parallel: go-redis has one
// logger per process.
func TestRedisLogsFollowLogLevel(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": pgtest.NewURL(t), "REDIS_URL": "redis://" + closedAddr(t) + "/0",
		"S3_ENDPOINT": "127.0.0.1:9", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "s",
		"WECHAT_MP_APPID": "wx", "WECHAT_MP_SECRET": "s",
	}
	code, _, stderr := runApp(t, withEnv(env, "LOG_LEVEL", "warn"), "worker")
	if code != exitFailure {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var found bool
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, `"component":"go-redis"`) {
			found = true
			for _, w := range []string{`"level":"WARN"`, `"service":"jianyi"`, `"version":"` + version + `"`} {
				if !strings.Contains(line, w) {
					t.Errorf("go-redis line lacks %s: %s", w, line)
				}
			}
		}
	}
	if !found {
		t.Fatalf("no go-redis log line in the command's log:\n%s", stderr)
	}
	_, _, stderr = runApp(t, withEnv(env, "LOG_LEVEL", "error"), "worker")
	if strings.Contains(stderr, "go-redis") {
		t.Fatalf("LOG_LEVEL=error still logs go-redis warnings:\n%s", stderr)
	}
}

// startHTTP runs runHTTP on d (no front doors, no workers) and returns its address, a
// function that stops it like SIGTERM and one that waits for it to return.
func startHTTP(t *testing.T, d *deps) (addr string, stop func(), wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addrCh := make(chan string, 1)
	a := &app{stdout: io.Discard, stderr: io.Discard, ready: func(addr string) { addrCh <- addr }}
	done := make(chan error, 1)
	go func() { done <- a.runHTTP(ctx, d, false, false) }()
	select {
	case addr = <-addrCh:
	case err := <-done:
		t.Fatalf("runHTTP returned early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("runHTTP did not start")
	}
	return addr, cancel, func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("runHTTP did not stop")
			return nil
		}
	}
}

// TestReadyzFailsWhileDraining: once shutdown begins /readyz answers 503 while the server
// still serves, so a load balancer stops sending before the listener closes.
func TestReadyzFailsWhileDraining(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	d := &deps{
		cfg:     config.Config{HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 4 * time.Second}, // 1 s drain
		log:     slog.New(slog.NewJSONHandler(&logs, nil)),
		metrics: newRegistry(),
	}
	addr, stop, wait := startHTTP(t, d)
	client := &http.Client{Timeout: 5 * time.Second}
	readyz := func() (int, string, error) {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	if code, body, err := readyz(); err != nil || code != http.StatusOK {
		t.Fatalf("before shutdown: %d %s %v", code, body, err)
	}
	stop()
	var saw503 bool
	for {
		code, body, err := readyz()
		if err != nil {
			break // the listener is closed: the drain is over
		}
		if code == http.StatusServiceUnavailable && strings.Contains(body, "shutting_down") {
			saw503 = true
			// Other routes are still served during the drain.
			if resp, err := client.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("healthz during the drain: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if !saw503 {
		t.Fatalf("/readyz never answered 503 during shutdown; logs:\n%s", logs.String())
	}
}

// TestServeShutdownDoesNotBlameWorkers: when an HTTP connection outlasts SHUTDOWN_TIMEOUT,
// serve (which runs no workers) reports the HTTP shutdown, not workers.
func TestServeShutdownDoesNotBlameWorkers(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	d := &deps{
		cfg:     config.Config{HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 400 * time.Millisecond},
		log:     slog.New(slog.NewJSONHandler(&logs, nil)),
		metrics: newRegistry(),
	}
	addr, stop, wait := startHTTP(t, d)
	// A request whose headers never end keeps its connection active until ReadHeaderTimeout.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the server read the first bytes
	stop()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "http shutdown incomplete") {
		t.Fatalf("the slow connection did not outlast the shutdown; logs:\n%s", out)
	}
	if strings.Contains(out, "workers") {
		t.Errorf("serve blames workers it does not run:\n%s", out)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// TestDevBannerUsesListenAddress: the dev banner's links are built from the address dev
// listens on (loopback when it listens on every address).
func TestDevBannerUsesListenAddress(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9090":   "http://127.0.0.1:9090/healthz",
		"[::]:9091":      "http://127.0.0.1:9091/healthz",
		"10.1.2.3:8080":  "http://10.1.2.3:8080/healthz",
	} {
		var out strings.Builder
		(&app{stdout: &out}).printBanner(addr, nil, demoInfo{})
		if !strings.Contains(out.String(), want) {
			t.Errorf("listening on %s: banner lacks %s:\n%s", addr, want, out.String())
		}
	}
}

// MEDIA_DECODE_BUDGET_MB sizes the decoding budget the process's photo services share.
func TestDecodeBudgetFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := config.LoadFrom(withEnv(prodEnv(t), "MEDIA_DECODE_BUDGET_MB", "1024"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := openDeps(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	if got := d.decoding.Budget(); got != 1<<30 {
		t.Fatalf("decoding budget %d, want 1 GiB", got)
	}
	photos := d.withDecoding(media.NewService(nil, nil, nil, nil, nil))
	if photos.Decoding != d.decoding {
		t.Fatalf("a photo service wired by the process does not draw from its budget")
	}
}
