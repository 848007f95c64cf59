package wechat

import (
	"context"
	"fmt"
	"log/slog"
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

// cacheAdapter turns a TokenCache into the SDK's cache.ContextCache. The SDK asserts
// val.(string) on reads, so reads return a string or nil and never another type.
type cacheAdapter struct {
	c   TokenCache
	log *slog.Logger
}

var _ cache.ContextCache = (*cacheAdapter)(nil)

func (a *cacheAdapter) Get(key string) interface{} {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return a.GetContext(ctx, key)
}

func (a *cacheAdapter) GetContext(ctx context.Context, key string) interface{} {
	v, ok, err := a.c.Get(ctx, key)
	if err != nil {
		// A failing cache must not stop calls: the SDK then fetches a (stable) token itself.
		a.log.WarnContext(ctx, "wechat token cache get failed", "error", err)
		return nil
	}
	if !ok || v == "" {
		return nil
	}
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
	return a.c.Set(ctx, key, s, ttl)
}

func (a *cacheAdapter) IsExist(key string) bool { return a.Get(key) != nil }

func (a *cacheAdapter) IsExistContext(ctx context.Context, key string) bool {
	return a.GetContext(ctx, key) != nil
}

func (a *cacheAdapter) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheOpTimeout)
	defer cancel()
	return a.c.Delete(ctx, key)
}

func (a *cacheAdapter) DeleteContext(ctx context.Context, key string) error {
	return a.c.Delete(ctx, key)
}
