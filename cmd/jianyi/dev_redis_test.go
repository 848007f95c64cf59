package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestDevRedisExpiresKeys: a key set with a TTL in the embedded Redis of `jianyi dev`
// (devRedis, what dev starts without REDIS_URL) is gone once the TTL has passed, and a key
// with time left stays. miniredis's TTLs stood still until told to move, so every rate-limit
// window, session and lock of dev lived for ever (30 logins from 127.0.0.1 locked the
// mini-program out until a restart). The whole of dev is not run here: its fake WeChat
// installs a process-wide HTTP client that the package's other tests install differently.
func TestDevRedisExpiresKeys(t *testing.T) {
	t.Parallel()
	mr, err := devRedis()
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	ctx := context.Background()

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
