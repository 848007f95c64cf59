package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/auth"
	"jianyi/internal/suggestion"
	"jianyi/storage/postgres"
)

// seedPublished publishes the replies of the demo's closed cases (答复公开), so that the
// public page /public/jyg/replies shows something in `jianyi dev`.
func seedPublished(ctx context.Context, pool *pgxpool.Pool, r *postgres.DemoRoster) error {
	rows, err := pool.Query(ctx, `SELECT r.suggestion_id, r.id FROM replies r
		JOIN suggestions s ON s.tenant_id = r.tenant_id AND s.id = r.suggestion_id
		WHERE r.tenant_id = $1 AND s.status = 'closed' AND r.published_at IS NULL ORDER BY r.id LIMIT 3`, r.TenantID)
	if err != nil {
		return err
	}
	pairs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		err := row.Scan(&p[0], &p[1])
		return p, err
	})
	if err != nil {
		return err
	}
	svc := suggestion.NewService(postgres.NewSuggestionStore(pool), nil)
	reviewer := auth.Actor{TenantID: r.TenantID, Kind: auth.KindStaff, ID: r.Users["daigongwei"], Roles: []auth.Role{auth.RoleReviewer}}
	for _, p := range pairs {
		if err := svc.PublishReply(ctx, reviewer, p[0], p[1]); err != nil {
			return fmt.Errorf("publish demo reply %d: %w", p[1], err)
		}
	}
	return nil
}
