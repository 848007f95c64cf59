package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ErrLocked is returned by Lock when someone else holds the lock.
var ErrLocked = errors.New("redis: lock is held by someone else")

// ErrLockLost is returned by Unlock/Extend when the lock expired (and may now be another's).
var ErrLockLost = errors.New("redis: lock expired or taken over")

// Lock is a held lock. It is a single-instance lock with a TTL (not Redlock): good for
// "only one worker runs this job now", not for correctness that PostgreSQL must guarantee.
type Lock struct {
	rdb   *Client
	key   string
	token string
}

var (
	unlockScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)
	extendScript = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)
)

// Lock takes key for ttl, or returns ErrLocked. Release with Unlock; the token makes sure
// a holder whose lock expired cannot release the next holder's lock.
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (*Lock, error) {
	if ttl <= 0 {
		return nil, errors.New("redis: lock ttl must be positive")
	}
	tok, err := randomToken()
	if err != nil {
		return nil, err
	}
	ok, err := s.rdb.SetNX(ctx, key, tok, ttl).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: lock: %w", err)
	}
	if !ok {
		return nil, ErrLocked
	}
	return &Lock{rdb: s.rdb, key: key, token: tok}, nil
}

// Key is the locked key.
func (l *Lock) Key() string { return l.key }

// Unlock releases the lock if still held; ErrLockLost if it had already expired.
func (l *Lock) Unlock(ctx context.Context) error {
	n, err := unlockScript.Run(ctx, l.rdb, []string{l.key}, l.token).Int()
	if err != nil {
		return fmt.Errorf("redis: unlock: %w", err)
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}

// Extend resets the TTL of a lock that is still held (long jobs call it periodically).
func (l *Lock) Extend(ctx context.Context, ttl time.Duration) error {
	n, err := extendScript.Run(ctx, l.rdb, []string{l.key}, l.token, ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("redis: extend lock: %w", err)
	}
	if n == 0 {
		return ErrLockLost
	}
	return nil
}

func randomToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redis: random token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
