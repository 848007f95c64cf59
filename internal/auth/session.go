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

// Credentials is what sign-in needs to know about a staff user. UserID 0: the tenant exists
// but has no user of that name (its failures are counted all the same).
type Credentials struct {
	TenantID     int64
	UserID       int64
	PasswordHash string
	Active       bool
}

// Failure is one failed sign-in to count.
type Failure struct {
	TenantID int64
	UserID   int64  // 0: no such user; the failure is counted against Username
	Username string // as typed (trimmed)
	At       time.Time
	Policy   Policy
}

// Store persists sessions and the lockout counters (storage/postgres implements it).
type Store interface {
	// Credentials finds the user by tenant code and username; ErrBadCredentials when the
	// tenant is unknown, UserID 0 when only the username is.
	Credentials(ctx context.Context, tenantCode, username string) (*Credentials, error)
	// RecordFailure counts one failure and decides the lock in one atomic statement, so
	// concurrent failures can neither share a count nor skip the lock: while locked nothing
	// changes; a streak whose last failure is older than Policy.ForgetAfter starts again;
	// the MaxFailures-th failure locks until At+LockFor and restarts the count. It returns
	// the lock's end when the name is locked after this failure, nil when not.
	RecordFailure(ctx context.Context, f Failure) (lockedUntil *time.Time, err error)
	// ResetFailures clears the failures of an active user not locked at now, atomically with
	// respect to RecordFailure; false (nothing changed) when locked or inactive.
	ResetFailures(ctx context.Context, tenantID, userID int64, now time.Time) (bool, error)
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
	ForgetAfter time.Duration // a streak of failures this old (since its last one) is forgotten; 0: 24 h
	IdleTimeout time.Duration // a session expires after this long without a request
}

// DefaultPolicy: 5 failures lock the tenant+username for 15 minutes; failures are forgotten a
// day after the last one; sessions idle out after 8 hours.
func DefaultPolicy() Policy {
	return Policy{MaxFailures: 5, LockFor: 15 * time.Minute, ForgetAfter: 24 * time.Hour, IdleTimeout: 8 * time.Hour}
}

// Sessions signs staff in and out and resolves cookies to actors.
type Sessions struct {
	store   Store
	policy  Policy
	now     func() time.Time
	hashing *HashLimiter
	check   func(pw, hash string) bool // CheckPassword; tests count the calls
}

// Option changes how Sessions is built.
type Option func(*Sessions)

// WithHashLimiter bounds the sign-ins' password checks with l instead of the process-wide
// limiter HashPassword also uses.
func WithHashLimiter(l *HashLimiter) Option { return func(s *Sessions) { s.hashing = l } }

// NewSessions builds the service.
func NewSessions(store Store, policy Policy, now func() time.Time, opts ...Option) *Sessions {
	if now == nil {
		now = time.Now
	}
	if policy.ForgetAfter <= 0 {
		policy.ForgetAfter = 24 * time.Hour
	}
	s := &Sessions{store: store, policy: policy, now: now, hashing: sharedHashing, check: CheckPassword}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Policy returns the limits in force (the sign-in page states them).
func (s *Sessions) Policy() Policy { return s.policy }

// Login checks the password and opens a session. It returns the cookie value
// "<tenant>.<token>".
//
// Every attempt costs one argon2id computation, whatever the tenant, username, account state
// or lock (an unknown name or a user without a password is checked against a dummy hash), and
// only then are the account and its lock looked at, so the check's time tells nothing. The
// failure's bookkeeping after it differs by well under a millisecond (one UPDATE for a user,
// an upsert into the unknown names' table, nothing for an unknown tenant). A failure
// of an unknown username of a known tenant is counted and locks the same way as a user's, so
// ErrLocked tells nothing either. A locked name is refused even with the right password.
// ErrBusy: too many checks are running or waiting (or ctx ended); nothing was counted.
func (s *Sessions) Login(ctx context.Context, tenantCode, username, password string) (cookie string, sess *Session, err error) {
	username = strings.TrimSpace(username)
	cred, err := s.store.Credentials(ctx, strings.TrimSpace(tenantCode), username)
	unknownTenant := errors.Is(err, ErrBadCredentials)
	if err != nil && !unknownTenant {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	hash, own := dummyHash, false
	if !unknownTenant && cred.UserID != 0 && cred.PasswordHash != "" {
		hash, own = cred.PasswordHash, true
	}
	var match bool
	if err := s.hashing.Do(ctx, func() { match = s.check(password, hash) }); err != nil {
		return "", nil, err
	}
	if unknownTenant {
		return "", nil, ErrBadCredentials
	}
	now := s.now()
	if match && own && cred.Active {
		ok, err := s.store.ResetFailures(ctx, cred.TenantID, cred.UserID, now)
		if err != nil {
			return "", nil, fmt.Errorf("login: reset failures: %w", err)
		}
		if !ok {
			return "", nil, ErrLocked
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
	// Counted even when the request has ended meanwhile: hanging up right after sending a
	// guess must not make it free.
	lock, err := s.store.RecordFailure(context.WithoutCancel(ctx), Failure{TenantID: cred.TenantID, UserID: cred.UserID, Username: username, At: now, Policy: s.policy})
	if err != nil {
		return "", nil, fmt.Errorf("login: record failure: %w", err)
	}
	if lock != nil && now.Before(*lock) {
		return "", nil, ErrLocked
	}
	return "", nil, ErrBadCredentials
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
