package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"jianyi/internal/export"
	"jianyi/internal/suggestion"
)

// ExportStore reads the rows of the two lists (两清单).
type ExportStore struct {
	pool *pgxpool.Pool
}

// NewExportStore builds the store.
func NewExportStore(pool *pgxpool.Pool) *ExportStore { return &ExportStore{pool: pool} }

var _ export.Store = (*ExportStore)(nil)

func ratingLabel(r *string) string {
	if r == nil {
		return ""
	}
	return suggestion.Rating(*r).Label()
}

// categoryIDs is never nil, so "no category" is an empty array rather than NULL.
func categoryIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// replyClassLabel is a reply class as the suggestion's page shows it: "A类 " and the
// tenant's label of the class (tenants.reply_labels), or PRODUCT.md's when it has none.
func replyClassLabel(class string, tenantLabel *string) string {
	l := suggestion.DefaultClassLabels[suggestion.ReplyClass(class)]
	if tenantLabel != nil && *tenantLabel != "" {
		l = *tenantLabel
	}
	if l == "" {
		return class + "类"
	}
	return class + "类 " + l
}

// DeputyOpinions implements export.Store: one row per deputy and suggestion (lead first,
// then co-signers), ordered by deputy then number. The authors of a duplicate merged (并案)
// into a suggestion are among its co-signers, marked 联名（并案） as on its page; the
// duplicate itself is not listed (its authors are answered by the surviving case).
func (s *ExportStore) DeputyOpinions(ctx context.Context, tenantID int64, f export.Filter, limit int) ([]export.DeputyOpinionRow, error) {
	rows, err := s.pool.Query(ctx, `
WITH p AS (
  SELECT s.id, s.lead_deputy_id AS deputy_id, '领衔' AS role FROM suggestions s
  WHERE s.tenant_id = $1 AND s.status NOT IN ('draft', 'merged') AND ($2::bigint = 0 OR s.meeting_id = $2)
    AND (NOT $4 OR s.category_id = ANY($5::bigint[]))
  UNION ALL
  SELECT c.suggestion_id, c.deputy_id, CASE WHEN c.state = 'merged' THEN '联名（并案）' ELSE '联名' END FROM suggestion_cosigners c
  JOIN suggestions s ON s.tenant_id = c.tenant_id AND s.id = c.suggestion_id
  WHERE c.tenant_id = $1 AND c.state IN ('accepted', 'merged') AND s.status NOT IN ('draft', 'merged') AND ($2::bigint = 0 OR s.meeting_id = $2)
    AND (NOT $4 OR s.category_id = ANY($5::bigint[]))
)
SELECT d.name, COALESCE(dl.name, ''), p.role, COALESCE(s.number, 0), s.title, COALESCE(c.name, ''), s.submitted_at, s.status::text,
  COALESCE((SELECT u.name FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
            WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead' LIMIT 1), ''),
  COALESCE((SELECT string_agg(u.name, '、' ORDER BY u.name) FROM assignments a JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
            WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'co'), ''),
  r.class::text, t.reply_labels ->> r.class::text, r.replied_at,
  (SELECT e.rating::text FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id AND e.deputy_id = p.deputy_id AND e.kind = 'reply' ORDER BY e.round DESC LIMIT 1),
  (SELECT e.rating::text FROM evaluations e WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id AND e.deputy_id = p.deputy_id AND e.kind = 'implementation' ORDER BY e.round DESC, e.id DESC LIMIT 1),
  s.rating_due_at < now() AND s.status = 'replied'
FROM p
JOIN tenants t ON t.id = $1
JOIN suggestions s ON s.tenant_id = $1 AND s.id = p.id
JOIN deputies d ON d.tenant_id = $1 AND d.id = p.deputy_id
LEFT JOIN delegations dl ON dl.tenant_id = d.tenant_id AND dl.id = d.delegation_id
LEFT JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
LEFT JOIN LATERAL (SELECT class, replied_at FROM replies WHERE tenant_id = s.tenant_id AND suggestion_id = s.id ORDER BY round DESC LIMIT 1) r ON true
ORDER BY dl.id NULLS LAST, d.id, s.number NULLS LAST, s.id
LIMIT $3`, tenantID, f.MeetingID, limit, f.ByCategory, categoryIDs(f.CategoryIDs))
	if err != nil {
		return nil, fmt.Errorf("deputy opinions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (export.DeputyOpinionRow, error) {
		var o export.DeputyOpinionRow
		var status string
		var class, label, rr, ir *string
		var noFeedback *bool
		err := r.Scan(&o.DeputyName, &o.Delegation, &o.Role, &o.Number, &o.Title, &o.Category, &o.SubmittedAt, &status,
			&o.LeadUnit, &o.CoUnits, &class, &label, &o.RepliedAt, &rr, &ir, &noFeedback)
		o.Status = suggestion.Status(status).Label()
		if class != nil {
			o.ReplyClass = replyClassLabel(*class, label)
		}
		o.ReplyRating, o.ImplRating = ratingLabel(rr), ratingLabel(ir)
		if rr == nil && noFeedback != nil && *noFeedback {
			o.ReplyRating = "未反馈"
		}
		return o, err
	})
}

// UnitAssignments implements export.Store: every active assignment, by unit then number.
func (s *ExportStore) UnitAssignments(ctx context.Context, tenantID int64, f export.Filter, now time.Time, limit int) ([]export.UnitAssignmentRow, error) {
	rows, err := s.pool.Query(ctx, `
SELECT u.name, a.role::text, COALESCE(s.number, 0), s.title, d.name, s.mode::text, a.assigned_at, a.due_at, a.state::text,
  r.replied_at, r.on_time,
  a.state NOT IN ('replied', 'opinion_sent', 'reassigned') AND a.due_at < $4
FROM assignments a
JOIN suggestions s ON s.tenant_id = a.tenant_id AND s.id = a.suggestion_id
JOIN units u ON u.tenant_id = a.tenant_id AND u.id = a.unit_id
JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
LEFT JOIN LATERAL (SELECT replied_at, on_time FROM replies WHERE tenant_id = a.tenant_id AND assignment_id = a.id ORDER BY round LIMIT 1) r ON true
WHERE a.tenant_id = $1 AND a.active AND ($2::bigint = 0 OR s.meeting_id = $2) AND ($3::bigint = 0 OR a.unit_id = $3)
ORDER BY u.id, a.role, s.number NULLS LAST, s.id
LIMIT $5`, tenantID, f.MeetingID, f.UnitID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("unit assignments: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (export.UnitAssignmentRow, error) {
		var o export.UnitAssignmentRow
		var role, mode, state string
		var onTime *bool
		err := r.Scan(&o.UnitName, &role, &o.Number, &o.Title, &o.LeadDeputy, &mode, &o.AssignedAt, &o.DueAt, &state, &o.RepliedAt, &onTime, &o.Overdue)
		o.Role = "协办"
		if role == "lead" {
			o.Role = "主办"
		}
		o.Mode = suggestion.Mode(mode).Label()
		o.State = suggestion.AssignmentState(state).Label()
		if onTime != nil {
			o.OnTime = map[bool]string{true: "是", false: "否"}[*onTime]
		}
		return o, err
	})
}
