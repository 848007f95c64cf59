package worker_test

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// sw is the transport of the process's one SDK HTTP client (wechat.SetHTTPClient may be
// called once); each test points it at its own fake. Tests here run one at a time.
var sw = &switchTransport{}

type switchTransport struct {
	mu sync.Mutex
	rt http.RoundTripper
}

func (s *switchTransport) set(rt http.RoundTripper) { s.mu.Lock(); s.rt = rt; s.mu.Unlock() }

func (s *switchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	return rt.RoundTrip(r)
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild()
		return
	}
	wechat.SetHTTPClient(&http.Client{Transport: sw, Timeout: wechattest.ClientTimeout})
	os.Exit(m.Run())
}

// fakeWith starts a fake WeChat of its own and routes the SDK through a recorder.
func fakeWith(t *testing.T, rdb *jredis.Client) (*wechattest.Server, *wechattest.App, *wechat.Client, *recorder) {
	return fakeWithB(t, rdb)
}

func fakeWithB(t testing.TB, rdb *jredis.Client) (*wechattest.Server, *wechattest.App, *wechat.Client, *recorder) {
	t.Helper()
	srv, err := wechattest.NewStandalone("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	app := srv.DevApp()
	wx, err := wechat.New(app.Config(), jredis.NewTokenCache(rdb, jredis.GlobalKey("wxtoken", app.MiniAppID)), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{base: srv.HTTPClient().Transport, ok: map[int64]int{}}
	sw.set(rec)
	return srv, app, wx, rec
}

// TestTenThousandExactlyOnceUnderFaults: 10,000 notices, two workers, the fake failing 20% of
// calls and hanging on 5%: every notice is accepted by WeChat exactly once.
func TestTenThousandExactlyOnceUnderFaults(t *testing.T) {
	deputies, per := 1000, 10
	if raceEnabled {
		deputies, per = 500, 4 // 2,000 under -race; 10,000 in a plain `go test`
	}
	_, pool := newDB(t)
	seed(t, pool, deputies)
	rs := redistest.StartServer(t)
	rdb := rs.Client(t)
	_, app, wx, rec := fakeWith(t, rdb)
	app.SetFaults(0.20, 0.05, 42)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		w, closeQ := newWorker(pool, rdb, wx, testTuning)
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer closeQ()
		defer w.Stop()
	}
	addEvents(t, pool, deputies, per)
	waitDone(t, pool, deputies*per, 10*time.Minute)
	ok, _ := rec.snapshot()
	checkExactlyOnce(t, pool, ok, deputies*per)
	st := statuses(t, pool)
	if st["mp_subscribe:sent:"] != deputies*per {
		t.Errorf("deliveries: %v", st)
	}
	t.Logf("WeChat calls %d (fake counted %d) for %d notices; deliveries %v", rec.all, app.Count(wechattest.APISubscribeSend), deputies*per, st)
}

// TestFlushAllMidRun: Redis loses every queued task in the middle of a run; the reconciler
// rebuilds them from PostgreSQL and every notice still goes exactly once.
func TestFlushAllMidRun(t *testing.T) {
	deputies, per := 500, 6
	if raceEnabled {
		deputies, per = 300, 5
	}
	_, pool := newDB(t)
	seed(t, pool, deputies)
	rs := redistest.StartServer(t)
	rdb := rs.Client(t)
	_, app, wx, rec := fakeWith(t, rdb)
	app.SetFaults(0.10, 0.02, 7)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		w, closeQ := newWorker(pool, rdb, wx, testTuning)
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer closeQ()
		defer w.Stop()
	}
	addEvents(t, pool, deputies, per)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if rec.accepts() >= deputies*per/3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress before the flush")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	_, at := rec.snapshot()
	if os.Getenv("JIANYI_DEBUG_PROGRESS") != "" {
		go func() {
			for ctx.Err() == nil {
				p := rdb.LLen(ctx, "asynq:{default}:pending").Val()
				sc := rdb.ZCard(ctx, "asynq:{default}:scheduled").Val()
				re := rdb.ZCard(ctx, "asynq:{default}:retry").Val()
				ac := rdb.LLen(ctx, "asynq:{default}:active").Val()
				t.Logf("redis: pending %d scheduled %d retry %d active %d dbsize %d", p, sc, re, ac, rdb.DBSize(ctx).Val())
				time.Sleep(700 * time.Millisecond)
			}
		}()
	}
	waitDone(t, pool, deputies*per, 5*time.Minute)
	ok, _ := rec.snapshot()
	checkExactlyOnce(t, pool, ok, deputies*per)
	t.Logf("flushed after %d of %d sends", at, deputies*per)
}
