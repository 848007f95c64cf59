package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/nudge"
	"jianyi/internal/suggestion"
)

// NudgeStore implements nudge.Store.
type NudgeStore struct {
	pool *pgxpool.Pool
}

// NewNudgeStore returns the nudge store on pool.
func NewNudgeStore(pool *pgxpool.Pool) *NudgeStore { return &NudgeStore{pool: pool} }

var _ nudge.Store = (*NudgeStore)(nil)

// Target reads the suggestion's state, the deputy's relation and the units that owe work.
func (s *NudgeStore) Target(ctx context.Context, tenantID, suggestionID, deputyID int64) (*nudge.Target, error) {
	var (
		t      nudge.Target
		status string
		number *int
	)
	err := s.pool.QueryRow(ctx, `
SELECT s.status, s.number,
  CASE WHEN s.lead_deputy_id = $3 THEN 'lead'
       ELSE coalesce((SELECT c.state FROM suggestion_cosigners c
                      WHERE c.tenant_id = s.tenant_id AND c.suggestion_id = s.id AND c.deputy_id = $3), '') END
FROM suggestions s WHERE s.tenant_id = $1 AND s.id = $2`, tenantID, suggestionID, deputyID).Scan(&status, &number, &t.DeputyRel)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nudge.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("nudge target: %w", err)
	}
	t.Status = suggestion.Status(status)
	if number != nil {
		t.Number = *number
	}
	rows, err := s.pool.Query(ctx, `
SELECT a.unit_id, u.name FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
WHERE a.tenant_id = $1 AND a.suggestion_id = $2 AND a.active
  AND (a.state IN ('pending', 'accepted', 'return_requested')
       OR (a.role = 'lead' AND $3::suggestion_status IN ('tracking', 'escalated')))
ORDER BY a.role, a.id`, tenantID, suggestionID, status)
	if err != nil {
		return nil, fmt.Errorf("nudge target units: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("nudge target units: %w", err)
		}
		t.OwingUnits = append(t.OwingUnits, id)
		t.UnitNames = append(t.UnitNames, name)
	}
	return &t, rows.Err()
}

// Insert records the nudge under the suggestion's row lock, so two concurrent nudges of one
// suggestion cannot both pass the once-a-week check.
func (s *NudgeStore) Insert(ctx context.Context, tenantID, suggestionID, deputyID int64, unitIDs []int64, source string, now, since time.Time) (time.Time, error) {
	var last time.Time
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM suggestions WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
			tenantID, suggestionID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return nudge.ErrNotFound
		}
		if err != nil {
			return err
		}
		var prev *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(created_at) FROM nudges WHERE tenant_id = $1 AND suggestion_id = $2 AND created_at > $3`,
			tenantID, suggestionID, since).Scan(&prev); err != nil {
			return err
		}
		if prev != nil {
			last = *prev
			return nudge.ErrTooSoon
		}
		if _, err := tx.Exec(ctx, `
INSERT INTO nudges (tenant_id, suggestion_id, unit_id, deputy_id, source, created_at)
SELECT $1, $2, u, $3, $4, $5 FROM unnest($6::bigint[]) AS u`, tenantID, suggestionID, deputyID, source, now, unitIDs); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"unit_ids": unitIDs, "deputy_id": deputyID, "source": source})
		if _, err := tx.Exec(ctx, `
INSERT INTO audit_events (tenant_id, suggestion_id, actor_kind, actor_id, action, from_status, to_status, data, created_at)
VALUES ($1, $2, 'deputy', $3, $7, $4, $4, $5, $6)`, tenantID, suggestionID, deputyID, status, data, now, string(suggestion.ActNudge)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbox (tenant_id, event, suggestion_id, payload, created_at) VALUES ($1, $2, $3, $4, $5)`,
			tenantID, nudge.EvNudged, suggestionID, data, now)
		return err
	})
	if errors.Is(err, nudge.ErrTooSoon) || errors.Is(err, nudge.ErrNotFound) {
		return last, err
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("insert nudge: %w", err)
	}
	return now, nil
}
