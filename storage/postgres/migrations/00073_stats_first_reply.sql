-- +goose Up
-- The monthly trend counted a case's 答复 in the month of suggestions.replied_at and its 办结 in
-- the month of suggestions.closed_at. Both move: replied_at is the LATEST reply, so a case
-- re-replied in round 2 left the month of its first reply for the month of the second, and a
-- closed case reopened in 回头看 left its month (closed_at cleared) to come back in the month
-- it was closed again. A month's figure shrank after it had been reported.
--
-- The trend now counts every case once, in the month it FIRST got there, so a month never
-- shrinks later:
--  * 首次答复: the month of the earliest of its replies (the replies table keeps every round);
--    the same basis as 答复率, which counts a case as replied once it has any reply
--    (suggestion_facts.last_reply_round), and as 按期答复率, which judges the first round;
--  * 首次办结: the month of the earliest audit event that took it to 'closed' (the audit log
--    keeps every closing; a reopen does not erase it), or of closed_at when that is earlier
--    (a case closed outside the workflow has no such event).
-- Only stats_member_source changes (same columns, so stats_members and stats_rollup keep their
-- shape); stats_refresh recomputes from it as before.
--
-- Maintenance: a reply is inserted together with suggestion_facts (whose trigger marks the
-- case) and a closing together with the workflow's UPDATE of suggestions (which marks it);
-- two triggers mark the other writes the view now reads, which the workflow never makes:
-- a reply whose time or case changes or that is deleted, and a closing audit event written
-- outside the workflow.

-- The first closing of a case: one index-only probe per case.
CREATE INDEX audit_closed ON audit_events (tenant_id, suggestion_id, created_at) WHERE to_status = 'closed';

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
CREATE FUNCTION stats_on_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  PERFORM stats_mark(OLD.tenant_id, OLD.suggestion_id);
  IF TG_OP = 'UPDATE' AND NEW.suggestion_id <> OLD.suggestion_id THEN
    PERFORM stats_mark(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_on_closing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  PERFORM stats_mark(NEW.tenant_id, NEW.suggestion_id);
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- The workflow only inserts replies and sets published_at: neither fires these.
CREATE TRIGGER stats_reply_update AFTER UPDATE OF replied_at, suggestion_id ON replies
  FOR EACH ROW WHEN ((OLD.replied_at, OLD.suggestion_id) IS DISTINCT FROM (NEW.replied_at, NEW.suggestion_id))
  EXECUTE FUNCTION stats_on_reply();
CREATE TRIGGER stats_reply_delete AFTER DELETE ON replies
  FOR EACH ROW EXECUTE FUNCTION stats_on_reply();
-- The audit log is append-only; a closing's event only repeats the workflow's own mark.
CREATE TRIGGER stats_audit_closed AFTER INSERT ON audit_events
  FOR EACH ROW WHEN (NEW.to_status = 'closed') EXECUTE FUNCTION stats_on_closing();

-- Backfill: recompute the members whose months differ (re-replied and reopened cases), as
-- difference rows like any other change, so the rollup stays consistent while the app runs.
-- +goose StatementBegin
DO $$
DECLARE
  m record;
BEGIN
  FOR m IN SELECT o.tenant_id, o.suggestion_id FROM stats_members o
           JOIN stats_member_source n ON n.tenant_id = o.tenant_id AND n.suggestion_id = o.suggestion_id
           WHERE (o.replied_month, o.closed_month) IS DISTINCT FROM (n.replied_month, n.closed_month)
           ORDER BY o.tenant_id, o.suggestion_id LOOP
    PERFORM stats_refresh(m.tenant_id, m.suggestion_id);
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER stats_audit_closed ON audit_events;
DROP TRIGGER stats_reply_delete ON replies;
DROP TRIGGER stats_reply_update ON replies;
DROP FUNCTION stats_on_closing();
DROP FUNCTION stats_on_reply();

-- 00023's definition: the months of suggestions.replied_at and closed_at.
CREATE OR REPLACE VIEW stats_member_source AS
SELECT s.tenant_id, s.id AS suggestion_id, s.meeting_id, COALESCE(a.unit_id, 0) AS unit_id,
  COALESCE(s.category_id, 0) AS category_id, COALESCE(d.delegation_id, 0) AS delegation_id,
  s.submitted_at, COALESCE(stats_month(s.submitted_at), '-infinity') AS month,
  stats_month(s.replied_at) AS replied_month, stats_month(s.closed_at) AS closed_month,
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
LEFT JOIN suggestion_facts f ON f.tenant_id = s.tenant_id AND f.suggestion_id = s.id
LEFT JOIN deputies d ON d.tenant_id = s.tenant_id AND d.id = s.lead_deputy_id
WHERE s.status NOT IN ('draft', 'merged');

DROP INDEX audit_closed;

-- Back to the old months, as difference rows.
-- +goose StatementBegin
DO $$
DECLARE
  m record;
BEGIN
  FOR m IN SELECT o.tenant_id, o.suggestion_id FROM stats_members o
           JOIN stats_member_source n ON n.tenant_id = o.tenant_id AND n.suggestion_id = o.suggestion_id
           WHERE (o.replied_month, o.closed_month) IS DISTINCT FROM (n.replied_month, n.closed_month)
           ORDER BY o.tenant_id, o.suggestion_id LOOP
    PERFORM stats_refresh(m.tenant_id, m.suggestion_id);
  END LOOP;
END $$;
-- +goose StatementEnd
