-- +goose Up
-- A suggestion's detail page probed nine tables for whether the suggestion had any rows in
-- them, to read only the parts that exist. Each probe opened a table and an index, and
-- together they were most of PostgreSQL's cost of the deputies' detail page. suggestions.parts
-- now says which parts may exist, one bit per table (storage/postgres/suggestion_read.go):
--   1 suggestion_cosigners, 2 assignments, 4 contacts, 8 progress_notes, 16 co_opinions,
--   32 replies, 64 evaluations, 128 extensions, 256 attachments.
-- A set bit means "look": rows may have been deleted since. A clear bit means there are none,
-- which the statement-level triggers below keep true for every writer, not only the workflow.
-- A trigger writes the suggestion only the first time a part appears; after that it is a
-- probe of one row.
--
-- Assignments have no trigger: they are written only by the workflow store, in the same
-- statement as the suggestion's own update, which sets the bit itself (sgTx.QueueAssignments,
-- InsertAssignments). A trigger there cost the assign call a tenth of its rate.
ALTER TABLE suggestions ADD COLUMN parts int NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION suggestion_parts_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  part int := TG_ARGV[0]::int;
BEGIN
  IF stats_bulk() THEN
    RETURN NULL; -- a bulk load (migration 00023's flag) writes parts with its rows
  END IF;
  UPDATE suggestions s SET parts = s.parts | part
  FROM (SELECT DISTINCT tenant_id, suggestion_id FROM new_rows WHERE suggestion_id IS NOT NULL) n
  WHERE s.tenant_id = n.tenant_id AND s.id = n.suggestion_id AND s.parts & part = 0;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER parts_cosigners AFTER INSERT ON suggestion_cosigners REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(1);
CREATE TRIGGER parts_contacts AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(4);
CREATE TRIGGER parts_progress AFTER INSERT ON progress_notes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(8);
CREATE TRIGGER parts_co_opinions AFTER INSERT ON co_opinions REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(16);
CREATE TRIGGER parts_replies AFTER INSERT ON replies REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(32);
CREATE TRIGGER parts_evaluations AFTER INSERT ON evaluations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(64);
CREATE TRIGGER parts_extensions AFTER INSERT ON extensions REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(128);
-- Photos also reach a suggestion later: a snap's photos move to the draft made from it.
CREATE TRIGGER parts_attachments AFTER INSERT ON attachments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(256);
CREATE TRIGGER parts_attachments_moved AFTER UPDATE ON attachments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION suggestion_parts_mark(256);

UPDATE suggestions s SET parts = p.parts
FROM (SELECT tenant_id, suggestion_id, bit_or(part) AS parts FROM (
        SELECT tenant_id, suggestion_id, 1 AS part FROM suggestion_cosigners
  UNION SELECT tenant_id, suggestion_id, 2 FROM assignments
  UNION SELECT tenant_id, suggestion_id, 4 FROM contacts
  UNION SELECT tenant_id, suggestion_id, 8 FROM progress_notes
  UNION SELECT tenant_id, suggestion_id, 16 FROM co_opinions
  UNION SELECT tenant_id, suggestion_id, 32 FROM replies
  UNION SELECT tenant_id, suggestion_id, 64 FROM evaluations
  UNION SELECT tenant_id, suggestion_id, 128 FROM extensions
  UNION SELECT tenant_id, suggestion_id, 256 FROM attachments WHERE suggestion_id IS NOT NULL) x
      GROUP BY tenant_id, suggestion_id) p
WHERE s.tenant_id = p.tenant_id AND s.id = p.suggestion_id;

-- +goose Down
DROP TRIGGER parts_cosigners ON suggestion_cosigners;
DROP TRIGGER parts_contacts ON contacts;
DROP TRIGGER parts_progress ON progress_notes;
DROP TRIGGER parts_co_opinions ON co_opinions;
DROP TRIGGER parts_replies ON replies;
DROP TRIGGER parts_evaluations ON evaluations;
DROP TRIGGER parts_extensions ON extensions;
DROP TRIGGER parts_attachments ON attachments;
DROP TRIGGER parts_attachments_moved ON attachments;
DROP FUNCTION suggestion_parts_mark();
ALTER TABLE suggestions DROP COLUMN parts;
