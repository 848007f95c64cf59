package redis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

func tenant() int64 { return rand.Int64N(1 << 40) }

func TestKey(t *testing.T) {
	tests := []struct {
		tenant int64
		parts  []string
		want   string
	}{
		{42, []string{"session", "abc"}, "jy:{t42}:session:abc"},
		{7, nil, "jy:{t7}"},
		{0, []string{"x"}, "jy:{t0}:x"},
	}
	for _, tt := range tests {
		if got := jredis.Key(tt.tenant, tt.parts...); got != tt.want {
			t.Errorf("Key(%d, %q) = %q, want %q", tt.tenant, tt.parts, got, tt.want)
		}
	}
	if got := jredis.GlobalKey("wxtoken", "mp"); got != "jy:g:wxtoken:mp" {
		t.Errorf("GlobalKey = %q", got)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	rdb, err := jredis.Open(ctx, redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, jredis.Key(tenant(), "open"), "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}

	_, err = jredis.Open(ctx, "http://user:hunter2@x/0")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("bad URL: want an error without the password, got %v", err)
	}
	srv := redistest.StartServer(t)
	srv.Stop()
	ctx2, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := jredis.Open(ctx2, "redis://:hunter2@"+srv.Addr()+"/0"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("unreachable: want an error without the password, got %v", err)
	}
}

func TestDedupe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := jredis.New(redistest.New(t))
	key := jredis.Key(tenant(), "dedupe", "msg1")

	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, err := s.Dedupe(ctx, key, time.Minute)
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts.Add(1)
			}
		}()
	}
	wg.Wait()
	if firsts.Load() != 1 {
		t.Fatalf("want exactly one first, got %d", firsts.Load())
	}
	ttl := s.Client().PTTL(ctx, key).Val()
	if ttl <= 0 || ttl > time.Minute {
		t.Fatalf("dedupe key TTL = %v", ttl)
	}
	if _, err := s.Dedupe(ctx, key, 0); err == nil {
		t.Fatal("zero TTL must be refused")
	}
}

func TestLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := jredis.New(redistest.New(t))
	key := jredis.Key(tenant(), "lock", "job")

	l1, err := s.Lock(ctx, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lock(ctx, key, time.Minute); !errors.Is(err, jredis.ErrLocked) {
		t.Fatalf("second Lock: want ErrLocked, got %v", err)
	}
	if err := l1.Extend(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if ttl := s.Client().PTTL(ctx, key).Val(); ttl <= time.Minute {
		t.Fatalf("Extend did not extend: %v", ttl)
	}
	// Simulate expiry and a new holder: the old token must not release it.
	s.Client().Del(ctx, key)
	l2, err := s.Lock(ctx, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := l1.Unlock(ctx); !errors.Is(err, jredis.ErrLockLost) {
		t.Fatalf("stale Unlock: want ErrLockLost, got %v", err)
	}
	if err := l1.Extend(ctx, time.Minute); !errors.Is(err, jredis.ErrLockLost) {
		t.Fatalf("stale Extend: want ErrLockLost, got %v", err)
	}
	if err := l2.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.Client().Exists(ctx, key).Val(); n != 0 {
		t.Fatal("lock key still there after Unlock")
	}
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func TestRateLimiterSlidingWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	rl := jredis.NewRateLimiter(redistest.New(t))
	rl.Now = clock.Now
	key := jredis.Key(tenant(), "rl", "login", "user1")

	allow := func() (bool, time.Duration) {
		t.Helper()
		ok, retry, err := rl.Allow(ctx, key, 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok, retry
	}
	for i := range 3 {
		if ok, _ := allow(); !ok {
			t.Fatalf("hit %d refused", i+1)
		}
		clock.Advance(10 * time.Second)
	}
	// t=30s: hits at 0,10,20 are in the window.
	ok, retry := allow()
	if ok || retry != 30*time.Second {
		t.Fatalf("4th hit: ok=%v retry=%v, want refused with 30s", ok, retry)
	}
	clock.Advance(29 * time.Second) // t=59s: still 3 hits
	if ok, retry := allow(); ok || retry != time.Second {
		t.Fatalf("t=59s: ok=%v retry=%v", ok, retry)
	}
	clock.Advance(time.Second) // t=60s: the t=0 hit slides out
	if ok, _ := allow(); !ok {
		t.Fatal("t=60s: want allowed after the oldest hit left the window")
	}
	if ok, _ := allow(); ok {
		t.Fatal("t=60s: second hit must be refused")
	}
	if _, _, err := rl.Allow(ctx, key, 0, time.Minute); err == nil {
		t.Fatal("limit 0 must be refused")
	}
}

func TestRateLimiterServerClockConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rl := jredis.NewRateLimiter(redistest.New(t))
	key := jredis.Key(tenant(), "rl", "upload")
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, retry, err := rl.Allow(ctx, key, 10, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				allowed.Add(1)
			} else if retry <= 0 || retry > time.Hour {
				t.Errorf("retryAfter = %v", retry)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 10 {
		t.Fatalf("allowed %d of 50 with limit 10", allowed.Load())
	}
}

func TestTokenCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := redistest.New(t)
	prefix := jredis.GlobalKey("wxtoken", fmt.Sprint(tenant()))
	c := jredis.NewTokenCache(rdb, prefix)

	if _, ok, err := c.Get(ctx, "mp"); err != nil || ok {
		t.Fatalf("empty Get: ok=%v err=%v", ok, err)
	}
	if err := c.Set(ctx, "mp", "tok-1", 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	v, ok, err := c.Get(ctx, "mp")
	if err != nil || !ok || v != "tok-1" {
		t.Fatalf("Get = %q %v %v", v, ok, err)
	}
	if ttl := rdb.PTTL(ctx, prefix+":mp").Val(); ttl <= time.Hour {
		t.Fatalf("stored under the prefix with its TTL: %v", ttl)
	}
	if err := c.Set(ctx, "short", "x", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, prefix+":short").Val(); ttl < 900*time.Millisecond {
		t.Fatalf("sub-second TTL should be clamped to 1s, got %v", ttl)
	}
	if err := c.Set(ctx, "zero", "x", 0); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, prefix+":zero").Val(); ttl <= 0 {
		t.Fatalf("zero TTL must not mean forever, got %v", ttl)
	}
	if err := c.Delete(ctx, "mp"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, "mp"); ok {
		t.Fatal("Delete left the key")
	}
}

func TestErrorsWhenRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.StartServer(t)
	rdb := srv.Client(t)
	s := jredis.New(rdb)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.Dedupe(ctx, "k", time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := s.Dedupe(ctx, "k2", time.Minute); err == nil {
		t.Fatal("Dedupe must fail when Redis is down")
	}
	if _, _, err := jredis.NewRateLimiter(rdb).Allow(ctx, "k3", 1, time.Minute); err == nil {
		t.Fatal("Allow must fail when Redis is down")
	}
	srv.Restart()
	if first, err := s.Dedupe(ctx, "k", time.Minute); err != nil || !first {
		t.Fatalf("after restart (data lost): first=%v err=%v", first, err)
	}
}
