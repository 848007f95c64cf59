package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/storage/postgres"
	"jianyi/storage/postgres/pgtest"
)

// signInBundle is a tenant with one staff user whose password is known, signed in through
// auth.Sessions on the real store with a clock the test moves.
type signInBundle struct {
	t      *testing.T
	pool   *pgxpool.Pool
	tn     *pgtest.Tenant
	s      *auth.Sessions
	mu     sync.Mutex
	now    time.Time
	userID int64
}

const rightPassword = "right-pass-2026"

func newSignIn(t *testing.T) *signInBundle {
	t.Helper()
	pool := pgtest.New(t)
	b := &signInBundle{t: t, pool: pool, tn: pgtest.NewTenant(t, pool), now: time.Now().UTC().Truncate(time.Microsecond)}
	hash, err := auth.HashPassword(rightPassword)
	if err != nil {
		t.Fatal(err)
	}
	b.userID = b.tn.Reviewer
	pgtest.MustExec(t, pool, `UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.userID, hash)
	// Enough slots for real overlap without 20 × 64 MiB at once.
	b.s = auth.NewSessions(postgres.NewConsoleAuthStore(pool), auth.DefaultPolicy(), b.clock, auth.WithHashLimiter(auth.NewHashLimiter(4, 32)))
	return b
}

func (b *signInBundle) clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *signInBundle) advance(d time.Duration) {
	b.mu.Lock()
	b.now = b.now.Add(d)
	b.mu.Unlock()
}

// parallel sends n sign-ins at once and counts the answers.
func (b *signInBundle) parallel(n int, tenant, user, pw string) (bad, locked int) {
	b.t.Helper()
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			_, _, err := b.s.Login(context.Background(), tenant, user, pw)
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		switch {
		case errors.Is(err, auth.ErrBadCredentials):
			bad++
		case errors.Is(err, auth.ErrLocked):
			locked++
		default:
			b.t.Fatalf("sign-in: %v", err)
		}
	}
	return bad, locked
}

// Parallel wrong guesses used to read the same failure count, none of them locked, and the
// right password then signed in (12 × 401, failed_logins = 12, locked_until NULL). Now the
// count and the lock are one statement: of 12 guesses at once, 4 are answered "wrong", the 5th
// locks, the other 7 are answered "locked" without being judged, and even the right password
// is refused until the lock ends. Lock window after lock window, at most 5 guesses count.
// An unknown username locks exactly the same way.
func TestParallelGuessesLockTheAccount(t *testing.T) {
	t.Parallel()
	b := newSignIn(t)
	ctx := context.Background()
	for _, user := range []string{"reviewer", "ghost-user"} {
		for round := 1; round <= 3; round++ {
			bad, locked := b.parallel(12, b.tn.Code, user, "wrong-guess")
			if bad != 4 || locked != 8 {
				t.Fatalf("%s, window %d: %d answered wrong, %d locked; want 4 and 8", user, round, bad, locked)
			}
			if _, _, err := b.s.Login(ctx, b.tn.Code, user, rightPassword); !errors.Is(err, auth.ErrLocked) {
				t.Fatalf("%s, window %d: right password while locked: %v", user, round, err)
			}
			b.advance(14 * time.Minute)
			if _, _, err := b.s.Login(ctx, b.tn.Code, user, rightPassword); !errors.Is(err, auth.ErrLocked) {
				t.Fatalf("%s, window %d: right password a minute before the lock ends: %v", user, round, err)
			}
			b.advance(2 * time.Minute)
		}
	}
	var failed int
	var until *time.Time
	if err := b.pool.QueryRow(ctx, `SELECT failed_logins, locked_until FROM users WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.userID).Scan(&failed, &until); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || until == nil {
		t.Fatalf("after the windows: failed_logins %d, locked_until %v", failed, until)
	}
	if _, _, err := b.s.Login(ctx, b.tn.Code, "reviewer", rightPassword); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if err := b.pool.QueryRow(ctx, `SELECT failed_logins, locked_until FROM users WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.userID).Scan(&failed, &until); err != nil {
		t.Fatal(err)
	}
	if failed != 0 || until != nil {
		t.Fatalf("a sign-in left failed_logins %d, locked_until %v", failed, until)
	}
	// The unknown name's counter lives in login_failures, under a digest of the name.
	if n := pgtest.Count(t, b.pool, `SELECT count(*) FROM login_failures WHERE tenant_id = $1 AND locked_until IS NOT NULL`, b.tn.ID); n != 1 {
		t.Fatalf("%d locked unknown names, want 1", n)
	}
	// Another tenant's user of the same name, and an unknown tenant, are not affected.
	if bad, locked := b.parallel(6, "no-such-tenant", "reviewer", "wrong-guess"); bad != 6 || locked != 0 {
		t.Fatalf("unknown tenant: %d wrong %d locked", bad, locked)
	}
}

// A streak is forgotten a day after its last failure, for a user and an unknown name alike.
func TestOldFailuresAreForgotten(t *testing.T) {
	t.Parallel()
	b := newSignIn(t)
	ctx := context.Background()
	for _, user := range []string{"reviewer", "ghost-user"} {
		if bad, _ := b.parallel(4, b.tn.Code, user, "wrong-guess"); bad != 4 {
			t.Fatalf("%s: %d", user, bad)
		}
	}
	b.advance(25 * time.Hour)
	for _, user := range []string{"reviewer", "ghost-user"} {
		if bad, locked := b.parallel(4, b.tn.Code, user, "wrong-guess"); bad != 4 || locked != 0 {
			t.Fatalf("%s a day later: %d wrong %d locked (the old streak counted)", user, bad, locked)
		}
		if _, _, err := b.s.Login(ctx, b.tn.Code, user, "wrong-guess"); !errors.Is(err, auth.ErrLocked) {
			t.Fatalf("%s: 5th failure of the new streak: %v", user, err)
		}
	}
}

// A disabled user is judged like any other: the right password does not sign in, and every
// attempt counts toward the lock.
func TestDisabledUserLocksLikeOthers(t *testing.T) {
	t.Parallel()
	b := newSignIn(t)
	ctx := context.Background()
	pgtest.MustExec(t, b.pool, `UPDATE users SET active = false WHERE tenant_id = $1 AND id = $2`, b.tn.ID, b.userID)
	for i := 1; i <= 4; i++ {
		if _, _, err := b.s.Login(ctx, b.tn.Code, "reviewer", rightPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("disabled, attempt %d: %v", i, err)
		}
	}
	if _, _, err := b.s.Login(ctx, b.tn.Code, "reviewer", "wrong-guess"); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("disabled, 5th attempt: %v", err)
	}
}

// Rows of made-up names are not kept for good: the worker's PruneLoginFailures deletes, across tenants and in batches, every row whose streak is
// forgotten (last failure at or before now − ForgetAfter) unless it is locked; rows still
// remembered, locked rows and users' counters stay.
func TestPruneLoginFailures(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	a, b := pgtest.NewTenant(t, pool), pgtest.NewTenant(t, pool)
	now := time.Now().UTC().Truncate(time.Microsecond)
	p := auth.DefaultPolicy()
	forgotten := now.Add(-p.ForgetAfter)
	row := func(tenant int64, name string, last time.Time, lockedUntil *time.Time) {
		pgtest.MustExec(t, pool, `INSERT INTO login_failures (tenant_id, name_hash, failed_logins, locked_until, last_failed_at) VALUES ($1, $2, 1, $3, $4)`,
			tenant, []byte(name), lockedUntil, last)
	}
	for i := range 25 {
		row(a.ID, fmt.Sprintf("a-old-%02d", i), forgotten.Add(-time.Duration(i)*time.Hour), nil)
	}
	row(a.ID, "a-exactly-forgotten", forgotten, nil)
	row(a.ID, "a-lock-ended", forgotten.Add(-time.Hour), new(now.Add(-time.Minute)))
	row(a.ID, "a-still-locked", forgotten.Add(-time.Hour), new(now.Add(time.Hour))) // a policy locking longer than it remembers
	row(a.ID, "a-remembered", forgotten.Add(time.Second), nil)
	row(a.ID, "a-today", now.Add(-time.Hour), nil)
	for i := range 7 {
		row(b.ID, fmt.Sprintf("b-old-%02d", i), forgotten.Add(-time.Minute), nil)
	}
	row(b.ID, "b-today", now, nil)
	pgtest.MustExec(t, pool, `UPDATE users SET failed_logins = 2, last_failed_at = $3 WHERE tenant_id = $1 AND id = $2`, a.ID, a.Reviewer, forgotten.Add(-time.Hour))

	store := postgres.NewConsoleAuthStore(pool)
	n, err := store.PruneLoginFailures(ctx, p, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n != 25+2+7 {
		t.Fatalf("deleted %d rows, want 34", n)
	}
	names := func(tenant int64) []string {
		rows, err := pool.Query(ctx, `SELECT convert_from(name_hash, 'UTF8') FROM login_failures WHERE tenant_id = $1 ORDER BY 1`, tenant)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	if got := fmt.Sprint(names(a.ID), names(b.ID)); got != "[a-remembered a-still-locked a-today] [b-today]" {
		t.Fatalf("rows left: %s", got)
	}
	if n := pgtest.Count(t, pool, `SELECT count(*) FROM users WHERE tenant_id = $1 AND id = $2 AND failed_logins = 2`, a.ID, a.Reviewer); n != 1 {
		t.Fatal("a user's counter was touched")
	}
	if n, err := store.PruneLoginFailures(ctx, p, now, 10); err != nil || n != 0 {
		t.Fatalf("second run: %d %v", n, err)
	}
	// A name pruned fails afresh: a new streak of one.
	if lock, err := store.RecordFailure(ctx, auth.Failure{TenantID: b.ID, Username: "b-old-00", At: now, Policy: p}); err != nil || lock != nil {
		t.Fatalf("failure of a pruned name: %v %v", lock, err)
	}
	// A cancelled run stops with the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := store.PruneLoginFailures(cctx, p, now, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
}

// Migration 00074 added users.last_failed_at empty, and the failure rule reads an empty one as
// a forgotten streak: a user with 3 failures from before the upgrade was not locked after 2
// more. Migration 00076 dates such failures at the upgrade, so the 5th failure locks; users
// without failures, and dated failures, are left as they are.
func TestMigrationDatesEarlierFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, dsn := pgtest.At(t, 75)
	tn := pgtest.NewTenant(t, pool)
	dated := time.Now().UTC().Add(-30 * time.Hour).Truncate(time.Microsecond)
	pgtest.MustExec(t, pool, `UPDATE users SET failed_logins = 3, last_failed_at = NULL WHERE tenant_id = $1 AND id = $2`, tn.ID, tn.Reviewer)
	pgtest.MustExec(t, pool, `UPDATE users SET failed_logins = 2, last_failed_at = $3 WHERE tenant_id = $1 AND id = $2`, tn.ID, tn.Coordinator, dated)

	before := time.Now()
	if err := postgres.MigrateTo(ctx, dsn, 76); err != nil {
		t.Fatal(err)
	}
	last := func(user int64) *time.Time {
		var at *time.Time
		if err := pool.QueryRow(ctx, `SELECT last_failed_at FROM users WHERE tenant_id = $1 AND id = $2`, tn.ID, user).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	if at := last(tn.Reviewer); at == nil || at.Before(before.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("earlier failures dated %v, want the upgrade's time", at)
	}
	if at := last(tn.Coordinator); at == nil || !at.Equal(dated) {
		t.Fatalf("dated failures changed to %v", at)
	}
	if at := last(tn.Leader); at != nil {
		t.Fatalf("a user without failures got last_failed_at %v", at)
	}

	store := postgres.NewConsoleAuthStore(pool)
	p := auth.DefaultPolicy()
	for i := 4; i <= 5; i++ {
		lock, err := store.RecordFailure(ctx, auth.Failure{TenantID: tn.ID, UserID: tn.Reviewer, Username: "reviewer", At: time.Now(), Policy: p})
		if err != nil {
			t.Fatal(err)
		}
		if (lock != nil) != (i == 5) {
			t.Fatalf("failure %d (3 before the upgrade): locked until %v", i, lock)
		}
	}
	// Down has nothing to undo, and up again changes nothing.
	if err := postgres.MigrateTo(ctx, dsn, 75); err != nil {
		t.Fatal(err)
	}
	if err := postgres.MigrateTo(ctx, dsn, 76); err != nil {
		t.Fatal(err)
	}
	if at := last(tn.Coordinator); at == nil || !at.Equal(dated) {
		t.Fatalf("after down and up: %v", at)
	}
}
