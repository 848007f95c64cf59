-- +goose Up
-- Every transition rewrites its suggestion's row and, because status is indexed, adds an entry
-- to every index of the table. Two indexes no query needs any more are dropped:
--  * suggestions_stats covered the dashboard's recount, which now reads the rollup (00023);
--  * suggestions_recent duplicated the primary key (tenant_id, id), which serves the
--    newest-first pages just as well; the status filter then reads one page of rows.
DROP INDEX suggestions_stats;
DROP INDEX suggestions_recent;

-- +goose Down
CREATE INDEX suggestions_recent ON suggestions (tenant_id, id DESC) INCLUDE (status);
CREATE INDEX suggestions_stats ON suggestions (tenant_id, submitted_at)
  INCLUDE (id, status, meeting_id, category_id, lead_deputy_id, registered_at, assigned_at,
           reply_due_at, rating_due_at, replied_at, closed_at);
