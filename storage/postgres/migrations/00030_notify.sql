-- +goose Up
-- Notices (the in-app inbox), their per-channel deliveries, subscribe-message credits,
-- per-tenant template ids and notification settings. See docs/notify.md.

CREATE TABLE notices (
  tenant_id      bigint NOT NULL,
  id             bigserial,
  recipient_kind text NOT NULL CHECK (recipient_kind IN ('deputy', 'user')),
  recipient_id   bigint NOT NULL,
  kind           text NOT NULL,
  title          text NOT NULL,
  body           text NOT NULL,
  page           text NOT NULL DEFAULT '',
  suggestion_id  bigint NOT NULL DEFAULT 0,
  fields         jsonb NOT NULL DEFAULT '{}',
  delivery_key   text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  read_at        timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, delivery_key)
);
CREATE INDEX notices_recipient ON notices (tenant_id, recipient_kind, recipient_id, id DESC);
CREATE INDEX notices_unread ON notices (tenant_id, recipient_kind, recipient_id) WHERE read_at IS NULL;

-- One row per notice and channel. id is the stable delivery id (also the asynq task id).
-- status: pending → sending (claimed, send in flight) → sent | failed | skipped | unknown.
CREATE TABLE deliveries (
  tenant_id      bigint NOT NULL,
  id             bigserial,
  notice_id      bigint NOT NULL,
  channel        text NOT NULL CHECK (channel IN ('inapp', 'mp_subscribe', 'oa_template', 'oa_staff')),
  seq            int NOT NULL DEFAULT 0,
  recipient_kind text NOT NULL,
  recipient_id   bigint NOT NULL,
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
  send_after     timestamptz NOT NULL DEFAULT now(),
  wechat_code    int NOT NULL DEFAULT 0,
  reason         text NOT NULL DEFAULT '',
  attempts       int NOT NULL DEFAULT 0,
  claimed_at     timestamptz,
  sent_at        timestamptz,
  digest_of      bigint,
  digest_count   int NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, notice_id, channel),
  FOREIGN KEY (tenant_id, notice_id) REFERENCES notices(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deliveries_open ON deliveries (tenant_id, status, send_after) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_recipient ON deliveries (tenant_id, recipient_kind, recipient_id, channel, status);

-- Subscribe-message credits: one-time accepts counted, long-term subscriptions flagged.
CREATE TABLE notify_credits (
  tenant_id   bigint NOT NULL,
  deputy_id   bigint NOT NULL,
  template_id text NOT NULL,
  one_time    int NOT NULL DEFAULT 0 CHECK (one_time >= 0),
  long_term   boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, deputy_id, template_id)
);

-- Template ids per tenant, notice kind and channel; kind '*' is the tenant's fallback.
CREATE TABLE notify_templates (
  tenant_id   bigint NOT NULL,
  kind        text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('mp_subscribe', 'oa_template', 'oa_staff')),
  template_id text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, channel)
);

-- Digest window and quiet hours (minutes after midnight, Asia/Shanghai); defaults when absent.
CREATE TABLE notify_settings (
  tenant_id      bigint PRIMARY KEY,
  digest_minutes int NOT NULL DEFAULT 10 CHECK (digest_minutes BETWEEN 0 AND 1440),
  quiet_start    int NOT NULL DEFAULT 1320 CHECK (quiet_start BETWEEN 0 AND 1439),
  quiet_end      int NOT NULL DEFAULT 450 CHECK (quiet_end BETWEEN 0 AND 1439),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notify_settings, notify_templates, notify_credits, deliveries, notices;
