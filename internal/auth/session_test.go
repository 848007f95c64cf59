package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

type memStore struct {
	cred     Credentials
	sessions map[string]Session
}

func (m *memStore) Credentials(_ context.Context, tenant, user string) (*Credentials, error) {
	if tenant != "t" || user != "u" {
		return nil, ErrBadCredentials
	}
	c := m.cred
	return &c, nil
}

func (m *memStore) RecordFailure(_ context.Context, _, _ int64, lock *time.Time) error {
	if lock != nil {
		m.cred.FailedLogins, m.cred.LockedUntil = 0, lock
		return nil
	}
	m.cred.FailedLogins++
	return nil
}

func (m *memStore) ResetFailures(context.Context, int64, int64) error {
	m.cred.FailedLogins, m.cred.LockedUntil = 0, nil
	return nil
}

func (m *memStore) LoadActor(_ context.Context, tenantID, userID int64) (Actor, error) {
	return Actor{TenantID: tenantID, Kind: KindStaff, ID: userID}, nil
}

func (m *memStore) CreateSession(_ context.Context, s Session) error {
	m.sessions[string(s.TokenHash)] = s
	return nil
}

func (m *memStore) Session(_ context.Context, tenantID int64, h []byte, now time.Time) (*Session, error) {
	s, ok := m.sessions[string(h)]
	if !ok || s.TenantID != tenantID || !now.Before(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return &s, nil
}

func (m *memStore) TouchSession(_ context.Context, _ int64, h []byte, exp time.Time) error {
	s := m.sessions[string(h)]
	s.ExpiresAt = exp
	m.sessions[string(h)] = s
	return nil
}

func (m *memStore) DeleteSession(_ context.Context, _ int64, h []byte) error {
	delete(m.sessions, string(h))
	return nil
}

func TestSessionsLockoutAndExpiry(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st := &memStore{cred: Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true}, sessions: map[string]Session{}}
	s := NewSessions(st, DefaultPolicy(), func() time.Time { return now })
	ctx := context.Background()

	if _, _, err := s.Login(ctx, "t", "nobody", "x"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown user: %v", err)
	}
	for i := 1; i <= 4; i++ {
		if _, _, err := s.Login(ctx, "t", "u", "wrong"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, _, err := s.Login(ctx, "t", "u", "wrong"); !errors.Is(err, ErrLocked) {
		t.Fatalf("5th failure: %v", err)
	}
	if _, _, err := s.Login(ctx, "t", "u", "correct horse"); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked: %v", err)
	}
	now = now.Add(16 * time.Minute)
	cookie, sess, err := s.Login(ctx, "t", "u", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if st.cred.FailedLogins != 0 || st.cred.LockedUntil != nil {
		t.Fatal("success did not reset the counter")
	}
	got, a, err := s.Resolve(ctx, cookie)
	if err != nil || a.ID != 7 || a.TenantID != 3 || got.CSRF != sess.CSRF {
		t.Fatalf("resolve: %+v %+v %v", got, a, err)
	}
	if CheckCSRF(got, sess.CSRF) != nil || CheckCSRF(got, "") == nil || CheckCSRF(got, sess.CSRF+"x") == nil || CheckCSRF(nil, "x") == nil {
		t.Fatal("csrf check")
	}
	for _, bad := range []string{"", "3", "3.", "x.abcdefghijklmnopqrstuvwxyz", "4." + cookie[2:], "-1.abcdefghijklmnopqrstuvwxyz"} {
		if _, _, err := s.Resolve(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Fatalf("cookie %q: %v", bad, err)
		}
	}
	now = now.Add(9 * time.Hour)
	if _, _, err := s.Resolve(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Fatalf("idle session still valid: %v", err)
	}
	if err := s.Logout(ctx, cookie); err != nil {
		t.Fatal(err)
	}
}
