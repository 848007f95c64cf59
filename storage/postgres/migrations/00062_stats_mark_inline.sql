-- +goose Up
-- The workflow's one UPDATE of suggestions (storage/postgres suggestion_store.go) marks the
-- rollup in the same statement, which costs a few microseconds where the trigger's plpgsql
-- call cost tens. That UPDATE always bumps version, so the trigger now fires only for other
-- writes (repairs, imports, tests), which do not.
--
-- The workflow inserts assignments only together with that UPDATE (assign, re-routing, a new
-- round), so the insert trigger on assignments only repeated its mark and is dropped; updates
-- of assignments keep their trigger.
DROP TRIGGER stats_assignment_insert ON assignments;
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

-- Only the old dashboard recount filtered lead assignments by unit; the rollup carries the unit.
DROP INDEX assignments_lead_unit;

-- +goose Down
CREATE TRIGGER stats_assignment_insert AFTER INSERT ON assignments
  FOR EACH ROW WHEN (NEW.role = 'lead' AND NEW.active) EXECUTE FUNCTION stats_on_assignment();
CREATE INDEX assignments_lead_unit ON assignments (tenant_id, unit_id, suggestion_id) WHERE active AND role = 'lead';
DROP TRIGGER stats_suggestion_update ON suggestions;
CREATE TRIGGER stats_suggestion_update AFTER UPDATE OF status, meeting_id, category_id, lead_deputy_id, submitted_at,
    registered_at, assigned_at, reply_due_at, rating_due_at, replied_at, closed_at ON suggestions
  FOR EACH ROW WHEN (NOT (OLD.status IN ('draft', 'merged') AND NEW.status IN ('draft', 'merged'))
    AND (OLD.status, OLD.meeting_id, OLD.category_id, OLD.lead_deputy_id, OLD.submitted_at, OLD.registered_at,
         OLD.assigned_at, OLD.reply_due_at, OLD.rating_due_at, OLD.replied_at, OLD.closed_at)
    IS DISTINCT FROM (NEW.status, NEW.meeting_id, NEW.category_id, NEW.lead_deputy_id, NEW.submitted_at, NEW.registered_at,
         NEW.assigned_at, NEW.reply_due_at, NEW.rating_due_at, NEW.replied_at, NEW.closed_at))
  EXECUTE FUNCTION stats_on_suggestion();
