-- +goose Up
-- 代表参与活动 (internal/activity): activities staff organise around suggestions (调研, 视察,
-- 走访, 座谈, 交办会, 协调会, 培训), the suggestions and units they concern, and the deputies
-- invited with their answers. tenant_id leads every key and index; every reference stays
-- inside the tenant through a composite foreign key.

CREATE TYPE activity_kind AS ENUM (
  'research', 'inspection', 'visit', 'forum', 'assignment_meeting', 'coordination_meeting', 'training');
CREATE TYPE activity_status AS ENUM ('planned', 'cancelled');
CREATE TYPE activity_answer AS ENUM ('invited', 'accepted', 'declined');

CREATE TABLE activities (
  tenant_id     bigint NOT NULL REFERENCES tenants(id),
  id            bigserial,
  kind          activity_kind NOT NULL,
  title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  starts_at     timestamptz NOT NULL,
  place         text NOT NULL CHECK (length(place) BETWEEN 1 AND 100),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  organizer_id  bigint NOT NULL,
  status        activity_status NOT NULL DEFAULT 'planned',
  cancel_reason text NOT NULL DEFAULT '',
  cancelled_at  timestamptz,
  summary       text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
  summary_at    timestamptz,
  version       int NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, organizer_id) REFERENCES users(tenant_id, id)
);
-- The console's list: upcoming first, then the rest, optionally of one kind.
CREATE INDEX activities_starts ON activities (tenant_id, starts_at);
CREATE INDEX activities_kind ON activities (tenant_id, kind, starts_at);

CREATE TABLE activity_suggestions (
  tenant_id     bigint NOT NULL,
  activity_id   bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  PRIMARY KEY (tenant_id, activity_id, suggestion_id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions(tenant_id, id)
);
-- The suggestion page's card of activities linked to it.
CREATE INDEX activity_suggestions_suggestion ON activity_suggestions (tenant_id, suggestion_id, activity_id);

CREATE TABLE activity_units (
  tenant_id   bigint NOT NULL,
  activity_id bigint NOT NULL,
  unit_id     bigint NOT NULL,
  PRIMARY KEY (tenant_id, activity_id, unit_id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units(tenant_id, id)
);

CREATE TABLE activity_invitations (
  tenant_id   bigint NOT NULL,
  activity_id bigint NOT NULL,
  deputy_id   bigint NOT NULL,
  answer      activity_answer NOT NULL DEFAULT 'invited',
  note        text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
  invited_at  timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  PRIMARY KEY (tenant_id, activity_id, deputy_id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES activities(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
-- A deputy's invitations (the mini-program's list).
CREATE INDEX activity_invitations_deputy ON activity_invitations (tenant_id, deputy_id, activity_id);

-- +goose Down
DROP TABLE activity_invitations;
DROP TABLE activity_units;
DROP TABLE activity_suggestions;
DROP TABLE activities;
DROP TYPE activity_answer;
DROP TYPE activity_status;
DROP TYPE activity_kind;
