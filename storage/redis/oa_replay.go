package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// OAReplay remembers the official account's accepted callback queries (keys "oa:…") and the
// mini-program's accepted push queries ("mp:…") with the hash of their body
// (internal/wechat.OAReplayStore): a captured signed URL cannot carry another body. Pushes
// are not tenant-scoped before they are verified, so the keys are global.
type OAReplay struct {
	rdb *Client
}

// NewOAReplay wraps rdb.
func NewOAReplay(rdb *Client) *OAReplay { return &OAReplay{rdb: rdb} }

// Claim stores bodyHash under key unless the key exists (SET NX, ttl) and returns the hash
// stored first.
func (r *OAReplay) Claim(ctx context.Context, key, bodyHash string, ttl time.Duration) (string, error) {
	k := GlobalKey("oa", "replay", key)
	// SETNX then GET rather than SET NX GET (Redis 7 only; not in the dev server's miniredis).
	ok, err := r.rdb.SetNX(ctx, k, bodyHash, ttl).Result()
	if err != nil {
		return "", fmt.Errorf("oa replay claim: %w", err)
	}
	if ok {
		return bodyHash, nil
	}
	prev, err := r.rdb.Get(ctx, k).Result()
	if errors.Is(err, goredis.Nil) {
		return bodyHash, nil // expired in between: the query is stale anyway
	}
	if err != nil {
		return "", fmt.Errorf("oa replay claim: %w", err)
	}
	return prev, nil
}
