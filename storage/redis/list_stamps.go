package redis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/suggestion"
)

// ListStamps keeps a stamp per deputy's list of suggestions (suggestion.ListStamps):
// jy:{t<tenant>}:list:<deputy> holds a random value that a commit touching the list replaces.
//
// Stamps are random, never counted up, so a stamp that expired or was evicted cannot come
// back with a value a cached page was kept under: a lost key only costs a page read again.
// The store renews them after its commit, so a reader that saw the old stamp read the
// database before that renewal and a page it keeps under the old stamp is never served after
// it.
type ListStamps struct {
	rdb *Client
}

// listStampTTL is how long an untouched stamp lives; a deputy who comes back later simply
// gets a new one (one page read).
const listStampTTL = 24 * time.Hour

// NewListStamps returns the stamps on rdb.
func NewListStamps(rdb *Client) *ListStamps { return &ListStamps{rdb: rdb} }

var _ suggestion.ListStamps = (*ListStamps)(nil)

func listStampKey(tenantID, deputyID int64) string {
	return Key(tenantID, "list", strconv.FormatInt(deputyID, 10))
}

func newStamp() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Stamp returns the deputy's current stamp, making one when there is none.
func (l *ListStamps) Stamp(ctx context.Context, tenantID, deputyID int64) (string, error) {
	key := listStampKey(tenantID, deputyID)
	v, err := l.rdb.Get(ctx, key).Result()
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, goredis.Nil) {
		return "", fmt.Errorf("redis: list stamp: %w", err)
	}
	// Two readers may both find none: SET NX keeps the first one's, and both read it back.
	if err := l.rdb.SetNX(ctx, key, newStamp(), listStampTTL).Err(); err != nil {
		return "", fmt.Errorf("redis: list stamp: %w", err)
	}
	v, err = l.rdb.Get(ctx, key).Result()
	if err != nil {
		return "", fmt.Errorf("redis: list stamp: %w", err)
	}
	return v, nil
}

// Touch gives each deputy's list a new stamp, in one round trip.
func (l *ListStamps) Touch(ctx context.Context, tenantID int64, deputyIDs []int64) error {
	if len(deputyIDs) == 0 {
		return nil
	}
	if len(deputyIDs) == 1 {
		return wrapTouch(l.rdb.Set(ctx, listStampKey(tenantID, deputyIDs[0]), newStamp(), listStampTTL).Err())
	}
	_, err := l.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		seen := make(map[int64]bool, len(deputyIDs))
		for _, d := range deputyIDs {
			if !seen[d] {
				seen[d] = true
				p.Set(ctx, listStampKey(tenantID, d), newStamp(), listStampTTL)
			}
		}
		return nil
	})
	return wrapTouch(err)
}

func wrapTouch(err error) error {
	if err != nil {
		return fmt.Errorf("redis: touch list stamps: %w", err)
	}
	return nil
}
