-- +goose Up
-- PostgreSQL parses a trigger's WHEN clause afresh for every UPDATE statement that could fire
-- it; the rollup trigger's 22-column comparison was a visible part of every workflow change's
-- cost although it never fires for them (00062). It now only tells a workflow write from any
-- other; the others mark unconditionally (a needless mark only costs a refresh).
DROP TRIGGER stats_suggestion_update ON suggestions;
CREATE TRIGGER stats_suggestion_update AFTER UPDATE OF status, meeting_id, category_id, lead_deputy_id, submitted_at,
    registered_at, assigned_at, reply_due_at, rating_due_at, replied_at, closed_at ON suggestions
  FOR EACH ROW WHEN (OLD.version = NEW.version) EXECUTE FUNCTION stats_on_suggestion();

-- +goose Down
DROP TRIGGER stats_suggestion_update ON suggestions;
CREATE TRIGGER stats_suggestion_update AFTER UPDATE OF status, meeting_id, category_id, lead_deputy_id, submitted_at,
    registered_at, assigned_at, reply_due_at, rating_due_at, replied_at, closed_at ON suggestions
  FOR EACH ROW WHEN (OLD.version = NEW.version
    AND NOT (OLD.status IN ('draft', 'merged') AND NEW.status IN ('draft', 'merged'))
    AND (OLD.status, OLD.meeting_id, OLD.category_id, OLD.lead_deputy_id, OLD.submitted_at, OLD.registered_at,
         OLD.assigned_at, OLD.reply_due_at, OLD.rating_due_at, OLD.replied_at, OLD.closed_at)
    IS DISTINCT FROM (NEW.status, NEW.meeting_id, NEW.category_id, NEW.lead_deputy_id, NEW.submitted_at, NEW.registered_at,
         NEW.assigned_at, NEW.reply_due_at, NEW.rating_due_at, NEW.replied_at, NEW.closed_at))
  EXECUTE FUNCTION stats_on_suggestion();
