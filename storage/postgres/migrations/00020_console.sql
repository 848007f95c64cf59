-- +goose Up
-- Staff console: sign-in sessions, WeChat template ids per notice, indexes for the dashboard.

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
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- WeChat template ids per notice kind and channel (mp = mini-program subscribe message,
-- oa = official-account template message). The notify package reads them.
CREATE TABLE notice_templates (
  tenant_id   bigint NOT NULL REFERENCES tenants(id),
  notice      text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('mp', 'oa')),
  template_id text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, notice, channel)
);

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
DROP TABLE notice_templates;
DROP TABLE console_sessions;
