-- +goose Up
-- 催办: a deputy's nudge of the units that owe work on a suggestion (one row per unit, so each
-- unit sees its own). At most one nudge a week per suggestion, checked under the row lock of
-- the suggestion by the nudge store.
CREATE TABLE nudges (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  unit_id       bigint NOT NULL,
  deputy_id     bigint NOT NULL,
  source        text NOT NULL DEFAULT 'bot' CHECK (source IN ('bot', 'miniprogram')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  seen_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions(tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units(tenant_id, id),
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
CREATE INDEX nudges_suggestion ON nudges (tenant_id, suggestion_id, created_at DESC);
CREATE INDEX nudges_unit ON nudges (tenant_id, unit_id, created_at DESC);

-- The bot's 随手拍 clues are snaps with source 'bot'; find a deputy's latest quickly.
CREATE INDEX snaps_source ON snaps (tenant_id, source, id DESC);

-- +goose Down
DROP INDEX snaps_source;
DROP TABLE nudges;
