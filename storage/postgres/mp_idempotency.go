package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Idempotency outcomes of Reserve.
const (
	IdemNew        = "new"         // the caller owns the key: run the request, then Complete or Release
	IdemReplay     = "replay"      // a finished response is stored: send it again
	IdemMismatch   = "mismatch"    // same key, different request
	IdemInProgress = "in_progress" // a concurrent duplicate is running
)

// MPIdempotency stores Idempotency-Key results in idempotency_keys (tenant, actor, key).
type MPIdempotency struct {
	pool *pgxpool.Pool
	// StaleAfter lets a key whose request never finished (process crash) be taken over.
	StaleAfter time.Duration
}

// NewMPIdempotency returns the store on pool.
func NewMPIdempotency(pool *pgxpool.Pool) *MPIdempotency {
	return &MPIdempotency{pool: pool, StaleAfter: 2 * time.Minute}
}

// Reserve claims key for a request with the given hash. Exactly one of concurrent callers
// gets IdemNew (the primary key decides).
func (s *MPIdempotency) Reserve(ctx context.Context, tenantID int64, actor, key, hash string) (string, int, []byte, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO idempotency_keys (tenant_id, actor, key, request_hash)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, tenantID, actor, key, hash)
	if err != nil {
		return "", 0, nil, fmt.Errorf("reserve idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdemNew, 0, nil, nil
	}
	var storedHash string
	var status int
	var body []byte
	var created time.Time
	err = s.pool.QueryRow(ctx, `SELECT request_hash, status_code, coalesce(response::text, ''), created_at FROM idempotency_keys
		WHERE tenant_id = $1 AND actor = $2 AND key = $3`, tenantID, actor, key).Scan(&storedHash, &status, &body, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.Reserve(ctx, tenantID, actor, key, hash) // released in between
	}
	if err != nil {
		return "", 0, nil, fmt.Errorf("read idempotency key: %w", err)
	}
	if storedHash != hash {
		return IdemMismatch, 0, nil, nil
	}
	if status != 0 {
		return IdemReplay, status, body, nil
	}
	tag, err = s.pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now()
		WHERE tenant_id = $1 AND actor = $2 AND key = $3 AND status_code = 0 AND created_at = $4 AND created_at < now() - $5::interval`,
		tenantID, actor, key, created, s.StaleAfter.String())
	if err != nil {
		return "", 0, nil, fmt.Errorf("take over idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdemNew, 0, nil, nil
	}
	return IdemInProgress, 0, nil, nil
}

// Complete stores the response of a reserved key.
func (s *MPIdempotency) Complete(ctx context.Context, tenantID int64, actor, key string, status int, body []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE idempotency_keys SET status_code = $4, response = $5::jsonb
		WHERE tenant_id = $1 AND actor = $2 AND key = $3`, tenantID, actor, key, status, string(body))
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// Release forgets a reserved key whose request failed in a way worth retrying.
func (s *MPIdempotency) Release(ctx context.Context, tenantID int64, actor, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND actor = $2 AND key = $3 AND status_code = 0`,
		tenantID, actor, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
