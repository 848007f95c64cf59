package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/activity"
	"jianyi/internal/notify"
)

// ActivityStore is the PostgreSQL side of internal/activity (migration 00068).
type ActivityStore struct {
	pool *pgxpool.Pool
}

// NewActivityStore builds the store.
func NewActivityStore(pool *pgxpool.Pool) *ActivityStore { return &ActivityStore{pool: pool} }

var _ activity.Store = (*ActivityStore)(nil)

// activityCols are an activity's own columns, its organiser's name and its invitation
// counts, read from activities a joined to users u and the counts c.
const activityCols = `a.id, a.kind::text, a.title, a.starts_at, a.place, a.description, a.organizer_id, u.display_name,
	a.status::text, a.cancel_reason, a.cancelled_at, a.summary, a.summary_at, a.version, a.created_at, a.updated_at,
	c.invited, c.accepted, c.declined`

const activityFrom = ` FROM activities a
	JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.organizer_id
	CROSS JOIN LATERAL (SELECT count(*) AS invited, count(*) FILTER (WHERE i.answer = 'accepted') AS accepted,
	       count(*) FILTER (WHERE i.answer = 'declined') AS declined
	  FROM activity_invitations i WHERE i.tenant_id = a.tenant_id AND i.activity_id = a.id) c`

func scanActivity(r pgx.Row, extra ...any) (activity.Activity, error) {
	var a activity.Activity
	var kind, status string
	dst := append([]any{&a.ID, &kind, &a.Title, &a.StartsAt, &a.Place, &a.Description, &a.OrganizerID, &a.OrganizerName,
		&status, &a.CancelReason, &a.CancelledAt, &a.Summary, &a.SummaryAt, &a.Version, &a.CreatedAt, &a.UpdatedAt,
		&a.Invited, &a.Accepted, &a.Declined}, extra...)
	err := r.Scan(dst...)
	a.Kind, a.Status = activity.Kind(kind), activity.Status(status)
	return a, err
}

// List implements activity.Store: upcoming first (soonest first), then held and cancelled
// ones (latest first). A deputy's list carries their own invitation.
func (s *ActivityStore) List(ctx context.Context, tenantID int64, q activity.Query) ([]activity.Activity, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+activityCols+`, mi.answer::text, mi.note, mi.invited_at, mi.answered_at`+activityFrom+`
	LEFT JOIN activity_invitations mi ON mi.tenant_id = a.tenant_id AND mi.activity_id = a.id AND mi.deputy_id = $4::bigint
	WHERE a.tenant_id = $1 AND ($2::text = '' OR a.kind::text = $2)
	  AND ($3::bigint = 0 OR EXISTS (SELECT 1 FROM activity_suggestions x
	                         WHERE x.tenant_id = a.tenant_id AND x.activity_id = a.id AND x.suggestion_id = $3))
	  AND ($4::bigint = 0 OR mi.deputy_id IS NOT NULL)
	  AND ($7::bigint = 0 OR EXISTS (SELECT 1 FROM activity_units x
	                         WHERE x.tenant_id = a.tenant_id AND x.activity_id = a.id AND x.unit_id = $7))
	ORDER BY (a.status = 'cancelled' OR a.starts_at <= $5),
	  CASE WHEN a.status = 'planned' AND a.starts_at > $5 THEN a.starts_at END,
	  a.starts_at DESC, a.id DESC
	LIMIT $6`, tenantID, string(q.Kind), q.SuggestionID, q.DeputyID, q.Now, q.Limit, q.UnitID)
	if err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (activity.Activity, error) {
		var answer, note *string
		var invitedAt, answeredAt *time.Time
		a, err := scanActivity(r, &answer, &note, &invitedAt, &answeredAt)
		if err == nil && answer != nil {
			a.Invitations = []activity.Invitation{{DeputyID: q.DeputyID, Answer: activity.Answer(*answer), Note: *note,
				InvitedAt: *invitedAt, AnsweredAt: answeredAt}}
		}
		return a, err
	})
}

// Get implements activity.Store.
func (s *ActivityStore) Get(ctx context.Context, tenantID, id int64) (*activity.Activity, error) {
	return getActivity(ctx, s.pool, tenantID, id)
}

// batchQuerier is a pool or a transaction.
type batchQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// getActivity reads an activity with its links and invitations through q (in a transaction,
// as that transaction sees it).
func getActivity(ctx context.Context, q batchQuerier, tenantID, id int64) (*activity.Activity, error) {
	a, err := scanActivity(q.QueryRow(ctx, `SELECT `+activityCols+activityFrom+` WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, activity.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("activity %d: %w", id, err)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT s.id, s.title, COALESCE(s.number, 0) FROM activity_suggestions x
		JOIN suggestions s ON s.tenant_id = x.tenant_id AND s.id = x.suggestion_id
		WHERE x.tenant_id = $1 AND x.activity_id = $2 ORDER BY s.id`, tenantID, id).Query(func(rows pgx.Rows) error {
		var err error
		a.Suggestions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (activity.Ref, error) {
			var ref activity.Ref
			err := r.Scan(&ref.ID, &ref.Name, &ref.Number)
			return ref, err
		})
		return err
	})
	b.Queue(`SELECT un.id, un.name FROM activity_units x JOIN units un ON un.tenant_id = x.tenant_id AND un.id = x.unit_id
		WHERE x.tenant_id = $1 AND x.activity_id = $2 ORDER BY un.name, un.id`, tenantID, id).Query(func(rows pgx.Rows) error {
		var err error
		a.Units, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (activity.Ref, error) {
			var ref activity.Ref
			err := r.Scan(&ref.ID, &ref.Name)
			return ref, err
		})
		return err
	})
	b.Queue(`SELECT i.deputy_id, d.name, i.answer::text, i.note, i.invited_at, i.answered_at FROM activity_invitations i
		JOIN deputies d ON d.tenant_id = i.tenant_id AND d.id = i.deputy_id
		WHERE i.tenant_id = $1 AND i.activity_id = $2 ORDER BY i.invited_at, d.name, i.deputy_id`, tenantID, id).Query(func(rows pgx.Rows) error {
		var err error
		a.Invitations, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (activity.Invitation, error) {
			var inv activity.Invitation
			var answer string
			err := r.Scan(&inv.DeputyID, &inv.DeputyName, &answer, &inv.Note, &inv.InvitedAt, &inv.AnsweredAt)
			inv.Answer = activity.Answer(answer)
			return inv, err
		})
		return err
	})
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("activity %d links: %w", id, err)
	}
	return &a, nil
}

// HandledBy implements activity.Store.
func (s *ActivityStore) HandledBy(ctx context.Context, tenantID, unitID int64, suggestionIDs []int64) ([]int64, error) {
	if len(suggestionIDs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT suggestion_id FROM assignments
		WHERE tenant_id = $1 AND unit_id = $2 AND active AND suggestion_id = ANY($3)`, tenantID, unitID, suggestionIDs)
	if err != nil {
		return nil, fmt.Errorf("suggestions handled by unit %d: %w", unitID, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Unknown implements activity.Store.
func (s *ActivityStore) Unknown(ctx context.Context, tenantID int64, r activity.Refs) (activity.Refs, error) {
	var out activity.Refs
	q := func(dst *[]int64, ids []int64, sql string) error {
		if len(ids) == 0 {
			return nil
		}
		rows, err := s.pool.Query(ctx, `SELECT x FROM unnest($2::bigint[]) AS x WHERE NOT EXISTS (`+sql+`) ORDER BY x`, tenantID, ids)
		if err != nil {
			return err
		}
		*dst, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	}
	if err := q(&out.SuggestionIDs, r.SuggestionIDs, `SELECT 1 FROM suggestions s WHERE s.tenant_id = $1 AND s.id = x AND s.number IS NOT NULL`); err != nil {
		return out, fmt.Errorf("unknown suggestions: %w", err)
	}
	if err := q(&out.UnitIDs, r.UnitIDs, `SELECT 1 FROM units u WHERE u.tenant_id = $1 AND u.id = x`); err != nil {
		return out, fmt.Errorf("unknown units: %w", err)
	}
	if err := q(&out.DeputyIDs, r.DeputyIDs, `SELECT 1 FROM deputies d WHERE d.tenant_id = $1 AND d.id = x AND d.active`); err != nil {
		return out, fmt.Errorf("unknown deputies: %w", err)
	}
	return out, nil
}

// Deputies implements activity.Store.
func (s *ActivityStore) Deputies(ctx context.Context, tenantID int64, limit int) ([]activity.Deputy, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.name, COALESCE(dl.name, '') FROM deputies d
		LEFT JOIN delegations dl ON dl.tenant_id = d.tenant_id AND dl.id = d.delegation_id
		WHERE d.tenant_id = $1 AND d.active ORDER BY dl.name NULLS LAST, d.name, d.id LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("activity deputies: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (activity.Deputy, error) {
		var d activity.Deputy
		err := r.Scan(&d.ID, &d.Name, &d.Delegation)
		return d, err
	})
}

// activityLinks rewrites an activity's suggestions and units.
func activityLinks(ctx context.Context, tx pgx.Tx, tenantID, id int64, in activity.Input) error {
	if _, err := tx.Exec(ctx, `DELETE FROM activity_suggestions WHERE tenant_id = $1 AND activity_id = $2`, tenantID, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM activity_units WHERE tenant_id = $1 AND activity_id = $2`, tenantID, id); err != nil {
		return err
	}
	if len(in.SuggestionIDs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO activity_suggestions (tenant_id, activity_id, suggestion_id)
			SELECT $1, $2, unnest($3::bigint[])`, tenantID, id, in.SuggestionIDs); err != nil {
			return err
		}
	}
	if len(in.UnitIDs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO activity_units (tenant_id, activity_id, unit_id)
			SELECT $1, $2, unnest($3::bigint[])`, tenantID, id, in.UnitIDs); err != nil {
			return err
		}
	}
	return nil
}

// Insert implements activity.Store.
func (s *ActivityStore) Insert(ctx context.Context, tenantID int64, a *activity.Activity, in activity.Input, tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO activities (tenant_id, kind, title, starts_at, place, description, organizer_id)
			VALUES ($1, $2::activity_kind, $3, $4, $5, $6, $7) RETURNING id, version, created_at, updated_at`,
			tenantID, string(a.Kind), a.Title, a.StartsAt, a.Place, a.Description, a.OrganizerID).
			Scan(&a.ID, &a.Version, &a.CreatedAt, &a.UpdatedAt)
		if err != nil {
			return fmt.Errorf("insert activity: %w", err)
		}
		if err := activityLinks(ctx, tx, tenantID, a.ID, in); err != nil {
			return fmt.Errorf("activity %d links: %w", a.ID, err)
		}
		if len(in.DeputyIDs) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO activity_invitations (tenant_id, activity_id, deputy_id, invited_at)
				SELECT $1, $2, unnest($3::bigint[]), $4`, tenantID, a.ID, in.DeputyIDs, a.CreatedAt); err != nil {
				return fmt.Errorf("activity %d invitations: %w", a.ID, err)
			}
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// Update implements activity.Store.
func (s *ActivityStore) Update(ctx context.Context, tenantID, id int64, version int, in activity.Input, resetAnswers bool, at time.Time,
	tell func(*activity.Activity) *notify.Notices) (*activity.Activity, []notify.Job, error) {
	var act *activity.Activity
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE activities SET kind = $4::activity_kind, title = $5, starts_at = $6, place = $7, description = $8,
			version = version + 1, updated_at = $9
			WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'planned' AND starts_at > $9`,
			tenantID, id, version, string(in.Kind), in.Title, in.StartsAt, in.Place, in.Description, at)
		if err != nil {
			return fmt.Errorf("update activity %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return activity.Conflict()
		}
		if err := activityLinks(ctx, tx, tenantID, id, in); err != nil {
			return fmt.Errorf("activity %d links: %w", id, err)
		}
		if resetAnswers {
			if _, err := tx.Exec(ctx, `UPDATE activity_invitations SET answer = 'invited', note = '', answered_at = NULL
				WHERE tenant_id = $1 AND activity_id = $2 AND answer <> 'invited'`, tenantID, id); err != nil {
				return fmt.Errorf("reset answers of activity %d: %w", id, err)
			}
		}
		if act, err = getActivity(ctx, tx, tenantID, id); err != nil {
			return err
		}
		jobs, err = tellIn(ctx, tx, func() *notify.Notices { return tell(act) })
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return act, jobs, nil
}

// lockPlanned locks the activity against a concurrent cancel or edit and reports whether it
// is planned and has not started at at; a missing one is not found.
func lockPlanned(ctx context.Context, tx pgx.Tx, tenantID, id int64, at time.Time) error {
	var open bool
	err := tx.QueryRow(ctx, `SELECT status = 'planned' AND starts_at > $3 FROM activities
		WHERE tenant_id = $1 AND id = $2 FOR SHARE`, tenantID, id, at).Scan(&open)
	if errors.Is(err, pgx.ErrNoRows) {
		return activity.NotFound()
	}
	if err != nil {
		return fmt.Errorf("lock activity %d: %w", id, err)
	}
	if !open {
		return activity.Conflict()
	}
	return nil
}

// Invite implements activity.Store.
func (s *ActivityStore) Invite(ctx context.Context, tenantID, id int64, deputyIDs []int64, at time.Time,
	tell func(added []int64) *notify.Notices) ([]int64, []notify.Job, error) {
	var added []int64
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockPlanned(ctx, tx, tenantID, id, at); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO activity_invitations (tenant_id, activity_id, deputy_id, invited_at)
			SELECT $1, $2, unnest($3::bigint[]), $4 ON CONFLICT DO NOTHING RETURNING deputy_id`, tenantID, id, deputyIDs, at)
		if err != nil {
			return fmt.Errorf("invite to activity %d: %w", id, err)
		}
		if added, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(added) == 0 {
			return err
		}
		jobs, err = tellIn(ctx, tx, func() *notify.Notices { return tell(added) })
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return added, jobs, nil
}

// Cancel implements activity.Store.
func (s *ActivityStore) Cancel(ctx context.Context, tenantID, id int64, version int, reason string, at time.Time, tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE activities SET status = 'cancelled', cancel_reason = $4, cancelled_at = $5,
			version = version + 1, updated_at = $5
			WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'planned' AND starts_at > $5`, tenantID, id, version, reason, at)
		if err != nil {
			return fmt.Errorf("cancel activity %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return activity.Conflict()
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// SetSummary implements activity.Store.
func (s *ActivityStore) SetSummary(ctx context.Context, tenantID, id int64, version int, summary string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE activities SET summary = $4, summary_at = $5, version = version + 1, updated_at = $5
		WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = 'planned' AND starts_at <= $5`, tenantID, id, version, summary, at)
	if err != nil {
		return fmt.Errorf("summary of activity %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return activity.Conflict()
	}
	return nil
}

// SetAnswer implements activity.Store: under the lock, the activity must still be the
// version the deputy answered (a moved time resets the answers and asks again).
func (s *ActivityStore) SetAnswer(ctx context.Context, tenantID, id int64, version int, deputyID int64, answer activity.Answer, note string, at time.Time,
	tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockPlanned(ctx, tx, tenantID, id, at); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT version FROM activities WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&current); err != nil {
			return fmt.Errorf("activity %d version: %w", id, err)
		}
		if current != version {
			return activity.Conflict()
		}
		tag, err := tx.Exec(ctx, `UPDATE activity_invitations SET answer = $4::activity_answer, note = $5, answered_at = $6
			WHERE tenant_id = $1 AND activity_id = $2 AND deputy_id = $3`, tenantID, id, deputyID, string(answer), note, at)
		if err != nil {
			return fmt.Errorf("answer activity %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return activity.NotFound()
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}
