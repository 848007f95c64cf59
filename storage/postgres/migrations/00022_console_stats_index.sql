-- +goose Up
-- Covering index for the dashboard's population scan: every column the statistics read is in
-- the index, so counting a tenant's suggestions is an index-only scan that never touches the
-- wide heap rows (title, body, search vector). The key also serves the period filter.
CREATE INDEX suggestions_stats ON suggestions (tenant_id, submitted_at)
  INCLUDE (id, status, meeting_id, category_id, lead_deputy_id, registered_at, assigned_at,
           reply_due_at, rating_due_at, replied_at, closed_at);

-- +goose Down
DROP INDEX suggestions_stats;
