// Package redistest gives tests a real Redis database of their own.
//
// Redis has 16 numbered databases. Each test binary leases one of 1..15 through a key in
// DB 0 (SET NX with a TTL, renewed while in use, deleted when the last client is closed),
// and flushes it when the lease is taken, so packages tested in parallel — and engineers
// sharing one Redis — never see each other's keys. Tests inside one binary share the
// database: use distinct keys (e.g. a random tenant id with redis.Key).
//
// A test that needs FLUSHALL, a restart or an outage must use StartServer instead.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

const (
	leaseTTL     = 30 * time.Second
	leaseRenew   = 10 * time.Second
	leaseWait    = 3 * time.Minute
	firstDB      = 1
	lastDB       = 15
	leaseKeyBase = "jianyi:test:dblease:"
)

// Addr is the Redis address used by tests: JIANYI_TEST_REDIS_ADDR or 127.0.0.1:6379.
func Addr() string {
	if a := os.Getenv("JIANYI_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

type lease struct {
	db     int
	token  string
	admin  *goredis.Client // DB 0, holds the lease key
	stop   chan struct{}
	done   chan struct{}
	refcnt int
}

var (
	mu  sync.Mutex
	cur *lease
)

var renewScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") and 1 or 0`)

var releaseScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)

// acquire returns the binary's lease, taking one (and flushing its DB) if none is held.
func acquire(t testing.TB) *lease {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if cur != nil {
		cur.refcnt++
		return cur
	}
	admin := goredis.NewClient(&goredis.Options{Addr: Addr(), DB: 0})
	ctx, cancel := context.WithTimeout(context.Background(), leaseWait)
	defer cancel()
	if err := admin.Ping(ctx).Err(); err != nil {
		_ = admin.Close()
		t.Fatalf("redistest: Redis at %s is not answering (%v); run scripts/services.sh or set JIANYI_TEST_REDIS_ADDR", Addr(), err)
	}
	var tb [8]byte
	_, _ = rand.Read(tb[:])
	token := fmt.Sprintf("pid%d-%s", os.Getpid(), hex.EncodeToString(tb[:]))
	for {
		for db := firstDB; db <= lastDB; db++ {
			ok, err := admin.SetNX(ctx, leaseKeyBase+fmt.Sprint(db), token, leaseTTL).Result()
			if err != nil {
				_ = admin.Close()
				t.Fatalf("redistest: lease a database: %v", err)
			}
			if !ok {
				continue
			}
			c := goredis.NewClient(&goredis.Options{Addr: Addr(), DB: db})
			err = c.FlushDB(ctx).Err()
			_ = c.Close()
			if err != nil {
				_ = admin.Close()
				t.Fatalf("redistest: flush db %d: %v", db, err)
			}
			l := &lease{db: db, token: token, admin: admin, stop: make(chan struct{}), done: make(chan struct{}), refcnt: 1}
			go l.renew()
			cur = l
			return l
		}
		select {
		case <-ctx.Done():
			_ = admin.Close()
			t.Fatalf("redistest: all Redis databases %d..%d are leased by other test binaries for %v", firstDB, lastDB, leaseWait)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (l *lease) key() string { return leaseKeyBase + fmt.Sprint(l.db) }

func (l *lease) renew() {
	defer close(l.done)
	tk := time.NewTicker(leaseRenew)
	defer tk.Stop()
	for {
		select {
		case <-l.stop:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = releaseScript.Run(ctx, l.admin, []string{l.key()}, l.token).Err()
			cancel()
			_ = l.admin.Close()
			return
		case <-tk.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = renewScript.Run(ctx, l.admin, []string{l.key()}, l.token, leaseTTL.Milliseconds()).Err()
			cancel()
		}
	}
}

func release() {
	mu.Lock()
	l := cur
	if l == nil {
		mu.Unlock()
		return
	}
	l.refcnt--
	if l.refcnt > 0 {
		mu.Unlock()
		return
	}
	cur = nil
	mu.Unlock()
	close(l.stop)
	<-l.done
}

// New returns a client on this binary's leased database, closed at cleanup.
func New(t testing.TB) *goredis.Client {
	t.Helper()
	l := acquire(t)
	c := goredis.NewClient(&goredis.Options{Addr: Addr(), DB: l.db})
	t.Cleanup(func() {
		_ = c.Close()
		release()
	})
	return c
}

// DB returns the leased database number (held until t's cleanup), for code that
// builds its own connection options, such as asynq.RedisClientOpt{Addr: Addr(), DB: DB(t)}.
func DB(t testing.TB) int {
	t.Helper()
	l := acquire(t)
	t.Cleanup(release)
	return l.db
}

// URL returns redis://addr/db for the leased database (held until t's cleanup), for code
// configured by REDIS_URL.
func URL(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("redis://%s/%d", Addr(), DB(t))
}
