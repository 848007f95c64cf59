-- +goose Up
-- One narrow row per suggestion with the facts the dashboard needs from replies and
-- evaluations, kept by triggers in the same transaction as the workflow's inserts, so the
-- statistics join one table instead of aggregating two on every view.
CREATE TABLE suggestion_facts (
  tenant_id          bigint NOT NULL,
  suggestion_id      bigint NOT NULL,
  last_reply_round   int,
  last_class         reply_class,
  first_on_time      boolean,
  reply_rating_round int,
  reply_rating       rating,       -- the lead deputy's rating of the latest rated round
  impl_rating        rating,       -- the lead deputy's latest implementation rating
  PRIMARY KEY (tenant_id, suggestion_id)
);

-- +goose StatementBegin
CREATE FUNCTION suggestion_facts_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO suggestion_facts AS f (tenant_id, suggestion_id, last_reply_round, last_class, first_on_time)
  VALUES (NEW.tenant_id, NEW.suggestion_id, NEW.round, NEW.class, CASE WHEN NEW.round = 1 THEN NEW.on_time END)
  ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET
    last_class       = CASE WHEN NEW.round >= COALESCE(f.last_reply_round, 0) THEN NEW.class ELSE f.last_class END,
    last_reply_round = GREATEST(NEW.round, COALESCE(f.last_reply_round, 0)),
    first_on_time    = CASE WHEN NEW.round = 1 THEN NEW.on_time ELSE f.first_on_time END;
  RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION suggestion_facts_evaluation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM suggestions s WHERE s.tenant_id = NEW.tenant_id AND s.id = NEW.suggestion_id
                 AND s.lead_deputy_id = NEW.deputy_id) THEN
    RETURN NULL; -- only the lead deputy's ratings count (co-signers rate too, but apart)
  END IF;
  IF NEW.kind = 'reply' THEN
    INSERT INTO suggestion_facts AS f (tenant_id, suggestion_id, reply_rating_round, reply_rating)
    VALUES (NEW.tenant_id, NEW.suggestion_id, NEW.round, NEW.rating)
    ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET
      reply_rating       = CASE WHEN NEW.round >= COALESCE(f.reply_rating_round, 0) THEN NEW.rating ELSE f.reply_rating END,
      reply_rating_round = GREATEST(NEW.round, COALESCE(f.reply_rating_round, 0));
  ELSE
    INSERT INTO suggestion_facts AS f (tenant_id, suggestion_id, impl_rating)
    VALUES (NEW.tenant_id, NEW.suggestion_id, NEW.rating)
    ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET impl_rating = NEW.rating;
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER suggestion_facts_reply AFTER INSERT ON replies
  FOR EACH ROW EXECUTE FUNCTION suggestion_facts_reply();
CREATE TRIGGER suggestion_facts_evaluation AFTER INSERT ON evaluations
  FOR EACH ROW EXECUTE FUNCTION suggestion_facts_evaluation();

-- Backfill from what is already there.
INSERT INTO suggestion_facts (tenant_id, suggestion_id, last_reply_round, last_class, first_on_time)
SELECT DISTINCT ON (r.tenant_id, r.suggestion_id) r.tenant_id, r.suggestion_id, r.round, r.class,
  (SELECT r1.on_time FROM replies r1 WHERE r1.tenant_id = r.tenant_id AND r1.suggestion_id = r.suggestion_id AND r1.round = 1)
FROM replies r ORDER BY r.tenant_id, r.suggestion_id, r.round DESC;

INSERT INTO suggestion_facts AS f (tenant_id, suggestion_id, reply_rating_round, reply_rating)
SELECT DISTINCT ON (e.tenant_id, e.suggestion_id) e.tenant_id, e.suggestion_id, e.round, e.rating
FROM evaluations e JOIN suggestions s ON s.tenant_id = e.tenant_id AND s.id = e.suggestion_id AND s.lead_deputy_id = e.deputy_id
WHERE e.kind = 'reply' ORDER BY e.tenant_id, e.suggestion_id, e.round DESC, e.id DESC
ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET reply_rating_round = EXCLUDED.reply_rating_round, reply_rating = EXCLUDED.reply_rating;

INSERT INTO suggestion_facts AS f (tenant_id, suggestion_id, impl_rating)
SELECT DISTINCT ON (e.tenant_id, e.suggestion_id) e.tenant_id, e.suggestion_id, e.rating
FROM evaluations e JOIN suggestions s ON s.tenant_id = e.tenant_id AND s.id = e.suggestion_id AND s.lead_deputy_id = e.deputy_id
WHERE e.kind = 'implementation' ORDER BY e.tenant_id, e.suggestion_id, e.round DESC, e.id DESC
ON CONFLICT (tenant_id, suggestion_id) DO UPDATE SET impl_rating = EXCLUDED.impl_rating;

-- +goose Down
DROP TRIGGER suggestion_facts_evaluation ON evaluations;
DROP TRIGGER suggestion_facts_reply ON replies;
DROP FUNCTION suggestion_facts_evaluation();
DROP FUNCTION suggestion_facts_reply();
DROP TABLE suggestion_facts;
