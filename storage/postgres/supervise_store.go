package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/notify"
	"jianyi/internal/supervise"
)

// SuperviseStore is the PostgreSQL side of internal/supervise.
type SuperviseStore struct {
	pool *pgxpool.Pool
}

// NewSuperviseStore builds the store.
func NewSuperviseStore(pool *pgxpool.Pool) *SuperviseStore { return &SuperviseStore{pool: pool} }

var _ supervise.Store = (*SuperviseStore)(nil)

var superviseWhere = map[supervise.List]string{
	supervise.ListKey:     `s.is_key AND ($3::bigint = 0 OR s.leader_user_id = $3)`,
	supervise.ListOverdue: `s.status IN ('assigned', 'handling', 'rehandling', 'escalated') AND s.reply_due_at < $2`,
	// 跟踪督办 (source case): cases the deputy was 不满意 with, and those whose commitments need
	// long-term work, until solved; the dashboard counts the same (migration 00077).
	supervise.ListTracking:    `(s.status = 'tracking' OR (` + unsatisfiedOpen + `))`,
	supervise.ListUnsatisfied: unsatisfiedOpen,
	supervise.ListFlagged:     `s.content_flag <> '' AND s.status IN ('submitted', 'registered')`,
	supervise.ListContacts: `s.mode = 'fast_track' AND s.replied_at >= $2::timestamptz - ` + contactsWindow + `
		AND s.status IN ('replied', 'evaluated', 'tracking', 'closed') AND ` + contactsGap + ` <> ''
		AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id
			AND a.unit_id = $4 AND a.active AND a.role = 'lead'))`,
	supervise.ListReviewBack: `s.status = 'closed' AND (` + reopenRequest + ` IS NOT NULL
		OR ` + lastLeadRating("reply") + ` = 'unsatisfied'
		OR ` + lastLeadRating("implementation") + ` = 'unsatisfied'
		OR EXISTS (SELECT 1 FROM commitments c WHERE c.tenant_id = s.tenant_id AND c.done_at IS NULL AND c.reply_id =
			(SELECT r.id FROM replies r WHERE r.tenant_id = s.tenant_id AND r.suggestion_id = s.id ORDER BY r.round DESC LIMIT 1)))`,
}

// contactsGap names, as an SQL expression on s, the 三见面 stages after 办前 that the active
// lead unit has not held in the current round ("" when both were): 办中征求意见 (an undisputed
// contact of stage during) and 办后回访问效 (an undisputed contact of stage after, on or after
// the unit's latest reply; one recorded after an earlier round's reply does not count for a
// rehandled case). One scalar subquery per case, through contacts_suggestion and the replies'
// (tenant, suggestion, round) key; the partial index of migration 00080 finds the candidates.
const contactsGap = `(SELECT concat_ws('、',
		CASE WHEN NOT COALESCE(bool_or(c.stage = 'during'), false) THEN '办中征求意见' END,
		CASE WHEN NOT COALESCE(bool_or(c.stage = 'after' AND c.happened_at >= COALESCE(r.last, '-infinity')), false) THEN '办后回访问效' END)
	FROM assignments a
	CROSS JOIN LATERAL (SELECT max(x.replied_at) AS last FROM replies x
		WHERE x.tenant_id = a.tenant_id AND x.suggestion_id = a.suggestion_id AND x.assignment_id = a.id) r
	LEFT JOIN contacts c ON c.tenant_id = a.tenant_id AND c.suggestion_id = a.suggestion_id AND c.assignment_id = a.id
		AND c.confirmation <> 'disputed'
	WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead')`

// contactsWindow is supervise.ContactsWindow as an SQL interval.
var contactsWindow = fmt.Sprintf("interval '%d seconds'", int64(supervise.ContactsWindow.Seconds()))

// unsatisfiedOpen: the lead deputy rated the latest rated reply 不满意 and the case is not
// closed (rehandled, escalated or waiting for the decision), as an SQL condition on s.
var unsatisfiedOpen = `s.status NOT IN ('closed', 'merged') AND ` + lastLeadRating("reply") + ` = 'unsatisfied'`

// reopenRequest is the reason of the latest 回头看 request an author made since the case
// closed, as an SQL expression on s (NULL without one).
const reopenRequest = `(SELECT e.reason FROM audit_events e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		AND e.action = 'reopen_requested' AND e.created_at >= s.closed_at ORDER BY e.id DESC LIMIT 1)`

// lastLeadRating is the lead deputy's latest rating of a kind, as an SQL expression on s.
func lastLeadRating(kind string) string {
	return `(SELECT e.rating FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		AND e.deputy_id = s.lead_deputy_id AND e.kind = '` + kind + `' ORDER BY e.round DESC, e.id DESC LIMIT 1)`
}

// unsatisfiedReason is the reason the lead deputy gave with the latest reply rating.
const unsatisfiedReason = `COALESCE((SELECT e.reason FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id
		AND e.deputy_id = s.lead_deputy_id AND e.kind = 'reply' ORDER BY e.round DESC, e.id DESC LIMIT 1), '')`

var superviseNote = map[supervise.List]string{
	supervise.ListKey:     `''`,
	supervise.ListOverdue: `''`,
	supervise.ListTracking: `CASE WHEN s.status = 'tracking' THEN COALESCE((SELECT t.reason FROM tracking_items t
		WHERE t.tenant_id = s.tenant_id AND t.suggestion_id = s.id AND t.closed_at IS NULL ORDER BY t.id DESC LIMIT 1), '')
		ELSE '代表不满意：' || ` + unsatisfiedReason + ` END`,
	supervise.ListUnsatisfied: unsatisfiedReason,
	supervise.ListFlagged:     `s.content_flag`,
	supervise.ListContacts:    `'未落实：' || ` + contactsGap,
	supervise.ListReviewBack: `CASE WHEN ` + reopenRequest + ` IS NOT NULL THEN '代表申请回头看：' || ` + reopenRequest + `
		WHEN ` + lastLeadRating("implementation") + ` = 'unsatisfied' THEN '落实情况不满意'
		WHEN ` + lastLeadRating("reply") + ` = 'unsatisfied' THEN '答复不满意'
		ELSE '承诺事项未全部完成' END`,
}

// Cases implements supervise.Store.
func (s *SuperviseStore) Cases(ctx context.Context, tenantID int64, list supervise.List, leaderID, unitID int64, byCategory bool, categoryIDs []int64, now time.Time, limit int) ([]supervise.Case, error) {
	where, ok := superviseWhere[list]
	if !ok {
		return nil, fmt.Errorf("unknown list %q", list)
	}
	q := `SELECT s.id, COALESCE(s.number, 0), s.title, s.status::text, s.mode::text, s.is_key, COALESCE(lu.display_name, ''),
	  COALESCE((SELECT u.name FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	            WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead' LIMIT 1), ''),
	  d.name, s.reply_due_at,
	  s.status IN ('assigned', 'handling', 'rehandling', 'escalated') AND s.reply_due_at < $2,
	  ` + superviseNote[list] + `, s.updated_at
	FROM suggestions s
	JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
	LEFT JOIN users lu ON lu.tenant_id = s.tenant_id AND lu.id = s.leader_user_id
	WHERE s.tenant_id = $1 AND $3::bigint >= 0 AND ` + where + `
	  AND ($4::bigint = 0 OR EXISTS (SELECT 1 FROM assignments a WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.unit_id = $4 AND a.active))
	  AND (NOT $6::bool OR s.category_id = ANY($7::bigint[]))
	ORDER BY s.reply_due_at NULLS LAST, s.id
	LIMIT $5`
	if categoryIDs == nil {
		categoryIDs = []int64{}
	}
	rows, err := s.pool.Query(ctx, q, tenantID, now, leaderID, unitID, limit, byCategory, categoryIDs)
	if err != nil {
		return nil, fmt.Errorf("supervise %s: %w", list, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.Case, error) {
		var c supervise.Case
		err := r.Scan(&c.SuggestionID, &c.Number, &c.Title, &c.Status, &c.Mode, &c.IsKey, &c.LeaderName, &c.LeadUnit,
			&c.LeadDeputy, &c.DueAt, &c.Overdue, &c.Note, &c.UpdatedAt)
		return c, err
	})
}

// openCommitments is, for an assignment a of suggestion s, the commitments its unit still owes
// on a tracked case (跟踪督办): n open commitments of the lead unit's latest reply and the
// earliest due date among them (NULL when none). A tracked case with open commitments is
// work owed like an assignment still to be replied.
const openCommitments = `LEFT JOIN LATERAL (SELECT count(*) AS n, min(c.due_on) AS due
	  FROM commitments c JOIN replies r ON r.tenant_id = c.tenant_id AND r.id = c.reply_id
	  WHERE s.status = 'tracking' AND a.role = 'lead' AND c.tenant_id = a.tenant_id AND c.suggestion_id = s.id AND c.done_at IS NULL
	    AND r.assignment_id = a.id
	    AND r.round = (SELECT max(x.round) FROM replies x WHERE x.tenant_id = s.tenant_id AND x.suggestion_id = s.id)) oc ON true`

// owed and owedOverdue say, on an assignment a with openCommitments oc, whether it is open
// work, and whether that work is past due at $3: the reply (or opinion) before its due time,
// or an open commitment past its due date (a Shanghai calendar date).
const (
	owed        = `(a.state IN ('pending', 'accepted', 'return_requested') OR oc.n > 0)`
	owedOverdue = `((a.state IN ('pending', 'accepted', 'return_requested') AND a.due_at < $3)
	  OR COALESCE(oc.due < ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, false))`
)

// Inbox implements supervise.Store. Open work (assignments to accept, handle or reply, and
// tracked cases with commitments still open) comes by due date; "all" comes newest first.
func (s *SuperviseStore) Inbox(ctx context.Context, tenantID, unitID int64, f supervise.InboxFilter, now time.Time, limit int) ([]supervise.InboxRow, error) {
	where, order := "", "a.id DESC"
	if !f.All {
		where = " AND " + owed
		// A tracked case is due when its earliest open commitment is (midnight in Shanghai).
		order = `CASE WHEN a.state IN ('pending', 'accepted', 'return_requested') THEN a.due_at
		  ELSE oc.due::timestamp AT TIME ZONE 'Asia/Shanghai' END, a.id`
	}
	rows, err := s.pool.Query(ctx, `
	SELECT a.id, s.id, COALESCE(s.number, 0), s.title, a.role::text, a.state::text, s.mode::text, s.is_key, s.status::text,
	  a.assigned_at, a.due_at, a.return_due_at, a.contact_due_at,
	  `+owedOverdue+`,
	  COALESCE(a.handler_user_id, 0), a.handler_name, oc.n, oc.due
	FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
	`+openCommitments+`
	WHERE a.tenant_id = $1 AND a.unit_id = $2 AND a.active AND ($5::bigint = 0 OR a.handler_user_id = $5)`+where+`
	ORDER BY `+order+`
	LIMIT $4`, tenantID, unitID, now, limit, f.HandlerID)
	if err != nil {
		return nil, fmt.Errorf("unit inbox: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.InboxRow, error) {
		var i supervise.InboxRow
		err := r.Scan(&i.AssignmentID, &i.SuggestionID, &i.Number, &i.Title, &i.Role, &i.State, &i.Mode, &i.IsKey, &i.Status,
			&i.AssignedAt, &i.DueAt, &i.ReturnDueAt, &i.ContactDueAt, &i.Overdue, &i.HandlerID, &i.HandlerName,
			&i.OpenCommitments, &i.CommitmentDueOn)
		return i, err
	})
}

// Workload implements supervise.Store: the unit's open work per handler, as the inbox's
// default view lists it (a tracked case with open commitments counts once).
func (s *SuperviseStore) Workload(ctx context.Context, tenantID, unitID int64, now time.Time) ([]supervise.HandlerLoad, error) {
	rows, err := s.pool.Query(ctx, `
	SELECT COALESCE(a.handler_user_id, 0), COALESCE(NULLIF(max(u.display_name), ''), max(a.handler_name), ''),
	  count(*), count(*) FILTER (WHERE `+owedOverdue+`)
	FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
	LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.handler_user_id
	`+openCommitments+`
	WHERE a.tenant_id = $1 AND a.unit_id = $2 AND a.active AND `+owed+`
	GROUP BY COALESCE(a.handler_user_id, 0)
	ORDER BY count(*) DESC, 1`, tenantID, unitID, now)
	if err != nil {
		return nil, fmt.Errorf("unit workload: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.HandlerLoad, error) {
		var h supervise.HandlerLoad
		err := r.Scan(&h.HandlerID, &h.HandlerName, &h.Open, &h.Overdue)
		return h, err
	})
}

// AssignmentSuggestion implements supervise.Store.
func (s *SuperviseStore) AssignmentSuggestion(ctx context.Context, tenantID, unitID, assignmentID int64) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT suggestion_id FROM assignments WHERE tenant_id = $1 AND id = $2 AND unit_id = $3 AND active`,
		tenantID, assignmentID, unitID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, &supervise.Error{Kind: supervise.ErrNotFound, Code: "assignment_not_found", Message: "交办记录不存在或无权查看"}
	}
	return id, err
}

// Decisions implements supervise.Store.
func (s *SuperviseStore) Decisions(ctx context.Context, tenantID int64) ([]supervise.Decision, error) {
	rows, err := s.pool.Query(ctx, `
	SELECT 'return', a.id, s.id, COALESCE(s.number, 0), s.title, u.id, u.name, a.return_reason, a.updated_at,
	  ARRAY(SELECT o.unit_id FROM assignments o WHERE o.tenant_id = a.tenant_id AND o.suggestion_id = a.suggestion_id AND o.active
	        AND NOT (a.role = 'lead' AND o.role = 'co'))
	FROM assignments a JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
	JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	WHERE a.tenant_id = $1 AND a.active AND a.state = 'return_requested'
	UNION ALL
	SELECT 'extension', e.id, s.id, COALESCE(s.number, 0), s.title, u.id, u.name, e.reason, e.requested_at, '{}'::bigint[]
	FROM extensions e JOIN assignments a ON a.tenant_id = e.tenant_id AND a.id = e.assignment_id
	JOIN suggestions s ON s.tenant_id = e.tenant_id AND s.id = e.suggestion_id
	JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
	WHERE e.tenant_id = $1 AND e.state = 'pending'
	ORDER BY 9`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("decisions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.Decision, error) {
		var d supervise.Decision
		err := r.Scan(&d.Kind, &d.ID, &d.SuggestionID, &d.Number, &d.Title, &d.UnitID, &d.UnitName, &d.Reason, &d.RequestedAt, &d.Unavailable)
		return d, err
	})
}

const problemSelect = `SELECT p.id, p.unit_id, u.name, COALESCE(p.suggestion_id, 0), COALESCE(s.title, ''), p.problem, p.responsible,
	p.rectification, p.due_on, p.state, p.created_at, p.closed_at,
	(SELECT count(*) FROM interviews i WHERE i.tenant_id = p.tenant_id AND i.problem_item_id = p.id),
	p.suggestion_id IS NOT NULL AND (
	  EXISTS (SELECT 1 FROM assignments a WHERE a.tenant_id = p.tenant_id AND a.suggestion_id = p.suggestion_id
	    AND a.unit_id = p.unit_id AND a.active)
	  OR EXISTS (SELECT 1 FROM opinion_forwards o WHERE o.tenant_id = p.tenant_id AND o.suggestion_id = p.suggestion_id
	    AND o.unit_id = p.unit_id))
	FROM problem_items p JOIN units u ON u.tenant_id = p.tenant_id AND u.id = p.unit_id
	LEFT JOIN suggestions s ON s.tenant_id = p.tenant_id AND s.id = p.suggestion_id`

func scanProblem(r pgx.Row) (supervise.ProblemItem, error) {
	var p supervise.ProblemItem
	err := r.Scan(&p.ID, &p.UnitID, &p.UnitName, &p.SuggestionID, &p.SuggestionTitle, &p.Problem, &p.Responsible,
		&p.Rectification, &p.DueOn, &p.State, &p.CreatedAt, &p.ClosedAt, &p.Interviews, &p.UnitOpens)
	return p, err
}

// ProblemItems implements supervise.Store.
func (s *SuperviseStore) ProblemItems(ctx context.Context, tenantID int64, f supervise.ProblemFilter) ([]supervise.ProblemItem, error) {
	rows, err := s.pool.Query(ctx, problemSelect+` WHERE p.tenant_id = $1 AND ($2::bigint = 0 OR p.unit_id = $2) AND ($3 = '' OR p.state = $3)
		AND ($4::date IS NULL OR (p.state <> 'done' AND p.due_on < $4::date))
		ORDER BY (p.state = 'done'), p.due_on NULLS LAST, p.id DESC LIMIT 500`, tenantID, f.UnitID, f.State, dateOrNull(f.DueBefore))
	if err != nil {
		return nil, fmt.Errorf("problem items: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.ProblemItem, error) { return scanProblem(r) })
}

// ProblemCounts implements supervise.Store from the index problem_items_unit
// (tenant_id, unit_id, state).
func (s *SuperviseStore) ProblemCounts(ctx context.Context, tenantID, unitID int64, today time.Time) (supervise.ProblemSummary, error) {
	var c supervise.ProblemSummary
	err := s.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE due_on < $3::date)
		FROM problem_items WHERE tenant_id = $1 AND unit_id = $2 AND state IN ('open', 'rectifying')`,
		tenantID, unitID, dateOrNull(today)).Scan(&c.Open, &c.Overdue)
	if err != nil {
		return c, fmt.Errorf("problem counts: %w", err)
	}
	return c, nil
}

// dateOrNull passes a calendar date (its own location's year, month and day) to a ::date
// parameter; the zero time is NULL.
func dateOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	d := t.Format(time.DateOnly)
	return &d
}

// ProblemItem implements supervise.Store.
func (s *SuperviseStore) ProblemItem(ctx context.Context, tenantID, id int64) (*supervise.ProblemItem, error) {
	p, err := scanProblem(s.pool.QueryRow(ctx, problemSelect+` WHERE p.tenant_id = $1 AND p.id = $2`, tenantID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &supervise.Error{Kind: supervise.ErrNotFound, Code: "not_found", Message: "记录不存在"}
	}
	if err != nil {
		return nil, fmt.Errorf("problem item: %w", err)
	}
	return &p, nil
}

func superviseNullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// problemRefusals are the Chinese messages of the codes insertProblem answers with.
var problemRefusals = map[string]string{
	"unknown_unit":              "责任单位不存在",
	"unknown_suggestion":        "关联建议不存在，请核对关联建议的系统ID",
	"suggestion_not_registered": "关联建议尚未立案（或已不予立案、已并案），不能列入问题清单",
	"suggestion_unit_mismatch":  "关联建议未交办给该责任单位，请核对责任单位或关联建议",
}

// insertProblem inserts a problem item only when its unit is the tenant's and its suggestion
// (if any) is a registered case the unit was ever assigned (an active assignment, or one
// re-routed away since), and answers with the refusal code otherwise (NULL when inserted).
// The checks and the insert are one statement, with the suggestion row locked FOR SHARE, so
// a concurrent change of the suggestion cannot slip between them. A draft is no desk's to
// see, so it is an unknown suggestion.
const insertProblem = `WITH sg AS (
	SELECT s.status NOT IN ('draft', 'submitted', 'returned', 'not_registered', 'merged') AND s.number IS NOT NULL AS registered,
	  s.status = 'draft' AS draft
	FROM suggestions s WHERE s.tenant_id = $1 AND s.id = $3 FOR SHARE
), chk AS (
	SELECT CASE
	  WHEN NOT EXISTS (SELECT 1 FROM units u WHERE u.tenant_id = $1 AND u.id = $2) THEN 'unknown_unit'
	  WHEN $3::bigint IS NULL THEN NULL
	  WHEN NOT EXISTS (SELECT 1 FROM sg WHERE NOT sg.draft) THEN 'unknown_suggestion'
	  WHEN NOT (SELECT sg.registered FROM sg) THEN 'suggestion_not_registered'
	  WHEN NOT EXISTS (SELECT 1 FROM assignments a WHERE a.tenant_id = $1 AND a.suggestion_id = $3 AND a.unit_id = $2)
	    THEN 'suggestion_unit_mismatch'
	END AS refusal
), ins AS (
	INSERT INTO problem_items (tenant_id, unit_id, suggestion_id, problem, responsible, rectification, due_on, state, created_by)
	SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM chk WHERE chk.refusal IS NULL
	RETURNING id, created_at
)
SELECT chk.refusal, ins.id, ins.created_at FROM chk LEFT JOIN ins ON true`

// InsertProblemItem implements supervise.Store.
func (s *SuperviseStore) InsertProblemItem(ctx context.Context, tenantID int64, p *supervise.ProblemItem, by int64, tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var refusal *string
		var id *int64
		var created *time.Time
		err := tx.QueryRow(ctx, insertProblem, tenantID, p.UnitID, superviseNullID(p.SuggestionID), p.Problem, p.Responsible,
			p.Rectification, p.DueOn, p.State, by).Scan(&refusal, &id, &created)
		if err != nil {
			return fmt.Errorf("insert problem item: %w", err)
		}
		if refusal != nil {
			return &supervise.Error{Kind: supervise.ErrInvalid, Code: *refusal, Message: problemRefusals[*refusal]}
		}
		if id == nil || created == nil {
			return fmt.Errorf("insert problem item: no row inserted")
		}
		p.ID, p.CreatedAt = *id, *created
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// UpdateProblemItem implements supervise.Store.
func (s *SuperviseStore) UpdateProblemItem(ctx context.Context, tenantID int64, p *supervise.ProblemItem, tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE problem_items SET rectification = $3, state = $4, closed_at = $5, responsible = $6, due_on = $7
			WHERE tenant_id = $1 AND id = $2`, tenantID, p.ID, p.Rectification, p.State, p.ClosedAt, p.Responsible, p.DueOn); err != nil {
			return err
		}
		var err error
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}

// Interviews implements supervise.Store.
func (s *SuperviseStore) Interviews(ctx context.Context, tenantID, unitID, problemID int64) ([]supervise.Interview, error) {
	rows, err := s.pool.Query(ctx, `SELECT i.id, i.unit_id, u.name, COALESCE(i.problem_item_id, 0), i.held_at, i.leader, i.summary, i.follow_up, i.created_at
		FROM interviews i JOIN units u ON u.tenant_id = i.tenant_id AND u.id = i.unit_id
		WHERE i.tenant_id = $1 AND ($2::bigint = 0 OR i.unit_id = $2) AND ($3::bigint = 0 OR i.problem_item_id = $3)
		ORDER BY i.held_at DESC LIMIT 500`, tenantID, unitID, problemID)
	if err != nil {
		return nil, fmt.Errorf("interviews: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (supervise.Interview, error) {
		var i supervise.Interview
		err := r.Scan(&i.ID, &i.UnitID, &i.UnitName, &i.ProblemItemID, &i.HeldAt, &i.Leader, &i.Summary, &i.FollowUp, &i.CreatedAt)
		return i, err
	})
}

// InsertInterview implements supervise.Store.
func (s *SuperviseStore) InsertInterview(ctx context.Context, tenantID int64, iv *supervise.Interview, by int64, tell func() *notify.Notices) ([]notify.Job, error) {
	var jobs []notify.Job
	err := Tx(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO interviews (tenant_id, unit_id, problem_item_id, held_at, leader, summary, follow_up, created_by)
			SELECT $1, u.id, $3, $4, $5, $6, $7, $8 FROM units u WHERE u.tenant_id = $1 AND u.id = $2 RETURNING id, created_at`,
			tenantID, iv.UnitID, superviseNullID(iv.ProblemItemID), iv.HeldAt, iv.Leader, iv.Summary, iv.FollowUp, by).Scan(&iv.ID, &iv.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return &supervise.Error{Kind: supervise.ErrInvalid, Code: "unknown_unit", Message: "单位不存在"}
		}
		if err != nil {
			return err
		}
		// An interview about an open problem item starts its rectification, in the same
		// transaction: a failed save leaves the item as it was.
		if iv.ProblemItemID != 0 {
			if _, err := tx.Exec(ctx, `UPDATE problem_items SET state = $3 WHERE tenant_id = $1 AND id = $2 AND state = $4`,
				tenantID, iv.ProblemItemID, supervise.ProblemRectifying, supervise.ProblemOpen); err != nil {
				return err
			}
		}
		jobs, err = tellIn(ctx, tx, tell)
		return err
	})
	return jobs, err
}
