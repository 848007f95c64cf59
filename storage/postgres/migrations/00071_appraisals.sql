-- +goose Up
-- 专题工作报告与满意度测评 and 年度反馈市政府 (internal/appraisal): per meeting, the units the
-- standing committee heard on their handling work with the committee's vote on it, the
-- committee's 审议意见 on the government's report and when the feedback went to the city
-- government; every change leaves an appraisal_events row (who, what, before → after).
-- tenant_id leads every key and index; every reference stays inside the tenant through a
-- composite foreign key.

CREATE TABLE appraisal_hearings (
  tenant_id   bigint NOT NULL REFERENCES tenants(id),
  id          bigserial,
  meeting_id  bigint NOT NULL,
  unit_id     bigint NOT NULL,
  session     text NOT NULL CHECK (length(session) BETWEEN 1 AND 60),
  held_on     date NOT NULL CHECK (held_on BETWEEN '2000-01-01' AND '2100-12-31'),
  -- The vote (满意 / 基本满意 / 不满意), all NULL until it is recorded.
  satisfied   int CHECK (satisfied BETWEEN 0 AND 1000),
  basic       int CHECK (basic BETWEEN 0 AND 1000),
  unsatisfied int CHECK (unsatisfied BETWEEN 0 AND 1000),
  voted_at    timestamptz,
  created_by  bigint NOT NULL,
  version     int NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- One hearing per unit and meeting.
  UNIQUE (tenant_id, meeting_id, unit_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units(tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users(tenant_id, id),
  CHECK ((satisfied IS NULL) = (basic IS NULL) AND (basic IS NULL) = (unsatisfied IS NULL) AND (unsatisfied IS NULL) = (voted_at IS NULL)),
  CHECK (satisfied IS NULL OR satisfied + basic + unsatisfied BETWEEN 1 AND 1000)
);
-- A unit's own hearings (the unit's page).
CREATE INDEX appraisal_hearings_unit ON appraisal_hearings (tenant_id, unit_id, meeting_id);

CREATE TABLE appraisal_feedbacks (
  tenant_id  bigint NOT NULL REFERENCES tenants(id),
  meeting_id bigint NOT NULL,
  opinion    text NOT NULL DEFAULT '' CHECK (length(opinion) <= 5000),
  opinion_at timestamptz,
  opinion_by bigint,
  sent_on    date CHECK (sent_on BETWEEN '2000-01-01' AND '2100-12-31'),
  sent_at    timestamptz,
  sent_by    bigint,
  version    int NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, meeting_id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id),
  FOREIGN KEY (tenant_id, opinion_by) REFERENCES users(tenant_id, id),
  FOREIGN KEY (tenant_id, sent_by) REFERENCES users(tenant_id, id),
  CHECK ((sent_on IS NULL) = (sent_at IS NULL) AND (sent_at IS NULL) = (sent_by IS NULL))
);

-- The audit of both tables, as audit_events is the audit of a suggestion.
CREATE TABLE appraisal_events (
  tenant_id  bigint NOT NULL REFERENCES tenants(id),
  id         bigserial,
  meeting_id bigint NOT NULL,
  hearing_id bigint,
  actor_id   bigint NOT NULL,
  action     text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings(tenant_id, id),
  FOREIGN KEY (tenant_id, hearing_id) REFERENCES appraisal_hearings(tenant_id, id),
  FOREIGN KEY (tenant_id, actor_id) REFERENCES users(tenant_id, id)
);
CREATE INDEX appraisal_events_meeting ON appraisal_events (tenant_id, meeting_id, id);

-- +goose Down
DROP TABLE appraisal_events;
DROP TABLE appraisal_feedbacks;
DROP TABLE appraisal_hearings;
