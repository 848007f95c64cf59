package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
)

// ConsoleAuthStore keeps console sessions and the sign-in lockout counters in PostgreSQL.
type ConsoleAuthStore struct {
	pool *pgxpool.Pool
}

// NewConsoleAuthStore builds the store.
func NewConsoleAuthStore(pool *pgxpool.Pool) *ConsoleAuthStore { return &ConsoleAuthStore{pool: pool} }

var _ auth.Store = (*ConsoleAuthStore)(nil)

// Credentials implements auth.Store: one statement whether or not the username exists.
func (s *ConsoleAuthStore) Credentials(ctx context.Context, tenantCode, username string) (*auth.Credentials, error) {
	var c auth.Credentials
	var userID *int64
	var hash *string
	var active *bool
	err := s.pool.QueryRow(ctx, `
		SELECT t.id, u.id, u.password_hash, u.active
		FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id AND u.username = $2
		WHERE t.code = $1`, tenantCode, username).
		Scan(&c.TenantID, &userID, &hash, &active)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if userID != nil {
		c.UserID, c.PasswordHash, c.Active = *userID, *hash, *active
	}
	return &c, nil
}

// failSet is the one rule of both failure statements below, as the SET list of an UPDATE (or
// upsert) of the row aliased r. It reads the row's columns (failed_logins, locked_until,
// last_failed_at) as they are once the row lock is taken, so concurrent failures are counted
// one after the other: $3 the attempt's time, $4 MaxFailures, $5 the end of a lock starting
// now, $6 the time before which a streak is forgotten. While locked nothing changes; otherwise
// the streak (0 when forgotten) grows by one, and reaching MaxFailures locks and restarts the
// count.
const failSet = `
		failed_logins = CASE WHEN r.locked_until > $3 THEN r.failed_logins
			WHEN (CASE WHEN r.last_failed_at > $6 THEN r.failed_logins ELSE 0 END) + 1 >= $4 THEN 0
			ELSE (CASE WHEN r.last_failed_at > $6 THEN r.failed_logins ELSE 0 END) + 1 END,
		locked_until = CASE WHEN r.locked_until > $3 THEN r.locked_until
			WHEN (CASE WHEN r.last_failed_at > $6 THEN r.failed_logins ELSE 0 END) + 1 >= $4 THEN $5::timestamptz END,
		last_failed_at = CASE WHEN r.locked_until > $3 THEN r.last_failed_at ELSE $3 END`

// RecordFailure implements auth.Store in one statement: a user's row, or the unknown name's
// row of login_failures (created on its first failure; PruneLoginFailures, run by the
// worker, deletes the rows whose streak is forgotten).
func (s *ConsoleAuthStore) RecordFailure(ctx context.Context, f auth.Failure) (*time.Time, error) {
	lockEnd := f.At.Add(f.Policy.LockFor)
	forgotten := f.At.Add(-f.Policy.ForgetAfter)
	var until *time.Time
	var err error
	if f.UserID != 0 {
		err = s.pool.QueryRow(ctx, `UPDATE users AS r SET `+failSet+`
			WHERE tenant_id = $1 AND id = $2 RETURNING locked_until`,
			f.TenantID, f.UserID, f.At, f.Policy.MaxFailures, lockEnd, forgotten).Scan(&until)
	} else {
		key := sha256.Sum256([]byte(f.Username))
		err = s.pool.QueryRow(ctx, `
			INSERT INTO login_failures AS r (tenant_id, name_hash, failed_logins, locked_until, last_failed_at)
			VALUES ($1, $2, CASE WHEN 1 >= $4 THEN 0 ELSE 1 END, CASE WHEN 1 >= $4 THEN $5::timestamptz END, $3)
			ON CONFLICT (tenant_id, name_hash) DO UPDATE SET `+failSet+`
			RETURNING locked_until`,
			f.TenantID, key[:], f.At, f.Policy.MaxFailures, lockEnd, forgotten).Scan(&until)
	}
	if errors.Is(err, pgx.ErrNoRows) { // the user was deleted meanwhile
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("record sign-in failure: %w", err)
	}
	return until, nil
}

// PruneLoginFailures deletes the login_failures rows (unknown names) whose streak is
// forgotten at now (last failure at or before now − p.ForgetAfter; 24 h when 0) and that are
// not locked, tenant by tenant, at most batch rows a statement (each its own short
// transaction; rows a concurrent failure holds are skipped and left for the next run). Such a
// row counts for nothing any more: a new failure of its name starts a fresh streak either way.
// RecordFailure clears only a few of a tenant's rows as new unknown names fail there, so
// without this the table keeps every name ever sprayed at a tenant that stops being sprayed.
// It returns how many rows it deleted; it stops early, with ctx's error, when ctx ends.
func (s *ConsoleAuthStore) PruneLoginFailures(ctx context.Context, p auth.Policy, now time.Time, batch int) (int, error) {
	forget := p.ForgetAfter
	if forget <= 0 {
		forget = 24 * time.Hour
	}
	batch = max(batch, 1)
	forgotten := now.Add(-forget)
	rows, err := s.pool.Query(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("prune sign-in failures: tenants: %w", err)
	}
	tenants, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("prune sign-in failures: tenants: %w", err)
	}
	deleted := 0
	for _, tenantID := range tenants {
		for {
			if err := ctx.Err(); err != nil {
				return deleted, err
			}
			tag, err := s.pool.Exec(ctx, `
				DELETE FROM login_failures WHERE tenant_id = $1 AND name_hash IN (
				  SELECT name_hash FROM login_failures
				  WHERE tenant_id = $1 AND last_failed_at <= $2 AND (locked_until IS NULL OR locked_until <= $3)
				  LIMIT $4 FOR UPDATE SKIP LOCKED)`, tenantID, forgotten, now, batch)
			if err != nil {
				return deleted, fmt.Errorf("prune sign-in failures of tenant %d: %w", tenantID, err)
			}
			deleted += int(tag.RowsAffected())
			if tag.RowsAffected() < int64(batch) {
				break
			}
		}
	}
	return deleted, nil
}

// ResetFailures implements auth.Store. The row lock orders it with concurrent failures: a
// lock set by one of them is seen here.
func (s *ConsoleAuthStore) ResetFailures(ctx context.Context, tenantID, userID int64, now time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_failed_at = NULL
		WHERE tenant_id = $1 AND id = $2 AND active AND (locked_until IS NULL OR locked_until <= $3)`, tenantID, userID, now)
	if err != nil {
		return false, fmt.Errorf("reset sign-in failures: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// LoadActor implements auth.Store.
func (s *ConsoleAuthStore) LoadActor(ctx context.Context, tenantID, userID int64) (auth.Actor, error) {
	a := auth.Actor{TenantID: tenantID, Kind: auth.KindStaff, ID: userID}
	var unitID *int64
	var roles []string
	err := s.pool.QueryRow(ctx, `
		SELECT u.display_name, u.unit_id,
		  COALESCE((SELECT array_agg(r.role::text ORDER BY r.role) FROM user_roles r WHERE r.tenant_id = u.tenant_id AND r.user_id = u.id), '{}'),
		  COALESCE((SELECT array_agg(c.category_id ORDER BY c.category_id) FROM user_categories c WHERE c.tenant_id = u.tenant_id AND c.user_id = u.id), '{}')
		FROM users u WHERE u.tenant_id = $1 AND u.id = $2 AND u.active`, tenantID, userID).
		Scan(&a.Name, &unitID, &roles, &a.CategoryIDs)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, auth.ErrNoSession
	}
	if err != nil {
		return a, fmt.Errorf("load actor: %w", err)
	}
	if unitID != nil {
		a.UnitID = *unitID
	}
	for _, r := range roles {
		a.Roles = append(a.Roles, auth.Role(r))
	}
	return a, nil
}

// CreateSession implements auth.Store.
func (s *ConsoleAuthStore) CreateSession(ctx context.Context, sess auth.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO console_sessions (tenant_id, token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		sess.TenantID, sess.TokenHash, sess.UserID, sess.CSRF, sess.ExpiresAt)
	return err
}

// Session implements auth.Store.
func (s *ConsoleAuthStore) Session(ctx context.Context, tenantID int64, tokenHash []byte, now time.Time) (*auth.Session, error) {
	sess := auth.Session{TenantID: tenantID, TokenHash: tokenHash}
	err := s.pool.QueryRow(ctx, `SELECT user_id, csrf_token, expires_at FROM console_sessions WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > $3`,
		tenantID, tokenHash, now).Scan(&sess.UserID, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return &sess, nil
}

// TouchSession implements auth.Store.
func (s *ConsoleAuthStore) TouchSession(ctx context.Context, tenantID int64, tokenHash []byte, expiresAt time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE console_sessions SET expires_at = $3, last_seen = now() WHERE tenant_id = $1 AND token_hash = $2`, tenantID, tokenHash, expiresAt)
	return err
}

// DeleteSession implements auth.Store.
func (s *ConsoleAuthStore) DeleteSession(ctx context.Context, tenantID int64, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM console_sessions WHERE tenant_id = $1 AND token_hash = $2`, tenantID, tokenHash)
	return err
}
