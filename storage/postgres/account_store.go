package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/account"
)

// AccountStore implements account.Store.
type AccountStore struct {
	pool *pgxpool.Pool
}

// NewAccountStore returns the account store on pool.
func NewAccountStore(pool *pgxpool.Pool) *AccountStore { return &AccountStore{pool: pool} }

var _ account.Store = (*AccountStore)(nil)

// TenantByCode resolves a tenant code.
func (s *AccountStore) TenantByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM tenants WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, account.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("tenant by code: %w", err)
	}
	return id, nil
}

const deputyCols = `tenant_id, id, name, active`

func scanDeputy(row pgx.Row) (account.Deputy, error) {
	var d account.Deputy
	err := row.Scan(&d.TenantID, &d.ID, &d.Name, &d.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, account.ErrNotFound
	}
	return d, err
}

func (s *AccountStore) deputyBy(ctx context.Context, what, where string, args ...any) (account.Deputy, error) {
	d, err := scanDeputy(s.pool.QueryRow(ctx, `SELECT `+deputyCols+` FROM deputies WHERE `+where, args...))
	if err != nil && !errors.Is(err, account.ErrNotFound) {
		return d, fmt.Errorf("deputy by %s: %w", what, err)
	}
	return d, err
}

// Deputy reads one deputy.
func (s *AccountStore) Deputy(ctx context.Context, tenantID, id int64) (account.Deputy, error) {
	return s.deputyBy(ctx, "id", `tenant_id = $1 AND id = $2`, tenantID, id)
}

// DeputyByMPOpenID finds the deputy bound to a mini-program openid.
func (s *AccountStore) DeputyByMPOpenID(ctx context.Context, tenantID int64, openid string) (account.Deputy, error) {
	return s.deputyBy(ctx, "mp openid", `tenant_id = $1 AND mp_openid = $2`, tenantID, openid)
}

// DeputyByOAOpenID finds the deputy bound to an official-account openid.
func (s *AccountStore) DeputyByOAOpenID(ctx context.Context, tenantID int64, openid string) (account.Deputy, error) {
	return s.deputyBy(ctx, "oa openid", `tenant_id = $1 AND oa_openid = $2`, tenantID, openid)
}

// DeputyByUnionID finds the deputy with a unionid (the lowest id if, wrongly, several).
func (s *AccountStore) DeputyByUnionID(ctx context.Context, tenantID int64, unionid string) (account.Deputy, error) {
	return s.deputyBy(ctx, "unionid", `tenant_id = $1 AND unionid = $2 ORDER BY id LIMIT 1`, tenantID, unionid)
}

// DeputiesByPhone lists the deputies whose roster phone is phone.
func (s *AccountStore) DeputiesByPhone(ctx context.Context, tenantID int64, phone string) ([]account.Deputy, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+deputyCols+` FROM deputies WHERE tenant_id = $1 AND phone = $2 ORDER BY id`, tenantID, phone)
	if err != nil {
		return nil, fmt.Errorf("deputies by phone: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Deputy, error) { return scanDeputy(r) })
	if err != nil {
		return nil, fmt.Errorf("deputies by phone: %w", err)
	}
	return out, nil
}

// BindMP binds a mini-program identity to a deputy.
func (s *AccountStore) BindMP(ctx context.Context, tenantID, deputyID int64, id account.Identity) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error { return bindMP(ctx, tx, tenantID, deputyID, id) })
}

func bindMP(ctx context.Context, tx pgx.Tx, tenantID, deputyID int64, id account.Identity) error {
	var cur *string
	err := tx.QueryRow(ctx, `SELECT mp_openid FROM deputies WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, deputyID).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		return account.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("bind mp: %w", err)
	}
	if cur != nil && *cur != id.OpenID {
		return account.ErrConflict
	}
	_, err = tx.Exec(ctx, `UPDATE deputies SET mp_openid = $3, unionid = COALESCE(NULLIF($4, ''), unionid)
		WHERE tenant_id = $1 AND id = $2`, tenantID, deputyID, id.OpenID, id.UnionID)
	if IsUniqueViolation(err) {
		return account.ErrConflict // the openid is bound to another deputy
	}
	if err != nil {
		return fmt.Errorf("bind mp: %w", err)
	}
	return nil
}

// InsertInvite stores an invite code hash.
func (s *AccountStore) InsertInvite(ctx context.Context, tenantID int64, codeHash string, deputyID, createdBy int64, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO invite_codes (tenant_id, code_hash, deputy_id, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tenantID, codeHash, deputyID, createdBy, expires)
	if IsUniqueViolation(err) {
		return account.ErrCodeCollision
	}
	if err != nil {
		return fmt.Errorf("insert invite: %w", err)
	}
	return nil
}

// RedeemInviteAndBind redeems an invite and binds the identity in one transaction.
func (s *AccountStore) RedeemInviteAndBind(ctx context.Context, tenantID int64, codeHash string, id account.Identity, now time.Time) (int64, error) {
	var deputyID int64
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE invite_codes SET redeemed_at = $3
			WHERE tenant_id = $1 AND code_hash = $2 AND redeemed_at IS NULL AND expires_at > $3
			RETURNING deputy_id`, tenantID, codeHash, now).Scan(&deputyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("redeem invite: %w", err)
		}
		return bindMP(ctx, tx, tenantID, deputyID, id)
	})
	return deputyID, err
}

// InsertOABindCode stores a bind code, replacing a used or expired row with the same digits.
func (s *AccountStore) InsertOABindCode(ctx context.Context, tenantID int64, code string, deputyID int64, expires, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO oa_bind_codes (tenant_id, code, deputy_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, code) DO UPDATE
		SET deputy_id = EXCLUDED.deputy_id, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = NULL
		WHERE oa_bind_codes.used_at IS NOT NULL OR oa_bind_codes.expires_at <= $4`,
		tenantID, code, deputyID, now, expires)
	if err != nil {
		return fmt.Errorf("insert bind code: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrCodeCollision
	}
	return nil
}

// LinkOA sets a deputy's official-account openid; ErrConflict when another deputy holds it or
// the deputy holds another one.
func (s *AccountStore) LinkOA(ctx context.Context, tenantID, deputyID int64, oaOpenID string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE deputies SET oa_openid = $3, oa_following = true
		WHERE tenant_id = $1 AND id = $2 AND (oa_openid IS NULL OR oa_openid = $3)`, tenantID, deputyID, oaOpenID)
	if IsUniqueViolation(err) {
		return account.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("link official account: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return account.ErrConflict
	}
	return nil
}

// RedeemOABindCode uses a bind code and links the official-account openid to its deputy.
func (s *AccountStore) RedeemOABindCode(ctx context.Context, tenantID int64, code, oaOpenID string, now time.Time) (int64, error) {
	var deputyID int64
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE oa_bind_codes SET used_at = $3
			WHERE tenant_id = $1 AND code = $2 AND used_at IS NULL AND expires_at > $3
			RETURNING deputy_id`, tenantID, code, now).Scan(&deputyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return account.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("redeem bind code: %w", err)
		}
		var other int64
		err = tx.QueryRow(ctx, `SELECT id FROM deputies WHERE tenant_id = $1 AND oa_openid = $2`, tenantID, oaOpenID).Scan(&other)
		switch {
		case err == nil && other != deputyID:
			return account.ErrConflict
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("redeem bind code: %w", err)
		}
		// Following too, in the same transaction: whoever sends the code to the official
		// account follows it, and a mark set after the commit could be lost with the push.
		_, err = tx.Exec(ctx, `UPDATE deputies SET oa_openid = $3, oa_following = true WHERE tenant_id = $1 AND id = $2`, tenantID, deputyID, oaOpenID)
		if IsUniqueViolation(err) {
			return account.ErrConflict
		}
		if err != nil {
			return fmt.Errorf("redeem bind code: %w", err)
		}
		return nil
	})
	return deputyID, err
}
