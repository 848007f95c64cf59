package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// counter is one lockout row: a user's or an unknown name's.
type counter struct {
	failed      int
	lockedUntil *time.Time
	lastFailed  time.Time
}

// memStore follows the rule of storage/postgres (one atomic step per failure) under a mutex.
type memStore struct {
	mu       sync.Mutex
	cred     Credentials // tenant "t", user "u"
	user     counter
	unknown  map[string]*counter
	sessions map[string]Session
}

func newMemStore(cred Credentials) *memStore {
	return &memStore{cred: cred, unknown: map[string]*counter{}, sessions: map[string]Session{}}
}

func (m *memStore) Credentials(_ context.Context, tenant, user string) (*Credentials, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tenant != "t" {
		return nil, ErrBadCredentials
	}
	if user != "u" {
		return &Credentials{TenantID: m.cred.TenantID}, nil
	}
	c := m.cred
	return &c, nil
}

func (m *memStore) RecordFailure(_ context.Context, f Failure) (*time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &m.user
	if f.UserID == 0 {
		if m.unknown[f.Username] == nil {
			m.unknown[f.Username] = &counter{}
		}
		c = m.unknown[f.Username]
	}
	if c.lockedUntil != nil && c.lockedUntil.After(f.At) {
		return c.lockedUntil, nil
	}
	streak := c.failed
	if !c.lastFailed.After(f.At.Add(-f.Policy.ForgetAfter)) {
		streak = 0
	}
	c.lastFailed = f.At
	if streak+1 >= f.Policy.MaxFailures {
		t := f.At.Add(f.Policy.LockFor)
		c.failed, c.lockedUntil = 0, &t
	} else {
		c.failed = streak + 1
	}
	return c.lockedUntil, nil
}

func (m *memStore) ResetFailures(_ context.Context, _, _ int64, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.cred.Active || m.user.lockedUntil != nil && m.user.lockedUntil.After(now) {
		return false, nil
	}
	m.user = counter{}
	return true, nil
}

func (m *memStore) LoadActor(_ context.Context, tenantID, userID int64) (Actor, error) {
	return Actor{TenantID: tenantID, Kind: KindStaff, ID: userID}, nil
}

func (m *memStore) CreateSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[string(s.TokenHash)] = s
	return nil
}

func (m *memStore) Session(_ context.Context, tenantID int64, h []byte, now time.Time) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[string(h)]
	if !ok || s.TenantID != tenantID || !now.Before(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return &s, nil
}

func (m *memStore) TouchSession(_ context.Context, _ int64, h []byte, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sessions[string(h)]
	s.ExpiresAt = exp
	m.sessions[string(h)] = s
	return nil
}

func (m *memStore) DeleteSession(_ context.Context, _ int64, h []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
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
	st := newMemStore(Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true})
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
	if st.user.failed != 0 || st.user.lockedUntil != nil {
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

// Every sign-in attempt costs exactly one argon2id check, whatever the tenant, the username,
// the account's state or its lock, and the check comes before any of them is looked at: a
// disabled account is checked against its own hash like an active one (it used to answer in
// 2-4 ms against 76-160 ms), a locked one too, an unknown name against the dummy hash.
func TestEveryAttemptCostsOneCheck(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st := newMemStore(Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true})
	s := NewSessions(st, DefaultPolicy(), func() time.Time { return now })
	var checked []string
	s.check = func(pw, h string) bool {
		checked = append(checked, h)
		return CheckPassword(pw, h)
	}
	ctx := context.Background()
	try := func(name, tenant, user, pw, wantHash string, want error) {
		t.Helper()
		checked = nil
		_, _, err := s.Login(ctx, tenant, user, pw)
		if !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", name, err, want)
		}
		if len(checked) != 1 || checked[0] != wantHash {
			t.Fatalf("%s: %d checks (%v), want one against %.20s", name, len(checked), checked, wantHash)
		}
	}
	try("unknown tenant", "nope", "u", "correct horse", dummyHash, ErrBadCredentials)
	try("unknown user", "t", "nobody", "correct horse", dummyHash, ErrBadCredentials)
	st.cred.Active = false
	try("disabled, wrong password", "t", "u", "wrong", hash, ErrBadCredentials)
	try("disabled, right password", "t", "u", "correct horse", hash, ErrBadCredentials)
	if st.user.failed != 2 {
		t.Fatalf("disabled account: %d failures counted, want 2", st.user.failed)
	}
	st.cred.Active = true
	try("wrong password", "t", "u", "wrong", hash, ErrBadCredentials)
	try("wrong password", "t", "u", "wrong", hash, ErrBadCredentials)
	try("5th failure", "t", "u", "wrong", hash, ErrLocked)
	try("locked, right password", "t", "u", "correct horse", hash, ErrLocked)
	st.cred.PasswordHash = ""
	now = now.Add(time.Hour)
	try("no password set", "t", "u", "", dummyHash, ErrBadCredentials)
}

// An unknown username of a known tenant locks exactly like a real one: the same answers in
// the same order, so a lock tells an attacker nothing about whether the account exists.
func TestUnknownNamesLockLikeUsers(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st := newMemStore(Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true})
	s := NewSessions(st, DefaultPolicy(), func() time.Time { return now })
	ctx := context.Background()
	answers := func(user string) []error {
		var out []error
		for range 7 {
			_, _, err := s.Login(ctx, "t", user, "wrong")
			out = append(out, err)
		}
		return out
	}
	known, made := answers("u"), answers("ghost")
	for i := range known {
		if !errors.Is(made[i], known[i]) {
			t.Fatalf("attempt %d: real user %v, unknown name %v", i+1, known[i], made[i])
		}
	}
	if !errors.Is(known[4], ErrLocked) {
		t.Fatalf("5th failure: %v", known[4])
	}
	// Both unlock when the lock ends, and a day-old streak is forgotten by both.
	now = now.Add(16 * time.Minute)
	for range 3 {
		var got [2]error
		_, _, got[0] = s.Login(ctx, "t", "u", "wrong")
		_, _, got[1] = s.Login(ctx, "t", "ghost", "wrong")
		if !errors.Is(got[0], ErrBadCredentials) || !errors.Is(got[1], ErrBadCredentials) {
			t.Fatalf("after the lock: %v", got)
		}
	}
	now = now.Add(25 * time.Hour)
	for _, user := range []string{"u", "ghost"} {
		for i := range 4 {
			if _, _, err := s.Login(ctx, "t", user, "wrong"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("%s, failure %d a day later: %v (the old streak counted)", user, i+1, err)
			}
		}
	}
}

// Concurrent wrong guesses share no count: of 20 at once, 4 are told "wrong" and the rest
// "locked", and the right password is refused afterwards.
func TestParallelGuessesLock(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore(Credentials{TenantID: 3, UserID: 7, PasswordHash: hash, Active: true})
	s := NewSessions(st, DefaultPolicy(), nil, WithHashLimiter(NewHashLimiter(4, 32)))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, _, err := s.Login(context.Background(), "t", "u", "wrong")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	bad := 0
	for err := range errs {
		switch {
		case errors.Is(err, ErrBadCredentials):
			bad++
		case !errors.Is(err, ErrLocked):
			t.Fatal(err)
		}
	}
	if bad != 4 {
		t.Fatalf("%d guesses answered as wrong, want 4 before the lock", bad)
	}
	if _, _, err := s.Login(context.Background(), "t", "u", "correct horse"); !errors.Is(err, ErrLocked) {
		t.Fatalf("right password after the parallel guesses: %v", err)
	}
}
