-- +goose Up
-- 调研报告 (internal/analysis, the source case's 成果转化闭环): research reports written on
-- suggestions many deputies raised, what they turned into (转化举措) and whether the city
-- adopted them as measures (转化为市委市政府举措), with the suggestions each report covers.
-- tenant_id leads every key and index; every reference stays inside the tenant through a
-- composite foreign key, so a report cannot cover another tenant's suggestion.

CREATE TABLE research_reports (
  tenant_id  bigint NOT NULL REFERENCES tenants(id),
  id         bigserial,
  title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  report_on  date NOT NULL CHECK (report_on BETWEEN '2000-01-01' AND '2100-12-31'),
  summary    text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
  outcome    text NOT NULL DEFAULT '' CHECK (length(outcome) <= 5000),
  adopted    boolean NOT NULL DEFAULT false,
  created_by bigint NOT NULL,
  updated_by bigint NOT NULL,
  version    int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES users(tenant_id, id),
  FOREIGN KEY (tenant_id, updated_by) REFERENCES users(tenant_id, id)
);
-- The list, newest first.
CREATE INDEX research_reports_newest ON research_reports (tenant_id, report_on DESC, id DESC);

CREATE TABLE research_report_suggestions (
  tenant_id     bigint NOT NULL,
  report_id     bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  PRIMARY KEY (tenant_id, report_id, suggestion_id),
  FOREIGN KEY (tenant_id, report_id) REFERENCES research_reports(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions(tenant_id, id)
);
-- The reports that cover a suggestion.
CREATE INDEX research_report_suggestions_suggestion ON research_report_suggestions (tenant_id, suggestion_id);

-- +goose Down
DROP TABLE research_report_suggestions;
DROP TABLE research_reports;
