package main

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"jianyi/storage/postgres/pgtest"
)

// TestDevRedisExpiresKeys: in `jianyi dev` without REDIS_URL, a key set with a TTL in the
// embedded Redis is gone once the TTL has passed. miniredis's TTLs stood still until told
// to move, so every rate-limit window, session and lock of dev lived for ever (30 logins from
// 127.0.0.1 locked the mini-program out until a restart).
func TestDevRedisExpiresKeys(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"JIANYI_HTTP_ADDR": "127.0.0.1:0",
		"DATABASE_URL":     pgtest.NewURL(t),
		"SHUTDOWN_TIMEOUT": "5s",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	ready := make(chan string, 1)
	a := &app{environ: env, stdout: &stdout, stderr: &stderr, ready: func(addr string) { ready <- addr }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"dev"}) }()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("dev exited early with %d:\n%s", code, stderr.String())
	case <-time.After(120 * time.Second):
		t.Fatalf("dev did not start:\n%s", stderr.String())
	}
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("dev exit %d:\n%s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("dev did not stop")
		}
	}()

	m := regexp.MustCompile(`embedded miniredis on (\S+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("the banner names no embedded Redis:\n%s", stdout.String())
	}
	rdb := redis.NewClient(&redis.Options{Addr: m[1]})
	defer rdb.Close()

	const key = "test:dev-ttl"
	if err := rdb.Set(ctx, key, "1", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, key+":kept", "1", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := rdb.Get(ctx, key).Err()
		if errors.Is(err, redis.Nil) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			ttl, _ := rdb.PTTL(ctx, key).Result()
			t.Fatalf("a key set to expire after 300ms is still there 10s later (ttl %v)", ttl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The clock counts down, it does not wipe: a key with an hour left is still there.
	if ttl, err := rdb.PTTL(ctx, key+":kept").Result(); err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("the key with an hour to live: ttl %v, %v", ttl, err)
	}
}
