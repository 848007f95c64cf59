-- +goose Up
-- 不予立案 turns a submission into an opinion letter (意见函) for the units it concerns: the
-- reviewer names them when declining; their staff are told and may read it (and only it: a
-- forwarded letter is not an assignment, nothing is owed).
CREATE TABLE opinion_forwards (
  tenant_id     bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  unit_id       bigint NOT NULL,
  forwarded_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, suggestion_id, unit_id),
  FOREIGN KEY (tenant_id, suggestion_id) REFERENCES suggestions (tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES units (tenant_id, id)
);
CREATE INDEX opinion_forwards_unit ON opinion_forwards (tenant_id, unit_id, forwarded_at DESC);

-- +goose Down
DROP TABLE opinion_forwards;
