package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/appraisal"
	"jianyi/internal/notify"
)

// AppraisalStore is the PostgreSQL side of internal/appraisal (migration 00071).
type AppraisalStore struct {
	pool *pgxpool.Pool
}

// NewAppraisalStore builds the store.
func NewAppraisalStore(pool *pgxpool.Pool) *AppraisalStore { return &AppraisalStore{pool: pool} }

var _ appraisal.Store = (*AppraisalStore)(nil)

// Meeting implements appraisal.Store.
func (s *AppraisalStore) Meeting(ctx context.Context, tenantID, id int64) (*appraisal.Meeting, error) {
	var m appraisal.Meeting
	err := s.pool.QueryRow(ctx, `SELECT id, name, year, is_current FROM meetings WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(&m.ID, &m.Name, &m.Year, &m.Current)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, appraisal.MeetingNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("meeting %d: %w", id, err)
	}
	return &m, nil
}

// Meetings implements appraisal.Store.
func (s *AppraisalStore) Meetings(ctx context.Context, tenantID int64) ([]appraisal.Meeting, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, year, is_current FROM meetings WHERE tenant_id = $1
		ORDER BY starts_on DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (appraisal.Meeting, error) {
		var m appraisal.Meeting
		err := r.Scan(&m.ID, &m.Name, &m.Year, &m.Current)
		return m, err
	})
}

// Candidates implements appraisal.Store: the meeting's suggestions (through
// suggestions_number or the tenant's assignments) per active unit of their active
// assignments. The service ranks and marks them.
func (s *AppraisalStore) Candidates(ctx context.Context, tenantID, meetingID int64) ([]appraisal.Candidate, error) {
	rows, err := s.pool.Query(ctx, `SELECT u.id, u.name, u.kind,
		count(DISTINCT a.suggestion_id) FILTER (WHERE a.role = 'lead'),
		count(DISTINCT a.suggestion_id) FILTER (WHERE a.role = 'co'),
		count(DISTINCT a.suggestion_id)
	FROM assignments a
	JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
	JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	WHERE a.tenant_id = $1 AND a.active AND s.meeting_id = $2 AND s.status <> 'merged' AND u.active
	GROUP BY u.id, u.name, u.kind
	ORDER BY 6 DESC, 4 DESC, u.name`, tenantID, meetingID)
	if err != nil {
		return nil, fmt.Errorf("appraisal candidates: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (appraisal.Candidate, error) {
		var c appraisal.Candidate
		err := r.Scan(&c.UnitID, &c.UnitName, &c.UnitKind, &c.Lead, &c.Co, &c.Total)
		return c, err
	})
}

// ActiveUnit implements appraisal.Store.
func (s *AppraisalStore) ActiveUnit(ctx context.Context, tenantID, unitID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE tenant_id = $1 AND id = $2 AND active)`, tenantID, unitID).Scan(&ok)
	return ok, err
}

const hearingSelect = `SELECT h.id, h.meeting_id, m.name, h.unit_id, u.name, h.session, h.held_on,
	h.satisfied, h.basic, h.unsatisfied, h.voted_at, h.version, h.created_at, h.updated_at
	FROM appraisal_hearings h
	JOIN meetings m ON m.tenant_id = h.tenant_id AND m.id = h.meeting_id
	JOIN units u ON u.tenant_id = h.tenant_id AND u.id = h.unit_id`

func scanHearing(r pgx.Row) (appraisal.Hearing, error) {
	var h appraisal.Hearing
	var sat, basic, unsat *int
	err := r.Scan(&h.ID, &h.MeetingID, &h.MeetingName, &h.UnitID, &h.UnitName, &h.Session, &h.HeldOn,
		&sat, &basic, &unsat, &h.VotedAt, &h.Version, &h.CreatedAt, &h.UpdatedAt)
	if err == nil && sat != nil && basic != nil && unsat != nil {
		h.Vote = &appraisal.Vote{Satisfied: *sat, Basic: *basic, Unsatisfied: *unsat}
	}
	return h, err
}

// Hearings implements appraisal.Store.
func (s *AppraisalStore) Hearings(ctx context.Context, tenantID, meetingID, unitID int64) ([]appraisal.Hearing, error) {
	rows, err := s.pool.Query(ctx, hearingSelect+` WHERE h.tenant_id = $1 AND ($2::bigint = 0 OR h.meeting_id = $2)
		AND ($3::bigint = 0 OR h.unit_id = $3) ORDER BY h.held_on DESC, h.id DESC LIMIT 500`, tenantID, meetingID, unitID)
	if err != nil {
		return nil, fmt.Errorf("hearings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (appraisal.Hearing, error) { return scanHearing(r) })
}

// Hearing implements appraisal.Store.
func (s *AppraisalStore) Hearing(ctx context.Context, tenantID, meetingID, id int64) (*appraisal.Hearing, error) {
	h, err := scanHearing(s.pool.QueryRow(ctx, hearingSelect+` WHERE h.tenant_id = $1 AND h.meeting_id = $2 AND h.id = $3`,
		tenantID, meetingID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, appraisal.HearingNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("hearing %d: %w", id, err)
	}
	return &h, nil
}

// appraisalEvent writes one audit row in tx.
func appraisalEvent(ctx context.Context, tx pgx.Tx, tenantID, meetingID, hearingID int64, ev appraisal.Event, at time.Time) error {
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return fmt.Errorf("appraisal audit data: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO appraisal_events (tenant_id, meeting_id, hearing_id, actor_id, action, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tenantID, meetingID, superviseNullID(hearingID), ev.ActorID, ev.Action, data, at); err != nil {
		return fmt.Errorf("appraisal audit: %w", err)
	}
	return nil
}

// InsertHearing implements appraisal.Store.
func (s *AppraisalStore) InsertHearing(ctx context.Context, tenantID int64, h *appraisal.Hearing, by int64, at time.Time, tell appraisal.Tell) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO appraisal_hearings (tenant_id, meeting_id, unit_id, session, held_on, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5::date, $6, $7, $7) ON CONFLICT (tenant_id, meeting_id, unit_id) DO NOTHING
			RETURNING id, version, created_at, updated_at`,
			tenantID, h.MeetingID, h.UnitID, h.Session, dateOrNull(h.HeldOn), by, at).Scan(&h.ID, &h.Version, &h.CreatedAt, &h.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return appraisal.HearingExists()
		}
		if err != nil {
			return fmt.Errorf("insert hearing: %w", err)
		}
		if err := appraisalEvent(ctx, tx, tenantID, h.MeetingID, h.ID, appraisal.Event{ActorID: by, Action: appraisal.ActHearingRecorded,
			Data: map[string]any{"session": h.Session, "held_on": h.HeldOn.Format(time.DateOnly)}}, at); err != nil {
			return err
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// UpdateHearing implements appraisal.Store.
func (s *AppraisalStore) UpdateHearing(ctx context.Context, tenantID int64, h *appraisal.Hearing, ev appraisal.Event, at time.Time, tell appraisal.Tell) ([]notify.Job, error) {
	var sat, basic, unsat *int
	var votedAt *time.Time
	if h.Vote != nil {
		sat, basic, unsat, votedAt = &h.Vote.Satisfied, &h.Vote.Basic, &h.Vote.Unsatisfied, &at
	}
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE appraisal_hearings SET session = $5, held_on = $6::date,
			satisfied = $7, basic = $8, unsatisfied = $9, voted_at = CASE WHEN $7::int IS NULL THEN NULL
			  WHEN satisfied IS DISTINCT FROM $7 OR basic IS DISTINCT FROM $8 OR unsatisfied IS DISTINCT FROM $9 THEN $10 ELSE voted_at END,
			version = version + 1, updated_at = $11
			WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3 AND version = $4`,
			tenantID, h.MeetingID, h.ID, h.Version, h.Session, dateOrNull(h.HeldOn), sat, basic, unsat, votedAt, at)
		if err != nil {
			return fmt.Errorf("update hearing %d: %w", h.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return appraisal.Conflict()
		}
		if err := appraisalEvent(ctx, tx, tenantID, h.MeetingID, h.ID, ev, at); err != nil {
			return err
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// Events implements appraisal.Store.
func (s *AppraisalStore) Events(ctx context.Context, tenantID, meetingID int64, limit int) ([]appraisal.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id, COALESCE(e.hearing_id, 0), COALESCE(un.name, ''), e.action, e.actor_id, u.display_name, e.data, e.created_at
		FROM appraisal_events e
		JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id
		LEFT JOIN appraisal_hearings h ON h.tenant_id = e.tenant_id AND h.id = e.hearing_id
		LEFT JOIN units un ON un.tenant_id = h.tenant_id AND un.id = h.unit_id
		WHERE e.tenant_id = $1 AND e.meeting_id = $2 ORDER BY e.id DESC LIMIT $3`, tenantID, meetingID, limit)
	if err != nil {
		return nil, fmt.Errorf("appraisal events: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (appraisal.Event, error) {
		var e appraisal.Event
		err := r.Scan(&e.ID, &e.HearingID, &e.UnitName, &e.Action, &e.ActorID, &e.ActorName, &e.Data, &e.At)
		return e, err
	})
}

// Feedback implements appraisal.Store.
func (s *AppraisalStore) Feedback(ctx context.Context, tenantID, meetingID int64) (*appraisal.Feedback, error) {
	f := &appraisal.Feedback{MeetingID: meetingID}
	err := s.pool.QueryRow(ctx, `SELECT f.opinion, f.opinion_at, COALESCE(ou.display_name, ''), f.sent_on, f.sent_at,
		COALESCE(su.display_name, ''), f.version
		FROM appraisal_feedbacks f
		LEFT JOIN users ou ON ou.tenant_id = f.tenant_id AND ou.id = f.opinion_by
		LEFT JOIN users su ON su.tenant_id = f.tenant_id AND su.id = f.sent_by
		WHERE f.tenant_id = $1 AND f.meeting_id = $2`, tenantID, meetingID).
		Scan(&f.Opinion, &f.OpinionAt, &f.OpinionByName, &f.SentOn, &f.SentAt, &f.SentByName, &f.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feedback of meeting %d: %w", meetingID, err)
	}
	return f, nil
}

// SetOpinion implements appraisal.Store: version 0 creates the row, and a row created
// meanwhile is a conflict.
func (s *AppraisalStore) SetOpinion(ctx context.Context, tenantID, meetingID int64, version int, opinion string, ev appraisal.Event, at time.Time) error {
	return Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var tag pgconn.CommandTag
		var err error
		if version == 0 {
			tag, err = tx.Exec(ctx, `INSERT INTO appraisal_feedbacks (tenant_id, meeting_id, opinion, opinion_at, opinion_by)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, meeting_id) DO NOTHING`, tenantID, meetingID, opinion, at, ev.ActorID)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE appraisal_feedbacks SET opinion = $4, opinion_at = $5, opinion_by = $6, version = version + 1
				WHERE tenant_id = $1 AND meeting_id = $2 AND version = $3`, tenantID, meetingID, version, opinion, at, ev.ActorID)
		}
		if err != nil {
			return fmt.Errorf("opinion of meeting %d: %w", meetingID, err)
		}
		if tag.RowsAffected() == 0 {
			return appraisal.Conflict()
		}
		return appraisalEvent(ctx, tx, tenantID, meetingID, 0, ev, at)
	})
}

// MarkSent implements appraisal.Store: of two sends at once, one marks it (and publishes the
// notices) and the other finds it sent.
func (s *AppraisalStore) MarkSent(ctx context.Context, tenantID, meetingID int64, version int, sentOn time.Time, ev appraisal.Event, at time.Time, tell appraisal.Tell) (bool, []notify.Job, error) {
	sent := false
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var current int
		var already bool
		err := tx.QueryRow(ctx, `SELECT version, sent_at IS NOT NULL FROM appraisal_feedbacks
			WHERE tenant_id = $1 AND meeting_id = $2 FOR UPDATE`, tenantID, meetingID).Scan(&current, &already)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return appraisal.Conflict()
		case err != nil:
			return fmt.Errorf("lock feedback of meeting %d: %w", meetingID, err)
		case already:
			return nil
		case current != version:
			return appraisal.Conflict()
		}
		if _, err := tx.Exec(ctx, `UPDATE appraisal_feedbacks SET sent_on = $3::date, sent_at = $4, sent_by = $5, version = version + 1
			WHERE tenant_id = $1 AND meeting_id = $2`, tenantID, meetingID, dateOrNull(sentOn), at, ev.ActorID); err != nil {
			return fmt.Errorf("send feedback of meeting %d: %w", meetingID, err)
		}
		sent = true
		if err := appraisalEvent(ctx, tx, tenantID, meetingID, 0, ev, at); err != nil {
			return err
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	if err != nil {
		return false, nil, err
	}
	return sent, jobs, nil
}

// Cases implements appraisal.Store with the notion of 回头看 of supervise.ListReviewBack: the
// lead deputy's latest reply or implementation rating (lastLeadRating) is 不满意.
func (s *AppraisalStore) Cases(ctx context.Context, tenantID, meetingID, unitID int64) ([]appraisal.Case, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.id, COALESCE(s.number, 0), s.title, s.status::text, d.name,
		COALESCE(lu.id, 0), COALESCE(lu.name, ''), COALESCE(rr.rating::text, ''), COALESCE(ir.rating::text, '')
	FROM suggestions s
	JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
	LEFT JOIN LATERAL (SELECT u.id, u.name FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	          WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead' ORDER BY a.id DESC LIMIT 1) lu ON true
	CROSS JOIN LATERAL (SELECT `+lastLeadRating("reply")+` AS rating) rr
	CROSS JOIN LATERAL (SELECT `+lastLeadRating("implementation")+` AS rating) ir
	WHERE s.tenant_id = $1 AND s.meeting_id = $2 AND s.status <> 'merged'
	  AND (rr.rating = 'unsatisfied' OR ir.rating = 'unsatisfied')
	  AND ($3::bigint = 0 OR lu.id = $3)
	ORDER BY s.number NULLS LAST, s.id
	LIMIT 2000`, tenantID, meetingID, unitID)
	if err != nil {
		return nil, fmt.Errorf("unsatisfied cases: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (appraisal.Case, error) {
		var c appraisal.Case
		var rr, ir string
		err := r.Scan(&c.SuggestionID, &c.Number, &c.Title, &c.Status, &c.LeadDeputy, &c.UnitID, &c.UnitName, &rr, &ir)
		c.ReplyRating, c.ImplRating = appraisal.Rating(rr), appraisal.Rating(ir)
		return c, err
	})
}
