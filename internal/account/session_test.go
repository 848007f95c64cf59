package account_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"jianyi/internal/account"
)

// memStore is a SessionStore in memory that counts reads.
type memStore struct {
	mu    sync.Mutex
	m     map[string]account.Session
	reads int
}

func (m *memStore) Put(_ context.Context, token string, s account.Session, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[token] = s
	return nil
}

func (m *memStore) Get(_ context.Context, token string) (account.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	s, ok := m.m[token]
	if !ok {
		return s, account.ErrNotFound
	}
	return s, nil
}

func (m *memStore) Delete(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, token)
	return nil
}

func (m *memStore) readCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads
}

// The lookup cache saves store reads but never outlives CacheTTL, the session's expiry, a
// logout or an update through the same Sessions.
func TestSessionLookupCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := &memStore{m: map[string]account.Session{}}
	a := account.NewSessions(store, clock) // this instance
	b := account.NewSessions(store, clock) // another instance on the same store
	if a.CacheTTL <= 0 || a.CacheTTL > 5*time.Second {
		t.Fatalf("cache TTL %v: want short and on", a.CacheTTL)
	}

	tok, _, err := a.Create(ctx, account.Session{TenantID: 1, OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(s *account.Sessions) (account.Session, error) { t.Helper(); return s.Lookup(ctx, tok) }

	// Cached: one read for several lookups within the TTL.
	for range 3 {
		if _, err := lookup(a); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.readCount(); n != 1 {
		t.Fatalf("store reads %d, want 1", n)
	}

	// An update through a is seen at once by a.
	s, _ := lookup(a)
	s.DeputyID = 10
	if err := a.Update(ctx, tok, s); err != nil {
		t.Fatal(err)
	}
	if s, _ := lookup(a); s.DeputyID != 10 {
		t.Fatalf("after update: deputy %d", s.DeputyID)
	}

	// b cached the session, a logs it out: a refuses at once, b within CacheTTL.
	if _, err := lookup(b); err != nil {
		t.Fatal(err)
	}
	if err := a.Delete(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(a); !errors.Is(err, account.ErrNoSession) {
		t.Fatalf("a after logout: %v", err)
	}
	now = now.Add(b.CacheTTL)
	if _, err := lookup(b); !errors.Is(err, account.ErrNoSession) {
		t.Fatalf("b after logout and CacheTTL: %v", err)
	}

	// Expiry is checked on cached lookups too: a session cached a moment before it expires
	// is refused right after.
	a.TTL = time.Second + 500*time.Millisecond
	tok2, _, err := a.Create(ctx, account.Session{TenantID: 1, OpenID: "o2"})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if _, err := a.Lookup(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	now = now.Add(600 * time.Millisecond)
	if _, err := a.Lookup(ctx, tok2); !errors.Is(err, account.ErrNoSession) {
		t.Fatalf("expired but cached: %v", err)
	}

	// CacheTTL 0 reads the store every time.
	a.CacheTTL = 0
	tok3, _, _ := a.Create(ctx, account.Session{TenantID: 1, OpenID: "o3"})
	before := store.readCount()
	_, _ = a.Lookup(ctx, tok3)
	_, _ = a.Lookup(ctx, tok3)
	if n := store.readCount() - before; n != 2 {
		t.Fatalf("uncached reads %d, want 2", n)
	}
}
