package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// execLazy runs one statement in a transaction that does not wait for its WAL to reach
// disk (synchronous_commit off), in one round trip. For the key's own bookkeeping only:
// a crash may forget at most the last few hundred milliseconds of it, which leaves the same
// states as a crash a moment earlier (no key: the request runs; a key without a response:
// in progress until StaleAfter). A reservation followed by a real change is made durable
// by that change's commit anyway (the WAL is flushed in order).
func (s *MPIdempotency) execLazy(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit TO off`)
	var tag pgconn.CommandTag
	b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	b.Queue(`COMMIT`)
	err := s.pool.SendBatch(ctx, b).Close()
	return tag, err
}

// Reserve claims key for a request with the given hash. Exactly one of concurrent callers
// gets IdemNew (the primary key decides).
func (s *MPIdempotency) Reserve(ctx context.Context, tenantID int64, actor, key, hash string) (string, int, []byte, error) {
	tag, err := s.execLazy(ctx, `INSERT INTO idempotency_keys (tenant_id, actor, key, request_hash)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, tenantID, actor, key, hash)
	if err != nil {
		return "", 0, nil, fmt.Errorf("reserve idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdemNew, 0, nil, nil
	}
	st, err := s.read(ctx, tenantID, actor, key, hash)
	switch {
	case err != nil:
		return "", 0, nil, err
	case st.state == IdemNew:
		return s.Reserve(ctx, tenantID, actor, key, hash) // released in between
	case st.state != IdemInProgress || !st.stale:
		return st.state, st.status, st.body, nil
	}
	// Of concurrent takers-over, the first moves created_at and the others no longer match.
	tag, err = s.pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now()
		WHERE tenant_id = $1 AND actor = $2 AND key = $3 AND status_code = 0 AND created_at < now() - $4::interval`,
		tenantID, actor, key, s.StaleAfter.String())
	if err != nil {
		return "", 0, nil, fmt.Errorf("take over idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return IdemNew, 0, nil, nil
	}
	return IdemInProgress, 0, nil, nil
}

// storedKey is what read found for a key.
type storedKey struct {
	state  string // IdemNew when there is no row
	status int
	body   []byte
	stale  bool // an unfinished reservation older than StaleAfter
}

// read tells what is stored for key, against the request's hash.
func (s *MPIdempotency) read(ctx context.Context, tenantID int64, actor, key, hash string) (storedKey, error) {
	var st storedKey
	var storedHash string
	err := s.pool.QueryRow(ctx, `SELECT request_hash, status_code, coalesce(response, ''), created_at < now() - $4::interval
		FROM idempotency_keys WHERE tenant_id = $1 AND actor = $2 AND key = $3`,
		tenantID, actor, key, s.StaleAfter.String()).Scan(&storedHash, &st.status, &st.body, &st.stale)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return storedKey{state: IdemNew}, nil
	case err != nil:
		return st, fmt.Errorf("read idempotency key: %w", err)
	case storedHash != hash:
		return storedKey{state: IdemMismatch}, nil
	case st.status != 0:
		st.state = IdemReplay
		return st, nil
	}
	st.state, st.body = IdemInProgress, nil
	return st, nil
}

// Lookup reads what is stored for key without taking it, for requests whose change writes
// its own answer (suggestion.Receipt): IdemNew when nothing is, otherwise what Reserve would
// say. A reservation left by a request that never finished is dropped after StaleAfter.
func (s *MPIdempotency) Lookup(ctx context.Context, tenantID int64, actor, key, hash string) (string, int, []byte, error) {
	st, err := s.read(ctx, tenantID, actor, key, hash)
	if err != nil || st.state != IdemInProgress || !st.stale {
		return st.state, st.status, st.body, err
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND actor = $2 AND key = $3
		AND status_code = 0 AND created_at < now() - $4::interval`, tenantID, actor, key, s.StaleAfter.String()); err != nil {
		return "", 0, nil, fmt.Errorf("drop stale idempotency key: %w", err)
	}
	return IdemNew, 0, nil, nil
}

// Complete stores the response of a reserved key.
func (s *MPIdempotency) Complete(ctx context.Context, tenantID int64, actor, key string, status int, body []byte) error {
	_, err := s.execLazy(ctx, `UPDATE idempotency_keys SET status_code = $4, response = $5
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
