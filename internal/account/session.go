package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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

// Sessions issues and resolves opaque session tokens.
type Sessions struct {
	store SessionStore
	now   func() time.Time
	TTL   time.Duration
}

// NewSessions builds the session service.
func NewSessions(store SessionStore, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{store: store, now: now, TTL: SessionTTL}
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
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	if _, ok := TokenTenant(token); !ok {
		return Session{}, ErrNoSession
	}
	sess, err := s.store.Get(ctx, token)
	if errors.Is(err, ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		_ = s.store.Delete(ctx, token)
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Update rewrites a session (after binding), keeping its expiry.
func (s *Sessions) Update(ctx context.Context, token string, sess Session) error {
	ttl := sess.ExpiresAt.Sub(s.now())
	if ttl <= 0 {
		return ErrNoSession
	}
	if err := s.store.Put(ctx, token, sess, ttl); err != nil {
		return fmt.Errorf("store session: %w", err)
	}
	return nil
}

// Delete ends a session (logout).
func (s *Sessions) Delete(ctx context.Context, token string) error {
	if _, ok := TokenTenant(token); !ok {
		return nil
	}
	return s.store.Delete(ctx, token)
}
