package wechattest

import (
	"context"
	"slices"
	"sync"
	"time"

	"jianyi/internal/wechat"
)

// MemoryCache is an in-memory wechat.TokenCache for tests. Share one between Clients to
// model instances sharing Redis.
type MemoryCache struct {
	mu      sync.Mutex
	m       map[string]cacheEntry
	deletes []string
}

type cacheEntry struct {
	val string
	exp time.Time
}

var _ wechat.TokenCache = (*MemoryCache)(nil)

// NewMemoryCache returns an empty cache.
func NewMemoryCache() *MemoryCache { return &MemoryCache{m: map[string]cacheEntry{}} }

// Get implements wechat.TokenCache.
func (c *MemoryCache) Get(_ context.Context, key string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Now().After(e.exp) {
		delete(c.m, key)
		return "", false, nil
	}
	return e.val, true, nil
}

// Set implements wechat.TokenCache.
func (c *MemoryCache) Set(_ context.Context, key, val string, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = cacheEntry{val, time.Now().Add(ttl)}
	return nil
}

// Delete implements wechat.TokenCache.
func (c *MemoryCache) Delete(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	c.deletes = append(c.deletes, key)
	return nil
}

// Keys lists the live keys, sorted.
func (c *MemoryCache) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var keys []string
	for k, e := range c.m {
		if time.Now().Before(e.exp) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Deletes lists the deleted keys in order.
func (c *MemoryCache) Deletes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.deletes)
}
