package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// RateLimiter is an exact sliding-window limiter (a sorted set of recent hits per key,
// trimmed in one Lua script). Memory is O(limit) per key, which suits the small limits
// Jianyi needs (logins, uploads, bot commands per user).
type RateLimiter struct {
	rdb *Client
	// Now, when set, supplies the clock (tests). When nil the Redis server's TIME is used,
	// so several app instances agree on the window even with skewed clocks.
	Now func() time.Time
}

// NewRateLimiter returns a limiter on rdb.
func NewRateLimiter(rdb *Client) *RateLimiter { return &RateLimiter{rdb: rdb} }

// KEYS[1] = key; ARGV = now_us (or -1 for server time), window_us, limit, nonce.
var slidingWindowScript = goredis.NewScript(`
local now = tonumber(ARGV[1])
if now < 0 then
	local t = redis.call("TIME")
	now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local n = redis.call("ZCARD", KEYS[1])
if n < limit then
	redis.call("ZADD", KEYS[1], now, now .. "-" .. ARGV[4])
	redis.call("PEXPIRE", KEYS[1], math.ceil(window / 1000))
	return {1, 0}
end
local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, retry}`)

// Allow records one hit on key and reports whether it fits in limit hits per window.
// When it does not, retryAfter says when the oldest hit leaves the window. Refused hits
// are not counted, so a client hammering the endpoint is not locked out forever.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error) {
	if limit <= 0 || window <= 0 {
		return false, 0, errors.New("redis: rate limit and window must be positive")
	}
	now := int64(-1)
	if l.Now != nil {
		now = l.Now().UnixMicro()
	}
	nonce, err := randomToken()
	if err != nil {
		return false, 0, err
	}
	res, err := slidingWindowScript.Run(ctx, l.rdb, []string{key}, now, window.Microseconds(), limit, nonce[:8]).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis: rate limit: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis: rate limit: unexpected reply %v", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}
