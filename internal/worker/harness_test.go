package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/notify"
	"jianyi/internal/wechat"
	"jianyi/internal/worker"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
)

// newDB returns a migrated database's URL and a pool on it.
func newDB(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	u := pgtest.NewURL(t)
	if err := postgres.Migrate(context.Background(), u, "up"); err != nil {
		t.Fatal(err)
	}
	// Deliveries run 25 at a time per worker besides the relay: a pool of 8 would queue them.
	pool, err := postgres.Open(context.Background(), u+"&pool_max_conns=40"+os.Getenv("JIANYI_DEBUG_PGPARAMS"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return u, pool
}

// seed makes tenant 1 with n deputies, each bound on the mini-program with a long-term
// subscription, one suggestion each, no digest and no quiet hours.
func seed(t testing.TB, pool *pgxpool.Pool, n int) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO tenants (id, code, name) VALUES (1, 't1', '测试市人大常委会')`,
		`INSERT INTO meetings (tenant_id, name, year, starts_on, ends_on, is_current) VALUES (1, '会议', 2026, '2026-01-01', '2026-12-31', true)`,
		`INSERT INTO deputies (tenant_id, id, name, mp_openid) SELECT 1, g, '代表' || g, 'mp-' || g FROM generate_series(1, $1::int) g`,
		`INSERT INTO suggestions (tenant_id, id, meeting_id, lead_deputy_id, title, body, status)
		 SELECT 1, g, (SELECT id FROM meetings WHERE tenant_id = 1), g, '关于第' || g || '号问题的建议', '正文', 'handling' FROM generate_series(1, $1::int) g`,
		`INSERT INTO notify_credits (tenant_id, deputy_id, template_id, long_term) SELECT 1, g, 'TPL', true FROM generate_series(1, $1::int) g`,
		`INSERT INTO notify_templates (tenant_id, kind, channel, template_id) VALUES (1, '*', 'mp_subscribe', 'TPL')`,
		`INSERT INTO notify_settings (tenant_id, digest_minutes, quiet_start, quiet_end) VALUES (1, 0, 0, 0)`,
	} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, n)
		}
		pgtest.MustExec(t, pool, q, args...)
	}
}

// addEvents writes per progress events for every suggestion: n×per notices, one per event.
func addEvents(t testing.TB, pool *pgxpool.Pool, n, per int) {
	t.Helper()
	pgtest.MustExec(t, pool, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload)
		SELECT 1, 'suggestion.progress', s, '{}' FROM generate_series(1, $1::int) s, generate_series(1, $2::int) k`, n, per)
}

type tuning struct {
	concurrency int
	sendTimeout time.Duration
	lease       time.Duration
	stale       time.Duration
}

var testTuning = tuning{concurrency: envInt("JIANYI_BENCH_CONCURRENCY", 25), sendTimeout: 500 * time.Millisecond, lease: 3 * time.Second, stale: 3 * time.Second}

// newWorker builds one worker "process": relay, reconciler and the asynq server.
func newWorker(pool *pgxpool.Pool, rdb *goredis.Client, wx *wechat.Client, tu tuning) (*worker.Worker, func()) {
	var log *slog.Logger
	if os.Getenv("JIANYI_DEBUG_PROGRESS") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	store := postgres.NewNotifyStore(pool)
	queue := jredis.NewQueue(rdb)
	var sender notify.Sender = &notify.WeChatSender{Client: wx}
	if os.Getenv("JIANYI_DEBUG_TIMING") != "" {
		sender = timedSender{sender}
	}
	deliv := notify.NewDeliverer(store, queue, sender, jredis.NewChannelPause(rdb), nil, nil)
	deliv.MaxAttempts = 40
	deliv.SendTimeout = tu.sendTimeout
	deliv.Lease = tu.lease
	relay := notify.NewRelay(store, queue, nil, nil)
	relay.Interval = 50 * time.Millisecond
	rec := notify.NewReconciler(store, relay, queue, nil, deliv.Lease, log)
	rec.Interval = 300 * time.Millisecond
	rec.StaleAfter = tu.stale
	rec.Grace = time.Second
	var h worker.Deliverer = deliv
	if os.Getenv("JIANYI_DEBUG_TIMING") != "" {
		h = timed{deliv}
	}
	w := worker.New(queue, worker.Config{Concurrency: tu.concurrency, RetryBase: 10 * time.Millisecond,
		RetryMax: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond, ShutdownTimeout: 2 * time.Second},
		h, nil, log, relay, worker.Every("notify_reconcile", rec.Interval, func(ctx context.Context) error {
			_, err := rec.RunOnce(ctx)
			return err
		}, log))
	return w, func() { _ = queue.Close() }
}

// recorder wraps the fake's transport and counts WeChat-accepted subscribe sends per notice.
type recorder struct {
	base     http.RoundTripper
	mu       sync.Mutex
	ok       map[int64]int // notice id -> accepted sends
	accepted int           // sum of ok
	all      int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/message/subscribe/send") {
		return r.base.RoundTrip(req)
	}
	body, _ := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := r.base.RoundTrip(req)
	r.mu.Lock()
	r.all++
	r.mu.Unlock()
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	rb, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	if rerr != nil {
		return resp, nil
	}
	var ans struct {
		ErrCode int `json:"errcode"`
	}
	_ = json.Unmarshal(rb, &ans)
	if ans.ErrCode == 0 {
		nid := noticeOf(body)
		r.mu.Lock()
		r.ok[nid]++
		r.accepted++
		r.mu.Unlock()
	}
	return resp, nil
}

// accepts is how many sends WeChat accepted (snapshot without the copy, for polling).
func (r *recorder) accepts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

func (r *recorder) snapshot() (map[int64]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[int64]int, len(r.ok))
	n := 0
	for k, v := range r.ok {
		m[k] = v
		n += v
	}
	return m, n
}

// noticeOf reads the nid of the page of a subscribe-message body.
func noticeOf(body []byte) int64 {
	var m struct {
		Page string `json:"page"`
	}
	_ = json.Unmarshal(body, &m)
	i := strings.Index(m.Page, "?")
	if i < 0 {
		return 0
	}
	q, _ := url.ParseQuery(m.Page[i+1:])
	n, _ := strconv.ParseInt(q.Get("nid"), 10, 64)
	return n
}

// waitDone waits until no push delivery is pending or sending.
func waitDone(t *testing.T, pool *pgxpool.Pool, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var notices, open int
		err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM notices),
			(SELECT count(*) FROM deliveries WHERE channel <> 'inapp' AND status IN ('pending', 'sending'))`).Scan(&notices, &open)
		if err != nil {
			t.Fatal(err)
		}
		if notices == want && open == 0 {
			return
		}
		if os.Getenv("JIANYI_DEBUG_PROGRESS") != "" {
			t.Logf("%s: %d notices, %d open, %v", time.Now().Format("15:04:05.0"), notices, open, statuses(t, pool))
		}
		if time.Now().After(deadline) {
			t.Fatalf("not done after %s: %d notices of %d, %d deliveries open", timeout, notices, want, open)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func statuses(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT channel || ':' || status || ':' || reason, count(*) FROM deliveries GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		_ = rows.Scan(&k, &n)
		out[k] = n
	}
	return out
}

// checkExactlyOnce asserts every notice was accepted by WeChat exactly once.
func checkExactlyOnce(t *testing.T, pool *pgxpool.Pool, ok map[int64]int, want int) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT id FROM notices ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids[id] = true
	}
	rows.Close()
	if len(ids) != want {
		t.Fatalf("%d notices, want %d", len(ids), want)
	}
	bad := 0
	for id := range ids {
		if ok[id] != 1 {
			if bad < 5 {
				t.Errorf("notice %d accepted by WeChat %d times", id, ok[id])
			}
			bad++
		}
	}
	for id, n := range ok {
		if !ids[id] {
			t.Errorf("send for unknown notice %d (%d)", id, n)
		}
	}
	if bad > 0 {
		t.Fatalf("%d notices not delivered exactly once; deliveries: %v", bad, statuses(t, pool))
	}
}

type timed struct{ d worker.Deliverer }

var (
	timingMu sync.Mutex
	timings  []time.Duration
)

func (t timed) Deliver(ctx context.Context, tenantID, id int64) error {
	start := time.Now()
	err := t.d.Deliver(ctx, tenantID, id)
	timingMu.Lock()
	timings = append(timings, time.Since(start))
	timingMu.Unlock()
	return err
}

func timingSummary() string {
	timingMu.Lock()
	defer timingMu.Unlock()
	if len(timings) == 0 {
		return "no timings"
	}
	ts := append([]time.Duration(nil), timings...)
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return fmt.Sprintf("deliver calls %d p50 %v p90 %v p99 %v", len(ts), ts[len(ts)/2], ts[len(ts)*9/10], ts[len(ts)*99/100])
}

type timedSender struct{ s notify.Sender }

var sendTimings []time.Duration

func (t timedSender) Send(ctx context.Context, m notify.Message) (int64, error) {
	start := time.Now()
	id, err := t.s.Send(ctx, m)
	timingMu.Lock()
	sendTimings = append(sendTimings, time.Since(start))
	timingMu.Unlock()
	return id, err
}

func sendSummary() string {
	timingMu.Lock()
	defer timingMu.Unlock()
	ts := append([]time.Duration(nil), sendTimings...)
	if len(ts) == 0 {
		return "no sends"
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return fmt.Sprintf("send calls %d p50 %v p90 %v p99 %v", len(ts), ts[len(ts)/2], ts[len(ts)*9/10], ts[len(ts)*99/100])
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
