package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BotStore is the official-account bot's own persistence: finding a deputy's suggestion by
// its per-meeting number, the follow status, and the 随手拍 clues the bot creates.
type BotStore struct {
	pool *pgxpool.Pool
}

// NewBotStore returns the bot store on pool.
func NewBotStore(pool *pgxpool.Pool) *BotStore { return &BotStore{pool: pool} }

// SuggestionIDByNumber finds the suggestion numbered number that the deputy leads or
// co-signs, in the latest meeting where there is one; 0 when there is none.
func (s *BotStore) SuggestionIDByNumber(ctx context.Context, tenantID, deputyID int64, number int) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
SELECT id FROM (
  SELECT s.id, s.meeting_id FROM suggestions s
  WHERE s.tenant_id = $1 AND s.lead_deputy_id = $2 AND s.number = $3
  UNION ALL
  SELECT s.id, s.meeting_id FROM suggestion_cosigners c
  JOIN suggestions s ON s.tenant_id = c.tenant_id AND s.id = c.suggestion_id
  WHERE c.tenant_id = $1 AND c.deputy_id = $2 AND c.state IN ('accepted', 'invited', 'merged') AND s.number = $3
) x ORDER BY meeting_id DESC, id DESC LIMIT 1`, tenantID, deputyID, number).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("suggestion by number: %w", err)
	}
	return id, nil
}

// SetOAFollowing records whether the deputy linked to oaOpenID follows the official account
// (template messages need it). An unknown openid changes nothing.
func (s *BotStore) SetOAFollowing(ctx context.Context, tenantID int64, oaOpenID string, following bool) error {
	if _, err := s.pool.Exec(ctx, `UPDATE deputies SET oa_following = $3 WHERE tenant_id = $1 AND oa_openid = $2`,
		tenantID, oaOpenID, following); err != nil {
		return fmt.Errorf("set oa following: %w", err)
	}
	return nil
}

// CreateSnap stores a 随手拍 clue sent through the bot (source 'bot'); the deputy finishes it
// in the mini-program.
func (s *BotStore) CreateSnap(ctx context.Context, tenantID, deputyID int64, note string, lat, lng *float64, address string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
INSERT INTO snaps (tenant_id, deputy_id, source, note, lat, lng, address)
VALUES ($1, $2, 'bot', $3, $4, $5, $6) RETURNING id`, tenantID, deputyID, note, lat, lng, address).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create snap: %w", err)
	}
	return id, nil
}
