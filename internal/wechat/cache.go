package wechat

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
)

// TokenCache stores access tokens shared by every instance (storage/redis implements it).
// Get reports found=false for a missing key; ttl is always at least one second.
type TokenCache interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// cacheOpTimeout bounds the SDK's context-free cache calls.
const cacheOpTimeout = 2 * time.Second

// tokenLocalTTL is how long an instance reuses a token it has read from the shared cache
// before asking again. A token another instance replaced meanwhile answers 40001, which drops
// it here too (Client.call's one retry), so the window only saves a Redis round trip per call.
const tokenLocalTTL = 30 * time.Second

// cacheAdapter turns a TokenCache into the SDK's cache.ContextCache. The SDK asserts
// val.(string) on reads, so reads return a string or nil and never another type. With
// localTTL > 0 it keeps what it read or wrote for that long (never past the entry's own ttl).
type cacheAdapter struct {
	c        TokenCache
	log      *slog.Logger
	localTTL time.Duration

	mu    sync.Mutex
	local map[string]localToken
}

type localToken struct {
	val   string
	until time.Time
}

var _ cache.ContextCache = (*cacheAdapter)(nil)

func (a *cacheAdapter) remember(key, val string, ttl time.Duration) {
	if a.localTTL <= 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.local == nil {
		a.local = map[string]localToken{}
	}
	a.local[key] = localToken{val: val, until: time.Now().Add(min(a.localTTL, ttl))}
}

func (a *cacheAdapter) recall(key string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.local[key]
	if !ok || !time.Now().Before(e.until) {
		return "", false
	}
	return e.val, true
}

func (a *cacheAdapter) forget(key string) {
	a.mu.Lock()
	delete(a.local, key)
	a.mu.Unlock()
}

func (a *cacheAdapter) Get(key string) interface{} {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return a.GetContext(ctx, key)
}

func (a *cacheAdapter) GetContext(ctx context.Context, key string) interface{} {
	if v, ok := a.recall(key); ok {
		return v
	}
	v, ok, err := a.c.Get(ctx, key)
	if err != nil {
		// A failing cache must not stop calls: the SDK then fetches a (stable) token itself.
		a.log.WarnContext(ctx, "wechat token cache get failed", "error", err)
		return nil
	}
	if !ok || v == "" {
		return nil
	}
	a.remember(key, v, a.localTTL)
	return v
}

func (a *cacheAdapter) Set(key string, val interface{}, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return a.SetContext(ctx, key, val, ttl)
}

func (a *cacheAdapter) SetContext(ctx context.Context, key string, val interface{}, ttl time.Duration) error {
	s, ok := val.(string)
	if !ok {
		s = fmt.Sprint(val)
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	if err := a.c.Set(ctx, key, s, ttl); err != nil {
		return err
	}
	a.remember(key, s, ttl)
	return nil
}

func (a *cacheAdapter) IsExist(key string) bool { return a.Get(key) != nil }

func (a *cacheAdapter) IsExistContext(ctx context.Context, key string) bool {
	return a.GetContext(ctx, key) != nil
}

func (a *cacheAdapter) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return a.DeleteContext(ctx, key)
}

func (a *cacheAdapter) DeleteContext(ctx context.Context, key string) error {
	a.forget(key)
	return a.c.Delete(ctx, key)
}
