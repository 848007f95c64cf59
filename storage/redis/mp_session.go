package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"jianyi/internal/account"
)

// MPSessions keeps mini-program sessions. Keys hold a hash of the token, never the token,
// under the tenant's hash tag: jy:{t<tenant>}:mp:sess:<sha256>.
type MPSessions struct {
	rdb *Client
}

// NewMPSessions returns the session store on rdb.
func NewMPSessions(rdb *Client) *MPSessions { return &MPSessions{rdb: rdb} }

var _ account.SessionStore = (*MPSessions)(nil)

func sessionKey(token string) (string, error) {
	tenant, ok := account.TokenTenant(token)
	if !ok {
		return "", account.ErrNotFound
	}
	h := sha256.Sum256([]byte(token))
	return Key(tenant, "mp", "sess", hex.EncodeToString(h[:])), nil
}

// Put stores a session for ttl.
func (s *MPSessions) Put(ctx context.Context, token string, sess account.Session, ttl time.Duration) error {
	key, err := sessionKey(token)
	if err != nil {
		return err
	}
	b, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if ttl < time.Second {
		ttl = time.Second
	}
	if err := s.rdb.Set(ctx, key, b, ttl).Err(); err != nil {
		return fmt.Errorf("redis: put session: %w", err)
	}
	return nil
}

// Get reads a session; account.ErrNotFound when missing.
func (s *MPSessions) Get(ctx context.Context, token string) (account.Session, error) {
	var sess account.Session
	key, err := sessionKey(token)
	if err != nil {
		return sess, err
	}
	b, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, Nil) {
		return sess, account.ErrNotFound
	}
	if err != nil {
		return sess, fmt.Errorf("redis: get session: %w", err)
	}
	if err := json.Unmarshal(b, &sess); err != nil {
		return sess, fmt.Errorf("decode session: %w", err)
	}
	return sess, nil
}

// Delete removes a session.
func (s *MPSessions) Delete(ctx context.Context, token string) error {
	key, err := sessionKey(token)
	if err != nil {
		return nil
	}
	if err := s.rdb.Del(ctx, key).Err(); err != nil {
		return fmt.Errorf("redis: delete session: %w", err)
	}
	return nil
}

// MPLimiter is the mini-program API's rate limiter: a fixed-window counter per subject
// (one INCR, and a PEXPIRE on the first hit, in one script call). It is cheaper than the
// sliding window and sits on every request; a window boundary may let up to twice the
// limit through, which is fine for protecting capacity. Keys: jy:{t<tenant>}:mp:rl:<subject>,
// or jy:g:mp:rl:<subject> before a tenant is known.
type MPLimiter struct {
	rdb *Client
}

// NewMPLimiter returns the API's limiter on rdb.
func NewMPLimiter(rdb *Client) *MPLimiter { return &MPLimiter{rdb: rdb} }

var fixedWindowScript = goredis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
	ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// Allow counts one hit of subject and reports whether it is within limit for this window;
// when not, retryAfter is the time left in the window.
func (m *MPLimiter) Allow(ctx context.Context, tenantID int64, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	if limit <= 0 || window < time.Millisecond {
		return false, 0, errors.New("redis: rate limit and window must be positive")
	}
	key := GlobalKey("mp", "rl", subject)
	if tenantID > 0 {
		key = Key(tenantID, "mp", "rl", subject)
	}
	res, err := fixedWindowScript.Run(ctx, m.rdb, []string{key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis: rate limit: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis: rate limit: unexpected reply %v", res)
	}
	return res[0] <= int64(limit), time.Duration(res[1]) * time.Millisecond, nil
}
