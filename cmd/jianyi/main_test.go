package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"jianyi/internal/config"
	"jianyi/internal/logtest"
	"jianyi/storage/objects/objtest"
	"jianyi/storage/postgres/pgtest"
	"jianyi/storage/redis/redistest"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer = logtest.Buffer

func runApp(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	a := &app{environ: env, stdout: &out, stderr: &errb}
	code = a.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestCommandLineAndConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{"no command", map[string]string{}, nil, exitConfig, []string{"usage: jianyi"}},
		{"unknown command", map[string]string{}, []string{"fly"}, exitConfig, []string{`unknown command "fly"`}},
		{"serve without database", map[string]string{}, []string{"serve"}, exitConfig,
			[]string{"jianyi serve: invalid configuration", "DATABASE_URL is required for `jianyi serve`", "REDIS_URL is required", "S3_ENDPOINT is required"}},
		{"worker without settings", map[string]string{}, []string{"worker"}, exitConfig, []string{"DATABASE_URL is required for `jianyi worker`"}},
		{"serve refuses fake wechat", map[string]string{"WECHAT_FAKE": "true", "DATABASE_URL": "postgres://u:pw-hunter2@h/db"}, []string{"serve"}, exitConfig,
			[]string{"WECHAT_FAKE is a dev-only fake"}},
		{"migrate without database", map[string]string{}, []string{"migrate"}, exitConfig, []string{"DATABASE_URL is required for `jianyi migrate`"}},
		{"migrate bad direction", map[string]string{}, []string{"migrate", "sideways"}, exitConfig, []string{`unknown migrate direction "sideways"`}},
		{"seed without database", map[string]string{}, []string{"seed"}, exitConfig, []string{"jianyi seed: invalid configuration", "DATABASE_URL is required for `jianyi seed`"}},
		{"bad bool", map[string]string{"S3_USE_SSL": "maybe"}, []string{"serve"}, exitConfig, []string{"S3_USE_SSL: invalid value"}},
		// A value that does not parse does not hide the other mistakes.
		{"bad values and missing settings together", map[string]string{"S3_USE_SSL": "maybe", "SHUTDOWN_TIMEOUT": "soon", "REDIS_URL": "http://redis:6379"}, []string{"worker"}, exitConfig,
			[]string{"S3_USE_SSL: invalid value", "SHUTDOWN_TIMEOUT: invalid value", "DATABASE_URL is required for `jianyi worker`", "REDIS_URL must use scheme", "WECHAT_MP_APPID is required"}},
		{"password with a slash", map[string]string{"DATABASE_URL": "postgres://jianyi:ab/hunter2@postgres:5432/jianyi"}, []string{"migrate"}, exitConfig,
			[]string{"DATABASE_URL is not a valid URL", "must be percent-encoded (/ as %2F)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runApp(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "hunter2") {
				t.Errorf("stderr leaks a secret:\n%s", stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runApp(t, map[string]string{}, "version")
	if code != 0 || !strings.HasPrefix(out, "jianyi ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestMigrateUpDownReset(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t)}
	for _, dir := range []string{"up", "status", "down", "up", "reset", "up"} {
		if code, _, stderr := runApp(t, env, "migrate", dir); code != 0 {
			t.Fatalf("migrate %s: exit %d\n%s", dir, code, stderr)
		}
	}
}

// testDeps is a deps on real services; rdb may be replaced by the caller.
func testDeps(t *testing.T, log *slog.Logger) *deps {
	t.Helper()
	return &deps{
		cfg:     config.Config{ShutdownTimeout: 5 * time.Second},
		log:     log,
		pool:    pgtest.New(t),
		rdb:     redistest.New(t),
		objects: objtest.New(t),
		metrics: newRegistry(),
	}
}

func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	d := testDeps(t, log)
	r := newEngine(d)

	rec := get(t, r, "/readyz")
	if rec.Code != http.StatusOK {
		t.Fatalf("all up: %d %s", rec.Code, rec.Body)
	}

	// Redis goes away.
	srv := redistest.StartServer(t)
	down := srv.Client(t)
	srv.Stop()
	d2 := *d
	d2.rdb = down
	d2.metrics = newRegistry()
	rec = get(t, newEngine(&d2), "/readyz")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("redis down: want 503, got %d %s", rec.Code, rec.Body)
	}
	var body struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"postgres": "ok", "redis": "unavailable", "objects": "ok"}
	if body.Status != "unavailable" || len(body.Checks) != 3 {
		t.Fatalf("body = %+v", body)
	}
	for k, v := range want {
		if body.Checks[k] != v {
			t.Errorf("check %s = %q, want %q", k, body.Checks[k], v)
		}
	}
	// Liveness does not depend on Redis.
	if rec := get(t, newEngineFresh(&d2), "/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("healthz: %d", rec.Code)
	}
}

func newEngineFresh(d *deps) http.Handler {
	d2 := *d
	d2.metrics = newRegistry()
	return newEngine(&d2)
}

func TestAccessLogAndMetrics(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	d := &deps{log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), metrics: newRegistry()}
	r := newEngine(d)
	r.GET("/t/:id", func(c *gin.Context) { c.String(200, "ok") })
	r.GET("/boom", func(c *gin.Context) { panic("kaboom") })

	rec := get(t, r, "/t/42?code=LOGINCODE-SECRET&token=T-SECRET", "X-Request-ID", "req-abc_1")
	if rec.Code != 200 || rec.Header().Get("X-Request-ID") != "req-abc_1" {
		t.Fatalf("status %d, request id %q", rec.Code, rec.Header().Get("X-Request-ID"))
	}
	if rec := get(t, r, "/healthz", "X-Request-ID", "bad id with spaces"); len(rec.Header().Get("X-Request-ID")) != 16 {
		t.Fatalf("an invalid request id must be replaced, got %q", rec.Header().Get("X-Request-ID"))
	}
	if rec := get(t, r, "/boom"); rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("panic: %d %s", rec.Code, rec.Body)
	}
	get(t, r, "/nope/123?x=Q-SECRET")

	out := logs.String()
	if strings.Contains(out, "SECRET") || strings.Contains(out, "/t/42") {
		t.Fatalf("access log leaks query or raw path:\n%s", out)
	}
	for _, w := range []string{`"route":"/t/:id"`, `"request_id":"req-abc_1"`, `"status":200`, `"route":"unmatched"`, `"status":404`, `"panic":"kaboom"`} {
		if !strings.Contains(out, w) {
			t.Errorf("log lacks %s:\n%s", w, out)
		}
	}

	m := get(t, r, "/metrics").Body.String()
	for _, w := range []string{
		`jianyi_http_request_duration_seconds_count{method="GET",route="/t/:id",status="200"} 1`,
		`jianyi_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(m, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
	if strings.Contains(m, "/nope/123") {
		t.Error("metrics must not label raw paths")
	}
}

// TestServeStartsAndStops runs the real `serve` command against the test services and
// stops it like SIGTERM does.
func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	env := prodEnv(t)
	if code, _, stderr := runApp(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	addrCh := make(chan string, 1)
	a := &app{environ: env, stdout: io.Discard, stderr: &stderr, ready: func(addr string) { addrCh <- addr }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"serve"}) }()

	var addr string
	select {
	case addr = <-addrCh:
	case code := <-done:
		t.Fatalf("serve exited early with %d:\n%s", code, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start:\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("readyz: %d\n%s", resp.StatusCode, stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := stderr.String()
	if strings.Contains(logs, "hunter2") {
		t.Fatalf("logs leak a secret:\n%s", logs)
	}
	for _, w := range []string{`"msg":"starting"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %s", w)
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	d := &deps{log: slog.New(slog.NewJSONHandler(io.Discard, nil)), metrics: newRegistry()}
	srv := httptest.NewServer(newEngine(d))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	if code, _, stderr := runApp(t, map[string]string{"JIANYI_HTTP_ADDR": ":" + port}, "healthcheck"); code != 0 {
		t.Fatalf("healthcheck: %d %s", code, stderr)
	}
	srv.Close()
	if code, _, _ := runApp(t, map[string]string{"JIANYI_HTTP_ADDR": ":" + port}, "healthcheck"); code == 0 {
		t.Fatal("healthcheck must fail when nothing listens")
	}
}
