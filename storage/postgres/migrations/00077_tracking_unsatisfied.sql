-- +goose Up
-- 跟踪督办 as the source case defines it: "对代表反馈'不满意'或承诺计划解决但需长期推进的建议，
-- 纳入跟踪督办清单……直至问题得到切实解决". The dashboard's 跟踪督办 count held only cases in
-- status 'tracking' (long-term commitments); a case whose lead deputy rated the latest reply
-- 不满意 and that is not closed (being rehandled, escalated, or waiting for the decision) is on
-- the list too, as the console's 跟踪督办 list now shows. A closed case the deputy was unsatisfied
-- with belongs to 回头看, not here. Only the tracking column of stats_member_source changes;
-- stats_refresh recomputes the members whose figure moves, as difference rows.
CREATE OR REPLACE VIEW stats_member_source AS
SELECT s.tenant_id, s.id AS suggestion_id, s.meeting_id, COALESCE(a.unit_id, 0) AS unit_id,
  COALESCE(s.category_id, 0) AS category_id, COALESCE(d.delegation_id, 0) AS delegation_id,
  s.submitted_at, COALESCE(stats_month(s.submitted_at), '-infinity') AS month,
  stats_month(fr.replied_at) AS replied_month, stats_month(LEAST(fc.closed_at, s.closed_at)) AS closed_month,
  CASE WHEN s.status IN ('assigned', 'handling', 'rehandling', 'escalated') THEN s.reply_due_at END AS reply_due_at,
  CASE WHEN f.last_reply_round IS NOT NULL AND (f.reply_rating_round IS NULL OR f.reply_rating_round < f.last_reply_round)
    THEN s.rating_due_at END AS rating_due_at,
  (s.registered_at IS NOT NULL)::int::smallint AS registered,
  (s.status = 'not_registered')::int::smallint AS not_registered,
  (s.assigned_at IS NOT NULL)::int::smallint AS assigned,
  (f.last_reply_round IS NOT NULL)::int::smallint AS replied,
  COALESCE(f.first_on_time, false)::int::smallint AS on_time,
  (s.status = 'closed')::int::smallint AS closed,
  COALESCE(f.last_class = 'A', false)::int::smallint AS class_a,
  COALESCE(f.last_class = 'B', false)::int::smallint AS class_b,
  COALESCE(f.last_class = 'C', false)::int::smallint AS class_c,
  COALESCE(f.last_class = 'D', false)::int::smallint AS class_d,
  (f.reply_rating IS NOT NULL)::int::smallint AS rated,
  COALESCE(f.reply_rating = 'satisfied', false)::int::smallint AS satisfied,
  COALESCE(f.reply_rating = 'basically_satisfied', false)::int::smallint AS basically,
  COALESCE(f.reply_rating = 'unsatisfied', false)::int::smallint AS unsatisfied,
  (f.impl_rating IS NOT NULL)::int::smallint AS impl_rated,
  COALESCE(f.impl_rating = 'satisfied', false)::int::smallint AS impl_satisfied,
  COALESCE(f.impl_rating = 'basically_satisfied', false)::int::smallint AS impl_basically,
  COALESCE(f.impl_rating = 'unsatisfied', false)::int::smallint AS impl_unsatisfied,
  (s.status = 'tracking' OR (s.status <> 'closed' AND COALESCE(f.reply_rating = 'unsatisfied', false)))::int::smallint AS tracking
FROM suggestions s
LEFT JOIN LATERAL (SELECT a.unit_id FROM assignments a
                   WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead'
                   ORDER BY a.id DESC LIMIT 1) a ON true
LEFT JOIN LATERAL (SELECT min(r.replied_at) AS replied_at FROM replies r
                   WHERE r.tenant_id = s.tenant_id AND r.suggestion_id = s.id) fr ON true
LEFT JOIN LATERAL (SELECT min(e.created_at) AS closed_at FROM audit_events e
                   WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id AND e.to_status = 'closed') fc ON true
LEFT JOIN suggestion_facts f ON f.tenant_id = s.tenant_id AND f.suggestion_id = s.id
LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
WHERE s.status NOT IN ('draft', 'merged');

-- +goose StatementBegin
DO $$
DECLARE
  m record;
BEGIN
  FOR m IN SELECT o.tenant_id, o.suggestion_id FROM stats_members o
           JOIN stats_member_source n ON n.tenant_id = o.tenant_id AND n.suggestion_id = o.suggestion_id
           WHERE o.tracking IS DISTINCT FROM n.tracking
           ORDER BY o.tenant_id, o.suggestion_id LOOP
    PERFORM stats_refresh(m.tenant_id, m.suggestion_id);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- 00073's definition: status 'tracking' only.
CREATE OR REPLACE VIEW stats_member_source AS
SELECT s.tenant_id, s.id AS suggestion_id, s.meeting_id, COALESCE(a.unit_id, 0) AS unit_id,
  COALESCE(s.category_id, 0) AS category_id, COALESCE(d.delegation_id, 0) AS delegation_id,
  s.submitted_at, COALESCE(stats_month(s.submitted_at), '-infinity') AS month,
  stats_month(fr.replied_at) AS replied_month, stats_month(LEAST(fc.closed_at, s.closed_at)) AS closed_month,
  CASE WHEN s.status IN ('assigned', 'handling', 'rehandling', 'escalated') THEN s.reply_due_at END AS reply_due_at,
  CASE WHEN f.last_reply_round IS NOT NULL AND (f.reply_rating_round IS NULL OR f.reply_rating_round < f.last_reply_round)
    THEN s.rating_due_at END AS rating_due_at,
  (s.registered_at IS NOT NULL)::int::smallint AS registered,
  (s.status = 'not_registered')::int::smallint AS not_registered,
  (s.assigned_at IS NOT NULL)::int::smallint AS assigned,
  (f.last_reply_round IS NOT NULL)::int::smallint AS replied,
  COALESCE(f.first_on_time, false)::int::smallint AS on_time,
  (s.status = 'closed')::int::smallint AS closed,
  COALESCE(f.last_class = 'A', false)::int::smallint AS class_a,
  COALESCE(f.last_class = 'B', false)::int::smallint AS class_b,
  COALESCE(f.last_class = 'C', false)::int::smallint AS class_c,
  COALESCE(f.last_class = 'D', false)::int::smallint AS class_d,
  (f.reply_rating IS NOT NULL)::int::smallint AS rated,
  COALESCE(f.reply_rating = 'satisfied', false)::int::smallint AS satisfied,
  COALESCE(f.reply_rating = 'basically_satisfied', false)::int::smallint AS basically,
  COALESCE(f.reply_rating = 'unsatisfied', false)::int::smallint AS unsatisfied,
  (f.impl_rating IS NOT NULL)::int::smallint AS impl_rated,
  COALESCE(f.impl_rating = 'satisfied', false)::int::smallint AS impl_satisfied,
  COALESCE(f.impl_rating = 'basically_satisfied', false)::int::smallint AS impl_basically,
  COALESCE(f.impl_rating = 'unsatisfied', false)::int::smallint AS impl_unsatisfied,
  (s.status = 'tracking')::int::smallint AS tracking
FROM suggestions s
LEFT JOIN LATERAL (SELECT a.unit_id FROM assignments a
                   WHERE a.tenant_id = s.tenant_id AND a.suggestion_id = s.id AND a.active AND a.role = 'lead'
                   ORDER BY a.id DESC LIMIT 1) a ON true
LEFT JOIN LATERAL (SELECT min(r.replied_at) AS replied_at FROM replies r
                   WHERE r.tenant_id = s.tenant_id AND r.suggestion_id = s.id) fr ON true
LEFT JOIN LATERAL (SELECT min(e.created_at) AS closed_at FROM audit_events e
                   WHERE e.tenant_id = s.tenant_id AND e.suggestion_id = s.id AND e.to_status = 'closed') fc ON true
LEFT JOIN suggestion_facts f ON f.tenant_id = s.tenant_id AND f.suggestion_id = s.id
LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
WHERE s.status NOT IN ('draft', 'merged');

-- +goose StatementBegin
DO $$
DECLARE
  m record;
BEGIN
  FOR m IN SELECT o.tenant_id, o.suggestion_id FROM stats_members o
           JOIN stats_member_source n ON n.tenant_id = o.tenant_id AND n.suggestion_id = o.suggestion_id
           WHERE o.tracking IS DISTINCT FROM n.tracking
           ORDER BY o.tenant_id, o.suggestion_id LOOP
    PERFORM stats_refresh(m.tenant_id, m.suggestion_id);
  END LOOP;
END $$;
-- +goose StatementEnd
