package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"jianyi/internal/bounded"
)

// Session is a mini-program login. The SessionKey is WeChat's and stays on the server: it is
// never written to a response or a log line.
type Session struct {
	TenantID   int64     `json:"t"`
	DeputyID   int64     `json:"d"` // 0 until bound
	OpenID     string    `json:"o"`
	UnionID    string    `json:"u,omitempty"`
	SessionKey string    `json:"k"`
	CreatedAt  time.Time `json:"c"`
	ExpiresAt  time.Time `json:"e"`
}

// Bound reports whether the session belongs to a deputy.
func (s Session) Bound() bool { return s.DeputyID != 0 }

// SessionStore keeps sessions by token (storage/redis implements it with a TTL).
type SessionStore interface {
	Put(ctx context.Context, token string, s Session, ttl time.Duration) error
	Get(ctx context.Context, token string) (Session, error) // ErrNotFound
	Delete(ctx context.Context, token string) error
}

// SessionTTL is how long a mini-program login lasts.
const SessionTTL = 7 * 24 * time.Hour

// ErrNoSession: the token is missing, unknown, forged or expired.
var ErrNoSession = newErr(ErrNotFound, "unauthorized", "登录已失效，请重新登录")

// SessionCacheTTL is how long Lookup trusts a session it read from the store without asking
// again. Logout and binding through this process take effect at once; a logout handled by
// another instance takes up to this long to reach this one. A session's own expiry is
// checked on every lookup, cached or not.
const SessionCacheTTL = 2 * time.Second

// sessionCacheMax bounds the in-process cache; when full, stale entries are swept and, if
// that frees nothing, the cache starts over (a miss only costs one store read).
const sessionCacheMax = 20_000

// Sessions issues and resolves opaque session tokens.
type Sessions struct {
	store SessionStore
	now   func() time.Time
	TTL   time.Duration
	// CacheTTL is how long a looked-up session is served from memory (0: always read the
	// store). NewSessions sets SessionCacheTTL.
	CacheTTL time.Duration

	mu    sync.RWMutex
	cache map[[32]byte]cachedSession // by SHA-256 of the token: no token kept in memory
	gen   uint64                     // bumped by every forget: a read that raced one is not cached
}

type cachedSession struct {
	s     Session
	until time.Time // trusted until then (never past s.ExpiresAt)
}

// NewSessions builds the session service.
func NewSessions(store SessionStore, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{store: store, now: now, TTL: SessionTTL, CacheTTL: SessionCacheTTL,
		cache: map[[32]byte]cachedSession{}}
}

func (s *Sessions) cached(key [32]byte, now time.Time) (Session, bool) {
	s.mu.RLock()
	e, ok := s.cache[key]
	s.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return Session{}, false
	}
	return e.s, true
}

func (s *Sessions) generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}

// remember caches sess unless a logout or update happened since gen was read.
func (s *Sessions) remember(key [32]byte, sess Session, now time.Time, gen uint64) {
	if s.CacheTTL <= 0 {
		return
	}
	until := now.Add(s.CacheTTL)
	if sess.ExpiresAt.Before(until) {
		until = sess.ExpiresAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	if s.cache == nil {
		s.cache = map[[32]byte]cachedSession{}
	}
	bounded.MakeRoom(s.cache, sessionCacheMax, func(e cachedSession) bool { return !now.Before(e.until) })
	s.cache[key] = cachedSession{s: sess, until: until}
}

// drop removes a stale entry (nothing to fence: guessed tokens must not stop caching).
func (s *Sessions) drop(key [32]byte) {
	s.mu.Lock()
	delete(s.cache, key)
	s.mu.Unlock()
}

// forget removes key and fences lookups in flight (logout, update).
func (s *Sessions) forget(key [32]byte) {
	s.mu.Lock()
	delete(s.cache, key)
	s.gen++
	s.mu.Unlock()
}

// Create stores a new session and returns its token: "<tenant>.<random>", the tenant prefix
// only routes the lookup (Redis hash tag); the 256 random bits are the secret.
func (s *Sessions) Create(ctx context.Context, sess Session) (string, Session, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", sess, fmt.Errorf("session token: %w", err)
	}
	token := strconv.FormatInt(sess.TenantID, 10) + "." + base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	sess.CreatedAt, sess.ExpiresAt = now, now.Add(s.TTL)
	if err := s.store.Put(ctx, token, sess, s.TTL); err != nil {
		return "", sess, fmt.Errorf("store session: %w", err)
	}
	return token, sess, nil
}

// TokenTenant parses the tenant prefix of a token; ok=false for a malformed token.
func TokenTenant(token string) (int64, bool) {
	t, rnd, ok := strings.Cut(token, ".")
	if !ok || len(rnd) != 43 || len(token) > 80 {
		return 0, false
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(rnd); err != nil {
		return 0, false
	}
	return id, true
}

// Lookup resolves a token; expired sessions are refused even if the store still has them.
// A session read from the store is trusted for CacheTTL (see SessionCacheTTL); only found
// sessions are cached, so a new login or a store outage is never hidden by the cache.
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if _, ok := TokenTenant(token); !ok {
		return Session{}, ErrNoSession
	}
	key := sha256.Sum256([]byte(token))
	now := s.now()
	if sess, ok := s.cached(key, now); ok {
		return sess, nil // until <= ExpiresAt, so not expired
	}
	gen := s.generation()
	sess, err := s.store.Get(ctx, token)
	if errors.Is(err, ErrNotFound) {
		s.drop(key)
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	if !now.Before(sess.ExpiresAt) {
		s.drop(key)
		_ = s.store.Delete(ctx, token)
		return Session{}, ErrNoSession
	}
	s.remember(key, sess, now, gen)
	return sess, nil
}

// Update rewrites a session (after binding), keeping its expiry.
func (s *Sessions) Update(ctx context.Context, token string, sess Session) error {
	now := s.now()
	ttl := sess.ExpiresAt.Sub(now)
	if ttl <= 0 {
		return ErrNoSession
	}
	key := sha256.Sum256([]byte(token))
	s.forget(key)
	err := s.store.Put(ctx, token, sess, ttl)
	s.forget(key) // a lookup that read the old session while we wrote must not keep it
	if err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	return nil
}

// Delete ends a session (logout). This process forgets it at once; other instances within
// CacheTTL.
func (s *Sessions) Delete(ctx context.Context, token string) error {
	if _, ok := TokenTenant(token); !ok {
		return nil
	}
	key := sha256.Sum256([]byte(token))
	s.forget(key)
	err := s.store.Delete(ctx, token)
	s.forget(key) // likewise for a lookup racing the delete
	return err
}
