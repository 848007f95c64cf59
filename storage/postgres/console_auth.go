package postgres

import (
	"context"
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

// Credentials implements auth.Store.
func (s *ConsoleAuthStore) Credentials(ctx context.Context, tenantCode, username string) (*auth.Credentials, error) {
	var c auth.Credentials
	err := s.pool.QueryRow(ctx, `
		SELECT u.tenant_id, u.id, u.password_hash, u.active, u.failed_logins, u.locked_until
		FROM tenants t JOIN users u ON u.tenant_id = t.id
		WHERE t.code = $1 AND u.username = $2`, tenantCode, username).
		Scan(&c.TenantID, &c.UserID, &c.PasswordHash, &c.Active, &c.FailedLogins, &c.LockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, auth.ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return &c, nil
}

// RecordFailure implements auth.Store.
func (s *ConsoleAuthStore) RecordFailure(ctx context.Context, tenantID, userID int64, lockUntil *time.Time) error {
	if lockUntil != nil {
		// Locking starts a fresh count for after the lock.
		_, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, userID, *lockUntil)
		return err
	}
	_, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE tenant_id = $1 AND id = $2`, tenantID, userID)
	return err
}

// ResetFailures implements auth.Store.
func (s *ConsoleAuthStore) ResetFailures(ctx context.Context, tenantID, userID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, tenantID, userID)
	return err
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
