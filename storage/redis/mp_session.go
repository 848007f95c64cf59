package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
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
	if sess.DeputyID == 0 {
		if err := s.rdb.Set(ctx, key, b, ttl).Err(); err != nil {
			return fmt.Errorf("redis: put session: %w", err)
		}
		return nil
	}
	// A bound session is also listed under its deputy, so that stopping the deputy
	// (RevokeDeputy) ends every login they have. The list is kept for a whole session life
	// from its latest entry, so it outlives every session in it (an update keeps a session's
	// shorter remaining life); entries of sessions that ended cost nothing to delete again.
	idx := deputySessionsKey(sess.TenantID, sess.DeputyID)
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, key, b, ttl)
		p.SAdd(ctx, idx, key)
		p.Expire(ctx, idx, max(ttl, account.SessionTTL))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: put session: %w", err)
	}
	return nil
}

func deputySessionsKey(tenantID, deputyID int64) string {
	return Key(tenantID, "mp", "dsess", strconv.FormatInt(deputyID, 10))
}

// revokeScript deletes every session listed under a deputy, and the list. The sessions'
// keys share the list's hash tag (the tenant), so one script reaches them all.
var revokeScript = goredis.NewScript(`
local keys = redis.call("SMEMBERS", KEYS[1])
for i = 1, #keys, 500 do
	redis.call("DEL", unpack(keys, i, math.min(i + 499, #keys)))
end
redis.call("DEL", KEYS[1])
return #keys`)

// RevokeDeputy ends every mini-program login of the deputy (the deputy was stopped).
func (s *MPSessions) RevokeDeputy(ctx context.Context, tenantID, deputyID int64) error {
	if err := revokeScript.Run(ctx, s.rdb, []string{deputySessionsKey(tenantID, deputyID)}).Err(); err != nil && !errors.Is(err, Nil) {
		return fmt.Errorf("redis: revoke deputy sessions: %w", err)
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

// MPLimiter is the mini-program API's rate limiter: a fixed-window counter per subject in
// Redis (a window boundary may let up to twice the limit through, which is fine for
// protecting capacity). Keys: jy:{t<tenant>}:mp:rl:<subject>, or jy:g:mp:rl:<subject>
// before a tenant is known.
//
// It sits on every request, so it does not ask Redis for every hit: each instance takes
// hits from the window's counter in leases (1, then 2, 4, … up to limit/16, at most 64 per
// round trip) and hands them out locally until the lease or the window runs out. A lease
// never takes more than the window has left, so all instances together never allow more than
// the limit; hits an instance leased but did not use count as used, so a subject may be
// refused up to (lease × instances) hits early. A small limit (16 or less) is exact. Once the
// window is used up the refusal is remembered locally until the window ends.
type MPLimiter struct {
	rdb *Client

	mu     sync.Mutex
	leases map[string]*mpLease
}

type mpLease struct {
	window int64     // the window's end in the server's clock (ms): identifies the window
	until  time.Time // the window's end in this process's clock
	left   int       // leased hits not handed out yet
	next   int       // size of the next lease
}

const (
	mpLeaseMax    = 64
	mpLeaseDiv    = 16
	mpLeasesSweep = 10_000 // sweep ended windows when the map grows past this
	mpLeasesMax   = 50_000 // and start over if sweeping is not enough
)

// NewMPLimiter returns the API's limiter on rdb.
func NewMPLimiter(rdb *Client) *MPLimiter { return &MPLimiter{rdb: rdb, leases: map[string]*mpLease{}} }

// KEYS[1] = counter; ARGV[1] = window (ms), ARGV[2] = hits to take. Returns the count after
// taking, the window's time left (ms) and its end in server time (ms).
var fixedWindowScript = goredis.NewScript(`
local n = redis.call("INCRBY", KEYS[1], ARGV[2])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
	ttl = tonumber(ARGV[1])
end
local t = redis.call("TIME")
return {n, ttl, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl}`)

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
	maxLease := min(max(1, limit/mpLeaseDiv), mpLeaseMax)

	now := time.Now()
	m.mu.Lock()
	l := m.leases[key]
	if l != nil && now.Before(l.until) {
		if l.left > 0 {
			l.left--
			m.mu.Unlock()
			return true, 0, nil
		}
		if l.next == 0 { // used up: refused until the window ends
			retry := l.until.Sub(now)
			m.mu.Unlock()
			return false, retry, nil
		}
	}
	take := 1
	if l != nil && now.Before(l.until) {
		take = min(l.next, maxLease)
	}
	m.mu.Unlock()

	res, err := fixedWindowScript.Run(ctx, m.rdb, []string{key}, window.Milliseconds(), take).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis: rate limit: %w", err)
	}
	if len(res) != 3 {
		return false, 0, fmt.Errorf("redis: rate limit: unexpected reply %v", res)
	}
	count, ttl, end := res[0], time.Duration(res[1])*time.Millisecond, res[2]
	granted := int(min(max(int64(limit)-(count-int64(take)), 0), int64(take)))

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leases == nil {
		m.leases = map[string]*mpLease{}
	}
	l = m.leases[key]
	if l == nil || l.window != end {
		if l == nil {
			m.sweep(now)
		}
		l = &mpLease{window: end, next: 1}
		m.leases[key] = l
	}
	l.until = now.Add(ttl)
	if granted == 0 {
		l.left, l.next = 0, 0
		return false, ttl, nil
	}
	l.left += granted - 1
	l.next = min(max(l.next, take, 1)*2, maxLease)
	return true, ttl, nil
}

// sweep keeps the lease map bounded (callers hold mu).
func (m *MPLimiter) sweep(now time.Time) {
	if len(m.leases) < mpLeasesSweep {
		return
	}
	for k, l := range m.leases {
		if !now.Before(l.until) {
			delete(m.leases, k)
		}
	}
	if len(m.leases) >= mpLeasesMax {
		clear(m.leases)
	}
}
