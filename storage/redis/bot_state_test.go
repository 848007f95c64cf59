package redis_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jredis "jianyi/storage/redis"
	"jianyi/storage/redis/redistest"
)

func TestBotStateClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := redistest.New(t)
	s := jredis.NewBotState(rdb)
	tn := rand.Int64N(1 << 40)

	// Concurrent deliveries of one push: exactly one is first.
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, _, err := s.Claim(ctx, tn, "m:1", time.Minute)
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
		t.Fatalf("%d firsts", firsts.Load())
	}
	if first, ans, err := s.Claim(ctx, tn, "m:1", time.Minute); first || ans != "" || err != nil {
		t.Fatalf("pending: %v %q %v", first, ans, err)
	}
	if err := s.Remember(ctx, tn, "m:1", "答复", time.Minute); err != nil {
		t.Fatal(err)
	}
	if first, ans, err := s.Claim(ctx, tn, "m:1", time.Minute); first || ans != "答复" || err != nil {
		t.Fatalf("answered: %v %q %v", first, ans, err)
	}
	// Another tenant is another key space.
	if first, _, _ := s.Claim(ctx, tn+1, "m:1", time.Minute); !first {
		t.Fatal("tenants share dedupe keys")
	}
	if ttl := rdb.TTL(ctx, jredis.Key(tn, "bot", "push", "m:1")).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v", ttl)
	}
}

func TestBotStateConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb := redistest.New(t)
	s := jredis.NewBotState(rdb)
	tn := rand.Int64N(1 << 40)
	const openid = "oABCDEFG-openid"

	if b, err := s.Conversation(ctx, tn, openid); b != nil || err != nil {
		t.Fatalf("empty: %q %v", b, err)
	}
	if err := s.SetConversation(ctx, tn, openid, []byte(`{"k":"snap"}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Conversation(ctx, tn, openid); string(b) != `{"k":"snap"}` {
		t.Fatalf("got %q", b)
	}
	for _, k := range rdb.Keys(ctx, jredis.Key(tn, "*")).Val() {
		if strings.Contains(k, openid) {
			t.Fatalf("key %q holds the openid", k)
		}
	}
	if err := s.ClearConversation(ctx, tn, openid); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Conversation(ctx, tn, openid); b != nil {
		t.Fatal("not cleared")
	}

	for i := range 5 {
		if ok, err := s.BindAttempt(ctx, tn, openid, 5, time.Hour); !ok || err != nil {
			t.Fatalf("attempt %d: %v %v", i, ok, err)
		}
	}
	if ok, _ := s.BindAttempt(ctx, tn, openid, 5, time.Hour); ok {
		t.Fatal("sixth attempt allowed")
	}

	if id, _ := s.LinkedDeputy(ctx, tn, openid); id != 0 {
		t.Fatal("linked before")
	}
	_ = s.SetLinkedDeputy(ctx, tn, openid, 42, time.Hour)
	if id, _ := s.LinkedDeputy(ctx, tn, openid); id != 42 {
		t.Fatalf("linked %d", id)
	}
}

func TestBotStateBindFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := jredis.NewBotState(redistest.New(t))
	tn := rand.Int64N(1 << 40)
	if n, err := s.BindFailures(ctx, tn); err != nil || n != 0 {
		t.Fatalf("fresh: %d %v", n, err)
	}
	for range 3 {
		if err := s.BindFailed(ctx, tn, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.BindFailures(ctx, tn); err != nil || n != 3 {
		t.Fatalf("after 3: %d %v", n, err)
	}
	if n, _ := s.BindFailures(ctx, tn+1); n != 0 {
		t.Fatalf("other tenant: %d", n)
	}
}

func TestBotStateNotDeputy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := jredis.NewBotState(redistest.New(t))
	tn := rand.Int64N(1 << 40)
	if not, err := s.NotDeputy(ctx, tn, "o1"); err != nil || not {
		t.Fatalf("fresh: %v %v", not, err)
	}
	if err := s.SetNotDeputy(ctx, tn, "o1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if not, err := s.NotDeputy(ctx, tn, "o1"); err != nil || !not {
		t.Fatalf("after set: %v %v", not, err)
	}
	if not, _ := s.NotDeputy(ctx, tn, "o2"); not {
		t.Fatal("another openid")
	}
}
