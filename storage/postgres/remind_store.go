package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/remind"
	"jianyi/internal/suggestion"
)

// RemindStore is the PostgreSQL side of internal/remind: open obligations with deadlines
// and the fired reminders.
type RemindStore struct {
	pool    *pgxpool.Pool
	configs *SuggestionStore
}

// NewRemindStore wraps pool; tenant clocks and calendars come from the suggestion store.
func NewRemindStore(pool *pgxpool.Pool) *RemindStore {
	return &RemindStore{pool: pool, configs: NewSuggestionStore(pool)}
}

var _ remind.Store = (*RemindStore)(nil)

// Tenants lists every tenant.
func (s *RemindStore) Tenants(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Config is the tenant's clocks and calendar.
func (s *RemindStore) Config(ctx context.Context, tenantID int64) (*suggestion.TenantConfig, error) {
	return s.configs.Config(ctx, tenantID)
}

const openCase = `s.status IN ('assigned', 'handling', 'rehandling', 'escalated')`

// unratedSQL lists the deputies who may rate the suggestion s (the lead and the co-signers
// accepted or merged, PRODUCT.md) and have no evaluation of kind for its current round.
func unratedSQL(kind string) string {
	return `ARRAY(SELECT x.id FROM (SELECT s.lead_deputy_id
		    UNION SELECT sc.deputy_id FROM suggestion_cosigners sc
		          WHERE sc.tenant_id = s.tenant_id AND sc.suggestion_id = s.id AND sc.state IN ('accepted', 'merged')) AS x(id)
		WHERE NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		                  AND e.kind = '` + kind + `' AND e.round = s.round AND e.deputy_id = x.id)
		ORDER BY x.id)`
}

// obligationSQL selects (subject, suggestion, unit, round, due, title, number, deputies who
// still owe a rating) per clock.
// $1 tenant, $2 subject id lower bound (exclusive), $3 one subject (0 = all), $4 limit.
var obligationSQL = map[string]string{
	remind.ClockReply: `SELECT a.id, a.suggestion_id, a.unit_id, a.round, a.due_at, s.title, COALESCE(s.number, 0), NULL::bigint[]
		FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		WHERE a.tenant_id = $1 AND a.id > $2 AND ($3::bigint = 0 OR a.id = $3) AND a.active AND a.role = 'lead'
		  AND a.state IN ('pending', 'accepted', 'return_requested') AND ` + openCase + `
		ORDER BY a.id LIMIT $4`,
	remind.ClockCoOpinion: `SELECT a.id, a.suggestion_id, a.unit_id, a.round, a.due_at, s.title, COALESCE(s.number, 0), NULL::bigint[]
		FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		WHERE a.tenant_id = $1 AND a.id > $2 AND ($3::bigint = 0 OR a.id = $3) AND a.active AND a.role = 'co'
		  AND a.state IN ('pending', 'accepted') AND ` + openCase + `
		ORDER BY a.id LIMIT $4`,
	remind.ClockReturnWindow: `SELECT a.id, a.suggestion_id, a.unit_id, a.round, a.return_due_at, s.title, COALESCE(s.number, 0), NULL::bigint[]
		FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		WHERE a.tenant_id = $1 AND a.id > $2 AND ($3::bigint = 0 OR a.id = $3) AND a.active AND a.state = 'pending'
		  AND ` + openCase + `
		ORDER BY a.id LIMIT $4`,
	remind.ClockBeforeContact: `SELECT a.id, a.suggestion_id, a.unit_id, a.round, a.contact_due_at, s.title, COALESCE(s.number, 0), NULL::bigint[]
		FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		WHERE a.tenant_id = $1 AND a.id > $2 AND ($3::bigint = 0 OR a.id = $3) AND a.active AND a.role = 'lead'
		  AND a.state = 'accepted' AND a.contact_due_at IS NOT NULL AND ` + openCase + `
		  AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = a.tenant_id AND c.assignment_id = a.id AND c.stage = 'before'
				AND c.confirmation <> 'disputed')
		ORDER BY a.id LIMIT $4`,
	remind.ClockRating: `SELECT s.id, s.id, 0, s.round, s.rating_due_at, s.title, COALESCE(s.number, 0), ` + unratedSQL("reply") + `
		FROM suggestions s
		WHERE s.tenant_id = $1 AND s.id > $2 AND ($3::bigint = 0 OR s.id = $3) AND s.status = 'replied' AND s.rating_due_at IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		                  AND e.kind = 'reply' AND e.round = s.round AND e.deputy_id = s.lead_deputy_id)
		ORDER BY s.id LIMIT $4`,
	remind.ClockImplRating: `SELECT s.id, s.id, 0, s.round, max(c.due_on)::timestamp AT TIME ZONE 'Asia/Shanghai', s.title, COALESCE(s.number, 0),
		       ` + unratedSQL("implementation") + `
		FROM suggestions s JOIN commitments c ON c.tenant_id = s.tenant_id AND c.suggestion_id = s.id
		WHERE s.tenant_id = $1 AND s.id > $2 AND ($3::bigint = 0 OR s.id = $3) AND s.status = 'tracking'
		  AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		                  AND e.kind = 'implementation' AND e.deputy_id = s.lead_deputy_id)
		GROUP BY s.tenant_id, s.id HAVING bool_and(c.done_at IS NOT NULL)
		ORDER BY s.id LIMIT $4`,
	remind.ClockPublish: `SELECT r.id, r.suggestion_id, r.unit_id, r.round, r.publish_due_at, s.title, COALESCE(s.number, 0), NULL::bigint[]
		FROM replies r JOIN suggestions s ON s.tenant_id = r.tenant_id AND s.id = r.suggestion_id
		WHERE r.tenant_id = $1 AND r.id > $2 AND ($3::bigint = 0 OR r.id = $3) AND r.published_at IS NULL
		  AND r.publish_due_at IS NOT NULL AND s.status <> 'merged'
		ORDER BY r.id LIMIT $4`,
}

func (s *RemindStore) query(ctx context.Context, tenantID int64, clock string, after, one int64, limit int) ([]remind.Obligation, error) {
	q, ok := obligationSQL[clock]
	if !ok {
		return nil, fmt.Errorf("unknown clock %q", clock)
	}
	rows, err := s.pool.Query(ctx, q, tenantID, after, one, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (remind.Obligation, error) {
		o := remind.Obligation{TenantID: tenantID, Clock: clock}
		err := r.Scan(&o.SubjectID, &o.SuggestionID, &o.UnitID, &o.Round, &o.DueAt, &o.Title, &o.Number, &o.DeputyIDs)
		return o, err
	})
}

// Obligations implements remind.Store: one streaming query per clock.
func (s *RemindStore) Obligations(ctx context.Context, tenantID int64, clock string, fn func(remind.Obligation) error) error {
	q, ok := obligationSQL[clock]
	if !ok {
		return fmt.Errorf("unknown clock %q", clock)
	}
	rows, err := s.pool.Query(ctx, q, tenantID, 0, 0, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		o := remind.Obligation{TenantID: tenantID, Clock: clock}
		if err := rows.Scan(&o.SubjectID, &o.SuggestionID, &o.UnitID, &o.Round, &o.DueAt, &o.Title, &o.Number, &o.DeputyIDs); err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Obligation implements remind.Store.
func (s *RemindStore) Obligation(ctx context.Context, tenantID int64, clock string, subjectID int64, round int) (remind.Obligation, bool, error) {
	obs, err := s.query(ctx, tenantID, clock, 0, subjectID, 1)
	if err != nil || len(obs) == 0 {
		return remind.Obligation{}, false, err
	}
	if obs[0].Round != round {
		return obs[0], false, nil // a new round has its own reminders
	}
	return obs[0], true, nil
}

// Fired implements remind.Store.
func (s *RemindStore) Fired(ctx context.Context, tenantID int64, since time.Time) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT key FROM remind_fired WHERE tenant_id = $1 AND fired_at >= $2`, tenantID, since)
	if err != nil {
		return nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m, nil
}

// MarkFired implements remind.Store.
func (s *RemindStore) MarkFired(ctx context.Context, tenantID int64, key string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO remind_fired (tenant_id, key, fired_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id, key) DO NOTHING`, tenantID, key, at)
	return err
}

// Overdue implements remind.Store.
func (s *RemindStore) Overdue(ctx context.Context, tenantID int64, now time.Time) (int, int, error) {
	var cases, units int
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT a.suggestion_id), count(DISTINCT a.unit_id)
		FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
		WHERE a.tenant_id = $1 AND a.active AND a.role = 'lead' AND a.state IN ('pending', 'accepted', 'return_requested')
		  AND `+openCase+` AND a.due_at < $2`, tenantID, now).Scan(&cases, &units)
	return cases, units, err
}
