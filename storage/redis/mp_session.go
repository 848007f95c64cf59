package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// MPLimiter adapts the sliding-window limiter to the mini-program API's keys
// (jy:{t<tenant>}:mp:rl:<subject>, or jy:g:mp:rl:<subject> before a tenant is known).
type MPLimiter struct {
	l *RateLimiter
}

// NewMPLimiter returns the API's limiter on rdb.
func NewMPLimiter(rdb *Client) *MPLimiter { return &MPLimiter{l: NewRateLimiter(rdb)} }

// Allow counts one hit of subject.
func (m *MPLimiter) Allow(ctx context.Context, tenantID int64, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	key := GlobalKey("mp", "rl", subject)
	if tenantID > 0 {
		key = Key(tenantID, "mp", "rl", subject)
	}
	return m.l.Allow(ctx, key, limit, window)
}
