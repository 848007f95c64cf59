-- +goose Up
-- Staff console: sign-in sessions and indexes for the dashboard. (WeChat template ids per
-- notice live in notify's notify_templates; the console edits them through internal/notify.)

-- Sessions of the staff console. The cookie carries "<tenant>.<token>"; only the SHA-256 of
-- the token is stored, so a leaked table does not leak live sessions.
CREATE TABLE console_sessions (
  tenant_id   bigint NOT NULL REFERENCES tenants(id),
  token_hash  bytea NOT NULL,
  user_id     bigint NOT NULL,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX console_sessions_user ON console_sessions (tenant_id, user_id);
CREATE INDEX console_sessions_expiry ON console_sessions (tenant_id, expires_at);

-- Dashboard and list pages: every filter leads with tenant_id.
CREATE INDEX suggestions_meeting ON suggestions (tenant_id, meeting_id, id DESC);
CREATE INDEX suggestions_reply_due ON suggestions (tenant_id, reply_due_at)
  WHERE status IN ('assigned', 'handling', 'rehandling', 'escalated');
CREATE INDEX suggestions_recent ON suggestions (tenant_id, id DESC) INCLUDE (status);
CREATE INDEX assignments_lead_unit ON assignments (tenant_id, unit_id, suggestion_id)
  WHERE active AND role = 'lead';
CREATE INDEX evaluations_suggestion ON evaluations (tenant_id, suggestion_id, kind, round);

-- +goose Down
DROP INDEX evaluations_suggestion;
DROP INDEX assignments_lead_unit;
DROP INDEX suggestions_recent;
DROP INDEX suggestions_reply_due;
DROP INDEX suggestions_meeting;
DROP TABLE console_sessions;
