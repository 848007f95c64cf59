-- +goose Up
-- Core schema of the suggestion workflow. tenant_id leads every primary key and index so the
-- tables can be distributed by tenant (Citus) without rework.

CREATE TYPE suggestion_status AS ENUM (
  'draft', 'submitted', 'returned', 'not_registered', 'registered', 'assigned', 'handling',
  'replied', 'evaluated', 'rehandling', 'escalated', 'tracking', 'closed', 'merged');
CREATE TYPE handling_mode AS ENUM ('normal', 'leader_led', 'fast_track', 'joint');
CREATE TYPE assignment_role AS ENUM ('lead', 'co');
CREATE TYPE assignment_state AS ENUM (
  'pending', 'accepted', 'return_requested', 'reassigned', 'opinion_sent', 'replied');
CREATE TYPE contact_stage AS ENUM ('before', 'during', 'after');
CREATE TYPE contact_confirmation AS ENUM ('pending', 'confirmed', 'disputed');
CREATE TYPE reply_class AS ENUM ('A', 'B', 'C', 'D');
CREATE TYPE rating AS ENUM ('satisfied', 'basically_satisfied', 'unsatisfied');
CREATE TYPE evaluation_kind AS ENUM ('reply', 'implementation');
CREATE TYPE user_role AS ENUM (
  'deputy', 'reviewer', 'coordinator', 'unit_handler', 'unit_leader', 'committee', 'leader', 'admin');

CREATE TABLE tenants (
  id          bigint PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  settings    jsonb NOT NULL DEFAULT '{}',
  reply_labels jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE tenant_ids START 1;

CREATE TABLE meetings (
  tenant_id   bigint NOT NULL REFERENCES tenants(id),
  id          bigserial,
  name        text NOT NULL,
  year        int NOT NULL,
  starts_on   date NOT NULL,
  ends_on     date NOT NULL,
  is_current  boolean NOT NULL DEFAULT false,
  next_number int NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX meetings_one_current ON meetings (tenant_id) WHERE is_current;

CREATE TABLE categories (
  tenant_id bigint NOT NULL REFERENCES tenants(id),
  id        bigserial,
  name      text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE delegations (
  tenant_id bigint NOT NULL REFERENCES tenants(id),
  id        bigserial,
  name      text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE deputy_groups (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  delegation_id bigint NOT NULL,
  name          text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, delegation_id) REFERENCES delegations(tenant_id, id)
);

CREATE TABLE deputies (
  tenant_id     bigint NOT NULL REFERENCES tenants(id),
  id            bigserial,
  name          text NOT NULL,
  phone         text NOT NULL DEFAULT '',
  delegation_id bigint,
  group_id      bigint,
  mp_openid     text,
  oa_openid     text,
  unionid       text,
  oa_following  boolean NOT NULL DEFAULT false,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, delegation_id) REFERENCES delegations(tenant_id, id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES deputy_groups(tenant_id, id)
);
CREATE INDEX deputies_phone ON deputies (tenant_id, phone);
CREATE UNIQUE INDEX deputies_mp_openid ON deputies (tenant_id, mp_openid) WHERE mp_openid IS NOT NULL;
CREATE UNIQUE INDEX deputies_oa_openid ON deputies (tenant_id, oa_openid) WHERE oa_openid IS NOT NULL;
CREATE INDEX deputies_unionid ON deputies (tenant_id, unionid) WHERE unionid IS NOT NULL;

CREATE TABLE units (
  tenant_id bigint NOT NULL REFERENCES tenants(id),
  id        bigserial,
  name      text NOT NULL,
  kind      text NOT NULL DEFAULT 'government',
  active    boolean NOT NULL DEFAULT true,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE users (
  tenant_id     bigint NOT NULL REFERENCES tenants(id),
  id            bigserial,
  username      text NOT NULL,
  display_name  text NOT NULL,
  password_hash text NOT NULL DEFAULT '',
  phone         text NOT NULL DEFAULT '',
  unit_id       bigint,
  oa_openid     text,
  failed_logins int NOT NULL DEFAULT 0,
  locked_until  timestamptz,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, username),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units(tenant_id, id)
);

CREATE TABLE user_roles (
  tenant_id bigint NOT NULL,
  user_id   bigint NOT NULL,
  role      user_role NOT NULL,
  PRIMARY KEY (tenant_id, user_id, role),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
);

-- Committees (专工委) follow the categories they are bound to.
CREATE TABLE user_categories (
  tenant_id   bigint NOT NULL,
  user_id     bigint NOT NULL,
  category_id bigint NOT NULL,
  PRIMARY KEY (tenant_id, user_id, category_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, category_id) REFERENCES categories(tenant_id, id)
);

CREATE TABLE holiday_overrides (
  tenant_id bigint NOT NULL REFERENCES tenants(id),
  day       date NOT NULL,
  working   boolean NOT NULL,
  name      text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE suggestions (
  tenant_id       bigint NOT NULL REFERENCES tenants(id),
  id              bigserial,
  meeting_id      bigint NOT NULL,
  number          int,
  lead_deputy_id  bigint NOT NULL,
  title           text NOT NULL,
  body            text NOT NULL,
  category_id     bigint,
  status          suggestion_status NOT NULL DEFAULT 'draft',
  mode            handling_mode NOT NULL DEFAULT 'normal',
  is_key          boolean NOT NULL DEFAULT false,
  leader_user_id  bigint,
  complex         boolean NOT NULL DEFAULT false,
  in_recess       boolean NOT NULL DEFAULT false,
  round           int NOT NULL DEFAULT 1,
  lat             double precision,
  lng             double precision,
  address         text NOT NULL DEFAULT '',
  content_flag    text NOT NULL DEFAULT '',
  merged_into     bigint,
  status_reason   text NOT NULL DEFAULT '',
  reply_due_at    timestamptz,
  rating_due_at   timestamptz,
  version         int NOT NULL DEFAULT 1,
  submitted_at    timestamptz,
  registered_at   timestamptz,
  assigned_at     timestamptz,
  replied_at      timestamptz,
  closed_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id),
  FOREIGN KEY (tenant_id, lead_deputy_id) REFERENCES deputies(tenant_id, id),
  FOREIGN KEY (tenant_id, category_id) REFERENCES categories(tenant_id, id),
  FOREIGN KEY (tenant_id, leader_user_id) REFERENCES users(tenant_id, id),
  CHECK (length(title) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX suggestions_number ON suggestions (tenant_id, meeting_id, number) WHERE number IS NOT NULL;
CREATE INDEX suggestions_lead ON suggestions (tenant_id, lead_deputy_id, id DESC);
CREATE INDEX suggestions_status ON suggestions (tenant_id, status, id DESC);
CREATE INDEX suggestions_category ON suggestions (tenant_id, category_id, id DESC);
CREATE INDEX suggestions_leader ON suggestions (tenant_id, leader_user_id) WHERE leader_user_id IS NOT NULL;

CREATE TABLE suggestion_cosigners (
  tenant_id     bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  deputy_id     bigint NOT NULL,
  state         text NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'accepted', 'declined', 'merged')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, suggestion_id, deputy_id),
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions(tenant_id, id),
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
CREATE INDEX cosigners_deputy ON suggestion_cosigners (tenant_id, deputy_id, suggestion_id DESC);

CREATE TABLE snaps (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  deputy_id     bigint NOT NULL,
  source        text NOT NULL DEFAULT 'miniprogram',
  note          text NOT NULL DEFAULT '',
  lat           double precision,
  lng           double precision,
  address       text NOT NULL DEFAULT '',
  suggestion_id bigint,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, deputy_id) REFERENCES deputies(tenant_id, id)
);
CREATE INDEX snaps_deputy ON snaps (tenant_id, deputy_id, id DESC);

CREATE TABLE attachments (
  tenant_id      bigint NOT NULL,
  id             bigserial,
  suggestion_id  bigint,
  snap_id        bigint,
  owner_deputy_id bigint,
  owner_user_id  bigint,
  kind           text NOT NULL DEFAULT 'photo',
  object_key     text NOT NULL,
  thumb_key      text NOT NULL DEFAULT '',
  content_type   text NOT NULL,
  size_bytes     bigint NOT NULL,
  width          int NOT NULL DEFAULT 0,
  height         int NOT NULL DEFAULT 0,
  exif_lat       double precision,
  exif_lng       double precision,
  check_trace_id text NOT NULL DEFAULT '',
  check_status   text NOT NULL DEFAULT 'pending',
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_suggestion ON attachments (tenant_id, suggestion_id) WHERE suggestion_id IS NOT NULL;
CREATE INDEX attachments_snap ON attachments (tenant_id, snap_id) WHERE snap_id IS NOT NULL;
CREATE INDEX attachments_trace ON attachments (tenant_id, check_trace_id) WHERE check_trace_id <> '';

CREATE TABLE assignments (
  tenant_id       bigint NOT NULL,
  id              bigserial,
  suggestion_id   bigint NOT NULL,
  unit_id         bigint NOT NULL,
  role            assignment_role NOT NULL,
  state           assignment_state NOT NULL DEFAULT 'pending',
  active          boolean NOT NULL DEFAULT true,
  round           int NOT NULL DEFAULT 1,
  assigned_at     timestamptz NOT NULL DEFAULT now(),
  due_at          timestamptz NOT NULL,
  return_due_at   timestamptz NOT NULL,
  accepted_at     timestamptz,
  contact_due_at  timestamptz,
  handler_user_id bigint,
  handler_name    text NOT NULL DEFAULT '',
  handler_phone   text NOT NULL DEFAULT '',
  chain           jsonb NOT NULL DEFAULT '{}',
  return_reason   text NOT NULL DEFAULT '',
  replaced_by     bigint,
  version         int NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions(tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units(tenant_id, id)
);
CREATE INDEX assignments_suggestion ON assignments (tenant_id, suggestion_id);
CREATE INDEX assignments_unit ON assignments (tenant_id, unit_id, state, due_at) WHERE active;

CREATE TABLE extensions (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  assignment_id bigint NOT NULL,
  reason        text NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  requested_by  bigint NOT NULL,
  decided_by    bigint,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments(tenant_id, id)
);
CREATE INDEX extensions_pending ON extensions (tenant_id, state, id);

CREATE TABLE contacts (
  tenant_id      bigint NOT NULL,
  id             bigserial,
  suggestion_id  bigint NOT NULL,
  assignment_id  bigint NOT NULL,
  stage          contact_stage NOT NULL,
  happened_at    timestamptz NOT NULL,
  method         text NOT NULL,
  people         text NOT NULL,
  summary        text NOT NULL,
  recorded_by    bigint NOT NULL,
  confirmation   contact_confirmation NOT NULL DEFAULT 'pending',
  deputy_comment text NOT NULL DEFAULT '',
  confirmed_by   bigint,
  confirmed_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, assignment_id) REFERENCES assignments(tenant_id, id)
);
CREATE INDEX contacts_suggestion ON contacts (tenant_id, suggestion_id);

CREATE TABLE progress_notes (
  tenant_id      bigint NOT NULL,
  id             bigserial,
  suggestion_id  bigint NOT NULL,
  assignment_id  bigint,
  author_user_id bigint NOT NULL,
  body           text NOT NULL,
  private        boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX progress_suggestion ON progress_notes (tenant_id, suggestion_id);

CREATE TABLE co_opinions (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  assignment_id bigint NOT NULL,
  unit_id       bigint NOT NULL,
  body          text NOT NULL,
  created_by    bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX co_opinions_suggestion ON co_opinions (tenant_id, suggestion_id);

CREATE TABLE replies (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  assignment_id bigint NOT NULL,
  unit_id       bigint NOT NULL,
  round         int NOT NULL,
  class         reply_class NOT NULL,
  body          text NOT NULL,
  document_key  text NOT NULL DEFAULT '',
  created_by    bigint NOT NULL,
  replied_at    timestamptz NOT NULL DEFAULT now(),
  on_time       boolean NOT NULL,
  publish_due_at timestamptz,
  published_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, suggestion_id, round)
);
CREATE INDEX replies_unit ON replies (tenant_id, unit_id, replied_at);

CREATE TABLE commitments (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  reply_id      bigint NOT NULL,
  what          text NOT NULL,
  due_on        date NOT NULL,
  done_at       timestamptz,
  done_note     text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX commitments_suggestion ON commitments (tenant_id, suggestion_id);

CREATE TABLE evaluations (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  deputy_id     bigint NOT NULL,
  kind          evaluation_kind NOT NULL,
  round         int NOT NULL,
  rating        rating NOT NULL,
  reason        text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, suggestion_id, deputy_id, kind, round)
);

CREATE TABLE tracking_items (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  reason        text NOT NULL,
  opened_at     timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tracking_open ON tracking_items (tenant_id, suggestion_id) WHERE closed_at IS NULL;

CREATE TABLE problem_items (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  unit_id       bigint NOT NULL,
  suggestion_id bigint,
  problem       text NOT NULL,
  responsible   text NOT NULL DEFAULT '',
  rectification text NOT NULL DEFAULT '',
  due_on        date,
  state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'rectifying', 'done')),
  created_by    bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX problem_items_unit ON problem_items (tenant_id, unit_id, state);

CREATE TABLE interviews (
  tenant_id       bigint NOT NULL,
  id              bigserial,
  unit_id         bigint NOT NULL,
  problem_item_id bigint,
  held_at         timestamptz NOT NULL,
  leader          text NOT NULL,
  summary         text NOT NULL,
  follow_up       text NOT NULL DEFAULT '',
  created_by      bigint NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE audit_events (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  suggestion_id bigint NOT NULL,
  actor_kind    text NOT NULL,
  actor_id      bigint NOT NULL DEFAULT 0,
  action        text NOT NULL,
  from_status   suggestion_status,
  to_status     suggestion_status,
  reason        text NOT NULL DEFAULT '',
  data          jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_suggestion ON audit_events (tenant_id, suggestion_id, id);

-- Side effects of a state change, written in the same transaction and relayed to the queue.
CREATE TABLE outbox (
  tenant_id     bigint NOT NULL,
  id            bigserial,
  event         text NOT NULL,
  suggestion_id bigint NOT NULL DEFAULT 0,
  payload       jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (tenant_id, id) WHERE dispatched_at IS NULL;

CREATE TABLE idempotency_keys (
  tenant_id    bigint NOT NULL,
  actor        text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status_code  int NOT NULL DEFAULT 0,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, actor, key)
);

-- +goose Down
DROP TABLE idempotency_keys, outbox, audit_events, interviews, problem_items, tracking_items,
  evaluations, commitments, replies, co_opinions, progress_notes, contacts, extensions, assignments,
  attachments, snaps, suggestion_cosigners, suggestions, holiday_overrides, user_categories,
  user_roles, users, units, deputies, deputy_groups, delegations, categories, meetings, tenants;
DROP SEQUENCE tenant_ids;
DROP TYPE user_role, evaluation_kind, rating, reply_class, contact_confirmation, contact_stage,
  assignment_state, assignment_role, handling_mode, suggestion_status;
