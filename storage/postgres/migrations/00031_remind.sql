-- +goose Up
-- Reminders already fired (or found met when they fired), so the reconciler never queues them
-- again. Reminders themselves are derived from the deadlines in assignments, suggestions and
-- replies; nothing else about them is stored.
CREATE TABLE remind_fired (
  tenant_id bigint NOT NULL,
  key       text NOT NULL,
  fired_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX remind_fired_at ON remind_fired (tenant_id, fired_at);

-- +goose Down
DROP TABLE remind_fired;
