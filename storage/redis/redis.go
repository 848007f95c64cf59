// Package redis holds Jianyi's Redis plumbing on go-redis v9: the client, tenant-tagged
// keys, dedupe, rate limits, locks and the WeChat access-token cache.
//
// Redis is never the source of truth (ARCHITECTURE.md): everything kept here can be lost
// and rebuilt from PostgreSQL, so helpers favour simple, bounded-TTL keys.
package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Client is go-redis's client, re-exported so callers need not import go-redis as well.
type Client = goredis.Client

// Nil is returned by go-redis when a key does not exist.
const Nil = goredis.Nil

// KeyPrefix starts every key Jianyi writes, so a shared Redis can be inspected safely.
const KeyPrefix = "jy"

// Open connects to url (redis://[user:pass@]host:port/db) and pings it.
// Errors never repeat the URL: it may hold a password.
func Open(ctx context.Context, url string) (*Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, errors.New("redis: cannot parse REDIS_URL (check scheme, host and database number)")
	}
	rdb := goredis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: ping %s db %d: %w", opt.Addr, opt.DB, err)
	}
	return rdb, nil
}

// Key builds a tenant-scoped key "jy:{t<tenant>}:part:part". The braces are a Redis
// Cluster hash tag, so all of one tenant's keys live in one slot and multi-key scripts
// over them stay legal when Redis is clustered.
func Key(tenantID int64, parts ...string) string {
	var b strings.Builder
	b.WriteString(KeyPrefix)
	b.WriteString(":{t")
	b.WriteString(strconv.FormatInt(tenantID, 10))
	b.WriteString("}")
	for _, p := range parts {
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String()
}

// GlobalKey builds a key that belongs to no tenant ("jy:g:part:part"), e.g. WeChat app tokens.
func GlobalKey(parts ...string) string {
	return KeyPrefix + ":g:" + strings.Join(parts, ":")
}

// Store bundles the small helpers (dedupe, locks) around one client.
type Store struct {
	rdb *Client
}

// New wraps rdb.
func New(rdb *Client) *Store { return &Store{rdb: rdb} }

// Client returns the underlying client.
func (s *Store) Client() *Client { return s.rdb }

// Dedupe records key for ttl and reports whether this was the first time it was seen
// (SET NX). Used for WeChat message retries (MsgId) and similar at-least-once inputs.
func (s *Store) Dedupe(ctx context.Context, key string, ttl time.Duration) (first bool, err error) {
	if ttl <= 0 {
		return false, errors.New("redis: dedupe ttl must be positive")
	}
	ok, err := s.rdb.SetNX(ctx, key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis: dedupe: %w", err)
	}
	return ok, nil
}

// Ping checks the connection (readiness probes).
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }
