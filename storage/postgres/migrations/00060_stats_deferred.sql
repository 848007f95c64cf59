-- +goose Up
-- The dashboard rollup (00023) was kept inside every workflow transaction: each transition
-- recomputed its suggestion's member row and wrote difference rows, which more than doubled
-- the cost of submit and assign. The triggers now only mark the suggestion in stats_dirty
-- (one small insert, nothing when it is already marked), and stats_drain(tenant) applies the
-- marks with stats_refresh. Readers drain before they sum, so the dashboard is never stale;
-- the worker drains every tenant in the background, so a reader finds little to do.
CREATE TABLE stats_dirty (
  tenant_id     bigint NOT NULL,
  suggestion_id bigint NOT NULL,
  PRIMARY KEY (tenant_id, suggestion_id)
);

-- +goose StatementBegin
CREATE FUNCTION stats_mark(t bigint, sid bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO stats_dirty (tenant_id, suggestion_id) VALUES (t, sid) ON CONFLICT DO NOTHING
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- Applies the tenant's marks in suggestion order (concurrent drains lock members alike) and
-- returns how many it refreshed. A mark made by a transaction still open is not visible yet
-- and stays for the next drain.
CREATE FUNCTION stats_drain(t bigint) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  sid bigint;
BEGIN
  WITH d AS (DELETE FROM stats_dirty WHERE tenant_id = t RETURNING suggestion_id)
  SELECT array_agg(suggestion_id ORDER BY suggestion_id) INTO ids FROM d;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  FOREACH sid IN ARRAY ids LOOP
    PERFORM stats_refresh(t, sid);
  END LOOP;
  RETURN cardinality(ids);
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_suggestion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_mark(OLD.tenant_id, OLD.id);
  ELSE
    PERFORM stats_mark(NEW.tenant_id, NEW.id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM stats_mark(OLD.tenant_id, OLD.suggestion_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.suggestion_id <> OLD.suggestion_id) THEN
    PERFORM stats_mark(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_mark(OLD.tenant_id, OLD.suggestion_id);
  ELSE
    PERFORM stats_mark(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_deputy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  INSERT INTO stats_dirty (tenant_id, suggestion_id)
  SELECT s.tenant_id, s.id FROM suggestions s WHERE s.tenant_id = NEW.tenant_id AND s.lead_deputy_id = NEW.id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- Apply what is marked, then go back to refreshing inside the workflow's transactions.
SELECT stats_drain(t.tenant_id) FROM (SELECT DISTINCT tenant_id FROM stats_dirty) t;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_suggestion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.id);
  ELSE
    PERFORM stats_refresh(NEW.tenant_id, NEW.id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.suggestion_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.suggestion_id <> OLD.suggestion_id) THEN
    PERFORM stats_refresh(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_refresh(OLD.tenant_id, OLD.suggestion_id);
  ELSE
    PERFORM stats_refresh(NEW.tenant_id, NEW.suggestion_id);
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_on_deputy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sid bigint;
BEGIN
  IF stats_bulk() THEN RETURN NULL; END IF;
  FOR sid IN SELECT s.id FROM suggestions s WHERE s.tenant_id = NEW.tenant_id AND s.lead_deputy_id = NEW.id ORDER BY s.id LOOP
    PERFORM stats_refresh(NEW.tenant_id, sid);
  END LOOP;
  RETURN NULL;
END $$;
-- +goose StatementEnd

DROP FUNCTION stats_drain(bigint);
DROP FUNCTION stats_mark(bigint, bigint);
DROP TABLE stats_dirty;
