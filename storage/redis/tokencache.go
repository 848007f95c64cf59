package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TokenCache stores short-lived strings (the WeChat access token) shared by every
// instance, so instances do not fetch competing tokens. internal/wechat declares the
// matching interface and adapts it to the SDK's cache.
type TokenCache struct {
	rdb    *Client
	prefix string
}

// NewTokenCache stores keys under prefix (e.g. GlobalKey("wxtoken")).
func NewTokenCache(rdb *Client, prefix string) *TokenCache {
	return &TokenCache{rdb: rdb, prefix: prefix}
}

func (c *TokenCache) key(k string) string {
	if c.prefix == "" {
		return k
	}
	return c.prefix + ":" + k
}

// Get returns the value and whether it was present.
func (c *TokenCache) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := c.rdb.Get(ctx, c.key(key)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("redis: token cache get: %w", err)
	}
	return v, true, nil
}

// Set stores val for ttl; a TTL under one second is raised to one second (the SDK passes
// expires_in minus a margin, which can round to zero, and zero would mean "forever").
func (c *TokenCache) Set(ctx context.Context, key, val string, ttl time.Duration) error {
	if ttl < time.Second {
		ttl = time.Second
	}
	if err := c.rdb.Set(ctx, c.key(key), val, ttl).Err(); err != nil {
		return fmt.Errorf("redis: token cache set: %w", err)
	}
	return nil
}

// Delete drops key (after WeChat says the token is invalid: 40001/40014/42001).
func (c *TokenCache) Delete(ctx context.Context, key string) error {
	if err := c.rdb.Del(ctx, c.key(key)).Err(); err != nil {
		return fmt.Errorf("redis: token cache delete: %w", err)
	}
	return nil
}
