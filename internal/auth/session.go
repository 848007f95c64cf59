package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Session is one signed-in console user.
type Session struct {
	TenantID  int64
	UserID    int64
	TokenHash []byte
	CSRF      string
	ExpiresAt time.Time
}

// Credentials is what sign-in needs to know about a staff user.
type Credentials struct {
	TenantID     int64
	UserID       int64
	PasswordHash string
	Active       bool
	FailedLogins int
	LockedUntil  *time.Time
}

// Store persists sessions and the lockout counters (storage/postgres implements it).
type Store interface {
	// Credentials finds the user by tenant code and username; ErrBadCredentials when either
	// is unknown.
	Credentials(ctx context.Context, tenantCode, username string) (*Credentials, error)
	// RecordFailure adds one failure and sets locked_until when given; returns the new count.
	RecordFailure(ctx context.Context, tenantID, userID int64, lockUntil *time.Time) error
	ResetFailures(ctx context.Context, tenantID, userID int64) error
	// LoadActor builds the actor of an active staff user; ErrNoSession when the user is gone
	// or inactive.
	LoadActor(ctx context.Context, tenantID, userID int64) (Actor, error)

	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tenantID int64, tokenHash []byte, now time.Time) (*Session, error)
	TouchSession(ctx context.Context, tenantID int64, tokenHash []byte, expiresAt time.Time) error
	DeleteSession(ctx context.Context, tenantID int64, tokenHash []byte) error
}

// Policy holds the sign-in limits.
type Policy struct {
	MaxFailures int           // failures before lockout
	LockFor     time.Duration // lockout length
	IdleTimeout time.Duration // a session expires after this long without a request
}

// DefaultPolicy: 5 failures lock the account for 15 minutes; sessions idle out after 8 hours.
func DefaultPolicy() Policy {
	return Policy{MaxFailures: 5, LockFor: 15 * time.Minute, IdleTimeout: 8 * time.Hour}
}

// Sessions signs staff in and out and resolves cookies to actors.
type Sessions struct {
	store  Store
	policy Policy
	now    func() time.Time
}

// NewSessions builds the service.
func NewSessions(store Store, policy Policy, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{store: store, policy: policy, now: now}
}

// Login checks the password and opens a session. It returns the cookie value
// "<tenant>.<token>". A locked account is refused even with the right password.
func (s *Sessions) Login(ctx context.Context, tenantCode, username, password string) (cookie string, sess *Session, err error) {
	now := s.now()
	cred, err := s.store.Credentials(ctx, strings.TrimSpace(tenantCode), strings.TrimSpace(username))
	if errors.Is(err, ErrBadCredentials) {
		CheckPassword(password, dummyHash)
		return "", nil, ErrBadCredentials
	}
	if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	if cred.LockedUntil != nil && now.Before(*cred.LockedUntil) {
		return "", nil, ErrLocked
	}
	if !cred.Active || !CheckPassword(password, cred.PasswordHash) {
		var lock *time.Time
		if cred.FailedLogins+1 >= s.policy.MaxFailures {
			t := now.Add(s.policy.LockFor)
			lock = &t
		}
		if err := s.store.RecordFailure(ctx, cred.TenantID, cred.UserID, lock); err != nil {
			return "", nil, fmt.Errorf("login: record failure: %w", err)
		}
		if lock != nil {
			return "", nil, ErrLocked
		}
		return "", nil, ErrBadCredentials
	}
	if err := s.store.ResetFailures(ctx, cred.TenantID, cred.UserID); err != nil {
		return "", nil, fmt.Errorf("login: reset failures: %w", err)
	}
	token := randomToken()
	sess = &Session{
		TenantID:  cred.TenantID,
		UserID:    cred.UserID,
		TokenHash: hashToken(token),
		CSRF:      randomToken(),
		ExpiresAt: now.Add(s.policy.IdleTimeout),
	}
	if err := s.store.CreateSession(ctx, *sess); err != nil {
		return "", nil, fmt.Errorf("login: create session: %w", err)
	}
	return strconv.FormatInt(cred.TenantID, 10) + "." + token, sess, nil
}

// Resolve turns a cookie value into its session and actor, sliding the expiry forward.
func (s *Sessions) Resolve(ctx context.Context, cookie string) (*Session, Actor, error) {
	tenantID, tokenHash, ok := parseCookie(cookie)
	if !ok {
		return nil, Actor{}, ErrNoSession
	}
	now := s.now()
	sess, err := s.store.Session(ctx, tenantID, tokenHash, now)
	if err != nil {
		return nil, Actor{}, err
	}
	actor, err := s.store.LoadActor(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return nil, Actor{}, err
	}
	// Slide the expiry at most once a minute to keep writes down.
	if next := now.Add(s.policy.IdleTimeout); next.Sub(sess.ExpiresAt) > time.Minute {
		if err := s.store.TouchSession(ctx, tenantID, tokenHash, next); err == nil {
			sess.ExpiresAt = next
		}
	}
	return sess, actor, nil
}

// Logout ends the session of cookie; unknown cookies are ignored.
func (s *Sessions) Logout(ctx context.Context, cookie string) error {
	tenantID, tokenHash, ok := parseCookie(cookie)
	if !ok {
		return nil
	}
	return s.store.DeleteSession(ctx, tenantID, tokenHash)
}

// CheckCSRF compares the submitted token with the session's in constant time.
func CheckCSRF(sess *Session, submitted string) error {
	if sess == nil || submitted == "" || subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(submitted)) != 1 {
		return ErrBadCSRF
	}
	return nil
}

func parseCookie(v string) (int64, []byte, bool) {
	t, tok, ok := strings.Cut(v, ".")
	if !ok || len(tok) < 20 {
		return 0, nil, false
	}
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, nil, false
	}
	return id, hashToken(tok), true
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
