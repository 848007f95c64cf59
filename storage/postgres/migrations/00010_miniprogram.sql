-- +goose Up
-- Mini-program API: staff-issued invite codes, official-account binding codes, pending
-- presigned uploads, and the photo-check columns the push endpoint writes.

-- Invite codes are stored hashed: a leaked table does not let anyone bind as a deputy.
CREATE TABLE invite_codes (
  tenant_id   bigint NOT NULL REFERENCES tenants(id),
  code_hash   text NOT NULL,
  deputy_id   bigint NOT NULL,
  created_by  bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  redeemed_at timestamptz,
  PRIMARY KEY (tenant_id, code_hash),
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
CREATE INDEX invite_codes_deputy ON invite_codes (tenant_id, deputy_id);

-- Six-digit codes shown in the mini-program and sent to the official-account bot
-- ("绑定 123456"). Short-lived; a used or expired row is replaced on collision.
CREATE TABLE oa_bind_codes (
  tenant_id  bigint NOT NULL REFERENCES tenants(id),
  code       text NOT NULL,
  deputy_id  bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (tenant_id, code),
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
CREATE INDEX oa_bind_codes_deputy ON oa_bind_codes (tenant_id, deputy_id);

-- A presigned POST handed to the phone; the completion call turns it into an attachment.
CREATE TABLE mp_uploads (
  tenant_id     bigint NOT NULL REFERENCES tenants(id),
  object_key    text NOT NULL,
  deputy_id     bigint NOT NULL,
  target_kind   text NOT NULL CHECK (target_kind IN ('suggestion', 'snap')),
  target_id     bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  attachment_id bigint,
  PRIMARY KEY (tenant_id, object_key)
);

ALTER TABLE attachments
  ADD COLUMN hidden boolean NOT NULL DEFAULT false,
  ADD COLUMN check_label int NOT NULL DEFAULT 0,
  ADD COLUMN flagged_at timestamptz,
  ADD COLUMN checked_at timestamptz;
CREATE INDEX attachments_flagged ON attachments (tenant_id, flagged_at) WHERE flagged_at IS NOT NULL;

-- +goose Down
DROP INDEX attachments_flagged;
ALTER TABLE attachments
  DROP COLUMN hidden,
  DROP COLUMN check_label,
  DROP COLUMN flagged_at,
  DROP COLUMN checked_at;
DROP TABLE mp_uploads, oa_bind_codes, invite_codes;
