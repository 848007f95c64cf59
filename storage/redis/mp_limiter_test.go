package redis_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

// countScripts counts the rate-limit script calls that reach Redis.
type countScripts struct{ n atomic.Int64 }

func (c *countScripts) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (c *countScripts) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if strings.HasPrefix(cmd.Name(), "eval") {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (c *countScripts) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return next
}

func TestMPLimiterSmallLimitIsExact(t *testing.T) {
	ctx := context.Background()
	l := jredis.NewMPLimiter(redistest.New(t))
	tn := tenant()
	for i := range 7 {
		ok, retry, err := l.Allow(ctx, tn, "user:small", 5, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (i < 5) {
			t.Fatalf("hit %d: ok=%v", i+1, ok)
		}
		if !ok && (retry <= 0 || retry > time.Minute) {
			t.Fatalf("hit %d: retry %v", i+1, retry)
		}
	}
	// Another subject and another tenant are counted apart.
	if ok, _, _ := l.Allow(ctx, tn, "user:other", 5, time.Minute); !ok {
		t.Fatal("other subject refused")
	}
	if ok, _, _ := l.Allow(ctx, tn+1, "user:small", 5, time.Minute); !ok {
		t.Fatal("other tenant refused")
	}
}

func TestMPLimiterWindowEnds(t *testing.T) {
	ctx := context.Background()
	l := jredis.NewMPLimiter(redistest.New(t))
	tn := tenant()
	for i := range 3 {
		ok, _, err := l.Allow(ctx, tn, "ip:w", 2, 200*time.Millisecond)
		if err != nil || ok != (i < 2) {
			t.Fatalf("hit %d: %v %v", i+1, ok, err)
		}
	}
	time.Sleep(250 * time.Millisecond)
	if ok, _, err := l.Allow(ctx, tn, "ip:w", 2, 200*time.Millisecond); !ok || err != nil {
		t.Fatalf("new window: %v %v", ok, err)
	}
}

// Leases: a busy subject costs few round trips, and two instances together never allow
// more than the limit.
func TestMPLimiterLeases(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.New(t)
	var calls countScripts
	rdb.AddHook(&calls)
	a, b := jredis.NewMPLimiter(rdb), jredis.NewMPLimiter(rdb)
	tn := tenant()

	for range 1000 {
		if ok, _, err := a.Allow(ctx, tn, "user:busy", 1<<30, time.Minute); !ok || err != nil {
			t.Fatalf("%v %v", ok, err)
		}
	}
	if n := calls.n.Load(); n > 30 {
		t.Fatalf("%d round trips for 1000 hits", n)
	}

	const limit = 1000
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := a
			if g%2 == 1 {
				l = b
			}
			for range 400 {
				ok, _, err := l.Allow(ctx, tn, "user:shared", limit, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	n := allowed.Load()
	if n > limit || n < limit-2*limit/16 {
		t.Fatalf("allowed %d of 3200 hits with limit %d", n, limit)
	}
	// Once used up, the refusal is local: no more round trips.
	before := calls.n.Load()
	for range 100 {
		if ok, _, _ := a.Allow(ctx, tn, "user:shared", limit, time.Minute); ok {
			allowed.Add(1)
		}
	}
	if allowed.Load() > limit {
		t.Fatalf("allowed %d > %d", allowed.Load(), limit)
	}
	if d := calls.n.Load() - before; d > 2 {
		t.Fatalf("%d round trips while refused", d)
	}
}
