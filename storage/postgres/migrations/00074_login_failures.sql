-- +goose Up
-- Sign-in lockout without enumeration (internal/auth Sessions.Login, docs/console.md):
-- failures of a username the tenant does not have are counted and lock exactly like a real
-- user's (users.failed_logins / locked_until), so "locked" says nothing about whether the
-- account exists. Such names are keyed by the SHA-256 of the username as typed (any length,
-- no personal data kept in clear).
--
-- A streak of failures is forgotten a day after its last failure, for users (last_failed_at)
-- and unknown names alike; rows of unknown names older than that are deleted as new failures
-- come in (login_failures_stale), so a spray of made-up names cannot grow the table for good.
ALTER TABLE users ADD COLUMN last_failed_at timestamptz;

CREATE TABLE login_failures (
  tenant_id      bigint NOT NULL REFERENCES tenants(id),
  name_hash      bytea NOT NULL,
  failed_logins  int NOT NULL,
  locked_until   timestamptz,
  last_failed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, name_hash)
);
CREATE INDEX login_failures_stale ON login_failures (tenant_id, last_failed_at);

-- +goose Down
DROP TABLE login_failures;
ALTER TABLE users DROP COLUMN last_failed_at;
