package notify_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/deadline"
	"jianyi/internal/notify"
	"jianyi/internal/suggestion"
	"jianyi/internal/wechat"
	"jianyi/internal/wechat/wechattest"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// memQueue records jobs; drain runs them synchronously.
type memQueue struct {
	mu   sync.Mutex
	jobs []notify.Job
	seen map[int64]bool
}

func (q *memQueue) EnqueueDelivery(_ context.Context, j notify.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.seen == nil {
		q.seen = map[int64]bool{}
	}
	if q.seen[j.DeliveryID] {
		return nil // like asynq.TaskID: a queued task is not queued twice
	}
	q.seen[j.DeliveryID] = true
	q.jobs = append(q.jobs, j)
	return nil
}

func (q *memQueue) pop() (notify.Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return notify.Job{}, false
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	delete(q.seen, j.DeliveryID)
	return j, true
}

type bundle struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	tn     *pgtest.Tenant
	clock  *fakeClock
	store  *postgres.NotifyStore
	queue  *memQueue
	app    *wechattest.App
	wx     *wechat.Client
	relay  *notify.Relay
	deliv  *notify.Deliverer
	svc    *suggestion.Service
	pause  *jredis.ChannelPause
	inbox  *notify.Inbox
	credit *notify.Credits
}

// weekday 10:00 Shanghai, outside quiet hours.
var monday10 = time.Date(2026, 3, 23, 10, 0, 0, 0, deadline.Shanghai)

func setup(t *testing.T) *bundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &bundle{ctx: context.Background(), pool: pool, tn: pgtest.NewTenant(t, pool), clock: &fakeClock{t: monday10},
		store: postgres.NewNotifyStore(pool), queue: &memQueue{}}
	b.app = wechattest.Start().NewApp(t)
	rdb := redistest.New(t)
	wx, err := wechat.New(b.app.Config(), jredis.NewTokenCache(rdb, jredis.GlobalKey("wxtoken", b.app.MiniAppID)), nil)
	if err != nil {
		t.Fatal(err)
	}
	b.wx = wx
	b.pause = jredis.NewChannelPause(rdb)
	b.relay = notify.NewRelay(b.store, b.queue, b.clock, nil)
	b.deliv = notify.NewDeliverer(b.store, b.queue, &notify.WeChatSender{Client: wx, MiniAppID: b.app.MiniAppID}, b.pause, b.clock, nil)
	b.svc = suggestion.NewService(postgres.NewSuggestionStore(pool), b.clock.Now)
	b.inbox = notify.NewInbox(b.store, b.clock)
	b.credit = notify.NewCredits(b.store)
	tpls := notify.NewTemplates(b.store)
	for _, ch := range []string{notify.ChannelMPSubscribe, notify.ChannelOATemplate, notify.ChannelOAStaff} {
		if err := tpls.Set(b.ctx, b.tn.ID, notify.TemplateID{Kind: notify.KindAny, Channel: ch, TemplateID: "TPL_" + ch}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	pgtest.MustExec(t, b.pool, sql, args...)
}

// drain relays the outbox and runs every queued delivery that is due now.
func (b *bundle) drain(t *testing.T) {
	t.Helper()
	if err := b.relay.Drain(b.ctx); err != nil {
		t.Fatal(err)
	}
	var later []notify.Job
	for {
		j, ok := b.queue.pop()
		if !ok {
			break
		}
		err := b.deliv.Deliver(b.ctx, j.TenantID, j.DeliveryID)
		var re *notify.RetryError
		switch {
		case err == nil:
		case errors.As(err, &re):
			later = append(later, notify.Job{TenantID: j.TenantID, DeliveryID: j.DeliveryID, At: re.At})
		default:
			later = append(later, j) // transient: a later drain retries
		}
	}
	for _, j := range later {
		_ = b.queue.EnqueueDelivery(b.ctx, j)
	}
}

func (b *bundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(b.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

type fatal struct{ err error }

// must returns v or stops the test (through catch) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fatal{err})
	}
	return v
}

func catch(t *testing.T) {
	if r := recover(); r != nil {
		f, ok := r.(fatal)
		if !ok {
			panic(r)
		}
		t.Fatalf("unexpected error: %v (%s)", f.err, suggestion.CodeOf(f.err))
	}
}
