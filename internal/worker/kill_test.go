package worker_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

const childEnv = "JIANYI_WORKER_CHILD"

// rewrite sends WeChat hosts to a fake at addr (the child's view of the parent's fake).
type rewrite struct{ addr string }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Hostname(), "weixin.qq.com") {
		return nil, fmt.Errorf("refusing %s", req.URL.Host)
	}
	r2 := req.Clone(req.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = "http", r.addr, r.addr
	return http.DefaultTransport.RoundTrip(r2)
}

// runChild is a worker process for TestWorkerKilledMidRun: it runs until killed.
func runChild() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	pool, err := postgres.Open(ctx, os.Getenv("CHILD_PG"))
	if err != nil {
		fail(err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: os.Getenv("CHILD_REDIS")})
	u, _ := url.Parse(os.Getenv("CHILD_FAKE"))
	wechat.SetHTTPClient(&http.Client{Transport: rewrite{addr: u.Host}, Timeout: 5 * time.Second})
	wx, err := wechat.New(wechat.Config{MiniAppID: os.Getenv("CHILD_APPID"), MiniSecret: os.Getenv("CHILD_SECRET")},
		jredis.NewTokenCache(rdb, jredis.GlobalKey("wxtoken-child")), nil)
	if err != nil {
		fail(err)
	}
	w, _ := newWorker(pool, rdb, wx, testTuning)
	if err := w.Run(ctx); err != nil {
		fail(err)
	}
}

// TestWorkerKilledMidRun: a worker process is SIGKILLed while sending; a surviving worker
// finishes the run. Nothing is sent twice; every notice is either accepted exactly once or,
// for the few sends in flight at the kill, recorded as unknown (never resent); the in-app
// notice exists for all.
func TestWorkerKilledMidRun(t *testing.T) {
	const deputies, per = 400, 5
	pgURL, pool := newDB(t)
	seed(t, pool, deputies)
	rs := redistest.StartServer(t)
	rdb := rs.Client(t)
	fake, app, wx, _ := fakeWith(t, rdb)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_PG="+pgURL, "CHILD_REDIS="+rs.Addr(),
		"CHILD_FAKE="+fake.URL(), "CHILD_APPID="+app.MiniAppID, "CHILD_SECRET="+app.MiniSecret)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addEvents(t, pool, deputies, per)
	deadline := time.Now().Add(60 * time.Second)
	for app.Count(wechattest.APISubscribeSend) < deputies*per/3 {
		if time.Now().After(deadline) {
			t.Fatal("child made no progress")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	atKill := app.Count(wechattest.APISubscribeSend)

	// The survivor: same database and Redis, talking to the same fake.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, closeQ := newWorker(pool, rdb, wx, testTuning)
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer closeQ()
	defer w.Stop()
	waitDone(t, pool, deputies*per, 5*time.Minute)

	calls := map[int64]int{}
	for _, c := range app.Calls(wechattest.APISubscribeSend) {
		calls[noticeOf(c.Body)]++
	}
	rows, err := pool.Query(ctx, `SELECT n.id, d.status FROM notices n JOIN deliveries d ON d.tenant_id = n.tenant_id
		AND d.notice_id = n.id AND d.channel = 'mp_subscribe'`)
	if err != nil {
		t.Fatal(err)
	}
	sent, unknown := 0, 0
	for rows.Next() {
		var id int64
		var st string
		_ = rows.Scan(&id, &st)
		switch {
		case calls[id] > 1:
			t.Errorf("notice %d sent %d times", id, calls[id])
		case st == "sent" && calls[id] != 1:
			t.Errorf("notice %d recorded sent but WeChat saw %d calls", id, calls[id])
		case st == "unknown":
			unknown++
		case st != "sent":
			t.Errorf("notice %d ended %s", id, st)
		default:
			sent++
		}
	}
	rows.Close()
	if unknown > testTuning.concurrency {
		t.Errorf("%d unknown outcomes, more than the killed worker had in flight", unknown)
	}
	t.Logf("killed after %d sends; %d sent, %d unknown (in flight at the kill)", atKill, sent, unknown)
	_ = net.JoinHostPort
}
