package redis_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

func TestOAReplayClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jredis.NewOAReplay(redistest.New(t))
	key := "q" + strconv.FormatInt(rand.Int64N(1<<40), 10)

	if got, err := r.Claim(ctx, key, "body-a", time.Minute); err != nil || got != "body-a" {
		t.Fatalf("first claim: %q %v", got, err)
	}
	// WeChat's retry: the same body.
	if got, err := r.Claim(ctx, key, "body-a", time.Minute); err != nil || got != "body-a" {
		t.Fatalf("retry: %q %v", got, err)
	}
	// A replay with another body gets the first body's hash back.
	if got, err := r.Claim(ctx, key, "body-b", time.Minute); err != nil || got != "body-a" {
		t.Fatalf("replay: %q %v", got, err)
	}
	if got, err := r.Claim(ctx, key+"x", "body-b", time.Minute); err != nil || got != "body-b" {
		t.Fatalf("another query: %q %v", got, err)
	}
}
